// The other checkers against real listeners in the rs namespace: PING_CHECK
// (the namespace answers), UDP_CHECK (a socat echo, require_reply),
// SMTP_CHECK (a scripted SMTP greeting) and DNS_CHECK (a minimal responder
// answering NOERROR, which keepalived takes as up). With alpha, the real
// server joins only once every one of them has passed.

import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { lbLab, PYTHON, service, skip, SOCAT, startHcheck } from './hcheckLab.js';

const DNS_RESPONDER = `
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    query, peer = s.recvfrom(512)
    # Same id and question; QR, RD and RA set; NOERROR; no records.
    s.sendto(query[:2] + b'\\x81\\x80' + query[4:6] + b'\\x00' * 6 + query[12:], peer)
`;

describe('hcheck -f: PING_CHECK, UDP_CHECK, SMTP_CHECK, DNS_CHECK', { skip }, () => {
  it('adds an alpha real server once all its checkers pass, and removes it when one fails', async () => {
    await withLab(uniquePrefix('hcchk'), async (lab) => {
      const env = await lbLab(lab, 87, 1);
      const rs = `${env.net}.2`;
      const vs = `[${env.net}.100]:tcp:25`;
      const smtp = join(env.dir, 'smtp.sh');
      await writeFile(smtp, `#!/bin/sh\nprintf '220 test ESMTP\\r\\n'\nread line\nprintf '250 hello\\r\\n'\nread line\nprintf '221 bye\\r\\n'\n`);
      await chmod(smtp, 0o755);
      const dns = join(env.dir, 'dns.py');
      await writeFile(dns, DNS_RESPONDER);
      await lab.spawn(env.rs, [SOCAT, `UDP-RECVFROM:5000,bind=${rs},fork`, 'SYSTEM:cat']);
      await lab.spawn(env.rs, [PYTHON, dns, rs]);
      const smtpServer = await lab.spawn(env.rs, [SOCAT, `TCP-LISTEN:25,bind=${rs},fork,reuseaddr`, `EXEC:${smtp}`]);
      const timing = '            connect_timeout 1\n            retry 1\n            delay_before_retry 0.2\n';
      const hcheck = await startHcheck(
        env,
        service(
          `${env.net}.100 25`,
          `    real_server ${rs} 25 {
        PING_CHECK {
${timing}        }
        UDP_CHECK {
            connect_port 5000
            payload 68 65 6c 6c 6f
            require_reply 68 65 6c 6c 6f
${timing}        }
        SMTP_CHECK {
            helo_name lb.test
${timing}        }
        DNS_CHECK {
            connect_port 53
            type A
            name www.example.test
${timing}        }
    }
`,
          '    alpha\n',
        ),
      );
      await hcheck.log(`ICMP connection to [${rs}]:tcp:25 success.`);
      await hcheck.log(`UDP connection to [${rs}]:tcp:25 success.`);
      await hcheck.log(`Remote SMTP server [${rs}]:tcp:25 succeed on service.`);
      await hcheck.log(`Adding service [${rs}]:tcp:25 to VS ${vs}`);
      await hcheck.command(`ipvsadm -a -t ${env.net}.100:25 -r ${rs}:25 -g -w 1`);

      await smtpServer.stop('SIGKILL');
      await hcheck.log(`SMTP_CHECK Error connecting to server [${rs}]:tcp:25`);
      await hcheck.log(`Removing service [${rs}]:tcp:25 from VS ${vs}`);
      await lab.spawn(env.rs, [SOCAT, `TCP-LISTEN:25,bind=${rs},fork,reuseaddr`, `EXEC:${smtp}`]);
      await hcheck.log(`Adding service [${rs}]:tcp:25 to VS ${vs}`, 15_000);
      await hcheck.process.stop('SIGTERM');
    });
  });
});

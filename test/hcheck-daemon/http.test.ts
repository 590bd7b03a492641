// HTTP_GET against python's http.server: a url's digest and status code
// decide; a page that changes (digest) or disappears (status) takes the
// real server out after its retry, and it comes back with the page.

import { createHash } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { uniquePrefix, waitFor, withLab } from '@keepalived-ts/test-utils';
import { lbLab, PYTHON, service, skip, SOCAT, startHcheck } from './hcheckLab.js';

describe('hcheck -f: HTTP_GET', { skip }, () => {
  it('follows the digest and the status code of the urls', async () => {
    await withLab(uniquePrefix('hchtt'), async (lab) => {
      const env = await lbLab(lab, 85, 1);
      const rs = `${env.net}.2`;
      const vs = `[${env.net}.100]:tcp:80`;
      const www = join(env.dir, 'www');
      await mkdir(www);
      const body = 'healthy\n';
      await writeFile(join(www, 'health'), body);
      await writeFile(join(www, 'index.html'), 'index\n');
      const digest = createHash('md5').update(body).digest('hex');
      await lab.spawn(env.rs, [PYTHON, '-m', 'http.server', '8080', '--bind', rs, '--directory', www]);
      await waitFor(async () => (await lab.exec(env.rs, [SOCAT, '-u', '/dev/null', `TCP:${rs}:8080,connect-timeout=1`])).code === 0, { timeoutMs: 10_000, intervalMs: 100, what: 'http.server' });
      const hcheck = await startHcheck(
        env,
        service(
          `${env.net}.100 80`,
          `    real_server ${rs} 8080 {
        HTTP_GET {
            url {
                path /health
                digest ${digest}
            }
            url {
                path /index.html
                status_code 200
            }
            connect_timeout 1
            retry 1
            delay_before_retry 0.2
        }
    }
`,
        ),
      );
      await hcheck.log(`MD5 digest success to [${rs}]:tcp:8080 url(1).`);
      await hcheck.log(`HTTP status code success to [${rs}]:tcp:8080 url(2).`);
      await hcheck.log(`Remote Web server [${rs}]:tcp:8080 succeed on service.`);

      await writeFile(join(www, 'health'), 'sick\n');
      await hcheck.log(`MD5 digest error to server [${rs}]:tcp:8080.`);
      await hcheck.log(`Check on service [${rs}]:tcp:8080 failed after 1 retry.`);
      await hcheck.log(`Removing service [${rs}]:tcp:8080 from VS ${vs}`);
      await hcheck.command(`ipvsadm -d -t ${env.net}.100:80 -r ${rs}:8080`);

      await writeFile(join(www, 'health'), body);
      await hcheck.log(`Adding service [${rs}]:tcp:8080 to VS ${vs}`);
      await rm(join(www, 'index.html'));
      await hcheck.log(`HTTP status code error to server [${rs}]:tcp:8080.`);
      await hcheck.log(new RegExp(`Removing service \\[${rs.replace(/\./g, '\\.')}\\]:tcp:8080 from VS`));
      await hcheck.process.stop('SIGTERM');
    });
  });
});

// keepalived's words for checker results, and ipvsadm's for IPVS changes.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { down, up } from '@keepalived-ts/checks';
import { parseKeepalivedConfigText, type RealServerChecker } from '@keepalived-ts/config';
import { outcomeLines } from './checkerLog.js';
import { ipvsadmCommand, type IpvsService } from './ipvsChange.js';

function checker(block: string): RealServerChecker {
  const { config } = parseKeepalivedConfigText(`virtual_server 10.0.0.1 80 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  real_server 10.0.0.2 80 {\n${block}\n  }\n}\n`, { environment: {} });
  return config.lvs.virtualServers[0]!.realServers[0]!.checkers[0]!;
}

const context = { realServer: '[10.0.0.2]:tcp:80', virtualServer: '[10.0.0.1]:tcp:80', hasRun: true, retried: true };

describe('outcomeLines', () => {
  it('TCP_CHECK', () => {
    const tcp = checker('    TCP_CHECK {\n      retry 2\n    }');
    assert.deepEqual(outcomeLines(tcp, up('connected', 1), context), ['TCP connection to [10.0.0.2]:tcp:80 success.']);
    assert.deepEqual(outcomeLines(tcp, down('refused', 'connection refused', 1), context), ['TCP_CHECK on service [10.0.0.2]:tcp:80 failed after 2 retries.']);
    assert.deepEqual(outcomeLines(tcp, down('refused', 'connection refused', 1), { ...context, hasRun: false }), ['TCP_CHECK on service [10.0.0.2]:tcp:80 failed.']);
  });

  it('HTTP_GET, per url and for the server', () => {
    const http = checker('    HTTP_GET {\n      url {\n        path /a\n        digest 9b3a0c85a887a256d6939da88aabd8cd\n      }\n      url {\n        path /b\n        status_code 200\n      }\n      url {\n        path /c\n      }\n    }');
    assert.deepEqual(outcomeLines(http, up('ok', 1), context), [
      'MD5 digest success to [10.0.0.2]:tcp:80 url(1).',
      'HTTP status code success to [10.0.0.2]:tcp:80 url(2).',
      'HTTP success to [10.0.0.2]:tcp:80 url(3).',
      'Remote Web server [10.0.0.2]:tcp:80 succeed on service.',
    ]);
    assert.deepEqual(outcomeLines(http, down('status', '/b: status 503 (want 200)', 1), context), ['HTTP status code error to server [10.0.0.2]:tcp:80.', 'Check on service [10.0.0.2]:tcp:80 failed after 1 retry.']);
  });

  it('MISC_CHECK exit statuses, signals and timeouts', () => {
    const misc = checker('    MISC_CHECK {\n      misc_path "/usr/local/bin/check db"\n    }');
    const head = 'Misc check for [[10.0.0.2]:tcp:80 VS [10.0.0.1]:tcp:80] by [/usr/local/bin/check]';
    assert.deepEqual(outcomeLines(misc, up('check exited 0', 1), context), [`${head} succeeded.`]);
    assert.deepEqual(outcomeLines(misc, down('script', 'check exited 3', 1), context), [`${head} failed (exited with status 3).`]);
    assert.deepEqual(outcomeLines(misc, down('script', 'check killed by SIGKILL (9)', 1), context), [`${head} failed (due to signal 9).`]);
    assert.deepEqual(outcomeLines(misc, down('timeout', 'check timed out after 1000 ms', 1), context), [`${head} timed out.`]);
  });

  it('SMTP, DNS, UDP and PING', () => {
    assert.deepEqual(outcomeLines(checker('    SMTP_CHECK {\n    }'), down('refused', 'connection refused', 1), context), ['SMTP_CHECK Error connecting to server [10.0.0.2]:tcp:80']);
    assert.deepEqual(outcomeLines(checker('    DNS_CHECK {\n    }'), up('DNS . SOA x', 1), context), []);
    assert.deepEqual(outcomeLines(checker('    UDP_CHECK {\n    }'), up('reply', 1), context), ['UDP connection to [10.0.0.2]:tcp:80 success.']);
    assert.deepEqual(outcomeLines(checker('    PING_CHECK {\n    }'), down('timeout', 'no echo reply within 1000 ms', 1), context), ['PING_CHECK on service [10.0.0.2]:tcp:80 failed after 1 retries.']);
  });
});

describe('ipvsadmCommand', () => {
  const service = (over: Partial<IpvsService>): IpvsService => ({ protocol: 'TCP', address: '10.0.0.1', port: 80, fwmark: undefined, family: 4, scheduler: 'wlc', schedulerFlags: [], onePacket: false, persistenceTimeout: undefined, persistenceGranularity: undefined, ...over });
  const destination = { address: 'fd00::2', family: 6 as const, port: 8080, method: 'TUN' as const, weight: 3, upperThreshold: 100, lowerThreshold: 10 };

  it('writes services as ipvsadm takes them', () => {
    assert.equal(ipvsadmCommand({ kind: 'add-service', service: service({ protocol: 'UDP', schedulerFlags: ['sh-port'], scheduler: 'sh', onePacket: true, persistenceTimeout: 300, persistenceGranularity: '255.255.255.0' }) }), 'ipvsadm -A -u 10.0.0.1:80 -s sh -b sh-port -p 300 -M 255.255.255.0 -o');
    assert.equal(ipvsadmCommand({ kind: 'delete-service', service: service({ protocol: 'SCTP', address: 'fd00::1', family: 6 }) }), 'ipvsadm -D --sctp-service [fd00::1]:80');
    assert.equal(ipvsadmCommand({ kind: 'edit-service', service: service({ protocol: undefined, address: undefined, port: 0, fwmark: 5, family: 6 }) }), 'ipvsadm -E -f 5 -6 -s wlc');
  });

  it('writes destinations with their method, weight and thresholds', () => {
    const s = service({ address: 'fd00::1', family: 6 });
    assert.equal(ipvsadmCommand({ kind: 'add-destination', service: s, destination }), 'ipvsadm -a -t [fd00::1]:80 -r [fd00::2]:8080 -i -w 3 -x 100 -y 10');
    assert.equal(ipvsadmCommand({ kind: 'delete-destination', service: s, destination: { ...destination, port: 0 } }), 'ipvsadm -d -t [fd00::1]:80 -r [fd00::2]');
  });
});

// The typed virtual servers: keepalived 2.2.7's defaults and inheritance,
// its corrections and its words, and (as root, with keepalived installed)
// the same `-t` verdict as keepalived on the same files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkVirtualServerScripts, configTestStatus, formatDiagnostic, loadKeepalivedConfig, parseKeepalivedConfigText, type ParseResult } from './index.js';
import { expandRange } from './virtualServerGroup.js';

const parse = (text: string): ParseResult => parseKeepalivedConfigText(text, { environment: {} });
const messages = (result: ParseResult): string[] => result.diagnostics.map(formatDiagnostic);

const SERVICE = `
  protocol TCP
  lb_algo rr
  lb_kind DR`;

describe('virtual_server', () => {
  it('resolves what real servers and checkers inherit, with keepalived defaults', () => {
    const result = parse(`virtual_server 10.0.0.1 80 {${SERVICE}
  delay_loop 2
  retry 4
  virtualhost vs.example
  alpha
  inhibit_on_failure
  quorum 2
  hysteresis 1
  sorry_server 10.0.0.9 8080
  sorry_server_inhibit
  real_server 10.0.0.2 80 {
    weight 3
    TCP_CHECK {
      connect_timeout 0.5
    }
    HTTP_GET {
      url {
        path /health
        status_code 200 301-302
      }
    }
    DNS_CHECK {
      type a
    }
    MISC_CHECK {
      misc_path "/bin/check x"
      misc_dynamic
    }
  }
  real_server 10.0.0.3 80 {
    alpha no
    delay_before_retry 0.25
    PING_CHECK {
      retry 0
    }
  }
}
`);
    assert.deepEqual(messages(result), []);
    const [vs] = result.config.lvs.virtualServers;
    assert.ok(vs);
    assert.equal(vs.name, '[10.0.0.1]:tcp:80');
    assert.equal(vs.scheduler, 'rr');
    assert.deepEqual([vs.quorum, vs.hysteresis, vs.alpha], [2, 1, true]);
    assert.deepEqual(vs.sorryServer && [vs.sorryServer.address, vs.sorryServer.port, vs.sorryServer.method, vs.sorryServer.inhibit], ['10.0.0.9', 8080, 'DR', true]);
    const [a, b] = vs.realServers;
    assert.deepEqual([a!.weight, a!.method, a!.inhibitOnFailure], [3, 'DR', true]);
    const [tcp, http, dns, misc] = a!.checkers;
    assert.ok(tcp && http && dns && misc);
    assert.deepEqual(
      [tcp.type, tcp.connectTimeout, tcp.retry, tcp.delayBeforeRetry, tcp.delayLoop, tcp.warmup, tcp.alpha],
      ['TCP_CHECK', 0.5, 4, 1, 2, 2, true],
    );
    assert.ok(tcp.type === 'TCP_CHECK');
    assert.deepEqual([tcp.connectIp, tcp.connectPort], ['10.0.0.2', 80]);
    assert.ok(http.type === 'HTTP_GET');
    assert.deepEqual([http.connectTimeout, http.delayBeforeRetry, http.virtualhost, http.httpProtocol], [5, 3, 'vs.example', '1.0']);
    assert.deepEqual(http.urls.map((u) => [u.path, u.statusCodes]), [['/health', [[200, 200], [301, 302]]]]);
    assert.ok(dns.type === 'DNS_CHECK');
    assert.deepEqual([dns.queryType, dns.name, dns.retry], ['A', '.', 4]);
    assert.ok(misc.type === 'MISC_CHECK');
    assert.deepEqual([misc.script.argv, misc.timeout, misc.dynamic, misc.retry], [['/bin/check', 'x'], 2, true, 4]);
    const [ping] = b!.checkers;
    assert.deepEqual([ping!.type, ping!.retry, ping!.delayBeforeRetry, ping!.alpha], ['PING_CHECK', 0, 0.25, false]);
  });

  it("makes keepalived's corrections in its words", () => {
    const result = parse(`virtual_server 10.0.0.1 80 {
  quorum 0
  hysteresis 3
  real_server 10.0.0.2 80 {
    weight -1
    TCP_CHECK {
      connect_port 0
      connect_timeout 0
      retry -1
    }
    HTTP_GET {
      url {
        digest 123
      }
    }
  }
}
virtual_server 10.0.0.1 81 {
  protocol TCP
}
`);
    assert.deepEqual(messages(result), [
      "keepalived.conf:2: number '0' outside range [1, 4294967295]: Quorum 0 must be in [1, 4294967295]. Setting to 1.",
      "keepalived.conf:5: negative number '-1': Real server weight -1 is outside range 0-2147483647",
      "keepalived.conf:7: number '0' outside range [1, 65535]: Invalid checker connect_port '0'",
      "keepalived.conf:8: number '0' outside range [0.000001, 4294.967295]: connect_timeout 0 invalid - ignoring",
      "keepalived.conf:9: negative number '-1': Invalid retry connection value '-1'",
      "keepalived.conf:13: digest '123' character length should be 32 rather than 3",
      'keepalived.conf:12: HTTP/SSL_GET checker url has no path - ignoring',
      'keepalived.conf:11: HTTP/SSL_GET checker has no urls specified - ignoring',
      'keepalived.conf:1: Virtual server [10.0.0.1]:none:80: hysteresis 3 >= quorum 1; setting hysteresis to 0',
      'keepalived.conf:1: Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP',
      "keepalived.conf:1: Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
      'keepalived.conf:1: Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT',
      'keepalived.conf:18: Virtual server [10.0.0.1]:tcp:81 has no real servers - ignoring',
    ]);
    assert.equal(configTestStatus(result.diagnostics), 5);
    const vs = result.config.lvs.virtualServers;
    assert.equal(vs.length, 1);
    assert.deepEqual([vs[0]!.protocol, vs[0]!.quorum, vs[0]!.hysteresis, vs[0]!.realServers[0]!.weight], ['UDP', 1, 0, 1]);
    assert.deepEqual(vs[0]!.realServers[0]!.checkers.map((c) => c.type), ['TCP_CHECK']);
  });

  it('reads groups, fwmarks and keepalived-accepted keywords hcheck does not apply (a note, not an error)', () => {
    const result = parse(`virtual_server_group WEB {
  10.0.0.1 80
  10.0.0.2-4 80
  10.0.1.0/30 443
  fwmark 7
}
virtual_server group WEB {${SERVICE}
  real_server 10.0.0.2 80 {
    TCP_CHECK {
      fwmark 3
    }
  }
}
`);
    assert.equal(configTestStatus(result.diagnostics), 0);
    assert.deepEqual(messages(result), ['keepalived.conf:13: fwmark is not supported by hcheck (Node.js cannot set SO_MARK on a socket) - ignoring']);
    const [group] = result.config.lvs.virtualServerGroups;
    assert.deepEqual(
      group!.entries.map((e) => (e.kind === 'address' ? [...e.addresses, e.port] : ['fwmark', e.fwmark])),
      [['10.0.0.1', 80], ['10.0.0.2', '10.0.0.3', '10.0.0.4', 80], ['10.0.1.0', '10.0.1.1', '10.0.1.2', '10.0.1.3', 443], ['fwmark', 7]],
    );
    assert.equal(result.config.lvs.virtualServers[0]!.name, '[WEB]:0');
  });

  it('expands IPv6 ranges', () => {
    assert.deepEqual(expandRange('fd00::1-3'), { family: 6, addresses: ['fd00::1', 'fd00::2', 'fd00::3'] });
    assert.deepEqual(expandRange('fd00::fffe/127'), { family: 6, addresses: ['fd00::fffe', 'fd00::ffff'] });
    assert.equal(expandRange('10.0.0.5-3'), 'Address range end is not greater than address range start');
  });
});

const keepalived = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const skip = keepalived.error ? 'keepalived is not installed' : process.getuid?.() !== 0 ? 'keepalived -t and the script checks need root' : false;

describe('virtual servers: agreement with keepalived -t', { skip }, () => {
  const root = mkdtempSync(join(tmpdir(), 'kts-vs-parity-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let count = 0;
  const agree = (text: string, expected: number): void => {
    const file = join(root, `vs${++count}.conf`);
    writeFileSync(file, text);
    const run = spawnSync('keepalived', ['-t', '-f', file], { encoding: 'utf8', timeout: 20_000 });
    const { config, diagnostics } = loadKeepalivedConfig(file);
    const all = [...diagnostics, ...checkVirtualServerScripts(config).diagnostics];
    const detail = `keepalived said:\n${run.stdout}${run.stderr}\nwe said:\n${all.map(formatDiagnostic).join('\n')}`;
    assert.equal(run.status, expected, detail);
    assert.equal(configTestStatus(all), expected, detail);
  };
  const vs = (inner: string, head = SERVICE): string => `virtual_server 10.0.0.1 80 {${head}\n  real_server 10.0.0.2 80 {\n${inner}\n  }\n}\n`;

  it('a complete service with every checker: 0', () => {
    agree(vs('    TCP_CHECK {\n      connect_timeout 1\n    }\n    HTTP_GET {\n      url {\n        path /\n        digest 9b3a0c85a887a256d6939da88aabd8cd\n      }\n    }\n    SMTP_CHECK {\n      helo_name x\n    }\n    DNS_CHECK {\n      type A\n    }\n    UDP_CHECK {\n      require_reply 0x\n    }\n    PING_CHECK {\n    }'), 0);
  });
  it('defaults left to keepalived: 5', () => agree(vs('', ''), 5));
  it('nb_get_retry in HTTP_GET (deprecated): 5', () => agree(vs('    HTTP_GET {\n      nb_get_retry 2\n      url {\n        path /\n      }\n    }'), 5));
  it('nb_get_retry in TCP_CHECK (unknown there): 5', () => agree(vs('    TCP_CHECK {\n      nb_get_retry 2\n    }'), 5));
  it('a fwmark service with a protocol: 5', () => agree('virtual_server fwmark 1 {\n  protocol TCP\n  lb_algo rr\n  lb_kind NAT\n  real_server 10.0.0.2 80 {\n  }\n}\n', 5));
  it('check scripts without enable_script_security: 6', () => agree(`global_defs {\n  script_user root\n}\n${vs('    notify_up /bin/true\n    MISC_CHECK {\n      misc_path /bin/true\n    }')}`, 6));
  it('check scripts with enable_script_security: 0', () => agree(`global_defs {\n  script_user root\n  enable_script_security\n}\n${vs('    notify_up /bin/true\n    MISC_CHECK {\n      misc_path /bin/true\n    }')}`, 0));
});

// Every configuration operators showed us (shared/examples) loads, with the
// meaning keepalived gives it, field by field.

import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configTestStatus, formatDiagnostic, loadKeepalivedConfig, parseKeepalivedConfig, nodeFileSystem, type ParseResult } from './index.js';

const examples = fileURLToPath(new URL('../../../../shared/examples/', import.meta.url));
const have = existsSync(examples);
// Interfaces differ between hosts; keepalived's interface checks have their own tests.
const load = (name: string): ParseResult => loadKeepalivedConfig(examples + name, { checkInterfaces: false });
const messages = (result: ParseResult): string[] => result.diagnostics.map(formatDiagnostic);

describe('shared/examples', { skip: !have && 'shared/examples is not beside this checkout' }, () => {
  it('loads every .conf file', () => {
    const names = readdirSync(examples).filter((name) => name.endsWith('.conf'));
    assert.ok(names.length >= 9);
    for (const name of names) {
      if (name === 'tcp-check-snippet.conf') continue;
      assert.doesNotThrow(() => load(name), name);
    }
  });

  it('basic-master.conf / basic-backup.conf: the minimal pair', () => {
    for (const [name, state, priority] of [
      ['basic-master.conf', 'MASTER', 101],
      ['basic-backup.conf', 'BACKUP', 100],
    ] as const) {
      const result = load(name);
      assert.deepEqual(result.diagnostics, [], name);
      assert.equal(configTestStatus(result.diagnostics), 0);
      const [instance, ...rest] = result.config.vrrpInstances;
      assert.equal(rest.length, 0);
      assert.ok(instance);
      assert.equal(instance.name, 'VI_1');
      assert.equal(instance.state, state);
      assert.equal(instance.interface, 'eth0');
      assert.equal(instance.virtualRouterId, 51);
      assert.equal(instance.priority, priority);
      assert.equal(instance.advertInterval, 100);
      assert.equal(instance.version, 2);
      assert.equal(instance.family, 4);
      assert.deepEqual(instance.authentication, { type: 'PASS', password: '1111' });
      assert.deepEqual(
        instance.virtualIpaddress.map((vip) => [vip.address, vip.prefixLength, vip.device]),
        [['192.168.31.100', 32, undefined]],
      );
      assert.equal(instance.nopreempt, false);
      assert.equal(instance.garpMasterDelay, 5);
      assert.equal(instance.garpMasterRepeat, 5);
      assert.equal(result.config.globalDefs.vrrpGarpMasterRefresh, 0);
    }
  });

  it('nginx-unicast-node1.conf: vrrp_script, nopreempt, unicast, dev/label, script security, Chinese comments', () => {
    const result = load('nginx-unicast-node1.conf');
    assert.deepEqual(messages(result), []);
    const { globalDefs, vrrpScripts, vrrpInstances } = result.config;
    assert.equal(globalDefs.routerId, 'linyi');
    assert.deepEqual(globalDefs.scriptUser, { user: 'root', group: undefined });
    assert.equal(globalDefs.enableScriptSecurity, true);

    assert.equal(vrrpScripts.length, 1);
    const script = vrrpScripts[0]!;
    assert.equal(script.name, 'chk_ng');
    assert.deepEqual(script.script.argv, ['/etc/keepalived/checkng.sh']);
    assert.equal(script.interval, 10);
    assert.equal(script.fall, 5);
    assert.equal(script.rise, 1);
    assert.equal(script.weight, 0);
    assert.equal(script.timeout, undefined);

    const instance = vrrpInstances[0]!;
    assert.equal(instance.name, 'VI_NG');
    assert.equal(instance.state, 'BACKUP');
    assert.equal(instance.nopreempt, true);
    assert.equal(instance.interface, 'eth1');
    assert.equal(instance.virtualRouterId, 76);
    assert.equal(instance.priority, 100);
    assert.equal(instance.advertInterval, 200);
    // The `## 密码` after the password is a comment, not part of it.
    assert.deepEqual(instance.authentication, { type: 'PASS', password: 'dWc4Tddl' });
    const vip = instance.virtualIpaddress[0]!;
    assert.deepEqual([vip.address, vip.device, vip.label, vip.prefixLength], ['10.16.200.200', 'eth1', 'eth1:1', 32]);
    assert.deepEqual(vip.location, { file: examples + 'nginx-unicast-node1.conf', line: 31, column: 9 });
    assert.equal(instance.unicastSrcIp, '192.168.1.152');
    assert.deepEqual(instance.unicastPeers.map((peer) => peer.address), ['192.168.1.156']);
    assert.deepEqual(instance.trackScript.map((tracked) => [tracked.name, tracked.weight]), [['chk_ng', undefined]]);
    assert.equal(instance.location.line, 14);
  });

  it('nginx-unicast-node2.conf: the peer of node1', () => {
    const result = load('nginx-unicast-node2.conf');
    assert.deepEqual(messages(result), []);
    const instance = result.config.vrrpInstances[0]!;
    assert.equal(instance.priority, 90);
    assert.equal(instance.unicastSrcIp, '192.168.1.156');
    assert.deepEqual(instance.unicastPeers.map((peer) => peer.address), ['192.168.1.152']);
    assert.equal(instance.nopreempt, true);
  });

  it('lvs-default.conf: mail settings kept, vrrp_strict applied, and the garp intervals of 0 reported as keepalived 2.2.7 does', () => {
    const result = load('lvs-default.conf');
    const { globalDefs, vrrpInstances, virtualServers } = result.config;
    assert.deepEqual(globalDefs.notificationEmail, ['acassen@firewall.loc', 'failover@firewall.loc', 'sysadmin@firewall.loc']);
    assert.equal(globalDefs.notificationEmailFrom, 'Alexandre.Cassen@firewall.loc');
    assert.deepEqual(globalDefs.smtpServer, { host: '192.168.200.1', port: 25 });
    assert.equal(globalDefs.smtpConnectTimeout, 30);
    assert.equal(globalDefs.routerId, 'LVS_DEVEL');
    assert.equal(globalDefs.vrrpSkipCheckAdvAddr, true);
    assert.equal(globalDefs.vrrpStrict, true);
    // 0 is outside [0.000001, 4294.967295] in 2.2.7, so the default (0) stays.
    assert.equal(globalDefs.vrrpGarpInterval, 0);
    assert.equal(globalDefs.vrrpGnaInterval, 0);
    const file = examples + 'lvs-default.conf';
    assert.deepEqual(messages(result), [
      `${file}:15: vrrp_garp_interval '0' is invalid (number '0' outside range [0.000001, 4294.967295]) - keeping vrrp_garp_interval at its default`,
      `${file}:16: vrrp_gna_interval '0' is invalid (number '0' outside range [0.000001, 4294.967295]) - keeping vrrp_gna_interval at its default`,
      `${file}:19: (VI_1) State MASTER must match being address owner`,
      `${file}:19: (VI_1) Strict mode does not support authentication. Ignoring.`,
    ]);
    assert.equal(configTestStatus(result.diagnostics), 5);
    const instance = vrrpInstances[0]!;
    // vrrp_strict: MASTER needs priority 255, and authentication is dropped.
    assert.equal(instance.state, 'BACKUP');
    assert.equal(instance.strictMode, true);
    assert.equal(instance.authentication, undefined);
    assert.equal(instance.garpLowerPrioRepeat, 0);
    assert.deepEqual(instance.virtualIpaddress.map((vip) => vip.address), ['192.168.200.16', '192.168.200.17', '192.168.200.18']);
    assert.deepEqual(virtualServers.map((vs) => vs.args), [['192.168.200.100', '443'], ['10.10.10.2', '1358'], ['10.10.10.3', '1358']]);
    const realServer = virtualServers[0]!.children!.find((child) => child.keyword === 'real_server')!;
    const sslGet = realServer.children!.find((child) => child.keyword === 'SSL_GET')!;
    assert.deepEqual(sslGet.children!.filter((c) => c.keyword === 'url').map((url) => url.children!.map((c) => [c.keyword, ...c.args])), [
      [['path', '/'], ['digest', 'ff20ad2481f97b1754ef3e12ecd3a9cc']],
      [['path', '/mrtg/'], ['digest', '9b3a0c85a887a256d6939da88aabd8cd']],
    ]);
    const sorry = virtualServers[1]!.children!.find((child) => child.keyword === 'sorry_server')!;
    assert.deepEqual(sorry.args, ['192.168.200.200', '1358']);
  });

  for (const [name, state, priority] of [
    ['lvs-dr-master.conf', 'MASTER', 102],
    ['lvs-dr-backup.conf', 'BACKUP', 80],
  ] as const) {
    it(`${name}: glued braces, Chinese inline comments, a !include comment, a virtual_server`, () => {
      const result = load(name);
      assert.deepEqual(messages(result), []);
      assert.deepEqual(result.config.files, [examples + name]);
      const instance = result.config.vrrpInstances[0]!;
      assert.equal(instance.name, 'VI_180');
      assert.equal(instance.state, state);
      assert.equal(instance.interface, 'ens33');
      assert.equal(instance.virtualRouterId, 180);
      assert.equal(instance.priority, priority);
      assert.equal(instance.advertInterval, 100);
      assert.deepEqual(instance.authentication, { type: 'PASS', password: '1111' });
      assert.deepEqual(instance.virtualIpaddress.map((vip) => vip.address), ['192.168.79.180']);
      assert.deepEqual(instance.location, { file: examples + name, line: 3, column: 1 });
      const [vs] = result.config.virtualServers;
      assert.ok(vs);
      assert.deepEqual(vs.args, ['192.168.79.180', '80']);
      assert.deepEqual(vs.blockLocation, { file: examples + name, line: 27, column: 33 });
      assert.deepEqual(
        vs.children!.filter((c) => c.children === undefined).map((c) => [c.keyword, ...c.args]),
        [['delay_loop', '6'], ['lb_algo', 'rr'], ['lb_kind', 'DR'], ['persistence_timeout', '10'], ['protocol', 'TCP']],
      );
      assert.deepEqual(
        vs.children!.filter((c) => c.keyword === 'real_server').map((rs) => [...rs.args, ...rs.children!.flatMap((c) => [c.keyword, ...c.args])]),
        [
          ['192.168.79.128', '80', 'weight', '1'],
          ['192.168.79.129', '80', 'weight', '1'],
          ['192.168.79.131', '80', 'weight', '1'],
        ],
      );
    });
  }

  it('lvs-fwmark.conf: a firewall-mark virtual server, judged as keepalived 2.2.7 judges it', () => {
    const result = load('lvs-fwmark.conf');
    const file = examples + 'lvs-fwmark.conf';
    assert.deepEqual(messages(result), [
      `${file}:5: number '0' outside range [1, 2678400]: persistence_timeout invalid`,
      `${file}:1: Warning: Virtual server FWM 617443: protocol specified for fwmark - protocol will be ignored`,
      `${file}:8: WARNING - fwmark virtual server FWM 617443, real server [192.168.79.129]:none:17443 has port specified - clearing`,
      `${file}:12: WARNING - fwmark virtual server FWM 617443, real server [192.168.79.131]:none:17443 has port specified - clearing`,
    ]);
    assert.equal(configTestStatus(result.diagnostics), 5);
    const typed = result.config.lvs.virtualServers[0]!;
    assert.deepEqual(typed.service, { kind: 'fwmark', fwmark: 617443 });
    assert.equal(typed.protocol, undefined);
    assert.equal(typed.persistenceTimeout, undefined);
    assert.deepEqual(typed.realServers.map((rs) => [rs.address, rs.port, rs.method]), [['192.168.79.129', 0, 'DR'], ['192.168.79.131', 0, 'DR']]);
    assert.equal(result.config.vrrpInstances.length, 0);
    const vs = result.config.virtualServers[0]!;
    assert.deepEqual(vs.args, ['fwmark', '617443', '17443']);
    assert.deepEqual(vs.children!.find((c) => c.keyword === 'persistence_timeout')!.args, ['0']);
    assert.equal(vs.children!.filter((c) => c.keyword === 'real_server').length, 2);
  });

  it('tcp-check-snippet.conf: a fragment that lexes and parses as a block tree', () => {
    const result = parseKeepalivedConfig(examples + 'tcp-check-snippet.conf', nodeFileSystem);
    // Like keepalived, a TCP_CHECK at the top level is an unknown keyword.
    assert.deepEqual(messages(result), [`${examples}tcp-check-snippet.conf:1: unknown keyword 'TCP_CHECK'`]);
  });
});

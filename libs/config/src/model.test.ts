// The typed model: keepalived 2.2.7's defaults, ranges and corrections, and
// the diagnostics that say what keepalived does about a bad value.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configTestStatus, DEFAULT_GLOBAL_DEFS, formatDiagnostic, parseKeepalivedConfigText, type ParseResult, type VrrpInstance } from './index.js';

const parse = (text: string): ParseResult => parseKeepalivedConfigText(text, { environment: { interfaceStatus: (name) => (name === 'lo' ? 'loopback' : name.startsWith('eth') ? 'present' : 'missing') } });
const messages = (result: ParseResult): string[] => result.diagnostics.map(formatDiagnostic);
const vrrp = (body: string, vips = '10.0.0.1'): string =>
  `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n${vips
    .split('\n')
    .map((v) => `    ${v}`)
    .join('\n')}\n  }\n${body}\n}\n`;
const only = (result: ParseResult): VrrpInstance => {
  assert.equal(result.config.vrrpInstances.length, 1, messages(result).join('\n'));
  return result.config.vrrpInstances[0]!;
};
const globals = (lines: string): ParseResult => parse(`global_defs {\n${lines}\n}\n`);

describe('global_defs', () => {
  it('has keepalived 2.2.7 defaults', () => {
    const result = parse('');
    assert.deepEqual(result.config.globalDefs, DEFAULT_GLOBAL_DEFS);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpVersion, 2);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpGarpMasterDelay, 5);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpGarpMasterRepeat, 5);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpGarpMasterRefresh, 0);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpGarpMasterRefreshRepeat, 1);
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpMcastGroup4, '224.0.0.18');
    assert.equal(DEFAULT_GLOBAL_DEFS.vrrpMcastGroup6, 'ff02::12');
  });

  it('reads every VRRP keyword', () => {
    const result = globals(
      [
        'router_id R1',
        'vrrp_version 3',
        'vrrp_garp_master_delay 10',
        'vrrp_garp_master_repeat 2',
        'vrrp_garp_master_refresh 60',
        'vrrp_garp_master_refresh_repeat 3',
        'vrrp_garp_interval 0.001',
        'vrrp_gna_interval 0.000001',
        'vrrp_mcast_group4 224.0.0.19',
        'vrrp_mcast_group6 ff02::13',
        'script_user keepalived_script nogroup',
        'enable_script_security',
        'vrrp_strict',
        'notify_fifo /run/k.fifo',
        'vrrp_notify_fifo /run/v.fifo root',
        'vrrp_skip_check_adv_addr',
        'vrrp_check_unicast_src',
        'smtp_server mail.example.com 2525',
        'smtp_connect_timeout 5',
      ].join('\n'),
    );
    assert.deepEqual(messages(result), []);
    const g = result.config.globalDefs;
    assert.equal(g.routerId, 'R1');
    assert.equal(g.vrrpVersion, 3);
    assert.equal(g.vrrpGarpMasterDelay, 10);
    assert.equal(g.vrrpGarpMasterRepeat, 2);
    assert.equal(g.vrrpGarpMasterRefresh, 60);
    assert.equal(g.vrrpGarpMasterRefreshRepeat, 3);
    // Not set: they follow the master delay and repeat, as keepalived documents.
    assert.equal(g.vrrpGarpLowerPrioDelay, 10);
    assert.equal(g.vrrpGarpLowerPrioRepeat, 2);
    assert.equal(g.vrrpGarpInterval, 0.001);
    assert.equal(g.vrrpGnaInterval, 0.000001);
    assert.equal(g.vrrpMcastGroup4, '224.0.0.19');
    assert.equal(g.vrrpMcastGroup6, 'ff02::13');
    assert.deepEqual(g.scriptUser, { user: 'keepalived_script', group: 'nogroup' });
    assert.equal(g.enableScriptSecurity, true);
    assert.equal(g.vrrpStrict, true);
    assert.equal(g.notifyFifo?.path, '/run/k.fifo');
    assert.deepEqual(g.vrrpNotifyFifo?.user, { user: 'root', group: undefined });
    assert.equal(g.vrrpSkipCheckAdvAddr, true);
    assert.equal(g.vrrpCheckUnicastSrc, true);
    assert.deepEqual(g.smtpServer, { host: 'mail.example.com', port: 2525 });
    assert.equal(g.smtpConnectTimeout, 5);
  });

  it('reports out-of-range values with keepalived’s outcome', () => {
    const result = globals(
      [
        'vrrp_garp_master_repeat 0',
        'vrrp_garp_master_delay 1.5',
        'vrrp_garp_interval 0',
        'vrrp_gna_interval 5000',
        'vrrp_version 4',
        'vrrp_mcast_group4 10.0.0.1',
        'vrrp_mcast_group6 fe80::1',
        'smtp_connect_timeout 0',
        'vrrp_garp_interval 1.0000004',
      ].join('\n'),
    );
    assert.deepEqual(messages(result), [
      'keepalived.conf:2: vrrp_garp_master_repeat must be greater than 0, setting to 1',
      "keepalived.conf:3: vrrp_garp_master_delay '1.5' invalid (invalid number '1.5') - ignoring",
      "keepalived.conf:4: vrrp_garp_interval '0' is invalid (number '0' outside range [0.000001, 4294.967295]) - keeping vrrp_garp_interval at its default",
      "keepalived.conf:5: vrrp_gna_interval '5000' is invalid (number '5000' outside range [0.000001, 4294.967295]) - keeping vrrp_gna_interval at its default",
      "keepalived.conf:6: number '4' outside range [2, 3]: VRRP version must be either 2 or 3 - keeping 2",
      'keepalived.conf:7: vrrp_mcast_group4 [10.0.0.1] is not multicast. Skipping',
      'keepalived.conf:8: vrrp_mcast_group6 [fe80::1] is not multicast. Skipping',
      'keepalived.conf:9: smtp_connect_timeout must be greater than 0, setting to 1',
      "keepalived.conf:10: number '1.0000004' has too many decimal places",
      'keepalived.conf:10: the vrrp_garp_interval is very large - 1.0000004 seconds',
    ]);
    const g = result.config.globalDefs;
    assert.equal(g.vrrpGarpMasterRepeat, 1);
    assert.equal(g.vrrpGarpMasterDelay, 5);
    assert.equal(g.vrrpGarpInterval, 1);
    assert.equal(g.vrrpGnaInterval, 0);
    assert.equal(g.vrrpVersion, 2);
    assert.equal(g.smtpConnectTimeout, 1);
    assert.equal(configTestStatus(result.diagnostics), 5);
  });

  it('warns about unknown keywords, and keeps known-but-unmodelled ones quiet', () => {
    const result = globals('bogus_kw 1\nlvs_flush\nmax_auto_priority 10\nvrrp_iptables\nnotification_email {\n  a@b\n}');
    assert.deepEqual(messages(result), ["keepalived.conf:2: unknown keyword 'bogus_kw'"]);
    assert.deepEqual(result.config.globalDefs.notificationEmail, ['a@b']);
  });

  it('takes v3_checksum_as_v2 (keepalived 2.3+) but says keepalived 2.2.7 rejects it', () => {
    const result = parse(`global_defs {\n v3_checksum_as_v2\n}\n${vrrp('  version 3')}`);
    assert.equal(result.config.globalDefs.v3ChecksumAsV2, true);
    assert.equal(only(result).v3ChecksumAsV2, true);
    assert.equal(configTestStatus(result.diagnostics), 5);
  });

  it('stops like keepalived at a keyword missing its parameter (-t exits 2)', () => {
    const result = globals('router_id A\nvrrp_version');
    assert.equal(result.diagnostics[0]?.kind, 'abort');
    assert.equal(configTestStatus(result.diagnostics), 2);
  });
});

describe('vrrp_script', () => {
  it('has defaults interval 1, rise 1, fall 1, weight 0, no timeout', () => {
    const result = parse('vrrp_script chk {\n  script "/usr/local/bin/check --fast"\n}\n');
    const script = result.config.vrrpScripts[0]!;
    assert.deepEqual(script.script.argv, ['/usr/local/bin/check', '--fast']);
    assert.deepEqual([script.interval, script.rise, script.fall, script.weight, script.timeout, script.weightReverse], [1, 1, 1, 0, undefined, false]);
  });

  it('reads every keyword and reports bad values', () => {
    const result = parse(
      'vrrp_script chk {\n  script /bin/true\n  interval 0\n  timeout 3\n  weight -20 reverse\n  rise 0\n  fall 4\n  user nobody nogroup\n  init_fail\n}\nvrrp_script big {\n script /bin/true\n weight 300\n}\n',
    );
    assert.deepEqual(messages(result), [
      'keepalived.conf:3: (chk): vrrp script interval must be greater than 0, setting to 1',
      "keepalived.conf:6: number '0' outside range [1, 2147483647]: (chk): vrrp script rise value '0' invalid, defaulting to 1",
      "keepalived.conf:13: number '300' outside range [-253, 253]: vrrp_script big weight 300 must be in [-253, 253] - ignoring",
    ]);
    const [chk, big] = result.config.vrrpScripts;
    assert.deepEqual([chk!.interval, chk!.timeout, chk!.weight, chk!.weightReverse, chk!.rise, chk!.fall, chk!.initFail], [1, 3, -20, true, 1, 4, true]);
    assert.deepEqual(chk!.user, { user: 'nobody', group: 'nogroup' });
    assert.equal(big!.weight, 0);
  });

  it('removes a script without a command', () => {
    const result = parse('vrrp_script empty {\n interval 2\n}\n');
    assert.deepEqual(result.config.vrrpScripts, []);
    assert.deepEqual(messages(result), ['keepalived.conf:1: no script set for vrrp_script empty - removing']);
  });

  it('is only found by track_script below it, as in keepalived', () => {
    const result = parse(`${vrrp('  track_script {\n    late\n  }')}vrrp_script late {\n script /bin/true\n}\n`);
    assert.deepEqual(messages(result), ['keepalived.conf:8: (VI_1) track script late not found, ignoring...']);
    assert.deepEqual(only(result).trackScript, []);
  });
});

describe('vrrp_instance', () => {
  it('applies defaults: BACKUP, priority 100, advert 1 s (100 cs), version 2, IPv4', () => {
    const result = parse(vrrp(''));
    assert.deepEqual(messages(result), []);
    const v = only(result);
    assert.deepEqual([v.state, v.priority, v.advertInterval, v.version, v.family, v.nopreempt, v.preemptDelay], ['BACKUP', 100, 100, 2, 4, false, 0]);
    assert.deepEqual([v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh, v.garpMasterRefreshRepeat, v.garpLowerPrioDelay, v.garpLowerPrioRepeat], [5, 5, 0, 1, 5, 5]);
  });

  it('derives priority 255 from state MASTER, and MASTER from priority 255', () => {
    assert.equal(only(parse(vrrp('  state MASTER'))).priority, 255);
    assert.equal(only(parse(vrrp('  priority 255'))).state, 'MASTER');
  });

  it('reports priority and VRID out of range as keepalived does', () => {
    const result = parse(vrrp('  priority 300'));
    assert.deepEqual(messages(result), ["keepalived.conf:7: number '300' outside range [1, 255]: (VI_1) Priority not valid! must be between 1 & 255. Using default 100"]);
    assert.equal(only(result).priority, 100);
    const noVrid = parse('vrrp_instance V {\n interface eth0\n virtual_router_id 256\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n');
    assert.deepEqual(messages(noVrid), [
      "keepalived.conf:3: number '256' outside range [1, 255]: (V): VRID '256' not valid - must be between 1 & 255",
      'keepalived.conf:1: (V) the virtual router id must be set - instance ignored',
    ]);
    assert.equal(noVrid.config.vrrpInstances.length, 0);
  });

  it('keeps advert_int in centiseconds, rounding as keepalived does per version', () => {
    assert.equal(only(parse(vrrp('  advert_int 2'))).advertInterval, 200);
    assert.equal(only(parse(vrrp('  version 3\n  advert_int 0.5'))).advertInterval, 50);
    assert.equal(only(parse(vrrp('  version 3\n  advert_int 0.125'))).advertInterval, 13);
    const v2 = parse(vrrp('  advert_int 1.5'));
    assert.equal(only(v2).advertInterval, 200);
    assert.deepEqual(messages(v2), ['keepalived.conf:1: (VI_1) VRRPv2 advertisement interval 1.500000s must be an integer - rounding']);
    const bad = parse(vrrp('  advert_int 0.001'));
    assert.equal(only(bad).advertInterval, 100);
    assert.deepEqual(messages(bad), ["keepalived.conf:7: number '0.001' outside range [0.010000, 255.000000]: (VI_1) Advert interval (0.001) not valid! Must be > 0 - ignoring"]);
  });

  it('reads VIPs with dev, brd, scope, label and flags, and drops bad ones with keepalived’s words', () => {
    const result = parse(
      vrrp(
        '',
        [
          '10.0.0.1/24 brd 10.0.0.255 dev eth0 scope link label eth0:1',
          '10.0.0.2/33',
          '10.0.0.3 dev nosuch',
          '10.0.0.4 scope bogus',
          '10.0.0.5 foo no_track home -nodad',
          'bogus',
        ].join('\n'),
      ),
    );
    assert.deepEqual(messages(result), [
      "keepalived.conf:6: number '33' outside range [0, 32]: invalid address prefix len 33 for address 10.0.0.2/33 - using 32",
      "keepalived.conf:7: WARNING - interface nosuch for ip address 10.0.0.3 doesn't exist",
      'keepalived.conf:7: non-existent interface nosuch specified in configuration',
      "keepalived.conf:8: invalid scope 'bogus' specified for 10.0.0.4 - ignoring",
      "keepalived.conf:9: unknown configuration entry 'foo' for ip address - ignoring",
      'keepalived.conf:10: VRRP parsed invalid IP bogus. skipping IP...',
    ]);
    const [first, second, , , fifth] = only(result).virtualIpaddress;
    assert.deepEqual(
      { ...first, location: undefined },
      { address: '10.0.0.1', family: 4, prefixLength: 24, device: 'eth0', broadcast: '10.0.0.255', scope: 'link', label: 'eth0:1', noTrack: false, flags: [], location: undefined },
    );
    assert.equal(second!.prefixLength, 32);
    assert.deepEqual([fifth!.noTrack, fifth!.flags], [true, ['home', '-nodad']]);
  });

  it('takes its family from the VIPs: IPv6 makes version 3; a VIP of the other family is dropped', () => {
    const v6 = only(parse(vrrp('', 'fe80::1\n2001:db8::1/64')));
    assert.deepEqual([v6.family, v6.version, v6.virtualIpaddress[1]!.prefixLength], [6, 3, 64]);
    const mixed = parse(vrrp('', '10.0.0.1\n2001:db8::1'));
    assert.deepEqual(messages(mixed), ['keepalived.conf:6: (VI_1): address family must match VRRP instance [2001:db8::1] - ignoring']);
    assert.deepEqual(only(mixed).virtualIpaddress.map((v) => v.address), ['10.0.0.1']);
    const conflict = parse(vrrp('  version 2', 'fe80::1'));
    assert.deepEqual(messages(conflict), ['keepalived.conf:7: (VI_1) vrrp_version 2 conflicts with configured or deduced version 0; ignoring.']);
    assert.equal(only(conflict).version, 3);
    // Excluded addresses are not advertised and may mix families.
    const excluded = parse(`${vrrp('  virtual_ipaddress_excluded {\n    2001:db8::2\n  }')}`);
    assert.deepEqual(messages(excluded), []);
    assert.equal(only(excluded).virtualIpaddressExcluded[0]!.family, 6);
  });

  it('refuses a version 3 or IPv6 instance without VIPs', () => {
    const result = parse('vrrp_instance V {\n interface eth0\n virtual_router_id 5\n version 3\n}\n');
    assert.deepEqual(messages(result), ['keepalived.conf:1: (V) No VIP specified; at least one is required - instance ignored']);
    assert.equal(result.config.vrrpInstances.length, 0);
  });

  it('reads authentication, truncating a long PASS to 8 characters', () => {
    const result = parse(vrrp('  authentication {\n    auth_type PASS\n    auth_pass 123456789\n  }'));
    assert.deepEqual(messages(result), ['keepalived.conf:9: Truncating auth_pass to 8 characters']);
    assert.deepEqual(only(result).authentication, { type: 'PASS', password: '12345678' });
    const v3 = parse(vrrp('  version 3\n  authentication {\n    auth_type AH\n    auth_pass x\n  }'));
    assert.deepEqual(messages(v3), ['keepalived.conf:1: (VI_1) VRRP version 3 does not support authentication. Ignoring.']);
    assert.equal(only(v3).authentication, undefined);
  });

  it('reads unicast, preemption, tracking, notify scripts, vmac and per-instance garp settings', () => {
    const result = parse(
      'vrrp_script chk {\n script /bin/true\n weight 10\n}\n' +
        vrrp(
          [
            '  unicast_src_ip 10.0.0.10',
            '  unicast_peer {',
            '    10.0.0.11',
            '    10.0.0.12',
            '  }',
            '  preempt_delay 2.5',
            '  track_interface {',
            '    eth1 weight -10',
            '    eth2',
            '  }',
            '  track_script {',
            '    chk weight 5 reverse',
            '  }',
            "  notify_master \"/etc/k/master.sh 'x y'\" root",
            '  notify /etc/k/notify.sh',
            '  use_vmac vrrp.51',
            '  vmac_xmit_base',
            '  garp_master_delay 1',
            '  garp_master_repeat 3',
            '  garp_master_refresh 30',
            '  garp_master_refresh_repeat 2',
          ].join('\n'),
        ),
    );
    assert.deepEqual(messages(result), []);
    const v = only(result);
    assert.equal(v.unicastSrcIp, '10.0.0.10');
    assert.deepEqual(v.unicastPeers.map((p) => p.address), ['10.0.0.11', '10.0.0.12']);
    assert.equal(v.preemptDelay, 2.5);
    assert.deepEqual(v.trackInterface.map((t) => [t.name, t.weight]), [['eth1', -10], ['eth2', 0]]);
    assert.deepEqual(v.trackScript.map((t) => [t.name, t.weight, t.reverse]), [['chk', 5, true]]);
    assert.deepEqual(v.notifyMaster?.argv, ['/etc/k/master.sh', 'x y']);
    assert.deepEqual(v.notifyMaster?.user, { user: 'root', group: undefined });
    assert.deepEqual(v.notify?.argv, ['/etc/k/notify.sh']);
    assert.deepEqual(v.useVmac, { name: 'vrrp.51' });
    assert.equal(v.vmacXmitBase, true);
    assert.deepEqual([v.garpMasterDelay, v.garpMasterRepeat, v.garpMasterRefresh, v.garpMasterRefreshRepeat], [1, 3, 30, 2]);
  });

  it('makes keepalived’s corrections: nopreempt with MASTER, preempt_delay with nopreempt', () => {
    const master = parse(vrrp('  state MASTER\n  priority 150\n  nopreempt'));
    assert.deepEqual(messages(master), ['keepalived.conf:1: (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing']);
    assert.equal(only(master).nopreempt, false);
    const delay = parse(vrrp('  nopreempt\n  preempt_delay 10'));
    assert.deepEqual(messages(delay), ['keepalived.conf:1: (VI_1) preempt_delay is incompatible with nopreempt mode - resetting']);
    assert.equal(only(delay).preemptDelay, 0);
  });

  it('refuses a loopback interface and an instance without one', () => {
    const result = parse('vrrp_instance V {\n interface lo\n virtual_router_id 5\n virtual_ipaddress {\n 10.0.0.1\n }\n}\n');
    assert.deepEqual(messages(result), [
      'keepalived.conf:2: (V) cannot use a loopback interface (lo) for vrrp - ignoring',
      'keepalived.conf:1: (V) Unknown interface! - instance ignored',
    ]);
  });

  it('reports two instances sharing a VRID on one interface, and a duplicate name', () => {
    const result = parse(vrrp('') + vrrp('').replace('VI_1', 'VI_2') + vrrp('').replace('51', '52'));
    assert.deepEqual(messages(result), [
      'keepalived.conf:17: vrrp instance VI_1 already defined - skipping',
      'keepalived.conf:9: VI_1 and VI_2 both use VRID 51 with IPv4 on interface eth0',
    ]);
  });
});

describe('vrrp_sync_group', () => {
  it('groups instances, keeps its notify scripts, and reports missing members', () => {
    const result = parse(
      'vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n    NOPE\n  }\n  notify_master "/etc/k/g.sh master"\n}\n' + vrrp('') + vrrp('').replace('VI_1', 'VI_2').replace('51', '52'),
    );
    assert.deepEqual(messages(result), ["keepalived.conf:5: Virtual router NOPE specified in sync group G doesn't exist - ignoring"]);
    const group = result.config.vrrpSyncGroups[0]!;
    assert.deepEqual(group.instances, ['VI_1', 'VI_2']);
    assert.deepEqual(group.notifyMaster?.argv, ['/etc/k/g.sh', 'master']);
    assert.deepEqual(result.config.vrrpInstances.map((v) => v.syncGroup), ['G', 'G']);
  });
});

describe('other blocks', () => {
  it('keeps virtual_server(_group) and other keepalived blocks as trees; a virtual server gets keepalived -t\'s defaults', () => {
    const result = parse(
      'virtual_server_group VSG {\n  10.0.0.1 80\n}\nvirtual_server group VSG {\n  real_server 10.0.1.1 80 {\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n}\nstatic_ipaddress {\n  192.168.1.1/24 dev eth0\n}\nstatic_routes {\n  10.1.0.0/16 via 192.168.1.254\n}\nlinkbeat_interfaces {\n  eth0\n}\n',
    );
    // keepalived 2.2.7 -t says the same of a virtual server that sets none of these.
    assert.deepEqual(messages(result), [
      'keepalived.conf:4: Virtual server [VSG]:0: no protocol set - defaulting to UDP',
      "keepalived.conf:4: Virtual server [VSG]:0: no scheduler set, setting default 'wlc'",
      'keepalived.conf:4: Virtual server [VSG]:0: no forwarding method set, setting default NAT',
    ]);
    assert.deepEqual(result.config.virtualServerGroups.map((n) => n.args), [['VSG']]);
    assert.equal(result.config.virtualServers[0]!.children![0]!.children![0]!.keyword, 'TCP_CHECK');
    assert.deepEqual(result.config.otherBlocks.map((n) => n.keyword), ['static_ipaddress', 'static_routes', 'linkbeat_interfaces']);
  });
});

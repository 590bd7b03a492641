// The pool's keepalived semantics with no network and no clock: checker
// outcomes in, log lines, ipvsadm commands, scripts and events out.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeepalivedConfigText, type VirtualServer } from '@keepalived-ts/config';
import { ipvsadmCommand } from './ipvsChange.js';
import { servicesOf, VirtualServerPool, type CheckerOutcome, type PoolAction } from './pool.js';

function virtualServer(body: string, head = 'virtual_server 10.0.0.1 80'): VirtualServer {
  const { config, diagnostics } = parseKeepalivedConfigText(`${head} {\n  protocol TCP\n  lb_algo rr\n  lb_kind DR\n${body}\n}\n`, { environment: {} });
  assert.deepEqual(diagnostics.map((d) => d.message), []);
  return config.lvs.virtualServers[0]!;
}

const rs = (address: string, inner = '    TCP_CHECK {\n    }'): string => `  real_server ${address} 80 {\n${inner}\n  }`;

/** The actions as lines: `log: ...`, `ipvsadm ...`, `script: notify_up /x`, `event: realServer [..] up->down`. */
function lines(actions: readonly PoolAction[]): string[] {
  return actions.map((action) => {
    switch (action.kind) {
      case 'log':
        return `log: ${action.message}`;
      case 'ipvs':
        return ipvsadmCommand(action.change);
      case 'script':
        return `script: ${action.keyword} ${action.script.argv.join(' ')}`;
      case 'event':
        return action.event.event === 'realServer' ? `event: ${action.event.realServer} ${action.event.from}->${action.event.to}` : `event: quorum ${action.event.from}->${action.event.to}`;
    }
  });
}

const up: CheckerOutcome = { up: true, reason: 'connected', lines: ['TCP connection to X success.'] };
const failed: CheckerOutcome = { up: false, reason: 'connection refused', lines: ['TCP_CHECK on service X failed.'] };
const start = (vs: VirtualServer): VirtualServerPool => new VirtualServerPool(vs, servicesOf(vs, undefined));

describe('VirtualServerPool', () => {
  it('starts real servers up without alpha, removes one that fails and adds it back', () => {
    const pool = start(virtualServer(`${rs('10.0.0.2', '    weight 2\n    TCP_CHECK {\n    }')}\n${rs('10.0.0.3')}`));
    assert.deepEqual(lines(pool.start()), [
      'ipvsadm -A -t 10.0.0.1:80 -s rr',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2',
      'event: [10.0.0.2]:tcp:80 init->up',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1',
      'event: [10.0.0.3]:tcp:80 init->up',
      'log: Gained quorum 1+0=1 <= 3 for VS [10.0.0.1]:tcp:80',
      'event: quorum init->up',
    ]);
    // The first result is logged (keepalived's has_run), though a checker without alpha was taken as up.
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)), ['log: TCP connection to X success.']);
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)), []);
    assert.equal(pool.wantsRetries(0, 0), true);
    assert.deepEqual(lines(pool.checkerResult(0, 0, failed)), [
      'log: TCP_CHECK on service X failed.',
      'log: Removing service [10.0.0.2]:tcp:80 from VS [10.0.0.1]:tcp:80',
      'ipvsadm -d -t 10.0.0.1:80 -r 10.0.0.2:80',
      'event: [10.0.0.2]:tcp:80 up->down',
    ]);
    assert.equal(pool.wantsRetries(0, 0), false);
    assert.deepEqual(lines(pool.checkerResult(0, 0, failed)), []);
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)), [
      'log: TCP connection to X success.',
      'log: Adding service [10.0.0.2]:tcp:80 to VS [10.0.0.1]:tcp:80',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 2',
      'event: [10.0.0.2]:tcp:80 down->up',
    ]);
  });

  it('alpha: a real server joins only once its checker succeeds; a first failure runs notify_down', () => {
    const pool = start(virtualServer(`  alpha\n${rs('10.0.0.2', '    notify_up "/n up"\n    notify_down "/n down"\n    TCP_CHECK {\n    }')}\n${rs('10.0.0.3')}`));
    assert.deepEqual(lines(pool.start()), ['ipvsadm -A -t 10.0.0.1:80 -s rr', 'event: [10.0.0.2]:tcp:80 init->down', 'event: [10.0.0.3]:tcp:80 init->down', 'event: quorum init->down']);
    assert.deepEqual(lines(pool.checkerResult(0, 0, failed)), ['log: TCP_CHECK on service X failed.', 'script: notify_down /n down']);
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)), [
      'log: TCP connection to X success.',
      'log: Adding service [10.0.0.2]:tcp:80 to VS [10.0.0.1]:tcp:80',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1',
      'event: [10.0.0.2]:tcp:80 down->up',
      'script: notify_up /n up',
      'log: Gained quorum 1+0=1 <= 1 for VS [10.0.0.1]:tcp:80',
      'event: quorum down->up',
    ]);
  });

  it('inhibit_on_failure keeps a failed real server in IPVS with weight 0', () => {
    const pool = start(virtualServer(`  inhibit_on_failure\n  alpha\n${rs('10.0.0.2', '    weight 5\n    TCP_CHECK {\n    }')}`));
    assert.deepEqual(lines(pool.start()).filter((l) => l.startsWith('ipvsadm')), ['ipvsadm -A -t 10.0.0.1:80 -s rr', 'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0']);
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)).slice(1, 3), ['log: Enabling service [10.0.0.2]:tcp:80 of VS [10.0.0.1]:tcp:80', 'ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5']);
    assert.deepEqual(lines(pool.checkerResult(0, 0, failed)).slice(1, 3), ['log: Disabling service [10.0.0.2]:tcp:80 of VS [10.0.0.1]:tcp:80', 'ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 0']);
    // Stopping removes it whatever inhibit says.
    assert.deepEqual(lines(pool.stop()), [
      'log: Shutting down (inhibited) service [10.0.0.2]:tcp:80 from VS [10.0.0.1]:tcp:80',
      'ipvsadm -d -t 10.0.0.1:80 -r 10.0.0.2:80',
      'ipvsadm -D -t 10.0.0.1:80',
    ]);
  });

  it('quorum with hysteresis: the sorry server stands in below quorum - hysteresis, until quorum + hysteresis', () => {
    const pool = start(virtualServer(`  quorum 2\n  hysteresis 1\n  sorry_server 10.0.0.9 80\n  quorum_up "/q up"\n  quorum_down "/q down"\n${rs('10.0.0.2')}\n${rs('10.0.0.3')}\n${rs('10.0.0.4')}`));
    assert.ok(lines(pool.start()).includes('log: Gained quorum 2+1=3 <= 3 for VS [10.0.0.1]:tcp:80'));
    assert.deepEqual(lines(pool.checkerResult(0, 0, failed)).filter((l) => /quorum|sorry/i.test(l)), []);
    // 1 >= 2-1: still up.
    assert.deepEqual(lines(pool.checkerResult(1, 0, failed)).filter((l) => /quorum|sorry/i.test(l)), []);
    assert.deepEqual(lines(pool.checkerResult(2, 0, failed)).slice(4), [
      'log: Lost quorum 2-1=1 > 0 for VS [10.0.0.1]:tcp:80',
      'log: Adding sorry server [10.0.0.9]:tcp:80 to VS [10.0.0.1]:tcp:80',
      'log: Removing alive servers from the pool for VS [10.0.0.1]:tcp:80',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.9:80 -g -w 1',
      'script: quorum_down /q down',
      'event: quorum up->down',
    ]);
    // Back up one at a time: while the sorry server stands in, IPVS is not touched for the real servers.
    assert.deepEqual(lines(pool.checkerResult(0, 0, up)).filter((l) => l.startsWith('ipvsadm')), []);
    assert.deepEqual(lines(pool.checkerResult(1, 0, up)).filter((l) => l.startsWith('ipvsadm')), []);
    assert.deepEqual(lines(pool.checkerResult(2, 0, up)).slice(3), [
      'log: Gained quorum 2+1=3 <= 3 for VS [10.0.0.1]:tcp:80',
      'log: Removing sorry server [10.0.0.9]:tcp:80 from VS [10.0.0.1]:tcp:80',
      'ipvsadm -d -t 10.0.0.1:80 -r 10.0.0.9:80',
      'log: Adding alive servers to the pool for VS [10.0.0.1]:tcp:80',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.3:80 -g -w 1',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.4:80 -g -w 1',
      'script: quorum_up /q up',
      'event: quorum down->up',
    ]);
  });

  it('misc_dynamic: the exit status sets the weight', () => {
    const pool = start(virtualServer(rs('10.0.0.2', '    MISC_CHECK {\n      misc_path /w\n      misc_dynamic\n    }')));
    pool.start();
    assert.deepEqual(lines(pool.checkerResult(0, 0, { up: true, weight: 5, reason: 'w exited 7: weight 5', lines: [] })), [
      'log: Changing weight from 1 to 5 for active service [10.0.0.2]:tcp:80 of VS [10.0.0.1]:tcp:80',
      'ipvsadm -e -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 5',
    ]);
    assert.deepEqual(lines(pool.checkerResult(0, 0, { up: true, weight: 5, reason: 'again', lines: [] })), []);
  });

  it('reload: unchanged real servers keep their state, removed ones leave, new ones join', () => {
    const first = start(virtualServer(`${rs('10.0.0.2')}\n${rs('10.0.0.3')}\n${rs('10.0.0.4')}`));
    first.start();
    first.checkerResult(0, 0, failed);
    const next = virtualServer(`${rs('10.0.0.2')}\n${rs('10.0.0.3')}\n${rs('10.0.0.5')}`);
    const { pool, actions } = first.reload(next, servicesOf(next, undefined));
    assert.deepEqual(lines(actions), [
      'log: service [10.0.0.4]:tcp:80 no longer exist',
      'log: Removing service [10.0.0.4]:tcp:80 from VS [10.0.0.1]:tcp:80',
      'ipvsadm -d -t 10.0.0.1:80 -r 10.0.0.4:80',
      'event: [10.0.0.4]:tcp:80 up->down',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.5:80 -g -w 1',
      'event: [10.0.0.5]:tcp:80 init->up',
    ]);
    assert.deepEqual(pool.snapshot().realServers.map((r) => [r.name, r.state]), [['[10.0.0.2]:tcp:80', 'down'], ['[10.0.0.3]:tcp:80', 'up'], ['[10.0.0.5]:tcp:80', 'up']]);
    // The failed checker is still failed: its recovery is a change.
    assert.ok(lines(pool.checkerResult(0, 0, up)).includes('log: Adding service [10.0.0.2]:tcp:80 to VS [10.0.0.1]:tcp:80'));
  });

  it('stop: notify scripts only with omega', () => {
    const config = (omega: string): VirtualServer => virtualServer(`${omega}  quorum_down "/q down"\n${rs('10.0.0.2', '    notify_down "/n down"\n    TCP_CHECK {\n    }')}`);
    const plain = start(config(''));
    plain.start();
    assert.deepEqual(lines(plain.stop()).filter((l) => l.startsWith('script')), []);
    const omega = start(config('  omega\n'));
    omega.start();
    assert.deepEqual(lines(omega.stop()).filter((l) => l.startsWith('script')), ['script: notify_down /n down', 'script: quorum_down /q down']);
  });

  it('fwmark and group services become one IPVS service each', () => {
    const { config } = parseKeepalivedConfigText(`virtual_server_group G {\n  10.0.0.1-2 80\n  fwmark 9\n}\nvirtual_server group G {\n  protocol TCP\n  lb_algo wlc\n  lb_kind NAT\n  persistence_timeout 30\n  real_server 10.0.0.5 8080 {\n  }\n}\n`, { environment: {} });
    const vs = config.lvs.virtualServers[0]!;
    const pool = new VirtualServerPool(vs, servicesOf(vs, config.lvs.virtualServerGroups[0]));
    assert.deepEqual(lines(pool.start()).filter((l) => l.startsWith('ipvsadm')), [
      'ipvsadm -A -t 10.0.0.1:80 -s wlc -p 30',
      'ipvsadm -A -t 10.0.0.2:80 -s wlc -p 30',
      'ipvsadm -A -f 9 -s wlc -p 30',
      'ipvsadm -a -t 10.0.0.1:80 -r 10.0.0.5:8080 -m -w 1',
      'ipvsadm -a -t 10.0.0.2:80 -r 10.0.0.5:8080 -m -w 1',
      'ipvsadm -a -f 9 -r 10.0.0.5:8080 -m -w 1',
    ]);
  });
});

describe('VirtualServerPool reload of a group', () => {
  it('gives a service new to the group the destinations already in IPVS', () => {
    const parse = (entries: string): { vs: VirtualServer; services: ReturnType<typeof servicesOf> } => {
      const { config } = parseKeepalivedConfigText(`virtual_server_group G {\n${entries}}\nvirtual_server group G {\n  protocol TCP\n  lb_algo rr\n  lb_kind DR\n  real_server 10.0.0.5 80 {\n    TCP_CHECK {\n    }\n  }\n}\n`, { environment: {} });
      const vs = config.lvs.virtualServers[0]!;
      return { vs, services: servicesOf(vs, config.lvs.virtualServerGroups[0]) };
    };
    const before = parse('  10.0.0.1 80\n');
    const pool = new VirtualServerPool(before.vs, before.services);
    pool.start();
    const after = parse('  10.0.0.1 80\n  10.0.0.2 80\n');
    assert.deepEqual(lines(pool.reload(after.vs, after.services).actions), ['ipvsadm -A -t 10.0.0.2:80 -s rr', 'ipvsadm -a -t 10.0.0.2:80 -r 10.0.0.5:80 -g -w 1']);
  });
});

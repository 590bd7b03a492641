// One test per rule, on a virtual clock: RFC 5798 section 6 (RFC 3768 where
// VRRPv2 differs), then keepalived 2.2.7's additions.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { Election } from './election.js';
import { advert, lines, mainLines, spec, timer } from './testSupport.js';
import type { ElectionAction } from './types.js';

const started = (...args: ConstructorParameters<typeof Election>): Election => {
  const election = new Election(...args);
  election.handle({ kind: 'start' }, 0);
  return election;
};

const armedAt = (election: Election, name: 'masterDown' | 'advert' | 'preemptDelay', instance = 'VI_1'): number | undefined =>
  election.snapshot().find((s) => s.name === instance)?.timers[name];

/** A backup that has become master through its master-down timer at 3609. */
const masterAt3609 = (overrides: Parameters<typeof spec>[0] = {}): Election => {
  const election = started([spec(overrides)]);
  election.handle(timer('masterDown'), armedAt(election, 'masterDown')!);
  assert.equal(election.state('VI_1'), 'master');
  return election;
};

const sentPriorities = (actions: readonly ElectionAction[]): number[] =>
  actions.flatMap((a) => (a.kind === 'send-advert' ? [a.priority] : []));

suite('Initialize (RFC 5798 6.4.1)', () => {
  test('a router below 255 starts in BACKUP with Master_Down_Interval armed', () => {
    const election = new Election([spec()]);
    assert.deepEqual(lines(election.handle({ kind: 'start' }, 1000)), [
      // keepalived clears VIPs a crashed run may have left.
      'log(detail) (VI_1) removing VIPs.',
      'remove-vips VI_1',
      'transition VI_1 init->backup 100 startup',
      'log (VI_1) Entering BACKUP STATE (init)',
      'set-timer VI_1 masterDown 4609',
    ]);
    assert.equal(election.state('VI_1'), 'backup');
  });

  test('the address owner configured state MASTER starts as master: advert, then VIPs, then the burst', () => {
    const election = new Election([spec({ priority: 255, initialState: 'master' })]);
    assert.deepEqual(lines(election.handle({ kind: 'start' }, 0)), [
      'send-advert VI_1 255',
      'transition VI_1 init->master 255 startup',
      'log (VI_1) Entering MASTER STATE',
      'log(detail) (VI_1) setting VIPs.',
      'add-vips VI_1',
      'announce VI_1 5',
      'set-timer VI_1 garpDelay 5000',
      'set-timer VI_1 advert 1000',
    ]);
  });

  test('state MASTER below 255 starts in BACKUP like keepalived, with the full master-down interval', () => {
    const election = started([spec({ priority: 150, initialState: 'master' })]);
    assert.equal(election.state('VI_1'), 'backup');
    assert.equal(armedAt(election, 'masterDown'), 3000 + referenceSkewV2(150));
  });

  test('an owner configured state BACKUP starts in BACKUP too (keepalived)', () => {
    const election = started([spec({ priority: 255 })]);
    assert.equal(election.state('VI_1'), 'backup');
    assert.equal(armedAt(election, 'masterDown'), 3003);
  });

  test('events before start set the tracking state but produce nothing; start twice is once', () => {
    const election = new Election([spec()]);
    assert.deepEqual(election.handle(advert('10.0.0.2', 200), 0), []);
    assert.deepEqual(election.handle(timer('masterDown'), 0), []);
    assert.deepEqual(election.handle({ kind: 'interface', name: 'eth0', up: false }, 0), []);
    assert.equal(election.state('VI_1'), 'init');
    const actions = election.handle({ kind: 'start' }, 0);
    assert.deepEqual(mainLines(actions), [
      'log (VI_1): entering FAULT state (interface eth0 down)',
      'transition VI_1 init->fault 100 fault',
      'log (VI_1) entering FAULT state',
      'remove-vips VI_1',
    ]);
    assert.deepEqual(election.handle({ kind: 'start' }, 1), []);
  });
});

function referenceSkewV2(priority: number): number {
  return Math.floor(((256 - priority) * 1000) / 256);
}

suite('Backup (RFC 5798 6.4.2)', () => {
  test('Master_Down_Timer expiry makes it master', () => {
    const election = started([spec()]);
    const actions = election.handle(timer('masterDown'), 3609);
    assert.deepEqual(lines(actions), [
      'log(detail) (VI_1) Receive advertisement timeout',
      'send-advert VI_1 100',
      'transition VI_1 backup->master 100 master-down-timer',
      'log (VI_1) Entering MASTER STATE',
      'log(detail) (VI_1) setting VIPs.',
      'add-vips VI_1',
      'announce VI_1 5',
      'set-timer VI_1 garpDelay 8609',
      'set-timer VI_1 advert 4609',
    ]);
  });

  test('an advert of higher or equal priority resets Master_Down_Timer and names the master', () => {
    const election = started([spec()]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 200), 1000)), ['set-timer VI_1 masterDown 4609']);
    assert.deepEqual(lines(election.handle(advert('10.0.0.0', 100), 2000)), ['set-timer VI_1 masterDown 5609']);
    const [snapshot] = election.snapshot();
    assert.equal(snapshot?.masterAddress, '10.0.0.0');
    assert.equal(snapshot?.masterPriority, 100);
  });

  test('priority 0 sets Master_Down_Timer to Skew_Time, not to zero', () => {
    const election = started([spec({ priority: 100 })]);
    election.handle(advert('10.0.0.2', 200), 1000);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 0), 2000)), [
      'log(detail) (VI_1) Backup received priority 0 advertisement',
      'set-timer VI_1 masterDown 2609',
    ]);
    const actions = election.handle(timer('masterDown'), 2609);
    assert.ok(lines(actions).includes('transition VI_1 backup->master 100 priority-0-received'));
  });

  test('with preempt, a lower-priority advert is discarded and Master_Down_Timer runs out', () => {
    const election = started([spec({ priority: 150 })]);
    const armed = armedAt(election, 'masterDown');
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 100), 1000)), [
      'log (VI_1) received lower priority (100) advert from 10.0.0.2 - discarding',
    ]);
    assert.equal(armedAt(election, 'masterDown'), armed);
    const actions = election.handle(timer('masterDown'), armed!);
    assert.ok(lines(actions).includes('transition VI_1 backup->master 150 preempted'));
  });

  test('without preempt, a lower-priority advert resets Master_Down_Timer', () => {
    const election = started([spec({ priority: 150, preempt: false })]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 100), 1000)), [`set-timer VI_1 masterDown ${1000 + 3000 + referenceSkewV2(150)}`]);
    assert.equal(election.state('VI_1'), 'backup');
  });

  test('VRRPv3 learns Master_Adver_Interval from the advert and times out on it', () => {
    const election = started([spec({ version: 3, advertIntervalCs: 100 })]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 200, 50), 1000)), [
      'log(detail) (VI_1) advertisement interval updated from 1000ms to 500ms by master',
      'set-timer VI_1 masterDown 2804', // 3 * 500 + (156 * 50 / 256) cs = 1500 + 304 ms
    ]);
    assert.equal(election.snapshot()[0]?.masterAdvertIntervalCs, 50);
    const actions = election.handle(timer('masterDown'), 2804);
    // As master it advertises its own interval again.
    assert.ok(lines(actions).includes('log(detail) (VI_1) changing advert interval from 500ms to locally configured 1000ms'));
    assert.ok(actions.some((a) => a.kind === 'send-advert' && a.intervalCs === 100));
    assert.equal(armedAt(election, 'advert'), 3804);
  });

  test('VRRPv2 drops an advert with another interval (keepalived logs each one)', () => {
    const election = started([spec()]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 200, 200), 1000)), [
      "log (VI_1) advertisement interval mismatch mine=1 sec rcv'd=2 sec",
    ]);
    assert.equal(armedAt(election, 'masterDown'), 3609);
    assert.equal(election.snapshot()[0]?.counters.intervalMismatches, 1);
  });
});

suite('Master (RFC 5798 6.4.3)', () => {
  test('the Adver_Timer sends an advert and re-arms', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle(timer('advert'), 4609)), ['send-advert VI_1 100', 'set-timer VI_1 advert 5609']);
  });

  test('a higher priority makes it backup: VIPs go, Master_Down_Timer is armed', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 200), 4000)), [
      'log (VI_1) Master received advert from 10.0.0.2 with higher priority 200, ours 100',
      'transition VI_1 master->backup 100 higher-priority-advert',
      'log (VI_1) Entering BACKUP STATE',
      'log(detail) (VI_1) removing VIPs.',
      'remove-vips VI_1',
      'cancel-timer VI_1 advert',
      'cancel-timer VI_1 garpDelay',
      'set-timer VI_1 masterDown 7609',
    ]);
    assert.equal(election.snapshot()[0]?.masterAddress, '10.0.0.2');
  });

  test('equal priority: the higher primary address wins', () => {
    const election = masterAt3609();
    assert.deepEqual(mainLines(election.handle(advert('10.0.0.2', 100), 4000)).slice(0, 2), [
      'log (VI_1) Master received advert from 10.0.0.2 with same priority 100 but higher IP address than ours',
      'transition VI_1 master->backup 100 higher-priority-advert',
    ]);
    const other = masterAt3609({ primaryAddress: '10.0.0.3' });
    const actions = other.handle(advert('10.0.0.2', 100), 4000);
    assert.equal(other.state('VI_1'), 'master');
    assert.equal(mainLines(actions)[0], 'log (VI_1) Received advert from 10.0.0.2 with lower priority 100, ours 100, forcing new election');
  });

  test('a lower priority: keepalived answers with an advert at once and re-announces the VIPs', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 50), 4000)), [
      'log (VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100, forcing new election',
      'send-advert VI_1 100',
      'set-timer VI_1 advert 5000',
      'announce VI_1 5',
      'set-timer VI_1 garpLowerPrioDelay 9000',
    ]);
    assert.deepEqual(lines(election.handle(timer('garpLowerPrioDelay'), 9000)), ['announce VI_1 5']);
  });

  test('lower_prio_no_advert: no answer, and the line says so', () => {
    const election = masterAt3609({ lowerPrioNoAdvert: true, garp: { lowerPrioRepeat: 0 } });
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 50), 4000)), [
      'log (VI_1) Received advert from 10.0.0.2 with lower priority 50, ours 100',
    ]);
  });

  test('priority 0 from another master: answer at once', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 0), 4000)), [
      'send-advert VI_1 100',
      'log(detail) (VI_1) Master received priority 0 message',
      'set-timer VI_1 advert 5000',
    ]);
    assert.equal(election.state('VI_1'), 'master');
  });

  test('our own address at our priority: a warning, nothing else', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle(advert('10.0.0.1', 100), 4000)), [
      'log (VI_1) WARNING - equal priority advert received from remote host with our IP address.',
    ]);
  });

  test('two owners: keepalived drops to 254 and yields', () => {
    const election = started([spec({ priority: 255, initialState: 'master' })]);
    const actions = election.handle(advert('10.0.0.2', 255), 500);
    assert.equal(mainLines(actions)[0], 'log (VI_1) CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority');
    assert.equal(election.state('VI_1'), 'backup');
    assert.equal(election.effectivePriority('VI_1'), 254);
  });

  test('the GARP refresh repeats while master and stops with it', () => {
    const election = masterAt3609({ garp: { masterRefreshMs: 60000, masterRefreshRepeat: 2 } });
    assert.equal(election.snapshot()[0]?.timers.garpRefresh, 63609);
    assert.deepEqual(lines(election.handle(timer('garpDelay'), 8609)), ['announce VI_1 5']);
    assert.deepEqual(lines(election.handle(timer('garpRefresh'), 63609)), ['announce VI_1 2', 'set-timer VI_1 garpRefresh 123609']);
    const stepDown = lines(election.handle(advert('10.0.0.2', 200), 64000));
    assert.ok(stepDown.includes('cancel-timer VI_1 garpRefresh'));
  });
});

suite('keepalived: preempt and preempt_delay', () => {
  test('preempt_delay: lower-priority adverts are obeyed until the delay, counted from the first one, runs out', () => {
    const election = started([spec({ priority: 150, preemptDelayMs: 3000 })]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 100), 1000)), [
      `set-timer VI_1 masterDown ${4000 + referenceSkewV2(150)}`,
      'log(detail) (VI_1) start preempt delay (3.000000)',
      'set-timer VI_1 preemptDelay 4000',
    ]);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 100), 2000)), [`set-timer VI_1 masterDown ${5000 + referenceSkewV2(150)}`]);
    assert.deepEqual(lines(election.handle(timer('preemptDelay'), 4000)), []);
    assert.deepEqual(lines(election.handle(advert('10.0.0.2', 100), 4000)), ['log (VI_1) received lower priority (100) advert from 10.0.0.2 - discarding']);
  });

  test('preempt_delay stops when a master at least as high is heard', () => {
    const election = started([spec({ priority: 150, preemptDelayMs: 3000 })]);
    election.handle(advert('10.0.0.2', 100), 1000);
    assert.deepEqual(lines(election.handle(advert('10.0.0.3', 200), 2000)), [
      `set-timer VI_1 masterDown ${5000 + referenceSkewV2(150)}`,
      'log(detail) (VI_1) stop preempt delay',
      'cancel-timer VI_1 preemptDelay',
    ]);
  });

  test('nopreempt and preempt_delay do not survive state MASTER, nor nopreempt priority 255', () => {
    const election = new Election([
      spec({ name: 'VI_1', initialState: 'master', preempt: false }),
      spec({ name: 'VI_2', vrid: 52, initialState: 'master', preemptDelayMs: 5000 }),
      spec({ name: 'VI_3', vrid: 53, priority: 255, preempt: false }),
    ]);
    const logs = mainLines(election.handle({ kind: 'start' }, 0)).filter((l) => l.startsWith('log'));
    assert.deepEqual(logs.slice(0, 3), [
      'log (VI_1) Warning - nopreempt will not work with initial state MASTER - clearing',
      'log (VI_2) Warning - preempt delay will not work with initial state MASTER - clearing',
      'log (VI_3) nopreempt is incompatible with priority 255. resetting nopreempt',
    ]);
    // VI_1 preempts after all.
    assert.match(lines(election.handle({ kind: 'advert', instance: 'VI_1', from: '10.0.0.2', priority: 50, intervalCs: 100 }, 1000))[0]!, /discarding/);
  });
});

suite('keepalived: tracking and FAULT', () => {
  test('weighted scripts: + while healthy, - while failing, unknown counts for nothing; clamped to 1..254', () => {
    const election = started([
      spec({ trackedScripts: [{ name: 'up', weight: 100 }, { name: 'down', weight: -120 }] }),
    ]);
    assert.equal(election.effectivePriority('VI_1'), 100);
    assert.deepEqual(lines(election.handle({ kind: 'script', name: 'up', healthy: true }, 1000)), [
      'log (VI_1) Changing effective priority from 100 to 200',
      // The master-down timer moves by the change of its length (keepalived).
      `set-timer VI_1 masterDown ${3609 - referenceSkewV2(100) + referenceSkewV2(200)}`,
    ]);
    election.handle({ kind: 'script', name: 'up', healthy: true }, 1100);
    assert.equal(election.effectivePriority('VI_1'), 200);
    election.handle({ kind: 'script', name: 'up', healthy: false }, 1200);
    election.handle({ kind: 'script', name: 'down', healthy: false }, 1300);
    assert.equal(election.effectivePriority('VI_1'), 1);
    election.handle({ kind: 'script', name: 'up', healthy: true }, 1400);
    election.handle({ kind: 'script', name: 'down', healthy: true }, 1500);
    election.handle({ kind: 'interface', name: 'eth9', up: true }, 1600);
    assert.equal(election.effectivePriority('VI_1'), 200);
    const big = started([spec({ priority: 200, trackedInterfaces: [{ name: 'eth1', weight: 100 }] })]);
    assert.equal(big.effectivePriority('VI_1'), 254);
  });

  test('a master whose priority drops keeps advertising, now with the lower priority', () => {
    const election = masterAt3609({ trackedScripts: [{ name: 'chk', weight: -20 }] });
    assert.deepEqual(lines(election.handle({ kind: 'script', name: 'chk', healthy: false }, 4000)), [
      'log (VI_1) Changing effective priority from 100 to 80',
    ]);
    assert.deepEqual(sentPriorities(election.handle(timer('advert'), 4609)), [80]);
  });

  test('the owner keeps 255: its weighted scripts and interfaces are dropped, as keepalived logs', () => {
    const election = new Election([
      spec({ priority: 255, initialState: 'master', trackedScripts: [{ name: 'chk', weight: -20 }], trackedInterfaces: [{ name: 'eth1', weight: 10 }] }),
    ]);
    const actions = election.handle({ kind: 'start' }, 0);
    assert.deepEqual(mainLines(actions).slice(0, 2), [
      'log (VI_1) ignoring eth1 tracked interface due to address owner',
      'log (VI_1) ignoring tracked script chk with weights due to address_owner',
    ]);
    assert.deepEqual(election.handle({ kind: 'script', name: 'chk', healthy: false }, 100), []);
    assert.deepEqual(election.handle({ kind: 'interface', name: 'eth1', up: false }, 100), []);
    assert.equal(election.effectivePriority('VI_1'), 255);
  });

  test('its own interface down: a master goes FAULT, says priority 0, drops the VIPs; up again: BACKUP', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle({ kind: 'interface', name: 'eth0', up: false }, 4000)), [
      'transition VI_1 master->fault 100 fault',
      'log (VI_1) Entering FAULT STATE',
      'send-advert VI_1 0',
      'send-advert VI_1 0',
      'log(detail) (VI_1) sent 0 priority',
      'log(detail) (VI_1) removing VIPs.',
      'remove-vips VI_1',
      'cancel-timer VI_1 advert',
      'cancel-timer VI_1 garpDelay',
    ]);
    assert.deepEqual(election.handle(advert('10.0.0.2', 50), 4100), [], 'FAULT ignores adverts');
    assert.deepEqual(lines(election.handle({ kind: 'interface', name: 'eth0', up: true }, 5000)), [
      'transition VI_1 fault->backup 100 fault-recovered',
      'log (VI_1) Entering BACKUP STATE',
      'set-timer VI_1 masterDown 8609',
    ]);
  });

  test('a weight-0 tracked interface or script failing means FAULT until all recover', () => {
    const election = started([spec({ trackedInterfaces: [{ name: 'eth1', weight: 0 }], trackedScripts: [{ name: 'chk', weight: 0 }] })]);
    // The weight-0 script has not reported: keepalived waits in INIT.
    assert.equal(election.state('VI_1'), 'init');
    assert.deepEqual(lines(election.handle({ kind: 'script', name: 'chk', healthy: true }, 500)), [
      'transition VI_1 init->backup 100 startup',
      'log (VI_1) Entering BACKUP STATE',
      'set-timer VI_1 masterDown 4109',
    ]);
    assert.deepEqual(lines(election.handle({ kind: 'interface', name: 'eth1', up: false }, 1000)), [
      'transition VI_1 backup->fault 100 fault',
      'log (VI_1) Entering FAULT STATE',
      'cancel-timer VI_1 masterDown',
    ]);
    election.handle({ kind: 'script', name: 'chk', healthy: false }, 1100);
    assert.deepEqual(election.handle({ kind: 'interface', name: 'eth1', up: true }, 1200), []);
    assert.equal(election.state('VI_1'), 'fault');
    assert.equal(lines(election.handle({ kind: 'script', name: 'chk', healthy: true }, 1300))[0], 'transition VI_1 fault->backup 100 fault-recovered');
  });

  test('an instance tracking its own interface by name: ignored, as keepalived does', () => {
    const election = new Election([spec({ trackedInterfaces: [{ name: 'eth0', weight: 10 }] })]);
    assert.equal(mainLines(election.handle({ kind: 'start' }, 0))[0], 'log (VI_1) Ignoring track_interface eth0 since own interface');
    assert.equal(election.effectivePriority('VI_1'), 100);
  });
});

suite('keepalived: vrrp_sync_group', () => {
  const members = () => [
    spec({ name: 'VI_1', vrid: 51 }),
    spec({ name: 'VI_2', vrid: 52, trackedInterfaces: [{ name: 'eth1', weight: 0 }] }),
  ];
  const group = [{ name: 'G1', members: ['VI_1', 'VI_2'] }];

  test('MASTER only when every member wants it; then the others follow', () => {
    const election = started(members(), group);
    assert.deepEqual(mainLines(election.handle(timer('masterDown', 'VI_1'), 3609)), ['set-timer VI_1 masterDown 7218']);
    assert.equal(election.state('VI_1'), 'backup');
    assert.equal(election.snapshot()[0]?.wantState, 'master');
    const actions = mainLines(election.handle(timer('masterDown', 'VI_2'), 3609));
    assert.deepEqual(actions.filter((l) => l.startsWith('log') || l.startsWith('transition')), [
      'transition VI_2 backup->master 100 master-down-timer',
      'log (VI_2) Entering MASTER STATE',
      'log VRRP_Group(G1) Syncing instances to MASTER state',
      'transition VI_1 backup->master 100 sync-group',
      'log (VI_1) Entering MASTER STATE',
    ]);
    assert.ok(actions.includes('cancel-timer VI_1 masterDown'));
  });

  test('a member hearing a master again stops wanting MASTER', () => {
    const election = started(members(), group);
    election.handle(timer('masterDown', 'VI_1'), 3609);
    election.handle({ kind: 'advert', instance: 'VI_1', from: '10.0.0.2', priority: 200, intervalCs: 100 }, 3700);
    election.handle(timer('masterDown', 'VI_2'), 3700);
    assert.equal(election.state('VI_1'), 'backup');
    assert.equal(election.state('VI_2'), 'backup');
  });

  test('one member FAULT: all FAULT (a master says priority 0, a backup goes quietly); all BACKUP again together', () => {
    const election = started(members(), group);
    election.handle(timer('masterDown', 'VI_1'), 3609);
    election.handle(timer('masterDown', 'VI_2'), 3609);
    const down = mainLines(election.handle({ kind: 'interface', name: 'eth1', up: false }, 5000));
    assert.deepEqual(down.filter((l) => l.startsWith('log') || l.startsWith('transition') || l.startsWith('send')), [
      'transition VI_2 master->fault 100 fault',
      'log (VI_2) Entering FAULT STATE',
      'send-advert VI_2 0',
      'send-advert VI_2 0',
      'log VRRP_Group(G1) Syncing instances to FAULT state',
      'transition VI_1 master->fault 100 sync-group',
      'log (VI_1) Entering FAULT STATE',
      'send-advert VI_1 0',
    ]);
    const up = mainLines(election.handle({ kind: 'interface', name: 'eth1', up: true }, 6000));
    assert.deepEqual(up, [
      'transition VI_2 fault->backup 100 fault-recovered',
      'log (VI_2) Entering BACKUP STATE',
      'set-timer VI_2 masterDown 9609',
      'log VRRP_Group(G1) Syncing instances to BACKUP state',
      'transition VI_1 fault->backup 100 sync-group',
      'log (VI_1) Entering BACKUP STATE',
      'set-timer VI_1 masterDown 9609',
    ]);
  });

  test('a backup member synced to FAULT goes without a log line', () => {
    const election = started(members(), group);
    const down = mainLines(election.handle({ kind: 'interface', name: 'eth1', up: false }, 1000));
    assert.deepEqual(down, [
      'transition VI_2 backup->fault 100 fault',
      'log (VI_2) Entering FAULT STATE',
      'cancel-timer VI_2 masterDown',
      'log VRRP_Group(G1) Syncing instances to FAULT state',
      'transition VI_1 backup->fault 100 sync-group',
      'cancel-timer VI_1 masterDown',
    ]);
  });

  test('a master member stepping down takes the others to BACKUP', () => {
    const election = started(members(), group);
    election.handle(timer('masterDown', 'VI_1'), 3609);
    election.handle(timer('masterDown', 'VI_2'), 3609);
    const actions = mainLines(election.handle({ kind: 'advert', instance: 'VI_1', from: '10.0.0.2', priority: 200, intervalCs: 100 }, 4000));
    assert.deepEqual(actions.filter((l) => l.startsWith('log') || l.startsWith('transition')), [
      'log (VI_1) Master received advert from 10.0.0.2 with higher priority 200, ours 100',
      'transition VI_1 master->backup 100 higher-priority-advert',
      'log (VI_1) Entering BACKUP STATE',
      'log VRRP_Group(G1) Syncing instances to BACKUP state',
      'transition VI_2 master->backup 100 sync-group',
      'log (VI_2) Entering BACKUP STATE',
    ]);
  });

  test('weighted scripts of members are dropped (sync_group_tracking_weight keeps them)', () => {
    const withScript = [spec({ name: 'VI_1', trackedScripts: [{ name: 'chk', weight: -20 }] }), spec({ name: 'VI_2', vrid: 52 })];
    const election = new Election(withScript, group);
    assert.equal(mainLines(election.handle({ kind: 'start' }, 0))[0], 'log (VI_1) ignoring tracked script chk with weights due to SYNC group');
    election.handle({ kind: 'script', name: 'chk', healthy: false }, 100);
    assert.equal(election.effectivePriority('VI_1'), 100);
    const weighted = started(withScript, [{ ...group[0]!, trackingWeight: true }]);
    weighted.handle({ kind: 'script', name: 'chk', healthy: false }, 100);
    assert.equal(weighted.effectivePriority('VI_1'), 80);
  });

  test("members wait in INIT for a partner's first script result", () => {
    const election = started([spec({ name: 'VI_1', trackedScripts: [{ name: 'chk', weight: 0 }] }), spec({ name: 'VI_2', vrid: 52 })], group);
    assert.equal(election.state('VI_1'), 'init');
    assert.equal(election.state('VI_2'), 'init');
    assert.deepEqual(
      mainLines(election.handle({ kind: 'script', name: 'chk', healthy: true }, 1000)).filter((l) => l.startsWith('log')),
      ['log (VI_1) Entering BACKUP STATE', 'log VRRP_Group(G1) Syncing instances to BACKUP state', 'log (VI_2) Entering BACKUP STATE'],
    );
  });
});

suite('timers and stop', () => {
  test('a stale timer is ignored; an early one is armed again', () => {
    const election = started([spec()]);
    election.handle(advert('10.0.0.2', 200), 1000); // masterDown now at 4609
    assert.deepEqual(lines(election.handle(timer('masterDown'), 3609)), ['set-timer VI_1 masterDown 4609']);
    assert.deepEqual(election.handle(timer('advert'), 3700), []);
    assert.equal(election.state('VI_1'), 'backup');
  });

  test('stop: a master sends priority 0 and removes its VIPs; every timer is cancelled', () => {
    const election = masterAt3609();
    assert.deepEqual(lines(election.handle({ kind: 'stop' }, 5000)), [
      'send-advert VI_1 0',
      'log(detail) (VI_1) sent 0 priority',
      'log(detail) (VI_1) removing VIPs.',
      'remove-vips VI_1',
      'cancel-timer VI_1 garpDelay',
      'cancel-timer VI_1 advert',
      'transition VI_1 master->init 100 stop',
    ]);
    assert.deepEqual(election.handle(timer('advert'), 5609), []);
    assert.deepEqual(election.handle({ kind: 'start' }, 6000), []);
  });

  test('stop: a backup just cancels its timer', () => {
    const election = started([spec()]);
    assert.deepEqual(lines(election.handle({ kind: 'stop' }, 1000)), ['cancel-timer VI_1 masterDown', 'transition VI_1 backup->init 100 stop']);
  });

  test('the clock must not go back', () => {
    const election = started([spec()]);
    assert.throws(() => election.handle(advert('10.0.0.2', 200), -1), RangeError);
  });
});

suite('configuration checks', () => {
  test('refuses what keepalived refuses', () => {
    assert.throws(() => new Election([spec({ vrid: 0 })]), /vrid 0/);
    assert.throws(() => new Election([spec({ priority: 0 })]), /priority 0/);
    assert.throws(() => new Election([spec({ advertIntervalCs: 150 })]), /whole seconds/);
    assert.throws(() => new Election([spec({ primaryAddress: 'eth0' })]), /not an IP address/);
    assert.throws(() => new Election([spec(), spec()]), /defined twice/);
    assert.throws(() => new Election([spec()], [{ name: 'G', members: ['VI_1', 'VI_9'] }]), /no instance VI_9/);
    assert.throws(() => new Election([spec()]).state('VI_9'), /no instance VI_9/);
  });
});

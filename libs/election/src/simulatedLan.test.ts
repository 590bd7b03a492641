// 2 to 5 routers on a simulated LAN (per-packet delay and loss, seeded),
// driven in virtual time. After a quiet period there must be exactly one
// master, the right one, holding the VIPs alone, known to every backup.
// A failure names its seed: SEED=1234 reruns that schedule alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from './timing.js';
import { Random, SimulatedLan, type LinkConditions, type RouterConfig } from './simulatedLan.js';

const RANDOM_SCHEDULES = 300;
const only = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const seeds = (count: number, offset: number): number[] => (only !== undefined ? [only] : Array.from({ length: count }, (_, i) => offset + i));

const PERFECT: LinkConditions = { lossRate: 0, minDelayMs: 1, maxDelayMs: 3 };

/** keepalived preempts regardless of nopreempt for an owner or `state MASTER`. */
const preempts = (c: RouterConfig): boolean => c.preempt || c.priority === 255 || c.initialState === 'master';

function describeRouters(lan: SimulatedLan, names: readonly string[]): string {
  return names
    .map((n) => {
      const c = lan.config(n);
      return `${n} ${c.address} prio ${c.priority}${preempts(c) ? '' : ' nopreempt'}${c.preemptDelayMs ? ` delay ${c.preemptDelayMs}` : ''} v${c.version}/${c.advertIntervalCs}cs ${lan.isRunning(n) ? lan.state(n) : 'down'}`;
    })
    .join('; ');
}

/** Exactly one master, that no running router would preempt; every backup knows it; only it holds the VIPs. */
function assertConverged(lan: SimulatedLan): void {
  const running = lan.runningRouters();
  if (running.length === 0) return;
  const masters = lan.masters();
  assert.equal(masters.length, 1, `masters: [${masters.join(', ')}]`);
  const master = masters[0]!;
  const masterConfig = lan.config(master);
  for (const name of running) {
    if (name === master) continue;
    const c = lan.config(name);
    assert.equal(lan.state(name), 'backup', `${name} is ${lan.state(name)}`);
    assert.ok(!(preempts(c) && c.priority > masterConfig.priority), `${name} (prio ${c.priority}, preempt) should have taken over from ${master} (prio ${masterConfig.priority})`);
    assert.equal(lan.snapshot(name)?.masterAddress, masterConfig.address, `${name} does not know the master`);
  }
  for (const name of running) assert.equal(lan.holdsVips(name), name === master, `${name} ${lan.holdsVips(name) ? 'holds' : 'lacks'} the VIPs`);
  if (running.every((n) => preempts(lan.config(n)))) {
    const best = Math.max(...running.map((n) => lan.config(n).priority));
    assert.equal(masterConfig.priority, best, `everyone preempts, yet ${master} (prio ${masterConfig.priority}) is master, not a router of prio ${best}`);
  }
}

/** A random LAN: random priorities (with ties), preempt or not, start times, crashes, clean stops and restarts, loss. */
function randomSchedule(seed: number): { lan: SimulatedLan; names: string[]; settledAt: number } {
  const random = new Random(seed);
  const count = random.int(2, 5);
  const version = random.pick([2, 3] as const);
  const hosts = [1, 2, 3, 4, 5, 6, 7, 8, 9].sort(() => random.next() - 0.5).slice(0, count);
  let owners = 0;
  const routers: RouterConfig[] = hosts.map((host, i) => {
    let priority = random.pick([50, 100, 100, 150, 200, 254]);
    if (random.chance(0.1) && owners === 0) {
      priority = 255;
      owners++;
    }
    return {
      name: `r${i + 1}`,
      address: `10.0.0.${host}`,
      priority,
      preempt: random.chance(0.75),
      version,
      advertIntervalCs: version === 2 ? 100 : random.pick([30, 50, 100]),
      preemptDelayMs: random.chance(0.15) ? 2000 : 0,
      initialState: priority === 255 ? 'master' : random.chance(0.1) ? 'master' : 'backup',
    };
  });
  const minDelayMs = random.int(0, 5);
  const chaos: LinkConditions = { lossRate: random.pick([0, 0.05, 0.2, 0.35]), minDelayMs, maxDelayMs: minDelayMs + random.int(0, 40) };
  const lan = new SimulatedLan(random, chaos, routers);
  for (const r of routers) lan.start(r.name, random.int(0, 3000));
  // A few crashes, clean stops and restarts while the network is lossy.
  const names = routers.map((r) => r.name);
  let t = 3000;
  for (let i = random.int(0, 6); i > 0; i--) {
    t += random.int(500, 5000);
    const name = random.pick(names);
    const op = random.pick(['crash', 'stop', 'restart', 'restart'] as const);
    lan.at(t, () => {
      if (op === 'restart' && !lan.isRunning(name)) lan.start(name, lan.now);
      else if (op === 'crash' && lan.isRunning(name)) lan.crash(name, lan.now);
      else if (op === 'stop' && lan.isRunning(name)) lan.stop(name, lan.now);
    });
  }
  const quietFrom = t + 1000;
  lan.setConditions({ lossRate: 0, minDelayMs, maxDelayMs: chaos.maxDelayMs }, quietFrom);
  // Enough for preempt_delay, a master-down at the longest interval, and a preemption after it.
  return { lan, names, settledAt: quietFrom + 20_000 };
}

test(`random schedules: one master, the right one, after the network calms down (${RANDOM_SCHEDULES} seeds)`, () => {
  for (const seed of seeds(RANDOM_SCHEDULES, 1)) {
    const { lan, names, settledAt } = randomSchedule(seed);
    try {
      lan.runUntil(settledAt);
      assertConverged(lan);
      // And it stays that way.
      const before = lan.transitions.length;
      lan.runUntil(settledAt + 10_000);
      assert.equal(lan.transitions.length, before, 'transitions after convergence');
      assertConverged(lan);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const recent = lan.transitions.slice(-8).map((r) => `${r.at} ${r.router} ${r.from}->${r.to} ${r.reason}`).join('\n  ');
      assert.fail(`seed ${seed} (SEED=${seed} to rerun): ${message}\n  ${describeRouters(lan, names)}\n  last transitions:\n  ${recent}`);
    }
  }
});

test('equal priorities started together: the highest primary address wins (100 seeds)', () => {
  for (const seed of seeds(100, 10_001)) {
    const random = new Random(seed);
    const count = random.int(2, 5);
    const version = random.pick([2, 3] as const);
    const hosts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200].sort(() => random.next() - 0.5).slice(0, count);
    const priority = random.pick([1, 100, 254]);
    const routers: RouterConfig[] = hosts.map((host, i) => ({
      name: `r${i + 1}`,
      address: `10.0.0.${host}`,
      priority,
      preempt: random.chance(0.5),
      version,
      advertIntervalCs: 100,
    }));
    // The start jitter is below the smallest delay: every master-down timer runs out before the first advert arrives.
    const minDelayMs = random.int(5, 10);
    const lan = new SimulatedLan(random, { lossRate: random.pick([0, 0.2]), minDelayMs, maxDelayMs: minDelayMs + 20 }, routers);
    for (const r of routers) lan.start(r.name, random.int(0, minDelayMs - 1));
    lan.setConditions({ lossRate: 0, minDelayMs, maxDelayMs: minDelayMs + 20 }, 10_000);
    lan.runUntil(20_000);
    const expected = routers.reduce((a, b) => (Number(a.address.split('.')[3]) > Number(b.address.split('.')[3]) ? a : b));
    assert.deepEqual(lan.masters(), [expected.name], `seed ${seed}: ${describeRouters(lan, routers.map((r) => r.name))}`);
  }
});

/** Three routers, priorities 200 > 150 > 100, settled with r1 master. */
function settledTrio(version: 2 | 3, overrides: Partial<Record<'r1' | 'r2' | 'r3', Partial<RouterConfig>>> = {}): SimulatedLan {
  const routers: RouterConfig[] = [
    { name: 'r1', address: '10.0.0.1', priority: 200, preempt: true, version, advertIntervalCs: 100, ...overrides.r1 },
    { name: 'r2', address: '10.0.0.2', priority: 150, preempt: true, version, advertIntervalCs: 100, ...overrides.r2 },
    { name: 'r3', address: '10.0.0.3', priority: 100, preempt: true, version, advertIntervalCs: 100, ...overrides.r3 },
  ];
  const lan = new SimulatedLan(new Random(7), PERFECT, routers);
  for (const r of routers) lan.start(r.name, 0);
  lan.runUntil(10_000);
  assert.deepEqual(lan.masters(), ['r1']);
  return lan;
}

const firstMasterAfter = (lan: SimulatedLan, t: number) => lan.transitions.find((r) => r.at > t && r.to === 'master');

for (const version of [2, 3] as const) {
  test(`VRRPv${version}: a clean stop hands over within Skew_Time (priority 0), to the next highest`, () => {
    const lan = settledTrio(version);
    lan.stop('r1', 10_500);
    lan.runUntil(20_000);
    const takeover = firstMasterAfter(lan, 10_500);
    assert.equal(takeover?.router, 'r2');
    assert.equal(takeover?.reason, 'priority-0-received');
    assert.ok(takeover.at - 10_500 <= skewTimeMs(version, 150, 100) + PERFECT.maxDelayMs, `took ${takeover.at - 10_500} ms`);
    assert.deepEqual(lan.masters(), ['r2']);
    assert.equal(lan.holdsVips('r1'), false);
  });

  test(`VRRPv${version}: a crash (no priority 0) hands over after Master_Down_Interval, to the next highest`, () => {
    const lan = settledTrio(version);
    lan.crash('r1', 10_500);
    lan.runUntil(20_000);
    const takeover = firstMasterAfter(lan, 10_500);
    assert.equal(takeover?.router, 'r2');
    assert.equal(takeover?.reason, 'master-down-timer');
    const down = masterDownIntervalMs(version, 150, 100);
    const waited = takeover.at - 10_500;
    // The last advert left up to one interval before the crash.
    assert.ok(waited >= down - 1000 && waited <= down + PERFECT.maxDelayMs, `took ${waited} ms`);
    assert.deepEqual(lan.masters(), ['r2']);
    assert.equal(lan.holdsVips('r1'), true, 'a crashed host keeps its VIPs');
  });

  test(`VRRPv${version}: the crashed master rejoins and preempts; with nopreempt it stays backup`, () => {
    const lan = settledTrio(version);
    lan.crash('r1', 10_500);
    lan.start('r1', 20_000);
    lan.runUntil(30_000);
    const back = firstMasterAfter(lan, 20_000);
    assert.equal(back?.router, 'r1');
    assert.equal(back?.reason, 'preempted');
    assert.deepEqual(lan.masters(), ['r1']);
    assert.equal(lan.holdsVips('r2'), false);

    const polite = settledTrio(version, { r1: { preempt: false } });
    polite.crash('r1', 10_500);
    polite.start('r1', 20_000);
    polite.runUntil(30_000);
    assert.deepEqual(polite.masters(), ['r2']);
    assert.equal(polite.state('r1'), 'backup');
  });
}

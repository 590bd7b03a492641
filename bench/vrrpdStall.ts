// Stall tolerance with many instances, vrrpd beside keepalived 2.2.7: the
// steady state of vrrpdSteadyState.ts (200 instances, VRRPv3, advert_int
// 0.1, master on one node, backup on the other), then the backup's VRRP
// process is frozen (SIGSTOP) for a while and let go (SIGCONT), as a busy
// machine's scheduler may do. The master keeps advertising all along, so a
// backup should take over nothing as long as it comes back before its
// Master_Down_Interval (360.9 ms) has run out counting from the last advert
// it had read (up to 100 ms before the freeze): no takeover is due for
// freezes shorter than about 260 ms, whatever the implementation. We count
// the instances that entered MASTER anyway, and the adverts the kernel
// dropped at the backup's VRRP sockets (a full receive buffer). A diagnostic
// for RESULTS.md, not a benchmark of speed.
//
//   node scripts/build.mjs
//   node --import tsx --conditions=source bench/vrrpdStall.ts [REPEATS] [INSTANCES]
//
// Defaults: 3 freezes per duration (50, 100, 150, 200, 250, 300 ms), 200 instances.

import { runCommand, uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { segment } from '../test/vrrpd/vrrpdLab.js';
import { countIn, manyInstancesConf, states, vrrpSocketDrops } from './manyInstances.js';
import { freezeVrrpd, median, sleep, startRouter, stopRouter, type Implementation, type Router, type VrrpdBuild } from './vrrpRouters.js';

const [repeats = 3, instances = 200] = process.argv.slice(2).filter((a) => /^\d+$/.test(a)).map(Number);
const STALLS_MS = [50, 100, 150, 200, 250, 300] as const;
const IMPLEMENTATIONS: readonly Implementation[] = ['keepalived', 'vrrpd'];

interface Freeze {
  readonly stallMs: number;
  /** Instances of the backup that logged "Entering MASTER STATE" within 1.5 s of the freeze. */
  readonly tookOver: number;
  readonly socketDrops: number;
}

const MASTER_LINE = /\(VI_(\d+)\) Entering MASTER STATE/;

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

async function runImplementation(implementation: Implementation, build: VrrpdBuild): Promise<Freeze[]> {
  return withLab(uniquePrefix(`st${implementation[0]}`), async (lab) => {
    const seg = await segment(lab, 90);
    const options = (name: string) => ({ name, maxLines: 500_000, vrrpd: build });
    const alive = (r: Router) => {
      const status = r.process.exitStatus();
      if (status) throw new Error(`${implementation} exited (${status.code ?? status.signal}):\n${r.logLines().slice(-20).join('\n')}`);
      return true;
    };
    const master = await startRouter(lab, implementation, seg.a, manyInstancesConf(instances, 'MASTER', 200), options('a'));
    await until('every instance MASTER on a', () => alive(master) && countIn(states(master).last, 'MASTER') === instances, 60_000);
    const backup = await startRouter(lab, implementation, seg.b, manyInstancesConf(instances, 'BACKUP', 100), options('b'));
    const settled = () => alive(master) && alive(backup) && countIn(states(backup).last, 'BACKUP') === instances && countIn(states(master).last, 'MASTER') === instances;
    await until('every instance BACKUP on b', settled, 60_000);
    await sleep(5000);
    const pid = await backup.workerPid();

    const freezes: Freeze[] = [];
    for (const stallMs of STALLS_MS) {
      for (let i = 0; i < repeats; i++) {
        await until('every instance back to BACKUP on b', settled, 30_000);
        await sleep(1000 + 100 * Math.random());
        const from = backup.logLines().length;
        const dropsBefore = await vrrpSocketDrops(lab, seg.b);
        // bash's builtins and its sleep: no Node timer between the two signals.
        await runCommand(['bash', '-c', `kill -s STOP ${pid} && sleep ${stallMs / 1000}; kill -s CONT ${pid}`], { check: true });
        await sleep(1500);
        const tookOver = new Set(backup.logLines().slice(from).flatMap((l) => MASTER_LINE.exec(l)?.[1] ?? [])).size;
        freezes.push({ stallMs, tookOver, socketDrops: (await vrrpSocketDrops(lab, seg.b)) - dropsBefore });
        if (tookOver > 0) {
          const sample = backup.logLines().slice(from, from + 6).map((l) => `    ${l}`).join('\n');
          console.log(`${implementation}: a ${stallMs} ms freeze: ${tookOver} instances took over; the backup's log:\n${sample}`);
        }
      }
    }
    await stopRouter(backup, 120_000);
    await stopRouter(master, 120_000);
    return freezes;
  });
}

const build = await freezeVrrpd();
console.log(`vrrpd bundle ${build.sha} (built ${build.builtAt.toISOString()}); ${instances} instances, ${repeats} freezes per duration`);
const started = Date.now();
const results = new Map<Implementation, Freeze[]>();
try {
  for (const implementation of IMPLEMENTATIONS) results.set(implementation, await runImplementation(implementation, build));
} finally {
  await build.remove();
}
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

const date = new Date().toISOString().slice(0, 10);
const cell = (implementation: Implementation, stallMs: number, pick: (f: Freeze) => number): string => {
  const values = (results.get(implementation) ?? []).filter((f) => f.stallMs === stallMs).map(pick);
  return `${values.join(', ')} (median ${median(values)})`;
};
console.log(`| date | backup frozen for | keepalived: instances taking over | vrrpd: instances taking over | keepalived: adverts dropped | vrrpd: adverts dropped |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const stallMs of STALLS_MS) {
  console.log(`| ${date} | ${stallMs} ms | ${cell('keepalived', stallMs, (f) => f.tookOver)} | ${cell('vrrpd', stallMs, (f) => f.tookOver)} | ${cell('keepalived', stallMs, (f) => f.socketDrops)} | ${cell('vrrpd', stallMs, (f) => f.socketDrops)} |`);
}

// Steady state with many instances, vrrpd beside keepalived 2.2.7: 200 VRRP
// instances (VRIDs 1..200, VRRPv3, advert_int 0.1, IPv4, one VIP each) master
// on one node and backup on another, one switch. Both implementations read
// the same keepalived.conf. After the instances have converged (every one
// MASTER on one side and BACKUP on the other, every VIP on the master only)
// and a warm-up, we measure over a window: CPU as a share of one core
// (utime + stime from /proc/PID/stat, all threads), peak RSS (VmHWM from
// /proc/PID/status), open file descriptors, and the frames the master put on
// the wire; also, around the window, how long each side takes from start to
// converged and from SIGTERM to exit. For keepalived the process measured is
// its VRRP child, which runs the elections and does the I/O; its parent is
// shown apart. Rounds alternate vrrpd and keepalived, each in a fresh lab, so
// that both meet the same machine load over the run. Prints per-round
// figures, then Markdown rows for RESULTS.md.
//
//   node scripts/build.mjs
//   node --import tsx --conditions=source bench/vrrpdSteadyState.ts [ROUNDS] [WARMUP_S] [WINDOW_S] [INSTANCES] [--with-no-vip]
//
// Defaults: 3 rounds, 10 s warm-up, 30 s window, 200 instances. --with-no-vip
// adds `vrrpd --no-vip` (no VIPs, hence none of the per-instance announcers)
// as a third column, to show what the announcers cost.

import { readFile } from 'node:fs/promises';
import { runCommand, uniquePrefix, withLab, type Lab } from '@keepalived-ts/test-utils';
import { segment, type Segment } from '../test/vrrpd/vrrpdLab.js';
import { countIn, manyInstancesConf, SUBNET, states, vipCount, vrrpSocketDrops } from './manyInstances.js';
import { freezeVrrpd, median, sleep, startRouter, stopRouter, type Implementation, type Router, type VrrpdBuild } from './vrrpRouters.js';

const args = process.argv.slice(2);
const [rounds = 3, warmupS = 10, windowS = 30, instances = 200] = args.filter((a) => /^\d+$/.test(a)).map(Number);

/** What runs on both nodes. `vrrpd --no-vip` (no addresses, hence no announcers) is a diagnostic: --with-no-vip. */
interface Variant {
  readonly name: string;
  readonly implementation: Implementation;
  readonly extraArgs: readonly string[];
  readonly managesVips: boolean;
}
const VARIANTS: readonly Variant[] = [
  { name: 'vrrpd', implementation: 'vrrpd', extraArgs: [], managesVips: true },
  { name: 'keepalived', implementation: 'keepalived', extraArgs: [], managesVips: true },
  ...(args.includes('--with-no-vip') ? [{ name: 'vrrpd --no-vip', implementation: 'vrrpd', extraArgs: ['--no-vip'], managesVips: false } as const] : []),
];
interface ProcessSample {
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
  /** stime alone: time in the kernel on the process's behalf (its syscalls, and the softirq work they run). */
  readonly systemTicks: number;
  readonly hwmKiB: number;
  readonly rssKiB: number;
  readonly threads: number;
  readonly fds: number;
}

async function sampleProcess(pid: number): Promise<ProcessSample> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const systemTicks = Number(fields[15 - 3]);
  const cpuTicks = Number(fields[14 - 3]) + systemTicks;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  const threads = Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
  const { stdout } = await runCommand(['ls', `/proc/${pid}/fd`]);
  return { cpuTicks, systemTicks, hwmKiB: kib('VmHWM'), rssKiB: kib('VmRSS'), threads, fds: stdout.split('\n').filter(Boolean).length };
}

/** Packets sent and received on an interface of a namespace (/proc/net/dev there). */
async function linkPackets(lab: Lab, ns: string, ifname: string): Promise<{ readonly rx: number; readonly tx: number }> {
  const { stdout } = await lab.exec(ns, ['cat', '/proc/net/dev'], { check: true });
  const line = stdout.split('\n').find((l) => l.trim().startsWith(`${ifname}:`));
  if (!line) throw new Error(`${ns}: no ${ifname} in /proc/net/dev`);
  const counters = line.split(':')[1]!.trim().split(/\s+/).map(Number);
  return { rx: counters[1]!, tx: counters[9]! };
}

interface RoleFigures {
  /** Share of one core over the window, in %. */
  readonly cpuPercent: number;
  /** The part of it spent in the kernel. */
  readonly systemPercent: number;
  readonly hwmMiB: number;
  readonly rssMiB: number;
  readonly threads: number;
  readonly fds: number;
  /** keepalived only: its parent process. */
  readonly parentCpuPercent?: number;
  readonly parentHwmMiB?: number;
}

interface RoundResult {
  readonly variant: string;
  readonly master: RoleFigures;
  readonly backup: RoleFigures;
  /** Frames the master sent per second over the window (adverts; nothing else in steady state). */
  readonly masterFramesPerSecond: number;
  readonly backupFramesReceivedPerSecond: number;
  /** Start to every instance MASTER with its VIP, alone on the segment. */
  readonly masterConvergeSeconds: number;
  /** Start of the backup to every instance BACKUP there (the master still MASTER, the VIPs on it only). */
  readonly backupConvergeSeconds: number;
  /** SIGTERM to every process gone. */
  readonly masterStopMs: number;
  readonly backupStopMs: number;
  /** Log lines with a state change during the window: none expected. */
  readonly masterStateLines: number;
  readonly backupStateLines: number;
  /** Adverts the kernel dropped at the VRRP sockets during the window (a full receive buffer). */
  readonly masterSocketDrops: number;
  readonly backupSocketDrops: number;
  /** The VIPs each side held after the window: all and none expected. */
  readonly vipsAfter: readonly [number, number];
}

async function measureRole(router: Router, before: ProcessSample, after: ProcessSample, parentBefore: ProcessSample | undefined, parentAfter: ProcessSample | undefined, seconds: number, ticksPerSecond: number): Promise<RoleFigures> {
  const share = (a: ProcessSample, b: ProcessSample) => (100 * (b.cpuTicks - a.cpuTicks)) / ticksPerSecond / seconds;
  return {
    cpuPercent: share(before, after),
    systemPercent: (100 * (after.systemTicks - before.systemTicks)) / ticksPerSecond / seconds,
    hwmMiB: after.hwmKiB / 1024,
    rssMiB: after.rssKiB / 1024,
    threads: after.threads,
    fds: after.fds,
    ...(parentBefore && parentAfter && router.implementation === 'keepalived'
      ? { parentCpuPercent: share(parentBefore, parentAfter), parentHwmMiB: parentAfter.hwmKiB / 1024 }
      : {}),
  };
}

async function runRound(variant: Variant, round: number, ticksPerSecond: number, build: VrrpdBuild): Promise<RoundResult> {
  const { implementation } = variant;
  return withLab(uniquePrefix(`ss${implementation[0]}${round}`), async (lab) => {
    const seg: Segment = await segment(lab, SUBNET);
    const options = (name: string) => ({ name, maxLines: 500_000, vrrpd: build, extraArgs: variant.extraArgs });
    const vipsOk = async (onA: number, onB: number) => !variant.managesVips || ((await vipCount(lab, seg.a)) === onA && (await vipCount(lab, seg.b)) === onB);
    const t0 = Date.now();
    const logTail = (r: Router) => r.logLines().slice(-25).map((l) => `    ${l}`).join('\n');
    const alive = (r: Router, role: string) => {
      const status = r.process.exitStatus();
      if (status) throw new Error(`${implementation} (${role}) exited (${status.code ?? status.signal}); last lines:\n${logTail(r)}`);
    };

    const master = await startRouter(lab, implementation, seg.a, manyInstancesConf(instances, 'MASTER', 200), options('a'));
    const converge = async (what: string, done: () => Promise<boolean>, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        alive(master, 'master');
        if (await done()) return;
        if (Date.now() > deadline) throw new Error(`${implementation}: ${what} not reached in ${timeoutMs / 1000} s`);
        await sleep(250);
      }
    };
    await converge(`all ${instances} instances MASTER on a with their VIPs`, async () => countIn(states(master).last, 'MASTER') === instances && (await vipsOk(instances, 0)), 60_000);
    const masterConvergeSeconds = (Date.now() - t0) / 1000;
    const t1 = Date.now();
    const backup = await startRouter(lab, implementation, seg.b, manyInstancesConf(instances, 'BACKUP', 100), options('b'));
    await converge(`all ${instances} instances BACKUP on b, MASTER on a, VIPs on a only`, async () => {
      alive(backup, 'backup');
      return (
        countIn(states(backup).last, 'BACKUP') === instances &&
        countIn(states(master).last, 'MASTER') === instances &&
        (await vipsOk(instances, 0))
      );
    }, 60_000);
    const backupConvergeSeconds = (Date.now() - t1) / 1000;

    await sleep(warmupS * 1000);
    const linesBefore = [master.logLines().length, backup.logLines().length] as const;
    const transitionsBefore = [states(master).transitions, states(backup).transitions] as const;
    const dropsBefore = [await vrrpSocketDrops(lab, seg.a), await vrrpSocketDrops(lab, seg.b)] as const;
    const masterPid = await master.workerPid();
    const backupPid = await backup.workerPid();
    const parents = implementation === 'keepalived' ? [master.process.pid, backup.process.pid] : [];
    const sampleAll = async () => {
      const wall = process.hrtime.bigint();
      const [m, b, ...p] = await Promise.all([sampleProcess(masterPid), sampleProcess(backupPid), ...parents.map(sampleProcess)]);
      const [linkA, linkB] = await Promise.all([linkPackets(lab, seg.a, 'eth0'), linkPackets(lab, seg.b, 'eth0')]);
      return { wall, m: m!, b: b!, p, linkA, linkB };
    };
    const before = await sampleAll();
    await sleep(windowS * 1000);
    const after = await sampleAll();
    const seconds = Number(after.wall - before.wall) / 1e9;

    alive(master, 'master');
    alive(backup, 'backup');
    const dropsAfter = [await vrrpSocketDrops(lab, seg.a), await vrrpSocketDrops(lab, seg.b)] as const;
    const transitionsAfter = [states(master).transitions, states(backup).transitions] as const;
    const vipsAfter = [await vipCount(lab, seg.a), await vipCount(lab, seg.b)] as const;
    // Nothing should change in a steady state. If something does, the round
    // is kept and flagged, with what the logs said, rather than thrown away:
    // it is a finding, and the other implementation ran under the same load.
    if (transitionsAfter[0] !== transitionsBefore[0] || transitionsAfter[1] !== transitionsBefore[1] || (variant.managesVips && (vipsAfter[0] !== instances || vipsAfter[1] !== 0))) {
      const show = (r: Router, from: number) => r.logLines().slice(from, from + 12).map((l) => `      ${l}`).join('\n');
      console.log(`  WARNING ${variant.name} round ${round + 1}: state changes during the window: master ${transitionsAfter[0] - transitionsBefore[0]} state lines, backup ${transitionsAfter[1] - transitionsBefore[1]}; VRRP socket drops: master ${dropsAfter[0] - dropsBefore[0]}, backup ${dropsAfter[1] - dropsBefore[1]}; VIPs after: a ${vipsAfter[0]}, b ${vipsAfter[1]}`);
      console.log(`    master's log from the window's start:\n${show(master, linesBefore[0])}\n    backup's log from the window's start:\n${show(backup, linesBefore[1])}`);
    }

    const result: Omit<RoundResult, 'masterStopMs' | 'backupStopMs'> = {
      variant: variant.name,
      masterStateLines: transitionsAfter[0] - transitionsBefore[0],
      backupStateLines: transitionsAfter[1] - transitionsBefore[1],
      masterSocketDrops: dropsAfter[0] - dropsBefore[0],
      backupSocketDrops: dropsAfter[1] - dropsBefore[1],
      vipsAfter,
      master: await measureRole(master, before.m, after.m, before.p[0], after.p[0], seconds, ticksPerSecond),
      backup: await measureRole(backup, before.b, after.b, before.p[1], after.p[1], seconds, ticksPerSecond),
      masterFramesPerSecond: (after.linkA.tx - before.linkA.tx) / seconds,
      backupFramesReceivedPerSecond: (after.linkB.rx - before.linkB.rx) / seconds,
      masterConvergeSeconds,
      backupConvergeSeconds,
    };
    // Stopping is timed too: keepalived sends 200 priority-0 adverts and removes 200 VIPs on the master.
    const backupStop = await stopRouter(backup, 120_000);
    const masterStop = await stopRouter(master, 120_000);
    return { ...result, masterStopMs: masterStop.ms, backupStopMs: backupStop.ms };
  });
}

const ticksPerSecond = Number((await runCommand(['getconf', 'CLK_TCK'], { check: true })).stdout.trim());
const started = Date.now();
const f1 = (x: number | undefined): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(1));
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const role = (r: RoleFigures): string =>
  `CPU ${f2(r.cpuPercent)} % (system ${f2(r.systemPercent)} %), VmHWM ${f1(r.hwmMiB)} MiB, VmRSS ${f1(r.rssMiB)} MiB, ${r.threads} threads, ${r.fds} fds` +
  (r.parentCpuPercent !== undefined ? ` (parent: CPU ${f2(r.parentCpuPercent)} %, VmHWM ${f1(r.parentHwmMiB)} MiB)` : '');

async function runAll(build: VrrpdBuild): Promise<RoundResult[]> {
  const results: RoundResult[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which implementation goes first, so neither always follows the other.
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) {
      const r = await runRound(variant, round, ticksPerSecond, build);
      results.push(r);
      console.log(`round ${round + 1} ${variant.name}: converged in ${r.masterConvergeSeconds.toFixed(1)} s (master alone) and ${r.backupConvergeSeconds.toFixed(1)} s (backup); SIGTERM to exit: master ${(r.masterStopMs / 1000).toFixed(2)} s, backup ${(r.backupStopMs / 1000).toFixed(2)} s; master sent ${r.masterFramesPerSecond.toFixed(0)} frames/s, backup received ${r.backupFramesReceivedPerSecond.toFixed(0)} frames/s`);
      console.log(`  master: ${role(r.master)}`);
      console.log(`  backup: ${role(r.backup)}`);
      console.log(`  in the window: state lines master ${r.masterStateLines}, backup ${r.backupStateLines}; VRRP socket drops master ${r.masterSocketDrops}, backup ${r.backupSocketDrops}`);
    }
  }
  return results;
}

const build = await freezeVrrpd();
const keepalivedVersion = (await runCommand(['keepalived', '--version'])).stderr.split('\n')[0];
console.log(`vrrpd bundle ${build.sha} (built ${build.builtAt.toISOString()}); ${keepalivedVersion}`);
console.log(`${instances} instances, VRRPv3, advert_int 0.1 s; ${rounds} rounds per implementation, alternating; warm-up ${warmupS} s, window ${windowS} s; CLK_TCK ${ticksPerSecond}`);
const results = await runAll(build).finally(() => build.remove());
console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s\n`);

const date = new Date().toISOString().slice(0, 10);
const medianOf = (variant: string, pick: (r: RoundResult) => number): number => median(results.filter((r) => r.variant === variant).map(pick));
const sumOf = (variant: string, pick: (r: RoundResult) => number): number => results.filter((r) => r.variant === variant).reduce((sum, r) => sum + pick(r), 0);
const rows: readonly [string, (r: RoundResult) => number, (x: number) => string][] = [
  ['master CPU (% of one core)', (r) => r.master.cpuPercent, f2],
  ['master CPU in the kernel (stime)', (r) => r.master.systemPercent, f2],
  ['backup CPU (% of one core)', (r) => r.backup.cpuPercent, f2],
  ['backup CPU in the kernel (stime)', (r) => r.backup.systemPercent, f2],
  ['master peak RSS (VmHWM, MiB)', (r) => r.master.hwmMiB, f1],
  ['backup peak RSS (VmHWM, MiB)', (r) => r.backup.hwmMiB, f1],
  ['master open fds', (r) => r.master.fds, (x) => x.toFixed(0)],
  ['master frames sent per s', (r) => r.masterFramesPerSecond, (x) => x.toFixed(0)],
  ['start to converged: master alone (s)', (r) => r.masterConvergeSeconds, f1],
  ['start to converged: backup (s)', (r) => r.backupConvergeSeconds, f1],
  ['master SIGTERM to exit (s)', (r) => r.masterStopMs / 1000, f2],
  ['backup SIGTERM to exit (s)', (r) => r.backupStopMs / 1000, f2],
];
const extra = VARIANTS.filter((v) => v.name !== 'vrrpd' && v.name !== 'keepalived');
console.log(`| date | ${instances} instances, v3, 0.1 s (median of ${rounds} rounds) | keepalived 2.2.7 | vrrpd | ratio |${extra.map((v) => ` ${v.name} |`).join('')}`);
console.log(`| --- | --- | --- | --- | --- |${extra.map(() => ' --- |').join('')}`);
for (const [name, pick, format] of rows) {
  const theirs = medianOf('keepalived', pick);
  const ours = medianOf('vrrpd', pick);
  console.log(`| ${date} | ${name} | ${format(theirs)} | ${format(ours)} | **${(ours / theirs).toFixed(2)}** |${extra.map((v) => ` ${format(medianOf(v.name, pick))} |`).join('')}`);
}
for (const [name, pick] of [
  ['state lines in the windows (all rounds, master + backup)', (r: RoundResult) => r.masterStateLines + r.backupStateLines],
  ['VRRP socket drops in the windows (all rounds, master + backup)', (r: RoundResult) => r.masterSocketDrops + r.backupSocketDrops],
] as const) {
  console.log(`| ${date} | ${name} | ${sumOf('keepalived', pick)} | ${sumOf('vrrpd', pick)} | |${extra.map((v) => ` ${sumOf(v.name, pick)} |`).join('')}`);
}

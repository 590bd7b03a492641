// Failover time, vrrpd beside keepalived 2.2.7: two routers and a client on
// one switch (network namespaces); the master (priority 200) is killed
// (SIGKILL: a crash; SIGTERM: a clean stop, which sends priority 0) and we
// time how long the backup (priority 100) takes to hold the VIP and to put its
// first gratuitous ARP on the wire. Same implementation on both routers
// (vrrpd/vrrpd, keepalived/keepalived; --mixed adds the two mixed pairs),
// VRRPv2 with advert_int 1 and VRRPv3 with advert_int 0.1. One lab per
// (pairing, timing), all pairings of a timing up at once and taking turns,
// trial by trial, so that both implementations meet the same machine load;
// the killed master is restarted between trials and the two signals
// alternate. Prints per-trial figures, then Markdown rows for RESULTS.md.
//
//   node scripts/build.mjs
//   node --import tsx --conditions=source bench/vrrpdFailover.ts [TRIALS] [--mixed] [--only=2|3] [--raw=FILE] [--verbose]
//
// One clock for everything: CLOCK_REALTIME, microseconds. The kill is stamped
// by bash's $EPOCHREALTIME just before its builtin kill (no fork in between);
// the VIP's arrival by `ip -ts monitor address` in the backup's namespace (its
// gettimeofday when the kernel's RTM_NEWADDR wakes it; the run measures that
// wake-up with strace first; when the monitor wakes after the backup's first
// GARP, the GARP's stamp is taken, see vipHeldAt); frames by tcpdump -tt in
// the client's namespace (the kernel's receive stamps).

import { writeFile } from 'node:fs/promises';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { runCommand, uniquePrefix, withLab, type Lab, type ProcessHandle } from '@keepalived-ts/test-utils';
import { holders, macOf, segment, type Segment } from '../test/vrrpd/vrrpdLab.js';
import { freezeVrrpd, median, percentile, startRouter, stopRouter, type Implementation, type Router, type StopSignal, type VrrpdBuild } from './vrrpRouters.js';

interface Timing {
  readonly version: 2 | 3;
  readonly advertInt: string;
  readonly intervalCs: number;
}

interface Pairing {
  readonly master: Implementation;
  readonly backup: Implementation;
}

const TIMINGS: readonly Timing[] = [
  { version: 2, advertInt: '1', intervalCs: 100 },
  { version: 3, advertInt: '0.1', intervalCs: 10 },
];
const MASTER_PRIORITY = 200;
const BACKUP_PRIORITY = 100;
const INSTANCE = 'VI_1';
const SIGNALS: readonly StopSignal[] = ['SIGKILL', 'SIGTERM'];

const args = process.argv.slice(2);
const trials = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
const mixed = args.includes('--mixed');
const verbose = args.includes('--verbose');
/** --raw=FILE: every trial's stamps as JSON Lines, one line per lab. */
const rawFile = args.find((a) => a.startsWith('--raw='))?.slice('--raw='.length);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const timings = TIMINGS.filter((t) => only === undefined || String(t.version) === only);
const pairings: readonly Pairing[] = [
  { master: 'vrrpd', backup: 'vrrpd' },
  { master: 'keepalived', backup: 'keepalived' },
  ...(mixed ? ([{ master: 'keepalived', backup: 'vrrpd' }, { master: 'vrrpd', backup: 'keepalived' }] as const) : []),
];

/** Skew_Time in ms, unrounded (RFC 3768 and RFC 5798 section 6.1; keepalived keeps microseconds). */
function skewMs(t: Timing, priority: number): number {
  return t.version === 2 ? ((256 - priority) * 1000) / 256 : ((256 - priority) * t.intervalCs * 10) / 256;
}
const masterDownMs = (t: Timing, priority: number): number => 3 * t.intervalCs * 10 + skewMs(t, priority);

function conf(t: Timing, vrid: number, priority: number, state: 'MASTER' | 'BACKUP', vip: string): string {
  return `global_defs {
    router_id bench
}
vrrp_instance ${INSTANCE} {
    state ${state}
    interface eth0
    virtual_router_id ${vrid}
    priority ${priority}
    advert_int ${t.advertInt}
    version ${t.version}
    virtual_ipaddress {
        ${vip}
    }
}
`;
}

// tcpdump -n -e -tt, e.g.
// 1795449249.949325 02:11:22:33:44:55 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 54: 10.61.0.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 200, ...
// 1795449249.949325 02:11:22:33:44:55 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.61.0.100 (ff:ff:ff:ff:ff:ff) tell 10.61.0.100, length 28
const VRRP_FRAME = /^(\d+\.\d+) (\S+) > \S+, ethertype IPv4 \(0x0800\), length \d+: (\S+) > \S+: VRRPv\d, Advertisement, vrid \d+, prio (\d+)/;
const ARP_FRAME = /^(\d+\.\d+) (\S+) > \S+, ethertype ARP \(0x0806\), length \d+: (?:Request who-has ([\d.]+)(?: \(\S+\))? tell ([\d.]+)|Reply ([\d.]+) is-at)/;
// ip -ts monitor address (TZ=UTC): [2026-11-23T15:54:09.949325] 2: eth0    inet 10.61.0.100/24 scope global secondary eth0
const MONITOR_LINE = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\] (Deleted )?\d+: \S+\s+inet (\S+)/;

interface Frame {
  readonly at: number;
  readonly mac: string;
  readonly kind: 'vrrp' | 'garp';
  /** VRRP: the sender's IP; ARP: the address announced. */
  readonly ip: string;
  readonly priority: number;
}

function parseFrame(line: string): Frame | undefined {
  const vrrp = VRRP_FRAME.exec(line);
  if (vrrp) return { at: Number(vrrp[1]), mac: vrrp[2]!, kind: 'vrrp', ip: vrrp[3]!, priority: Number(vrrp[4]) };
  const arp = ARP_FRAME.exec(line);
  if (!arp) return undefined;
  // Gratuitous: a request for an address from that same address, or an unsolicited reply.
  if (arp[3] !== undefined && arp[3] !== arp[4]) return undefined;
  return { at: Number(arp[1]), mac: arp[2]!, kind: 'garp', ip: arp[3] ?? arp[5]!, priority: 0 };
}

interface AddressEvent {
  readonly at: number;
  readonly added: boolean;
  readonly cidr: string;
}

function parseMonitor(line: string): AddressEvent | undefined {
  const m = MONITOR_LINE.exec(line);
  if (!m) return undefined;
  return { at: Date.parse(`${m[1]}Z`) / 1000 + Number(m[2]) / 1e6, added: m[3] === undefined, cidr: m[4]! };
}

/** Lines of a process from index `from` on, parsed; `from` moves past what was read. */
class LineCursor<T> {
  private next = 0;
  constructor(private readonly handle: ProcessHandle, private readonly parse: (line: string) => T | undefined) {}
  /** Where the cursor is, to come back to. */
  get position(): number {
    return this.next;
  }
  seek(position: number): void {
    this.next = Math.max(0, position);
  }
  /** Every line parsed so far and not yet read. */
  read(): T[] {
    const lines = this.handle.lines('stdout');
    const out: T[] = [];
    for (; this.next < lines.length; this.next++) {
      const parsed = this.parse(lines[this.next]!.text);
      if (parsed !== undefined) out.push(parsed);
    }
    return out;
  }
}

interface Trial {
  readonly signal: StopSignal;
  readonly kill: number;
  readonly vip: number;
  readonly garp: number;
  /** The master's last advert before the kill. */
  readonly lastAdvert: number | undefined;
  /** SIGTERM: the master's priority-0 advert. */
  readonly priorityZero: number | undefined;
  /** The backup's first advert as master. */
  readonly backupAdvert: number | undefined;
}

interface ConfigResult {
  readonly timing: Timing;
  readonly pairing: Pairing;
  readonly trials: readonly Trial[];
  readonly monitorLatencyUs: readonly number[];
  readonly captureDrops: number | undefined;
}

const ms = (seconds: number): number => seconds * 1000;

/**
 * The wake-up latency of `ip -ts monitor`: strace stamps ip's sendmsg of
 * RTM_NEWADDR (at syscall entry; the kernel adds the address inside it and
 * multicasts the event) and the monitor stamps the event when it reads it.
 * strace's own stop at the syscall is included: an upper bound.
 */
async function monitorLatency(lab: Lab, ns: string, monitor: LineCursor<AddressEvent>, address: string, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    monitor.read();
    const traced = await runCommand(['strace', '-ttt', '-e', 'trace=sendmsg', 'ip', '-n', ns, 'addr', 'add', `${address}/32`, 'dev', 'eth0']);
    const sent = traced.stderr.split('\n').find((l) => /RTM_NEWADDR|nlmsg_type=0x14/.test(l));
    const deadline = Date.now() + 2000;
    let seen: AddressEvent | undefined;
    while (!seen && Date.now() < deadline) {
      seen = monitor.read().find((e) => e.added && e.cidr === `${address}/32`);
      if (!seen) await sleepMs(5);
    }
    await lab.exec(ns, ['ip', 'addr', 'del', `${address}/32`, 'dev', 'eth0']);
    if (traced.code === 0 && sent && seen) out.push(Math.round((seen.at - Number(sent.split(' ')[0])) * 1e6));
  }
  return out;
}

/**
 * One lab: the two routers of `pairing`, a client capturing, and the
 * backup's address monitor. `trial` kills the master, measures, restarts it
 * and waits until it is master again, so that the labs of a run can take
 * turns and each trial runs while the other labs are quiet.
 */
class FailoverLab {
  readonly trials: Trial[] = [];
  private readonly vip: string;
  private readonly vipCidr: string;
  private readonly masterConf: string;
  private master!: Router;
  private backup!: Router;
  private backupMac = '';
  private monitorProcess!: ProcessHandle;
  private captureProcess!: ProcessHandle;
  private monitor!: LineCursor<AddressEvent>;
  private capture!: LineCursor<Frame>;
  private build!: VrrpdBuild;
  monitorLatencyUs: number[] = [];

  private constructor(
    private readonly lab: Lab,
    private readonly seg: Segment,
    readonly timing: Timing,
    readonly pairing: Pairing,
    subnet: number,
  ) {
    this.vip = `10.${subnet}.0.100`;
    this.vipCidr = `${this.vip}/24`;
    this.masterConf = conf(timing, subnet, MASTER_PRIORITY, 'MASTER', this.vipCidr);
  }

  static async open(lab: Lab, timing: Timing, pairing: Pairing, subnet: number, build: VrrpdBuild): Promise<FailoverLab> {
    const self = new FailoverLab(lab, await segment(lab, subnet), timing, pairing, subnet);
    const { seg } = self;
    self.build = build;
    self.backupMac = await macOf(lab, seg.b);
    self.monitorProcess = await lab.spawn(seg.b, ['ip', '-ts', 'monitor', 'address', 'dev', 'eth0'], { env: { ...process.env, TZ: 'UTC' }, maxLines: 1_000_000 });
    self.monitor = new LineCursor(self.monitorProcess, parseMonitor);
    self.captureProcess = await lab.spawn(seg.client, ['tcpdump', '-i', 'eth0', '-l', '-n', '-e', '-tt', 'arp or ip proto 112'], { maxLines: 1_000_000 });
    await self.captureProcess.waitForLine(/listening on/, { stream: 'stderr', timeoutMs: 5000 });
    self.capture = new LineCursor(self.captureProcess, parseFrame);
    self.monitorLatencyUs = await monitorLatency(lab, seg.b, self.monitor, `10.${subnet}.0.201`, 10);
    self.master = await startRouter(lab, pairing.master, seg.a, self.masterConf, self.routerOptions('a0'));
    self.backup = await startRouter(lab, pairing.backup, seg.b, conf(timing, subnet, BACKUP_PRIORITY, 'BACKUP', self.vipCidr), self.routerOptions('b'));
    await self.settle();
    return self;
  }

  private routerOptions(name: string) {
    return { name, vrrpd: this.build };
  }

  private logTail(r: Router): string {
    return r.logLines().slice(-20).map((l) => `    ${l}`).join('\n');
  }

  private alive(r: Router, role: string): void {
    const status = r.process.exitStatus();
    if (status) throw new Error(`${r.implementation} (${role}) exited (${status.code ?? status.signal}); last lines:\n${this.logTail(r)}`);
  }

  /** Master holds the VIP alone, and both say so in their logs. */
  private async settle(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      this.alive(this.master, 'master');
      this.alive(this.backup, 'backup');
      if (this.master.lastState(INSTANCE) === 'MASTER' && this.backup.lastState(INSTANCE) === 'BACKUP') {
        const now = await holders(this.lab, [this.seg.a, this.seg.b], this.vip);
        if (now.length === 1 && now[0] === this.seg.a) return;
      }
      if (Date.now() > deadline) {
        throw new Error(`no steady state after 30 s: master ${this.master.lastState(INSTANCE)}, backup ${this.backup.lastState(INSTANCE)}\nmaster:\n${this.logTail(this.master)}\nbackup:\n${this.logTail(this.backup)}`);
      }
      await sleepMs(20);
    }
  }

  async trial(signal: StopSignal, round: number): Promise<void> {
    const { seg, monitor, capture, vip, vipCidr } = this;
    const mdi = masterDownMs(this.timing, BACKUP_PRIORITY);
    const phase = [Date.now()];
    // A random phase between the kill and the master's advert timer.
    await sleepMs(this.timing.intervalCs * 10 * Math.random());
    monitor.read();
    const captureMark = capture.position;
    phase.push(Date.now());
    const kill = await this.master.signal(signal);

    let vipAt: number | undefined;
    let garpAt: number | undefined;
    let backupAdvert: number | undefined;
    let priorityZero: number | undefined;
    const deadline = Date.now() + mdi + 10_000;
    while ((vipAt === undefined || garpAt === undefined) && Date.now() < deadline) {
      for (const e of monitor.read()) if (vipAt === undefined && e.added && e.cidr === vipCidr && e.at > kill) vipAt = e.at;
      for (const f of capture.read()) {
        if (f.at <= kill) continue;
        if (garpAt === undefined && f.kind === 'garp' && f.ip === vip && f.mac === this.backupMac) garpAt = f.at;
        if (backupAdvert === undefined && f.kind === 'vrrp' && f.ip === seg.ipB) backupAdvert = f.at;
      }
      this.alive(this.backup, 'backup');
      await sleepMs(5);
    }
    if (vipAt === undefined || garpAt === undefined) {
      const frames = this.captureProcess.lines('stdout').filter((l) => !l.text.includes('VRRP')).slice(-8).map((l) => `    ${l.text}`).join('\n');
      throw new Error(`${pairLabel(this.pairing)} ${signal} round ${round}: the backup did not take over within ${Math.round(mdi + 10_000)} ms (VIP ${vipAt ?? 'no'}, GARP ${garpAt ?? 'no'})\nbackup:\n${this.logTail(this.backup)}\nnon-VRRP frames:\n${frames}`);
    }
    await sleepMs(50);
    // Back over the lines read before and after the kill: the master's last
    // advert before it, its priority-0 advert, the backup's first advert.
    capture.seek(captureMark - 200);
    let lastAdvert: number | undefined;
    for (const f of capture.read()) {
      if (f.kind !== 'vrrp') continue;
      if (f.ip === seg.ipA && f.priority > 0 && f.at <= kill) lastAdvert = f.at;
      if (priorityZero === undefined && f.ip === seg.ipA && f.priority === 0 && f.at > kill) priorityZero = f.at;
      if (backupAdvert === undefined && f.ip === seg.ipB && f.at > kill) backupAdvert = f.at;
    }
    this.trials.push({ signal, kill, vip: vipAt, garp: garpAt, lastAdvert, priorityZero, backupAdvert });

    phase.push(Date.now());
    await this.master.gone();
    // A crashed master leaves its VIP behind; both implementations get the same clean start.
    if (signal === 'SIGKILL') await this.lab.exec(seg.a, ['ip', 'addr', 'del', vipCidr, 'dev', 'eth0']);
    this.master = await startRouter(this.lab, this.pairing.master, seg.a, this.masterConf, this.routerOptions(`a${this.trials.length}`));
    await this.settle();
    phase.push(Date.now());
    if (verbose) console.error(`${label(this.timing)} ${pairLabel(this.pairing)} ${signal}: wait ${phase[1]! - phase[0]!} ms, takeover ${phase[2]! - phase[1]!} ms, restart and settle ${phase[3]! - phase[2]!} ms`);
  }

  async close(): Promise<ConfigResult> {
    await stopRouter(this.master);
    await stopRouter(this.backup);
    await this.captureProcess.stop('SIGINT', { timeoutMs: 5000 });
    const dropped = /^(\d+) packets? dropped by kernel/m.exec(this.captureProcess.text('stderr'));
    await this.monitorProcess.stop('SIGTERM');
    return { timing: this.timing, pairing: this.pairing, trials: this.trials, monitorLatencyUs: this.monitorLatencyUs, captureDrops: dropped ? Number(dropped[1]) : undefined };
  }
}

/** Nested labs, each destroyed in a finally (withLab). */
async function withLabs<T>(tags: readonly string[], body: (labs: Lab[]) => Promise<T>, opened: Lab[] = []): Promise<T> {
  if (opened.length === tags.length) return body(opened);
  return withLab(uniquePrefix(tags[opened.length]!), (lab) => withLabs(tags, body, [...opened, lab]));
}

/**
 * Every pairing of one timing in its own lab, all up at once; the trials take
 * turns (pairings in rotating order, signals alternating), so that each
 * implementation meets the same machine load over the run.
 */
async function runTiming(timing: Timing, firstSubnet: number, build: VrrpdBuild): Promise<ConfigResult[]> {
  const tags = pairings.map((p) => `fo${timing.version}${p.master[0]}${p.backup[0]}`);
  return withLabs(tags, async (labs) => {
    const flabs: FailoverLab[] = [];
    for (const [i, pairing] of pairings.entries()) flabs.push(await FailoverLab.open(labs[i]!, timing, pairing, firstSubnet + i, build));
    for (let round = 0; round < trials; round++) {
      for (const signal of SIGNALS) {
        for (let k = 0; k < flabs.length; k++) await flabs[(round + k) % flabs.length]!.trial(signal, round);
      }
    }
    const out: ConfigResult[] = [];
    for (const flab of flabs) out.push(await flab.close());
    return out;
  });
}

// ---- report ----

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : 'n/a');
const label = (t: Timing): string => `v${t.version}, ${t.advertInt} s`;
const pairLabel = (p: Pairing): string => `${p.master} → ${p.backup}`;

interface Figures {
  readonly vip: readonly number[];
  readonly garp: readonly number[];
  /** What the backup takes beyond its timer: VIP - (last advert + Master_Down_Interval), or VIP - (priority 0 + Skew_Time). */
  readonly beyond: readonly number[];
  /** SIGTERM: kill to the master's priority-0 advert on the wire. */
  readonly stop: readonly number[];
  /** The backup's timer end (as in `beyond`) to its first advert on the wire. */
  readonly toAdvert: readonly number[];
  /** Its first advert to the VIP in its kernel. */
  readonly advertToVip: readonly number[];
  /** The VIP in its kernel to its first gratuitous ARP on the wire. */
  readonly vipToGarp: readonly number[];
}

/**
 * When the VIP was in the backup's kernel: ip monitor's stamp, or the first
 * GARP's if that is earlier. Both implementations announce an address only
 * once the kernel has acknowledged it, so a monitor stamp after the GARP is
 * the monitor waking late (it is a process of its own, and the machine is
 * shared), not the address coming late.
 */
const vipHeldAt = (t: Trial): number => Math.min(t.vip, t.garp);

function figures(result: ConfigResult, signal: StopSignal): Figures {
  const trialsOf = result.trials.filter((t) => t.signal === signal).map((t) => ({ ...t, vip: vipHeldAt(t) }));
  const mdi = masterDownMs(result.timing, BACKUP_PRIORITY);
  const skew = skewMs(result.timing, BACKUP_PRIORITY);
  return {
    vip: trialsOf.map((t) => ms(t.vip - t.kill)),
    garp: trialsOf.map((t) => ms(t.garp - t.kill)),
    beyond: trialsOf.flatMap((t) => {
      if (signal === 'SIGKILL') return t.lastAdvert === undefined ? [] : [ms(t.vip - t.lastAdvert) - mdi];
      return t.priorityZero === undefined ? [] : [ms(t.vip - t.priorityZero) - skew];
    }),
    stop: trialsOf.flatMap((t) => (t.priorityZero === undefined ? [] : [ms(t.priorityZero - t.kill)])),
    toAdvert: trialsOf.flatMap((t) => {
      if (t.backupAdvert === undefined) return [];
      if (signal === 'SIGKILL') return t.lastAdvert === undefined ? [] : [ms(t.backupAdvert - t.lastAdvert) - mdi];
      return t.priorityZero === undefined ? [] : [ms(t.backupAdvert - t.priorityZero) - skew];
    }),
    advertToVip: trialsOf.flatMap((t) => (t.backupAdvert === undefined ? [] : [ms(t.vip - t.backupAdvert)])),
    vipToGarp: trialsOf.map((t) => ms(t.garp - t.vip)),
  };
}

const started = Date.now();
const date = new Date().toISOString().slice(0, 10);
async function runAll(build: VrrpdBuild): Promise<ConfigResult[]> {
  const results: ConfigResult[] = [];
  for (const [i, timing] of timings.entries()) {
    const t0 = Date.now();
    const done = await runTiming(timing, 60 + 10 * i, build);
    results.push(...done);
    console.log(`${label(timing)}: ${pairings.length} labs, ${2 * trials} trials each, interleaved, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    for (const result of done) {
      const late = result.trials.filter((t) => t.vip > t.garp).map((t) => ms(t.vip - t.garp));
      console.log(`${label(timing)} ${pairLabel(result.pairing)}: ip monitor wake-up (strace bound) median ${median(result.monitorLatencyUs)} µs, max ${Math.max(...result.monitorLatencyUs)} µs; its stamp came after the first GARP in ${late.length} of ${result.trials.length} trials (by ${late.map(f1).join(', ') || '-'} ms); tcpdump drops ${result.captureDrops ?? '?'}`);
      for (const signal of SIGNALS) {
        const fig = figures(result, signal);
        console.log(`  ${signal} kill→VIP ms: ${fig.vip.map(f1).join(' ')}`);
        console.log(`  ${signal} kill→GARP ms: ${fig.garp.map(f1).join(' ')}`);
        console.log(`  ${signal} beyond the timer ms: ${fig.beyond.map(f1).join(' ')}`);
        if (signal === 'SIGTERM') console.log(`  SIGTERM kill→priority 0 ms: ${fig.stop.map(f1).join(' ')}`);
      }
    }
  }
  return results;
}

const build = await freezeVrrpd();
const keepalivedVersion = (await runCommand(['keepalived', '--version'])).stderr.split('\n')[0];
console.log(`vrrpd bundle ${build.sha} (built ${build.builtAt.toISOString()}); ${keepalivedVersion}`);
const results = await runAll(build).finally(() => build.remove());
if (rawFile) {
  await writeFile(rawFile, results.map((r) => JSON.stringify({ timing: r.timing, pairing: r.pairing, monitorLatencyUs: r.monitorLatencyUs, trials: r.trials })).join('\n') + '\n');
  console.log(`raw trials written to ${rawFile}`);
}

console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s, ${trials} trials per signal and configuration\n`);
console.log('| date | version, advert_int | signal | master → backup | bound | kill → VIP median | p95 | kill → GARP median | p95 | beyond the timer median | p95 |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const result of results) {
  for (const signal of SIGNALS) {
    const fig = figures(result, signal);
    const bound = signal === 'SIGKILL' ? masterDownMs(result.timing, BACKUP_PRIORITY) : skewMs(result.timing, BACKUP_PRIORITY);
    console.log(`| ${date} | ${label(result.timing)} | ${signal} | ${pairLabel(result.pairing)} | ${f1(bound)} | ${f1(median(fig.vip))} | ${f1(percentile(fig.vip, 95))} | ${f1(median(fig.garp))} | ${f1(percentile(fig.garp, 95))} | ${f1(median(fig.beyond))} | ${f1(percentile(fig.beyond, 95))} |`);
  }
}

console.log('\n| version, advert_int | signal | VIP median ratio | VIP p95 ratio | GARP median ratio | GARP p95 ratio | beyond the timer, vrrpd − keepalived (median) |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const timing of timings) {
  const ours = results.find((r) => r.timing === timing && r.pairing.master === 'vrrpd' && r.pairing.backup === 'vrrpd');
  const theirs = results.find((r) => r.timing === timing && r.pairing.master === 'keepalived' && r.pairing.backup === 'keepalived');
  if (!ours || !theirs) continue;
  for (const signal of SIGNALS) {
    const a = figures(ours, signal);
    const b = figures(theirs, signal);
    const ratio = (x: number, y: number) => `**${(x / y).toFixed(3)}**`;
    console.log(`| ${label(timing)} | ${signal} | ${ratio(median(a.vip), median(b.vip))} | ${ratio(percentile(a.vip, 95), percentile(b.vip, 95))} | ${ratio(median(a.garp), median(b.garp))} | ${ratio(percentile(a.garp, 95), percentile(b.garp, 95))} | ${f1(median(a.beyond) - median(b.beyond))} ms |`);
  }
}

console.log("\nWhere the time goes (medians, ms; the VIP's stamp is ip monitor's, or the GARP's if earlier; the others are tcpdump's):\n");
console.log('| version, advert_int | signal | master → backup | kill → priority 0 on the wire | timer end → backup\'s first advert | first advert → VIP | VIP → first GARP |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const result of results) {
  for (const signal of SIGNALS) {
    const fig = figures(result, signal);
    console.log(`| ${label(result.timing)} | ${signal} | ${pairLabel(result.pairing)} | ${signal === 'SIGTERM' ? f2(median(fig.stop)) : '–'} | ${f2(median(fig.toAdvert))} | ${f2(median(fig.advertToVip))} | ${f2(median(fig.vipToGarp))} |`);
  }
}

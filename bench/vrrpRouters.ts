// The two VRRP implementations of the vrrpd benchmarks behind one handle:
// vrrpd (one Node process) and Debian's keepalived (a parent and the VRRP
// child that does the work). Also what both benchmarks need around them: a
// frozen copy of the vrrpd bundle, signals stamped on the wall clock, the
// state an instance last logged, and medians and percentiles.

import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import {
  isProcessRunning,
  runCommand,
  startKeepalived,
  type ExitStatus,
  type Lab,
  type ProcessHandle,
} from '@keepalived-ts/test-utils';

export type Implementation = 'vrrpd' | 'keepalived';
export type StopSignal = 'SIGKILL' | 'SIGTERM';
export type InstanceState = 'MASTER' | 'BACKUP' | 'FAULT';

const VRRPD_DIST = fileURLToPath(new URL('../tools/vrrpd/dist/vrrpd.js', import.meta.url));
const VRRPD_MODULES = fileURLToPath(new URL('../tools/vrrpd/node_modules', import.meta.url));

/** The vrrpd bundle a benchmark runs, and its identity for the report. */
export interface VrrpdBuild {
  readonly path: string;
  /** First 12 hex digits of the bundle's SHA-256. */
  readonly sha: string;
  /** When tools/vrrpd/dist/vrrpd.js was built (its mtime). */
  readonly builtAt: Date;
  /** Deletes the copy. */
  remove(): Promise<void>;
}

/**
 * Copies tools/vrrpd/dist/vrrpd.js into a private temporary directory, beside
 * a link to vrrpd's node_modules (its native packages are required relative
 * to the bundle): others rebuild dist/ while a long benchmark runs, and every
 * trial of one run must measure the same build. Call `remove()` in a finally.
 */
export async function freezeVrrpd(): Promise<VrrpdBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'kt-bench-vrrpd-'));
  const path = join(dir, 'vrrpd.js');
  try {
    const builtAt = (await stat(VRRPD_DIST)).mtime;
    await copyFile(VRRPD_DIST, path);
    await symlink(VRRPD_MODULES, join(dir, 'node_modules'));
    const sha = createHash('sha256').update(await readFile(path)).digest('hex').slice(0, 12);
    return { path, sha, builtAt, remove: () => rm(dir, { recursive: true, force: true }) };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** One running router: vrrpd, or keepalived with its VRRP child. */
export interface Router {
  readonly implementation: Implementation;
  readonly ns: string;
  /** The process we started: vrrpd, or keepalived's parent. */
  readonly process: ProcessHandle;
  /** The process that runs the elections: vrrpd itself, or keepalived's VRRP child (from its pid file). */
  workerPid(): Promise<number>;
  /** Log lines so far (vrrpd's stderr; keepalived's console without the date). */
  logLines(): readonly string[];
  /** The state `instance` entered last, from the log. */
  lastState(instance: string): InstanceState | undefined;
  /**
   * Sends `signal` as an operator or a crash would and returns the wall-clock
   * time (seconds, microsecond resolution) taken just before the kill(2).
   */
  signal(signal: StopSignal): Promise<number>;
  /** Resolves once every process of this router has gone; rejects after `timeoutMs` (default 10 s). */
  gone(timeoutMs?: number): Promise<void>;
}

export interface StartRouterOptions {
  /** Label of its temporary directory. */
  readonly name: string;
  /** Needed for vrrpd: the frozen bundle. */
  readonly vrrpd?: VrrpdBuild;
  readonly extraArgs?: readonly string[];
  readonly maxLines?: number;
}

const STATE_LINE = /\(([^)]+)\) Entering (MASTER|BACKUP|FAULT) STATE/;

function lastStateIn(lines: readonly string[], instance: string): InstanceState | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = STATE_LINE.exec(lines[i]!);
    if (match && match[1] === instance) return match[2] as InstanceState;
  }
  return undefined;
}

/**
 * bash's $EPOCHREALTIME (gettimeofday, CLOCK_REALTIME, microseconds) read just
 * before its builtin kill: no fork between the stamp and the signal. It is the
 * clock of tcpdump -tt's packet stamps and of `ip -ts monitor`.
 * `$1` is the signal, the other arguments are PIDs; with `freeze`, `$2` is first
 * stopped (SIGSTOP) so that it cannot react, and the rest are killed before it.
 */
async function stampedKill(signal: string, pids: readonly number[], freeze: boolean): Promise<number> {
  const script = freeze
    ? 'kill -s STOP "$2" || exit 1; t=$EPOCHREALTIME; kill -s "$1" "${@:3}"; kill -s "$1" "$2"; echo "$t"'
    : 't=$EPOCHREALTIME; kill -s "$1" "${@:2}" || exit 1; echo "$t"';
  const result = await runCommand(['bash', '-c', script, 'bash', signal.replace(/^SIG/, ''), ...pids.map(String)], { check: true });
  return Number(result.stdout.trim().replace(',', '.'));
}

async function untilGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isProcessRunning(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still runs ${timeoutMs} ms after its signal`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startRouter(lab: Lab, implementation: Implementation, ns: string, configText: string, options: StartRouterOptions): Promise<Router> {
  if (implementation === 'vrrpd') {
    if (!options.vrrpd) throw new Error('startRouter: vrrpd needs the frozen build');
    const dir = await lab.tempDir(options.name);
    const configFile = join(dir, 'keepalived.conf');
    await writeFile(configFile, configText);
    const child = await lab.spawn(ns, [process.execPath, options.vrrpd.path, '-f', configFile, '--state-file', join(dir, 'state.json'), ...(options.extraArgs ?? [])], {
      maxLines: options.maxLines ?? 100_000,
    });
    const logLines = () => child.lines('stderr').map((l) => l.text);
    return {
      implementation,
      ns,
      process: child,
      workerPid: async () => child.pid,
      logLines,
      lastState: (instance) => lastStateIn(logLines(), instance),
      signal: (signal) => stampedKill(signal, [child.pid], false),
      async gone(timeoutMs = 10_000) {
        await withTimeout(child.exited, timeoutMs, `vrrpd ${child.pid} to exit`);
      },
    };
  }

  const keepalived = await startKeepalived(lab, ns, configText, { name: options.name, ...(options.extraArgs ? { extraArgs: options.extraArgs } : {}) });
  let vrrpChild: number | undefined;
  const workerPid = async (): Promise<number> => {
    vrrpChild ??= await keepalived.vrrpPid();
    if (vrrpChild === undefined) throw new Error(`keepalived in ${ns}: no VRRP child pid yet`);
    return vrrpChild;
  };
  await workerPid().catch(async () => {
    // The pid file is written just after "Startup complete"; give it a moment.
    await new Promise((r) => setTimeout(r, 200));
    await workerPid();
  });
  return {
    implementation,
    ns,
    process: keepalived.process,
    workerPid,
    logLines: () => keepalived.logLines(),
    lastState: (instance) => lastStateIn(keepalived.logLines(), instance),
    async signal(signal) {
      const childPid = await workerPid();
      // SIGTERM goes to the parent, as `systemctl stop` sends it; it stops the
      // child, which sends priority 0. A crash is the child dying: freeze the
      // parent so that it cannot respawn it or stop it cleanly, kill the child,
      // then the parent (as startKeepalived's stop('SIGKILL') does).
      return signal === 'SIGTERM'
        ? stampedKill(signal, [keepalived.pid], false)
        : stampedKill(signal, [keepalived.pid, childPid], true);
    },
    async gone(timeoutMs = 10_000) {
      await withTimeout(keepalived.exited, timeoutMs, `keepalived ${keepalived.pid} to exit`);
      if (vrrpChild !== undefined) await untilGone(vrrpChild, timeoutMs);
    },
  };
}

/**
 * Stops a router that is still running (SIGTERM) and waits until it has
 * gone; returns its exit status and how long that took (ms).
 */
export async function stopRouter(router: Router, timeoutMs = 10_000): Promise<{ readonly status: ExitStatus | undefined; readonly ms: number }> {
  if (router.process.exitStatus()) return { status: router.process.exitStatus(), ms: 0 };
  const start = performance.now();
  await router.signal('SIGTERM');
  await router.gone(timeoutMs);
  return { status: router.process.exitStatus(), ms: performance.now() - start };
}

/** The median of a sample (nearest rank: the lower of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Nearest-rank percentile: the smallest value with at least p % of the sample at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

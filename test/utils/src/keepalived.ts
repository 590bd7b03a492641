import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import type { ExitStatus, ProcessHandle } from './process.js';
import { waitFor } from './waitFor.js';

export type VrrpState = 'MASTER' | 'BACKUP' | 'FAULT';

export interface StartKeepalivedOptions {
  /** Label for the temporary directory and error messages (default `keepalived`). */
  readonly name?: string;
  /** More command-line options, e.g. `['--log-detail']`. */
  readonly extraArgs?: readonly string[];
  /** How long to wait for "Startup complete" (default 10 s). */
  readonly startTimeoutMs?: number;
}

/** A running Debian keepalived (VRRP subsystem only) inside one lab namespace. */
export interface KeepalivedHandle {
  readonly ns: string;
  /** The private directory holding its config and pid files. */
  readonly dir: string;
  readonly configFile: string;
  /** PID of keepalived's parent process (the one we started). */
  readonly pid: number;
  readonly process: ProcessHandle;
  readonly exited: Promise<ExitStatus>;
  /** Log lines so far, without keepalived's leading date ("Mon Nov 23 15:12:57 2026: "). */
  logLines(): readonly string[];
  /** The first log line (already logged or to come) that matches, without its date. */
  waitForLog(pattern: RegExp | string, options: { readonly timeoutMs: number }): Promise<string>;
  /** Waits for "(INSTANCE) Entering STATE STATE". */
  waitForState(instance: string, state: VrrpState, options: { readonly timeoutMs: number }): Promise<void>;
  /** PID of the VRRP child process, from its pid file; undefined before it has started. */
  vrrpPid(): Promise<number | undefined>;
  /**
   * SIGTERM: a clean stop (a master sends its priority-0 advert and removes its VIPs).
   * SIGKILL: a crash, parent and VRRP child at once (no priority-0 advert, VIPs stay).
   */
  stop(signal?: 'SIGTERM' | 'SIGKILL', options?: { readonly timeoutMs?: number }): Promise<ExitStatus>;
}

// keepalived --log-console prefixes every line with ctime(3) and ": ".
const LOG_DATE = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}: /;

/** A keepalived log line without its leading date. */
export function stripLogDate(line: string): string {
  return line.replace(LOG_DATE, '');
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Writes `configText` to a private temporary directory and runs Debian's
 * keepalived in the foreground in namespace `ns`, VRRP only, logging to the
 * console (collected here) and not to syslog. Resolves after "Startup complete".
 *
 * Two keepalived in different namespaces never meet: each has its own pid
 * files (`-p`, `-r`, `-c` in its directory; the defaults in /run would make the
 * second one refuse to start), and its own config file. The other files
 * keepalived writes by default in /tmp (keepalived.data, keepalived.stats,
 * keepalived.json) appear only on SIGUSR1, SIGUSR2 or SIGJSON, which nothing
 * here sends. We use `ip netns exec` rather than keepalived's `--namespace`,
 * which would also unshare a mount namespace and move its pid files.
 */
export async function startKeepalived(
  lab: Lab,
  ns: string,
  configText: string,
  options: StartKeepalivedOptions = {},
): Promise<KeepalivedHandle> {
  const name = options.name ?? 'keepalived';
  const dir = await lab.tempDir(name);
  const configFile = join(dir, 'keepalived.conf');
  const vrrpPidFile = join(dir, 'vrrp.pid');
  await writeFile(configFile, configText);

  const argv = [
    'keepalived',
    '--dont-fork',
    '--log-console',
    '--no-syslog',
    '--vrrp',
    `--use-file=${configFile}`,
    `--pid=${join(dir, 'keepalived.pid')}`,
    `--vrrp_pid=${vrrpPidFile}`,
    `--checkers_pid=${join(dir, 'checkers.pid')}`,
    ...(options.extraArgs ?? []),
  ];
  const child = await lab.spawn(ns, argv);

  const vrrpPid = async (): Promise<number | undefined> => {
    try {
      const pid = Number.parseInt(await readFile(vrrpPidFile, 'utf8'), 10);
      return Number.isInteger(pid) && pid > 1 ? pid : undefined;
    } catch {
      return undefined;
    }
  };

  const handle: KeepalivedHandle = {
    ns,
    dir,
    configFile,
    pid: child.pid,
    process: child,
    exited: child.exited,
    logLines: () => child.lines().map((line) => stripLogDate(line.text)),
    async waitForLog(pattern, { timeoutMs }) {
      const line = await child.waitForLine(pattern, { timeoutMs });
      return stripLogDate(line.text);
    },
    async waitForState(instance, state, { timeoutMs }) {
      await child.waitForLine(new RegExp(`\\(${escapeRegExp(instance)}\\) Entering ${state} STATE`), { timeoutMs });
    },
    vrrpPid,
    async stop(signal = 'SIGTERM', { timeoutMs = 10_000 } = {}) {
      if (signal === 'SIGTERM') return child.stop('SIGTERM', { timeoutMs });
      // keepalived's VRRP child does not die with its parent, so a crash of
      // "keepalived" means killing both, by PID.
      const vrrpChild = await vrrpPid();
      const status = await child.stop('SIGKILL', { timeoutMs });
      if (vrrpChild !== undefined) {
        try {
          process.kill(vrrpChild, 'SIGKILL');
        } catch {
          // ESRCH: it had already gone.
        }
        await waitFor(async () => !(await isRunning(vrrpChild)), { timeoutMs, what: `keepalived VRRP child ${vrrpChild} to exit` });
      }
      return status;
    },
  };

  await child.waitForLine(/Startup complete/, { timeoutMs: options.startTimeoutMs ?? 10_000 });
  return handle;
}

/**
 * Whether `pid` still runs. A zombie counts as gone: the orphaned VRRP child
 * is reparented to PID 1, which in some containers never reaps it, so
 * `kill(pid, 0)` would report it alive for ever.
 */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state letter.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

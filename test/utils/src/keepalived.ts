import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lab } from './lab.js';
import { isProcessRunning, type ExitStatus, type ProcessHandle } from './process.js';
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
  /**
   * Waits for "(INSTANCE) Entering STATE STATE". keepalived logs MASTER before
   * it adds the VIPs: a test that needs the addresses waits for them too.
   */
  waitForState(instance: string, state: VrrpState, options: { readonly timeoutMs: number }): Promise<void>;
  /** PID of the VRRP child process, from its pid file; undefined before it has started. */
  vrrpPid(): Promise<number | undefined>;
  /**
   * SIGTERM: a clean stop (a master sends its priority-0 advert and removes its VIPs).
   * SIGKILL: a crash of the VRRP child and its parent (no priority-0 advert, VIPs stay).
   * Killing the parent alone would not do: the child then stops cleanly, as on SIGTERM.
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
 * here sends. We use `ip netns exec` rather than keepalived's `--namespace`
 * (which makes /run/keepalived a private mount and renames its syslog ident):
 * keepalived then runs unaware of the namespace, as on a real host.
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
      // keepalived's VRRP child notices its parent's death and shuts down
      // cleanly (priority-0 advert, VIPs removed), so killing the parent alone
      // is no crash. Kill the child first, with the parent frozen by SIGSTOP so
      // that it cannot respawn it, then the parent; all by PID.
      const vrrpChild = await vrrpPid();
      child.signal('SIGSTOP');
      if (vrrpChild !== undefined) {
        try {
          process.kill(vrrpChild, 'SIGKILL');
        } catch {
          // ESRCH: it had already gone.
        }
      }
      const status = await child.stop('SIGKILL', { timeoutMs });
      if (vrrpChild !== undefined) {
        await waitFor(async () => !(await isProcessRunning(vrrpChild)), { timeoutMs, what: `keepalived VRRP child ${vrrpChild} to exit` });
      }
      return status;
    },
  };

  await child.waitForLine(/Startup complete/, { timeoutMs: options.startTimeoutMs ?? 10_000 });
  return handle;
}

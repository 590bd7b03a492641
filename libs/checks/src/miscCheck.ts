// keepalived's MISC_CHECK: run a script; its exit status decides.
// - 0 is up; any other status is down, except with misc_dynamic, where
//   2-255 are up and set the real server's weight to status - 2 (0-253).
// - After misc_timeout the script's process group gets SIGTERM, then SIGKILL
//   2 s later if it is still there (keepalived's misc_check_child_thread);
//   a script ended that way timed out, one killed by another signal failed.
// - It runs in its own process group (keepalived's setpgid), so that ending
//   it ends what it started; stdin, stdout and stderr are /dev/null.
// - script_user: uid and gid to run as (needs root). Supplementary groups
//   are dropped (libuv's setgroups(0)), where keepalived sets the user's.

import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { performance } from 'node:perf_hooks';
import { down, up, type CheckResult } from './checkResult.js';
import { assertTimeout } from './socket.js';

export interface MiscCheckOptions {
  /** misc_path as words: the program and its arguments (no shell). */
  readonly command: readonly string[];
  /** misc_timeout, in ms. */
  readonly timeoutMs: number;
  /** misc_dynamic: exit statuses 2-255 are up, with weight = status - 2. */
  readonly dynamic?: boolean;
  /** script_user's uid and gid. */
  readonly uid?: number;
  readonly gid?: number;
  /** Abandons the check: the script is ended as on a timeout. */
  readonly signal?: AbortSignal;
}

/** keepalived waits this long after SIGTERM before SIGKILL. */
export const MISC_KILL_DELAY_MS = 2_000;

export function miscCheck(options: MiscCheckOptions): Promise<CheckResult> {
  const [program, ...args] = options.command;
  if (program === undefined || program === '') throw new RangeError('misc_path is empty');
  assertTimeout(options.timeoutMs);
  const began = performance.now();
  const elapsed = (): number => performance.now() - began;
  const name = program.split('/').pop() ?? program;

  return new Promise<CheckResult>((resolve) => {
    let ending: 'timeout' | 'abandoned' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (result: CheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const child = spawn(program, args, {
      stdio: 'ignore',
      detached: true,
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    const signalGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        // The group the script leads: the script and whatever it started.
        process.kill(-child.pid, signal);
      } catch {
        // ESRCH: the group is gone already.
      }
    };
    const end = (why: 'timeout' | 'abandoned'): void => {
      if (ending || settled) return;
      ending = why;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), MISC_KILL_DELAY_MS);
    };
    const onAbort = (): void => end('abandoned');
    const deadline = setTimeout(() => end('timeout'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();

    child.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'ENOENT' ? 'not found' : error.code === 'EACCES' ? 'permission denied' : error.message;
      settle(down('script', `cannot run ${program}: ${why}`, elapsed()));
    });
    child.once('exit', (code, signal) => {
      if (ending) {
        // Children that ignored SIGTERM go with the script (keepalived kills the group too).
        signalGroup('SIGKILL');
        if (ending === 'abandoned') settle(down('error', 'check abandoned', elapsed()));
        else settle(down('timeout', `${name} timed out after ${options.timeoutMs} ms`, elapsed()));
        return;
      }
      if (code === null) {
        const number = signal ? osConstants.signals[signal] : undefined;
        settle(down('script', `${name} killed by ${signal ?? 'a signal'}${number ? ` (${number})` : ''}`, elapsed()));
        return;
      }
      if (code === 0) settle(up(`${name} exited 0`, elapsed()));
      else if (options.dynamic === true && code >= 2) settle(up(`${name} exited ${code}: weight ${code - 2}`, elapsed(), code - 2));
      else settle(down('script', `${name} exited ${code}`, elapsed()));
    });
  });
}

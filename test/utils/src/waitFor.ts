import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitForOptions {
  /** Give up after this long. Required: every wait in a test is bounded. */
  readonly timeoutMs: number;
  /** Pause between two calls of the predicate (default 50 ms). */
  readonly intervalMs?: number;
  /** What is awaited, for the error message: "keepalived in ns-a to become MASTER". */
  readonly what: string;
}

type Falsy = false | 0 | '' | null | undefined;

/** Thrown by `waitFor` on timeout; `cause` is the predicate's last error, if it threw. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly attempts: number,
    cause?: unknown,
  ) {
    const detail = cause instanceof Error ? ` (last error: ${cause.message})` : '';
    super(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`, cause === undefined ? undefined : { cause });
  }
}

/**
 * Calls `predicate` until it returns a truthy value and returns that value.
 * A predicate that throws counts as "not yet" (a file not written yet, a
 * command failing while a daemon starts); the last error is kept as the cause
 * of the timeout error. Bounded both in time and in number of attempts.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<Exclude<T, Falsy>> {
  const { timeoutMs, what } = options;
  const intervalMs = Math.max(1, options.intervalMs ?? 50);
  const deadline = Date.now() + timeoutMs;
  // The attempt cap only matters if the predicate itself is instant; it keeps
  // the loop finite even if the clock misbehaves.
  const maxAttempts = Math.ceil(timeoutMs / intervalMs) + 2;
  let lastError: unknown;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts += 1;
    try {
      const value = await predicate();
      if (value) return value as Exclude<T, Falsy>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) break;
    await sleep(Math.min(intervalMs, remaining));
  }
  throw new WaitTimeoutError(what, timeoutMs, attempts, lastError);
}

// keepalived's retry (nb_get_retry) and delay_before_retry: a check is down
// only after 1 + retry attempts have failed, with the delay between them.

import type { CheckResult } from './checkResult.js';

export interface RetryOptions {
  /** Further attempts after the first (keepalived's retry / nb_get_retry). */
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly signal?: AbortSignal;
}

export async function withRetry(attempt: () => Promise<CheckResult>, options: RetryOptions): Promise<CheckResult> {
  let result = await attempt();
  for (let i = 0; i < options.retry && result.status === 'down' && !options.signal?.aborted; i++) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, options.delayBeforeRetryMs);
      options.signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
    if (options.signal?.aborted) break;
    result = await attempt();
  }
  return result;
}

// What every checker answers: up, or down with a reason a person can act on
// ("refused", "timed out after 3000 ms", "status 503", "digest mismatch: got
// X, want Y", "TLS handshake failed: ..."). Checkers never throw on what the
// server does; they throw only on a programming error (bad options).

export type DownReason =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'status'
  | 'digest'
  | 'tls'
  | 'protocol'
  | 'script'
  | 'error';

export type CheckResult =
  | { readonly status: 'up'; readonly detail: string; readonly durationMs: number; readonly weight?: number }
  | { readonly status: 'down'; readonly reason: DownReason; readonly detail: string; readonly durationMs: number };

/** Options every network checker takes. */
export interface CommonCheckOptions {
  /** keepalived's connect_timeout, in ms: bounds the whole exchange, not only the connect. */
  readonly timeoutMs: number;
  /** keepalived's bindto: the local address to connect from. */
  readonly bindTo?: string;
  /** Abandons the check (daemon stopping, reload). */
  readonly signal?: AbortSignal;
}

export const up = (detail: string, durationMs: number, weight?: number): CheckResult =>
  weight === undefined ? { status: 'up', detail, durationMs } : { status: 'up', detail, durationMs, weight };

export const down = (reason: DownReason, detail: string, durationMs: number): CheckResult => ({ status: 'down', reason, detail, durationMs });

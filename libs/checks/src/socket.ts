// What the socket checkers share: one deadline for the whole exchange (as
// keepalived's connect_timeout bounds every read and write of a check), the
// caller's abort signal, and errno codes turned into reasons a person can act
// on. A check settles exactly once; whatever it opened is closed then.

import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { down, up, type CheckResult, type CommonCheckOptions, type DownReason } from './checkResult.js';

export interface Exchange {
  /** What the check is waiting for now, for the timeout's detail ("the SMTP greeting"). */
  phase: string;
  /** Milliseconds since the check began. */
  elapsed(): number;
  /** Replaces the deadline's default result (down, timeout): UDP_CHECK without require_reply is up then. */
  onTimeout: ((timeoutMs: number) => void) | undefined;
  up(detail: string, weight?: number): void;
  down(reason: DownReason, detail: string): void;
  /** Ends the check with a socket error (ECONNREFUSED, EHOSTUNREACH, ...). */
  fail(error: unknown): void;
  readonly settled: boolean;
}

/**
 * Runs one exchange: `start` opens what it needs and returns the function
 * that closes it. The result comes from the first of: the exchange calling
 * up/down/fail, the deadline (`timed out after N ms waiting for PHASE`), or
 * the caller's signal.
 */
export function runExchange(
  options: Pick<CommonCheckOptions, 'timeoutMs' | 'signal'>,
  start: (exchange: Exchange) => () => void,
): Promise<CheckResult> {
  assertTimeout(options.timeoutMs);
  const began = performance.now();
  const elapsed = (): number => performance.now() - began;
  return new Promise<CheckResult>((resolve) => {
    let settled = false;
    let close: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => exchange.down('error', 'check abandoned');
    const settle = (result: CheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      try {
        close?.();
      } catch {
        // Closing a socket that already failed must not hide the result.
      }
      resolve(result);
    };
    const exchange: Exchange = {
      phase: 'a reply',
      elapsed,
      onTimeout: undefined,
      up: (detail, weight) => settle(up(detail, elapsed(), weight)),
      down: (reason, detail) => settle(down(reason, detail, elapsed())),
      fail: (error) => {
        const { reason, detail } = describeSocketError(error);
        settle(down(reason, detail, elapsed()));
      },
      get settled() {
        return settled;
      },
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => {
      if (exchange.onTimeout) exchange.onTimeout(options.timeoutMs);
      else exchange.down('timeout', `timed out after ${options.timeoutMs} ms waiting for ${exchange.phase}`);
    }, options.timeoutMs);
    try {
      const closer = start(exchange);
      // start may already have settled (a synchronous send error): close at once then.
      if (settled) closer();
      else close = closer;
    } catch (error) {
      exchange.fail(error);
    }
  });
}

const ERRNO_REASONS: Readonly<Record<string, readonly [DownReason, string]>> = {
  ECONNREFUSED: ['refused', 'connection refused'],
  ECONNRESET: ['protocol', 'connection reset by the server'],
  ECONNABORTED: ['protocol', 'connection aborted'],
  EPIPE: ['protocol', 'connection closed by the server'],
  EHOSTUNREACH: ['unreachable', 'no route to host'],
  ENETUNREACH: ['unreachable', 'network unreachable'],
  EHOSTDOWN: ['unreachable', 'host is down'],
  ENETDOWN: ['unreachable', 'network is down'],
  ETIMEDOUT: ['timeout', 'connection timed out'],
  EADDRNOTAVAIL: ['error', 'cannot bind: address not available on this host'],
  EADDRINUSE: ['error', 'cannot bind: address in use'],
  EACCES: ['error', 'permission denied'],
  EPERM: ['error', 'operation not permitted'],
  // What connect() and sendto() say for an address behind a blackhole route.
  EINVAL: ['error', 'invalid argument (a blackhole route?)'],
};

/** A socket error as a down reason and a short phrase ("connection refused"). */
export function describeSocketError(error: unknown): { reason: DownReason; detail: string } {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code === undefined ? undefined : ERRNO_REASONS[code];
  if (known) return { reason: known[0], detail: known[1] };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: 'error', detail: code ? `${code}: ${message}` : message };
}

/** Throws unless `host` is an IP address (keepalived's connect_ip is one; names are the caller's to resolve). */
export function ipFamily(host: string, what: string): 4 | 6 {
  const family = isIP(host);
  if (family !== 4 && family !== 6) throw new RangeError(`${what} ${JSON.stringify(host)} is not an IP address`);
  return family;
}

/** Throws unless the bind address is of the destination's family. */
export function assertBindTo(bindTo: string | undefined, family: 4 | 6): void {
  if (bindTo === undefined) return;
  if (ipFamily(bindTo, 'bindto') !== family) throw new RangeError(`bindto ${bindTo} is not an IPv${family} address like the destination`);
}

export function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port ${port} is not from 1 to 65535`);
}

export function assertTimeout(timeoutMs: number): void {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`timeout ${timeoutMs} ms must be positive`);
}

/** `10.0.0.2:80`, `[fd00::2]:80`: how every detail and log line names an endpoint. */
export const formatEndpoint = (host: string, port: number): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * A UDP socket for one exchange. ICMP port unreachable comes back as
 * ECONNREFUSED on a connected socket (keepalived reads it from IP_RECVERR):
 * the port is closed.
 */
export function datagramSocket(family: 4 | 6, exchange: Exchange, onMessage: (message: Buffer) => void): dgram.Socket {
  const socket = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
  socket.on('message', (message) => {
    if (!exchange.settled) onMessage(message);
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNREFUSED') exchange.down('refused', 'port unreachable (ICMP)');
    else exchange.fail(error);
  });
  return socket;
}

/**
 * Binds (to bindto, if set), connects and sends one datagram. connect()
 * hands its errors (no route, a blackhole route) to its callback.
 */
export function sendDatagram(socket: dgram.Socket, exchange: Exchange, to: { readonly host: string; readonly port: number; readonly bindTo?: string | undefined }, data: Uint8Array): void {
  const send = (error?: Error): void => {
    if (error) exchange.fail(error);
    else socket.send(data, (sendError) => sendError && exchange.fail(sendError));
  };
  if (to.bindTo === undefined) socket.connect(to.port, to.host, send);
  else socket.bind({ address: to.bindTo, port: 0 }, () => socket.connect(to.port, to.host, send));
}

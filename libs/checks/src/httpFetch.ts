// One GET as keepalived's HTTP_GET / SSL_GET and genhash make it: connect,
// TLS handshake for SSL_GET, the request of httpRequest.ts, then the response
// read to the end of the connection and hashed on the way (httpResponse.ts).
// Never throws on what the network or the server does: every failure is a
// value naming the stage it happened in, which is what genhash prints.

import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { httpRequestBytes, type HttpVersion } from './httpRequest.js';
import { ResponseReader, type HttpReadObserver, type HttpResponseSummary } from './httpResponse.js';
import { tlsConnectOptions, tlsFailureText, type HttpTlsOptions } from './tls.js';

/** Bytes taken from the socket per read on a plain connection. */
const READ_BUFFER_SIZE = 1 << 16;

export interface HttpFetchOptions {
  /** The server's address. */
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Sent as the Host header instead of address:port. */
  readonly virtualhost?: string;
  readonly httpVersion?: HttpVersion;
  /** Present for SSL_GET. */
  readonly tls?: HttpTlsOptions;
  /** keepalived's bindto: the local address to connect from. */
  readonly bindTo?: string;
  readonly signal?: AbortSignal;
  /** Bounds the whole exchange (CommonCheckOptions.timeoutMs). */
  readonly timeoutMs?: number;
  /**
   * Bounds each wait on the server on its own: the connect, the handshake,
   * the send and every read. This is how keepalived applies connect_timeout,
   * and genhash -t; a large body read steadily never times out.
   */
  readonly waitTimeoutMs?: number;
  /** MD5 the body (default true). */
  readonly digest?: boolean;
  readonly observer?: HttpReadObserver;
}

/** Where an exchange was when it failed: genhash's messages and keepalived's log lines depend on it. */
export type HttpFetchStage = 'connect' | 'handshake' | 'send' | 'response' | 'read';

export type HttpFetchFailure =
  /** The connection could not be made: ECONNREFUSED, EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL... */
  | { readonly kind: 'connect'; readonly code: string; readonly message: string }
  | { readonly kind: 'timeout'; readonly stage: HttpFetchStage; readonly afterMs: number }
  | { readonly kind: 'tls'; readonly message: string }
  /** The connection failed after it was made (a reset while sending or reading); `response` is what came before. */
  | { readonly kind: 'io'; readonly stage: HttpFetchStage; readonly code: string; readonly message: string; readonly response: HttpResponseSummary }
  | { readonly kind: 'aborted' };

export type HttpFetchResult =
  | { readonly ok: true; readonly response: HttpResponseSummary; readonly durationMs: number }
  | { readonly ok: false; readonly failure: HttpFetchFailure; readonly durationMs: number };

export async function httpFetch(options: HttpFetchOptions): Promise<HttpFetchResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  if (options.signal?.aborted) return { ok: false, failure: { kind: 'aborted' }, durationMs: 0 };
  let tlsOptions: ConnectionOptions | undefined;
  if (options.tls) {
    const setup = await tlsConnectOptions(options.tls, options.host, options.virtualhost);
    if (!setup.ok) return { ok: false, failure: { kind: 'tls', message: setup.reason }, durationMs: elapsed() };
    tlsOptions = setup.options;
  }
  const request = httpRequestBytes(options);
  const reader = new ResponseReader({ digest: options.digest ?? true, ...(options.observer ? { observer: options.observer } : {}) });

  return new Promise<HttpFetchResult>((resolve) => {
    let stage: HttpFetchStage = 'connect';
    let settled = false;
    let waitTimer: NodeJS.Timeout | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    // A plain connection reads into one buffer, reused: nothing is allocated
    // per chunk, so memory stays flat whatever the body's size. (TLS decrypts
    // into buffers of its own.)
    const onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_SIZE),
      callback: (length: number, buffer: Uint8Array): boolean => {
        onData(buffer.subarray(0, length));
        return true;
      },
    };
    const raw: Socket = connect({
      host: options.host,
      port: options.port,
      ...(options.bindTo !== undefined ? { localAddress: options.bindTo } : {}),
      ...(tlsOptions ? {} : { onread }),
    });
    let stream: Socket | TLSSocket = raw;

    const settle = (result: HttpFetchResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(waitTimer);
      clearTimeout(deadlineTimer);
      options.signal?.removeEventListener('abort', onAbort);
      stream.destroy();
      raw.destroy();
      resolve(result);
    };
    const fail = (failure: HttpFetchFailure): void => settle({ ok: false, failure, durationMs: elapsed() });
    const succeed = (): void => settle({ ok: true, response: reader.finish(), durationMs: elapsed() });
    const onAbort = (): void => fail({ kind: 'aborted' });

    const armWait = (): void => {
      if (options.waitTimeoutMs === undefined || settled) return;
      const afterMs = options.waitTimeoutMs;
      if (waitTimer) waitTimer.refresh();
      else waitTimer = setTimeout(() => fail({ kind: 'timeout', stage, afterMs }), afterMs);
    };
    if (options.timeoutMs !== undefined) {
      const afterMs = options.timeoutMs;
      deadlineTimer = setTimeout(() => fail({ kind: 'timeout', stage, afterMs }), afterMs);
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    armWait();

    const onError = (error: NodeJS.ErrnoException): void => {
      if (settled) return;
      const code = error.code ?? 'EIO';
      if (stage === 'connect') fail({ kind: 'connect', code, message: error.message });
      else if (stage === 'handshake') fail({ kind: 'tls', message: tlsFailureText(error) });
      else fail({ kind: 'io', stage, code, message: error.message, response: reader.finish() });
    };
    raw.on('error', onError);

    const onData = (chunk: Uint8Array): void => {
      if (settled) return;
      stage = 'read';
      if (reader.push(chunk)) armWait();
      else succeed();
    };

    const send = (): void => {
      stage = 'send';
      armWait();
      if (tlsOptions) stream.on('data', onData);
      stream.once('end', succeed);
      stream.write(request, (error) => {
        if (error || settled || stage !== 'send') return;
        stage = 'response';
        armWait();
      });
    };

    raw.once('connect', () => {
      if (!tlsOptions) {
        send();
        return;
      }
      stage = 'handshake';
      armWait();
      const secure = tlsConnect({ ...tlsOptions, socket: raw });
      stream = secure;
      secure.on('error', onError);
      secure.once('secureConnect', send);
    });
  });
}

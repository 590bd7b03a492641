// keepalived's HTTP_GET and SSL_GET: GET every url in turn; the real server
// is up only when each answers with an accepted status code (default
// 200-299) and, when the url has a digest, a body whose MD5 is that digest.
// A url that fails is tried again `retry` times, `delayBeforeRetryMs` apart,
// before the check is down, as keepalived retries the failing url.

import { performance } from 'node:perf_hooks';
import { down, up, type CheckResult, type CommonCheckOptions, type DownReason } from './checkResult.js';
import { digestsEqual, parseDigest } from './digest.js';
import { httpFetch, type HttpFetchFailure, type HttpFetchStage } from './httpFetch.js';
import type { HttpVersion } from './httpRequest.js';
import { DEFAULT_STATUS_CODES, formatStatusCodes, statusMatches, type StatusRange } from './httpStatus.js';
import { withRetry } from './retry.js';
import { assertBindTo, assertPort, assertTimeout, describeSocketError, formatEndpoint, ipFamily } from './socket.js';
import type { HttpTlsOptions } from './tls.js';

export interface HttpCheckUrl {
  readonly path: string;
  /** MD5 of the body as genhash prints it (32 hex digits). */
  readonly digest?: string;
  /** Accepted codes as inclusive ranges; default 200-299. */
  readonly statusCodes?: readonly StatusRange[];
  /** Host header for this url, before the checker's virtualhost. */
  readonly virtualhost?: string;
}

export interface HttpCheckOptions extends CommonCheckOptions {
  /** connect_ip: an IP address. */
  readonly host: string;
  /** connect_port. */
  readonly port: number;
  readonly urls: readonly HttpCheckUrl[];
  /** Host header (keepalived's virtualhost); default address:port. */
  readonly virtualhost?: string;
  /** keepalived's http_protocol; default 1.0. */
  readonly httpVersion?: HttpVersion;
  /** SSL_GET when present. keepalived itself never verifies certificates: `insecure: true` is its behaviour. */
  readonly tls?: HttpTlsOptions;
  /** Further attempts at a failing url (keepalived's retry, default there 1); default 0 here. */
  readonly retry?: number;
  /** Between attempts (keepalived's delay_before_retry); default 3000, keepalived's for HTTP_GET. */
  readonly delayBeforeRetryMs?: number;
}

export async function httpCheck(options: HttpCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'connect_ip');
  assertBindTo(options.bindTo, family);
  assertPort(options.port);
  assertTimeout(options.timeoutMs);
  if (options.urls.length === 0) throw new RangeError('httpCheck: no url to check (keepalived ignores such a checker)');
  const urls = options.urls.map((url) => {
    if (url.digest === undefined) return url;
    const parsed = parseDigest(url.digest);
    if (!parsed.ok) throw new RangeError(`httpCheck: ${parsed.reason}`);
    return { ...url, digest: parsed.digest };
  });
  const began = performance.now();
  const passed: string[] = [];
  for (const url of urls) {
    const result = await withRetry(() => checkUrl(options, url), {
      retry: options.retry ?? 0,
      delayBeforeRetryMs: options.delayBeforeRetryMs ?? 3000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (result.status === 'down') return down(result.reason, result.detail, performance.now() - began);
    passed.push(result.detail);
  }
  return up(passed.join('; '), performance.now() - began);
}

async function checkUrl(options: HttpCheckOptions, url: HttpCheckUrl): Promise<CheckResult> {
  const virtualhost = url.virtualhost ?? options.virtualhost;
  const fetched = await httpFetch({
    host: options.host,
    port: options.port,
    path: url.path,
    ...(virtualhost !== undefined ? { virtualhost } : {}),
    ...(options.httpVersion ? { httpVersion: options.httpVersion } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
    ...(options.bindTo !== undefined ? { bindTo: options.bindTo } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    timeoutMs: options.timeoutMs,
    digest: url.digest !== undefined,
  });
  const at = (detail: string): string => `${url.path}: ${detail}`;
  if (!fetched.ok) {
    const { reason, detail } = describeHttpFailure(fetched.failure, formatEndpoint(options.host, options.port));
    return down(reason, at(detail), fetched.durationMs);
  }
  const response = fetched.response;
  if (!response.headerComplete) return down('protocol', at('no HTTP response (the connection closed before the header ended)'), fetched.durationMs);
  const accepted = url.statusCodes ?? DEFAULT_STATUS_CODES;
  if (!statusMatches(response.statusCode, accepted)) {
    const got = response.statusCode === 0 ? 'no readable status code' : `status ${response.statusCode}`;
    return down('status', at(`${got} (want ${formatStatusCodes(accepted)})`), fetched.durationMs);
  }
  if (url.digest !== undefined && !digestsEqual(response.digest ?? '', url.digest)) {
    return down('digest', at(`digest mismatch: got ${response.digest}, want ${url.digest}`), fetched.durationMs);
  }
  return up(at(`status ${response.statusCode}${url.digest !== undefined ? ', digest ok' : ''}`), fetched.durationMs);
}

const WAITING_FOR: Readonly<Record<HttpFetchStage, (endpoint: string) => string>> = {
  connect: (endpoint) => `the connection to ${endpoint}`,
  handshake: () => 'the TLS handshake',
  send: () => 'the request to be sent',
  response: () => 'the response',
  read: () => 'the rest of the response',
};

/** A failed exchange as a down reason and a phrase ("connection refused", "timed out after 5000 ms waiting for the response"). */
export function describeHttpFailure(failure: HttpFetchFailure, endpoint: string): { readonly reason: DownReason; readonly detail: string } {
  switch (failure.kind) {
    case 'connect':
    case 'io':
      return describeSocketError(Object.assign(new Error(failure.message), { code: failure.code }));
    case 'timeout':
      return { reason: 'timeout', detail: `timed out after ${failure.afterMs} ms waiting for ${WAITING_FOR[failure.stage](endpoint)}` };
    case 'tls':
      return { reason: 'tls', detail: `TLS handshake failed: ${failure.message}` };
    case 'aborted':
      return { reason: 'error', detail: 'check abandoned' };
  }
}

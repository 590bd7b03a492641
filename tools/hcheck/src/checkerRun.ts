// One run of a configured checker (libs/config's typed model) through
// libs/checks, with keepalived's retries: a failure is tried again
// `retry` times, `delay_before_retry` apart, only while the checker is up
// (or before its first result), so a server already down costs one attempt
// per delay_loop. HTTP_GET retries the failing url, as keepalived does.

import {
  dnsCheck,
  httpCheck,
  miscCheck,
  parseHexString,
  pingCheck,
  smtpCheck,
  tcpCheck,
  udpCheck,
  withRetry,
  type CheckResult,
  type ExpectedReply,
  type HttpVersion,
} from '@keepalived-ts/checks';
import type { RealServerChecker } from '@keepalived-ts/config';

export interface RunOptions {
  /** Whether a failure is retried (the checker is up, or has not run yet). */
  readonly retries: boolean;
  readonly signal: AbortSignal;
  /** MISC_CHECK's user, resolved; undefined runs the script as this process. */
  readonly identity?: { readonly uid: number; readonly gid: number };
}

const SMTP_PORT = 25;
const DNS_PORT = 53;
const HTTP_VERSION: Readonly<Record<'1.0' | '1.0C' | '1.1', HttpVersion>> = { '1.0': '1.0', '1.0C': '1.0c', '1.1': '1.1' };

export function runChecker(checker: RealServerChecker, options: RunOptions): Promise<CheckResult> {
  const retry = options.retries ? checker.retry : 0;
  const retryOptions = { retry, delayBeforeRetryMs: checker.delayBeforeRetry * 1000, signal: options.signal };
  if (checker.type === 'MISC_CHECK') {
    return withRetry(
      () => miscCheck({ command: checker.script.argv, timeoutMs: checker.timeout * 1000, dynamic: checker.dynamic, signal: options.signal, ...options.identity }),
      retryOptions,
    );
  }
  const common = {
    host: checker.connectIp,
    timeoutMs: checker.connectTimeout * 1000,
    signal: options.signal,
    ...(checker.bindTo !== undefined ? { bindTo: checker.bindTo } : {}),
  };
  switch (checker.type) {
    case 'TCP_CHECK':
      return withRetry(() => tcpCheck({ ...common, port: checker.connectPort }), retryOptions);
    case 'HTTP_GET':
    case 'SSL_GET':
      return httpCheck({
        ...common,
        port: checker.connectPort,
        urls: checker.urls.map((url) => ({
          path: url.path,
          ...(url.digest !== undefined ? { digest: url.digest } : {}),
          ...(url.statusCodes !== undefined ? { statusCodes: url.statusCodes } : {}),
          ...(url.virtualhost !== undefined ? { virtualhost: url.virtualhost } : {}),
        })),
        ...(checker.virtualhost !== undefined ? { virtualhost: checker.virtualhost } : {}),
        httpVersion: HTTP_VERSION[checker.httpProtocol],
        // keepalived never verifies the certificate of a real server.
        ...(checker.type === 'SSL_GET' ? { tls: { insecure: true, sni: checker.enableSni } } : {}),
        retry,
        delayBeforeRetryMs: checker.delayBeforeRetry * 1000,
      });
    case 'SMTP_CHECK':
      return withRetry(() => smtpCheck({ ...common, port: checker.connectPort || SMTP_PORT, heloName: checker.heloName }), retryOptions);
    case 'DNS_CHECK':
      // keepalived 2.2 takes any NOERROR reply, answer or not.
      return withRetry(() => dnsCheck({ ...common, port: checker.connectPort || DNS_PORT, name: checker.name, type: checker.queryType, requireAnswer: false }), retryOptions);
    case 'UDP_CHECK': {
      const payload = checker.payload === undefined ? undefined : parseHexString(checker.payload)?.data;
      const reply = checker.reply === undefined ? undefined : parseHexString(checker.reply, { wildcards: true });
      const expectedReply: ExpectedReply | undefined = reply && { ...reply, minLength: checker.minReplyLength, maxLength: checker.maxReplyLength };
      return withRetry(
        () => udpCheck({ ...common, port: checker.connectPort, requireReply: checker.requireReply, ...(payload ? { payload } : {}), ...(expectedReply ? { expectedReply } : {}) }),
        retryOptions,
      );
    }
    case 'PING_CHECK':
      return withRetry(() => pingCheck({ host: checker.connectIp, timeoutMs: common.timeoutMs, signal: options.signal }), retryOptions);
  }
}

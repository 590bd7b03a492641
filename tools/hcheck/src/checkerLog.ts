// What keepalived 2.2's checkers log when a result changes a checker's
// state (check_tcp.c tcp_epilog, check_http.c epilog / timeout_epilog,
// check_smtp.c smtp_final, check_dns.c dns_final, check_udp.c udp_epilog,
// check_misc.c misc_check_child_thread), so that the lines operators grep
// for are found: `TCP connection to [10.0.0.2]:tcp:80 success.`,
// `TCP_CHECK on service [10.0.0.2]:tcp:80 failed after 1 retries.`.
// Pure: a checker, its result and whether this is its first result in,
// lines out.

import type { CheckResult } from '@keepalived-ts/checks';
import type { RealServerChecker } from '@keepalived-ts/config';

export interface LogContext {
  /** keepalived's name of the real server: `[10.0.0.2]:tcp:80`. */
  readonly realServer: string;
  readonly virtualServer: string;
  /** The checker had a result before (keepalived's has_run): only then are retries mentioned. */
  readonly hasRun: boolean;
  /** Whether the failure was retried (the checker was up, or had not run). */
  readonly retried: boolean;
}

export function outcomeLines(checker: RealServerChecker, result: CheckResult, context: LogContext): string[] {
  const rs = context.realServer;
  const retries = context.hasRun && context.retried && checker.retry > 0;
  const after = retries ? ` after ${checker.retry} retries` : '';
  const up = result.status === 'up';
  switch (checker.type) {
    case 'TCP_CHECK':
      return [up ? `TCP connection to ${rs} success.` : `TCP_CHECK on service ${rs} failed${after}.`];
    case 'UDP_CHECK':
      return [up ? `UDP connection to ${rs} success.` : `UDP_CHECK on service ${rs} failed${after}.`];
    case 'PING_CHECK':
      return [up ? `ICMP connection to ${rs} success.` : `PING_CHECK on service ${rs} failed${after}.`];
    case 'SMTP_CHECK':
      return [up ? `Remote SMTP server ${rs} succeed on service.` : `SMTP_CHECK ${smtpFailure(result)} server ${rs}`];
    case 'DNS_CHECK':
      // keepalived logs nothing when a DNS_CHECK succeeds.
      return up ? [] : [`DNS_CHECK (${rs}) ${result.detail}${after}`];
    case 'HTTP_GET':
    case 'SSL_GET': {
      if (up) {
        const lines = checker.urls.map((url, index) => {
          const what = url.digest !== undefined ? 'MD5 digest success' : url.statusCodes !== undefined ? 'HTTP status code success' : 'HTTP success';
          return `${what} to ${rs} url(${index + 1}).`;
        });
        return [...lines, `Remote Web server ${rs} succeed on service.`];
      }
      const retriesText = retries ? ` after ${checker.retry} retry` : '';
      return [`${httpFailure(result)} server ${rs}.`, `Check on service ${rs} failed${retriesText}.`];
    }
    case 'MISC_CHECK': {
      const head = `Misc check for [${rs} VS ${context.virtualServer}] by [${checker.script.argv[0] ?? ''}]`;
      if (up) return [`${head} succeeded.`];
      const exited = /exited (\d+)$/.exec(result.detail);
      if (exited) return [`${head} failed${after} (exited with status ${exited[1]}).`];
      const signalled = /killed by \S+ \((\d+)\)$/.exec(result.detail);
      if (signalled) return [`${head} failed${after} (due to signal ${signalled[1]}).`];
      if (result.reason === 'timeout') return [`${head} timed out${after}.`];
      return [`${head} failed${after} (${result.detail}).`];
    }
  }
}

/** keepalived's timeout_epilog messages, by what went wrong. */
function httpFailure(result: CheckResult): string {
  if (result.status === 'up') return '';
  switch (result.reason) {
    case 'status':
      return 'HTTP status code error to';
    case 'digest':
      return 'MD5 digest error to';
    case 'timeout':
      return /response/.test(result.detail) ? 'Timeout WEB read' : 'Timeout connecting';
    case 'tls':
      return 'SSL handshake/communication error connecting to';
    case 'protocol':
      return /no HTTP response/.test(result.detail) ? 'Read, no data received from ' : 'Read error with';
    default:
      return 'Error connecting';
  }
}

/** keepalived's smtp_final messages, by the step that failed. */
function smtpFailure(result: CheckResult): string {
  if (result.status === 'up') return '';
  if (result.reason === 'timeout') return /connection/.test(result.detail) ? 'Connection timeout to' : 'Read timeout from';
  if (result.reason === 'protocol') {
    if (/\(greeting\)/.test(result.detail)) return 'Bad greeting banner from';
    if (/\(HELO\)/.test(result.detail)) return 'Bad HELO response from';
    return 'Read failure from';
  }
  return 'Error connecting to';
}

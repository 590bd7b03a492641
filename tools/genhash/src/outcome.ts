// What keepalived 2.2.7's genhash prints at the end of an exchange: the
// digest, or the message its checker passes to timeout_epilog (genhash
// prints that message alone, e.g. "Timeout WEB read"), or "no data received
// from remote webserver" on stderr. In verbose mode the digest is dumped
// first whenever the connection ended cleanly. Pure.

import type { HttpFetchResult, HttpResponseSummary } from '@keepalived-ts/checks';

export interface GenhashOutcome {
  /** The digest printed (stdout), when there is one. */
  readonly digest: string | undefined;
  /** The digest -v dumps before the result, as hex. */
  readonly digestDump: string | undefined;
  /** The line for stdout (the digest, or keepalived's message). */
  readonly stdout: string | undefined;
  /** The line for stderr. */
  readonly stderr: string | undefined;
}

const NO_DATA = 'no data received from remote webserver';

export function genhashOutcome(result: HttpFetchResult, ssl: boolean): GenhashOutcome {
  if (result.ok) return ended(result.response, ssl, true);
  const failure = result.failure;
  switch (failure.kind) {
    case 'connect':
      return message('Connection failed');
    case 'tls':
      return message('SSL handshake/communication error connecting to');
    case 'timeout':
      switch (failure.stage) {
        case 'connect':
        case 'handshake':
          return message('Timeout connecting');
        case 'send':
          return message('Timeout WEB write');
        // Over TLS the socket is readable at once (TLS 1.3 session tickets), so
        // keepalived is already in its SSL reader when the wait ends.
        case 'response':
          return message(ssl ? 'Timeout SSL read' : 'Timeout WEB read');
        case 'read':
          return message(ssl ? 'Timeout SSL read' : 'Timeout HTTP read');
      }
      break;
    case 'io':
      if (failure.stage === 'send') return message('Cannot send get request to');
      // An SSL read error ends the stream as an end without close_notify would.
      return ssl ? ended(failure.response, true, false) : message('Read error with');
    case 'aborted':
      return message('Interrupted');
  }
  return message('Connection failed');
}

/**
 * The stream ended. Over TLS keepalived dumps the digest and treats a missing
 * header as a read error only after a close_notify (`clean`); a plain
 * connection's end is always clean.
 */
function ended(response: HttpResponseSummary, ssl: boolean, clean: boolean): GenhashOutcome {
  const digestDump = clean ? response.digest : undefined;
  if (response.headerComplete) return { digest: response.digest, digestDump, stdout: response.digest, stderr: undefined };
  if (ssl && clean) return { digest: undefined, digestDump, stdout: 'SSL read error from', stderr: undefined };
  return { digest: undefined, digestDump, stdout: undefined, stderr: NO_DATA };
}

const message = (text: string): GenhashOutcome => ({ digest: undefined, digestDump: undefined, stdout: text, stderr: undefined });

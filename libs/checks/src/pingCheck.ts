// keepalived's PING_CHECK: one ICMP (IPv4) or ICMPv6 echo request with
// keepalived's 128 bytes of data; up on the echo reply within
// connect_timeout, down on an ICMP error about it or on silence. As in
// keepalived, bindto is not used (see pingSocket.ts).

import type { CheckResult, CommonCheckOptions } from './checkResult.js';
import { leaseEchoSocket, PingSocketError } from './pingSocket.js';
import { ipFamily, runExchange } from './socket.js';

export interface PingCheckOptions extends Omit<CommonCheckOptions, 'bindTo'> {
  /** An IP address (IPv6 link-local ones with their %interface). */
  readonly host: string;
}

export function pingCheck(options: PingCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'connect_ip');
  return runExchange(options, (exchange) => {
    exchange.onTimeout = (timeoutMs) => exchange.down('timeout', `no echo reply within ${timeoutMs} ms`);
    let lease;
    try {
      lease = leaseEchoSocket(family);
    } catch (error) {
      if (!(error instanceof PingSocketError)) throw error;
      exchange.down('error', error.message);
      return () => undefined;
    }
    const request = lease.echo(options.host, (outcome) => {
      if (outcome.kind === 'reply') exchange.up(`echo reply from ${outcome.from}`);
      else exchange.down(outcome.kind === 'unreachable' ? 'unreachable' : 'error', outcome.detail);
    });
    const held = lease;
    return () => {
      request.cancel();
      held.release();
    };
  });
}

// keepalived's UDP_CHECK: send `payload` (or keepalived's default 32 bytes)
// to the real server and listen until connect_timeout.
// - Without require_reply, silence is success: only an ICMP error (port or
//   host unreachable) makes it down, so the check always takes the whole
//   timeout unless the server answers or refuses.
// - With require_reply, a reply must come; with reply data, its first bytes
//   must match (x nibbles are wildcards) and its length be within
//   min_reply_length..max_reply_length, as keepalived compares them.

import type { CheckResult, CommonCheckOptions } from './checkResult.js';
import { assertBindTo, assertPort, datagramSocket, formatEndpoint, ipFamily, runExchange, sendDatagram } from './socket.js';
import { replyMismatch, UDP_DEFAULT_PAYLOAD, type ExpectedReply } from './udpPayload.js';

export interface UdpCheckOptions extends CommonCheckOptions {
  readonly host: string;
  readonly port: number;
  /** payload; default keepalived's 32 bytes of "keepalived check - ". */
  readonly payload?: Uint8Array;
  /** require_reply: a reply must come within the timeout. */
  readonly requireReply?: boolean;
  /** require_reply HEX (implies requireReply), with min_reply_length and max_reply_length. */
  readonly expectedReply?: ExpectedReply;
}

export function udpCheck(options: UdpCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'connect_ip');
  assertBindTo(options.bindTo, family);
  assertPort(options.port);
  const payload = options.payload ?? UDP_DEFAULT_PAYLOAD;
  if (payload.length === 0 || payload.length > 65507) throw new RangeError(`UDP payload of ${payload.length} bytes is not 1 to 65507`);
  const requireReply = options.requireReply === true || options.expectedReply !== undefined;

  return runExchange(options, (exchange) => {
    exchange.phase = `a reply from ${formatEndpoint(options.host, options.port)}`;
    exchange.onTimeout = (timeoutMs) => {
      if (requireReply) exchange.down('timeout', `no reply within ${timeoutMs} ms`);
      else exchange.up(`no ICMP error within ${timeoutMs} ms`);
    };
    const socket = datagramSocket(family, exchange, (reply) => {
      const mismatch = options.expectedReply ? replyMismatch(reply, options.expectedReply) : undefined;
      if (mismatch) exchange.down('protocol', mismatch);
      else exchange.up(`reply of ${reply.length} bytes`);
    });
    sendDatagram(socket, exchange, { host: options.host, port: options.port, bindTo: options.bindTo }, payload);
    return () => socket.close();
  });
}

// keepalived's DNS_CHECK: one query (`type`, `name`, recursion desired) over
// UDP to the real server; replies with another id, or that are not
// responses, are ignored as keepalived ignores them, and the first real
// reply decides. An rcode other than NOERROR is down.
//
// keepalived 2.2 stops there: a NOERROR reply with an empty answer section is
// up. Here an answer is required unless `requireAnswer` is false, so that a
// server that has lost its zone (NOERROR/NODATA) is not taken for healthy.

import { randomInt } from 'node:crypto';
import type { CheckResult, CommonCheckOptions } from './checkResult.js';
import { DNS_DEFAULT_NAME, DNS_DEFAULT_TYPE, DNS_TYPES, decodeDnsHeader, decodeDnsMessage, dnsTypeCode, dnsTypeName, encodeDnsQuery, rcodeName } from './dnsMessage.js';
import { assertBindTo, assertPort, datagramSocket, formatEndpoint, ipFamily, runExchange, sendDatagram } from './socket.js';

export const DNS_DEFAULT_PORT = 53;
/** keepalived's DNS_DEFAULT_RETRY: DNS_CHECK retries 3 times unless told otherwise. */
export const DNS_DEFAULT_RETRY = 3;

export interface DnsCheckOptions extends CommonCheckOptions {
  /** The DNS server: an IP address. */
  readonly host: string;
  /** Default 53. */
  readonly port?: number;
  /** Default "." (keepalived's). */
  readonly name?: string;
  /** A name from DNS_TYPES or a type number; default SOA (keepalived's). */
  readonly type?: string | number;
  /** Default true: NOERROR with no answer records is down (keepalived 2.2 takes it as up). */
  readonly requireAnswer?: boolean;
}

export function dnsCheck(options: DnsCheckOptions): Promise<CheckResult> {
  const family = ipFamily(options.host, 'DNS server');
  assertBindTo(options.bindTo, family);
  const port = options.port ?? DNS_DEFAULT_PORT;
  assertPort(port);
  const name = options.name ?? DNS_DEFAULT_NAME;
  const typeOption = options.type ?? DNS_DEFAULT_TYPE;
  const type = typeof typeOption === 'number' ? typeOption : dnsTypeCode(typeOption);
  if (type === undefined) throw new RangeError(`DNS type ${JSON.stringify(typeOption)} is not one of ${Object.keys(DNS_TYPES).join(', ')}`);
  const id = randomInt(0, 0x10000);
  const query = encodeDnsQuery({ id, name, type });
  const asked = `${name} ${dnsTypeName(type)}`;

  return runExchange(options, (exchange) => {
    exchange.phase = `a DNS reply from ${formatEndpoint(options.host, port)}`;
    const socket = datagramSocket(family, exchange, (message) => {
      const header = decodeDnsHeader(message);
      if (!header || header.id !== id || !header.response) return;
      if (header.rcode !== 0) {
        exchange.down('protocol', `DNS ${rcodeName(header.rcode)} for ${asked}`);
        return;
      }
      const decoded = decodeDnsMessage(message);
      if (!decoded.ok) {
        exchange.down('protocol', `malformed DNS reply: ${decoded.reason}`);
        return;
      }
      const { answers, truncated } = decoded.message;
      const first = answers[0];
      if (!first) {
        if (options.requireAnswer === false) exchange.up(`DNS NOERROR for ${asked}, no answer`);
        else exchange.down('protocol', `DNS no answer for ${asked}${truncated ? ' (truncated reply)' : ''}`);
        return;
      }
      const more = answers.length > 1 ? ` (+${answers.length - 1} more)` : '';
      exchange.up(`DNS ${first.name} ${dnsTypeName(first.type)} ${first.data}${more}`);
    });
    sendDatagram(socket, exchange, { host: options.host, port, bindTo: options.bindTo }, query);
    return () => socket.close();
  });
}

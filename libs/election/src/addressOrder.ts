// RFC 5798 6.4.3: on equal priority the higher primary address wins, the
// addresses compared as unsigned integers in network byte order (keepalived:
// ntohl for IPv4, memcmp for IPv6), i.e. byte by byte.

import { parseAddress } from '@keepalived-ts/vrrp';

/** < 0 when `a` is lower, 0 when equal, > 0 when higher. IPv4 sorts below IPv6; unparsable text sorts as text, last. */
export function compareAddresses(a: string, b: string): number {
  const left = parseAddress(a);
  const right = parseAddress(b);
  if (!left || !right) {
    if (left) return -1;
    if (right) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (left.family !== right.family) return left.family - right.family;
  return Buffer.compare(left.bytes, right.bytes);
}

export const isAddress = (text: string): boolean => parseAddress(text) !== undefined;

// The Internet checksum (RFC 1071) and the pseudo-headers VRRPv3 adds to it
// (RFC 5798 section 5.2.8): IPv4 as for UDP, IPv6 as RFC 8200 section 8.1.

import type { AddressFamily } from './address.js';
import { IPPROTO_VRRP } from './constants.js';

/** Adds 16-bit big-endian words of buf[start, end) to a running 32-bit sum. */
export function sumWords(buf: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  return sum;
}

export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function pseudoHeaderSum(family: AddressFamily, source: Uint8Array, destination: Uint8Array, length: number): number {
  const addressBytes = family === 4 ? 4 : 16;
  let sum = sumWords(source, 0, addressBytes);
  sum = sumWords(destination, 0, addressBytes, sum);
  // IPv4: zero, protocol, 16-bit length. IPv6: 32-bit length, 24 zero bits, next header.
  return sum + IPPROTO_VRRP + (family === 4 ? length : (length >>> 16) + (length & 0xffff));
}

export interface ChecksumScope {
  readonly family: AddressFamily;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  /** keepalived's v3_checksum_as_v2: VRRPv3 over IPv4 without the pseudo-header, as some peers send it. */
  readonly v3ChecksumAsV2?: boolean;
}

/**
 * The checksum a VRRP message should carry, computed with its checksum field
 * taken as zero. VRRPv2 (RFC 3768 section 5.3.8) covers the message alone.
 */
export function vrrpChecksum(message: Uint8Array, length: number, version: number, scope: ChecksumScope | undefined): number {
  let sum = sumWords(message, 0, 6) + sumWords(message, 8, length);
  const pseudo = version === 3 && scope !== undefined && !(scope.family === 4 && scope.v3ChecksumAsV2);
  if (pseudo) sum += pseudoHeaderSum(scope.family, scope.source, scope.destination, length);
  return foldChecksum(sum);
}

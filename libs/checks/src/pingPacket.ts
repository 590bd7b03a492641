// ICMP and ICMPv6 echo (RFC 792, RFC 4443): the request PING_CHECK sends and
// what a raw ICMP socket hands back, which is every ICMP message the host
// receives: echo replies to us and to others, the errors our requests
// caused, our own requests to local addresses. Pure.

import { foldChecksum, formatIPv4, formatIPv6, sumWords } from '@keepalived-ts/vrrp';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_ECHO_REQUEST = 8;
export const ICMPV6_ECHO_REQUEST = 128;
export const ICMPV6_ECHO_REPLY = 129;
const ICMP_HEADER_LENGTH = 8;
const IPV6_HEADER_LENGTH = 40;
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;

/**
 * keepalived's echo data (check_ping.c: ICMP_BUFSIZE bytes of set_buf):
 * 128 bytes of "keepalived check - " repeated.
 */
export const PING_PAYLOAD: Uint8Array = (() => {
  const text = 'keepalived check - ';
  return Uint8Array.from(Buffer.from(text.repeat(Math.ceil(128 / text.length)).slice(0, 128), 'latin1'));
})();

export interface EchoRequest {
  readonly family: 4 | 6;
  readonly identifier: number;
  readonly sequence: number;
  readonly payload?: Uint8Array;
}

/**
 * An echo request. The ICMPv4 checksum is ours; for ICMPv6 it is left 0
 * because the kernel computes it on raw ICMPv6 sockets (it needs the
 * pseudo-header's source address, which the kernel picks).
 */
export function encodeEchoRequest(request: EchoRequest): Uint8Array {
  const payload = request.payload ?? PING_PAYLOAD;
  const out = Buffer.alloc(ICMP_HEADER_LENGTH + payload.length);
  out[0] = request.family === 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST;
  out.writeUInt16BE(request.identifier & 0xffff, 4);
  out.writeUInt16BE(request.sequence & 0xffff, 6);
  out.set(payload, ICMP_HEADER_LENGTH);
  if (request.family === 4) out.writeUInt16BE(foldChecksum(sumWords(out, 0, out.length)), 2);
  return out;
}

export type IcmpEvent =
  | { readonly kind: 'echo-reply'; readonly identifier: number; readonly sequence: number }
  /** An error about one of our echo requests (identified by the request it quotes). */
  | { readonly kind: 'error'; readonly identifier: number; readonly sequence: number; readonly destination: string; readonly unreachable: boolean; readonly detail: string }
  | { readonly kind: 'other' }
  | { readonly kind: 'malformed'; readonly reason: string };

const V4_ERRORS: Readonly<Record<number, string>> = { 3: 'destination unreachable', 11: 'time exceeded', 12: 'parameter problem' };
const V4_UNREACHABLE: Readonly<Record<number, string>> = {
  0: 'network unreachable',
  1: 'host unreachable',
  2: 'protocol unreachable',
  3: 'port unreachable',
  4: 'fragmentation needed',
  9: 'network administratively prohibited',
  10: 'host administratively prohibited',
  13: 'communication administratively prohibited',
};
const V6_ERRORS: Readonly<Record<number, string>> = { 1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem' };
const V6_UNREACHABLE: Readonly<Record<number, string>> = {
  0: 'no route to destination',
  1: 'communication administratively prohibited',
  2: 'beyond scope of source address',
  3: 'address unreachable',
  4: 'port unreachable',
  5: 'source address failed policy',
  6: 'reject route to destination',
};

/**
 * Reads one message from a raw ICMP socket: IPv4 ones start with the IP
 * header (raw sockets deliver it), ICMPv6 ones with the ICMPv6 header.
 */
export function parseIcmpMessage(family: 4 | 6, bytes: Uint8Array): IcmpEvent {
  let offset = 0;
  if (family === 4) {
    if (bytes.length < 20) return { kind: 'malformed', reason: `IPv4 packet is undersized (${bytes.length} < 20)` };
    offset = (bytes[0]! & 0x0f) * 4;
  }
  if (bytes.length < offset + ICMP_HEADER_LENGTH) return { kind: 'malformed', reason: `ICMP message is undersized (${bytes.length - offset} < ${ICMP_HEADER_LENGTH})` };
  const type = bytes[offset]!;
  const code = bytes[offset + 1]!;
  const word = (at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;
  if (type === (family === 4 ? ICMP_ECHO_REPLY : ICMPV6_ECHO_REPLY)) {
    return { kind: 'echo-reply', identifier: word(offset + 4), sequence: word(offset + 6) };
  }
  const errorName = (family === 4 ? V4_ERRORS : V6_ERRORS)[type];
  if (errorName === undefined) return { kind: 'other' };
  // The error quotes the start of the datagram that caused it: its IP header, then our ICMP header.
  const quoted = offset + ICMP_HEADER_LENGTH;
  let inner: number;
  let destination: string;
  if (family === 4) {
    if (bytes.length < quoted + 20) return { kind: 'other' };
    if (bytes[quoted + 9] !== IPPROTO_ICMP) return { kind: 'other' };
    destination = formatIPv4(bytes, quoted + 16);
    inner = quoted + (bytes[quoted]! & 0x0f) * 4;
  } else {
    if (bytes.length < quoted + IPV6_HEADER_LENGTH) return { kind: 'other' };
    if (bytes[quoted + 6] !== IPPROTO_ICMPV6) return { kind: 'other' };
    destination = formatIPv6(bytes, quoted + 24);
    inner = quoted + IPV6_HEADER_LENGTH;
  }
  if (bytes.length < inner + ICMP_HEADER_LENGTH || bytes[inner] !== (family === 4 ? ICMP_ECHO_REQUEST : ICMPV6_ECHO_REQUEST)) return { kind: 'other' };
  const unreachable = family === 4 ? type === 3 : type === 1;
  const codeName = unreachable ? (family === 4 ? V4_UNREACHABLE : V6_UNREACHABLE)[code] : undefined;
  return {
    kind: 'error',
    identifier: word(inner + 4),
    sequence: word(inner + 6),
    destination,
    unreachable,
    detail: codeName ?? `${errorName} (code ${code})`,
  };
}


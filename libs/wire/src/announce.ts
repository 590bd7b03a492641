// The frames that announce an address after a failover: ARP (RFC 826, sent
// gratuitously per RFC 5227 section 3) and ICMPv6 neighbour advertisements
// (RFC 4861 section 4.4). Decoded here for vrrpdump --arp; garp encodes them.

import { formatIPv4, formatIPv6 } from '@keepalived-ts/vrrp';
import { formatMac } from './linkLayer.js';

export interface ArpMessage {
  readonly kind: 'arp';
  readonly operation: 'request' | 'reply' | number;
  readonly senderMac: string;
  readonly senderIp: string;
  readonly targetMac: string;
  readonly targetIp: string;
  /** Sender and target protocol addresses equal: an announcement, not a question. */
  readonly gratuitous: boolean;
  readonly length: number;
}

export interface NeighbourAdvert {
  readonly kind: 'na';
  readonly target: string;
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  /** The target link-layer address option, when present. */
  readonly targetMac?: string;
  readonly length: number;
}

export const ICMPV6_NEIGHBOUR_ADVERT = 136;
export const IPPROTO_ICMPV6 = 58;

/** Ethernet/IPv4 ARP only; undefined for anything else or a short frame. */
export function decodeArp(frame: Uint8Array, offset: number, end = frame.length): ArpMessage | undefined {
  if (end - offset < 28) return undefined;
  const u16 = (at: number) => (frame[offset + at]! << 8) | frame[offset + at + 1]!;
  if (u16(0) !== 1 || u16(2) !== 0x0800 || frame[offset + 4] !== 6 || frame[offset + 5] !== 4) return undefined;
  const op = u16(6);
  const senderIp = formatIPv4(frame, offset + 14);
  const targetIp = formatIPv4(frame, offset + 24);
  return {
    kind: 'arp',
    operation: op === 1 ? 'request' : op === 2 ? 'reply' : op,
    senderMac: formatMac(frame.subarray(offset + 8, offset + 14)),
    senderIp,
    targetMac: formatMac(frame.subarray(offset + 18, offset + 24)),
    targetIp,
    gratuitous: senderIp === targetIp,
    length: 28,
  };
}

/** An ICMPv6 message that is a neighbour advertisement; undefined otherwise. */
export function decodeNeighbourAdvert(message: Uint8Array, offset: number, end: number): NeighbourAdvert | undefined {
  if (end - offset < 24 || message[offset] !== ICMPV6_NEIGHBOUR_ADVERT) return undefined;
  const flags = message[offset + 4]!;
  let targetMac: string | undefined;
  // Options follow in 8-octet units; type 2 is the target link-layer address.
  for (let at = offset + 24, seen = 0; at + 8 <= end && seen < 16; seen++) {
    const units = message[at + 1]!;
    if (units === 0) break;
    if (message[at] === 2 && units === 1) targetMac = formatMac(message.subarray(at + 2, at + 8));
    at += units * 8;
  }
  const advert = {
    kind: 'na' as const,
    target: formatIPv6(message, offset + 8),
    router: (flags & 0x80) !== 0,
    solicited: (flags & 0x40) !== 0,
    override: (flags & 0x20) !== 0,
    length: end - offset,
  };
  return targetMac === undefined ? advert : { ...advert, targetMac };
}

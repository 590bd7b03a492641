// IPv4 and IPv6 headers: enough to find the VRRP message, check what RFC 5798
// asks of the IP layer (TTL/hop limit 255), and build the headers keepalived
// builds (TOS 0xc0, no DF, a per-instance IP id).

import { foldChecksum, sumWords } from '@keepalived-ts/vrrp';

export interface IPv4Header {
  readonly family: 4;
  readonly headerLength: number;
  readonly tos: number;
  readonly totalLength: number;
  readonly id: number;
  readonly dontFragment: boolean;
  readonly moreFragments: boolean;
  readonly fragmentOffset: number;
  readonly ttl: number;
  readonly protocol: number;
  readonly headerChecksum: number;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

export interface IPv6Header {
  readonly family: 6;
  readonly headerLength: number;
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly payloadLength: number;
  /** The upper-layer protocol after any extension headers. */
  readonly protocol: number;
  readonly hopLimit: number;
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
}

export type IpHeader = IPv4Header | IPv6Header;

/** Where the IP header stops and its payload starts and ends, relative to the frame. */
export interface IpPacket {
  readonly header: IpHeader;
  readonly payloadOffset: number;
  /** The payload length the IP header declares; the capture may hold less. */
  readonly payloadLength: number;
}

export type IpDecodeResult = { readonly ok: true; readonly packet: IpPacket } | { readonly ok: false; readonly reason: string };

export function decodeIPv4(frame: Uint8Array, offset: number, end = frame.length): IpDecodeResult {
  if (end - offset < 20) return { ok: false, reason: `IPv4 header truncated (${end - offset} < 20 octets)` };
  const versionIhl = frame[offset]!;
  if (versionIhl >> 4 !== 4) return { ok: false, reason: `IP version ${versionIhl >> 4} in an IPv4 frame` };
  const headerLength = (versionIhl & 0x0f) * 4;
  if (headerLength < 20 || end - offset < headerLength) return { ok: false, reason: `IPv4 header length ${headerLength} is invalid` };
  const u16 = (at: number) => (frame[offset + at]! << 8) | frame[offset + at + 1]!;
  const totalLength = u16(2);
  if (totalLength < headerLength) return { ok: false, reason: `IPv4 total length ${totalLength} < header length ${headerLength}` };
  const flagsOffset = u16(6);
  const header: IPv4Header = {
    family: 4,
    headerLength,
    tos: frame[offset + 1]!,
    totalLength,
    id: u16(4),
    dontFragment: (flagsOffset & 0x4000) !== 0,
    moreFragments: (flagsOffset & 0x2000) !== 0,
    fragmentOffset: (flagsOffset & 0x1fff) * 8,
    ttl: frame[offset + 8]!,
    protocol: frame[offset + 9]!,
    headerChecksum: u16(10),
    source: frame.subarray(offset + 12, offset + 16),
    destination: frame.subarray(offset + 16, offset + 20),
  };
  return { ok: true, packet: { header, payloadOffset: offset + headerLength, payloadLength: totalLength - headerLength } };
}

// Extension headers that may stand between the IPv6 header and VRRP.
const IPV6_EXTENSIONS = new Set([0 /* hop-by-hop */, 43 /* routing */, 60 /* destination options */]);

export function decodeIPv6(frame: Uint8Array, offset: number, end = frame.length): IpDecodeResult {
  if (end - offset < 40) return { ok: false, reason: `IPv6 header truncated (${end - offset} < 40 octets)` };
  const first = frame[offset]!;
  if (first >> 4 !== 6) return { ok: false, reason: `IP version ${first >> 4} in an IPv6 frame` };
  const payloadLength = (frame[offset + 4]! << 8) | frame[offset + 5]!;
  let protocol = frame[offset + 6]!;
  let headerLength = 40;
  for (let hops = 0; IPV6_EXTENSIONS.has(protocol) && hops < 8; hops++) {
    if (end - offset < headerLength + 8) return { ok: false, reason: 'IPv6 extension header truncated' };
    protocol = frame[offset + headerLength]!;
    headerLength += (frame[offset + headerLength + 1]! + 1) * 8;
  }
  const header: IPv6Header = {
    family: 6,
    headerLength,
    trafficClass: ((first & 0x0f) << 4) | (frame[offset + 1]! >> 4),
    flowLabel: ((frame[offset + 1]! & 0x0f) << 16) | (frame[offset + 2]! << 8) | frame[offset + 3]!,
    payloadLength,
    protocol,
    hopLimit: frame[offset + 7]!,
    source: frame.subarray(offset + 8, offset + 24),
    destination: frame.subarray(offset + 24, offset + 40),
  };
  return { ok: true, packet: { header, payloadOffset: offset + headerLength, payloadLength: payloadLength - (headerLength - 40) } };
}

export interface IPv4HeaderInput {
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly protocol: number;
  readonly payloadLength: number;
  readonly ttl: number;
  readonly tos?: number;
  readonly id?: number;
  readonly dontFragment?: boolean;
}

export function encodeIPv4Header(input: IPv4HeaderInput): Buffer {
  const out = Buffer.alloc(20);
  out[0] = 0x45;
  out[1] = input.tos ?? 0;
  out.writeUInt16BE(20 + input.payloadLength, 2);
  out.writeUInt16BE(input.id ?? 0, 4);
  out.writeUInt16BE(input.dontFragment ? 0x4000 : 0, 6);
  out[8] = input.ttl;
  out[9] = input.protocol;
  out.set(input.source, 12);
  out.set(input.destination, 16);
  out.writeUInt16BE(foldChecksum(sumWords(out, 0, 20)), 10);
  return out;
}

export interface IPv6HeaderInput {
  readonly source: Uint8Array;
  readonly destination: Uint8Array;
  readonly protocol: number;
  readonly payloadLength: number;
  readonly hopLimit: number;
  readonly trafficClass?: number;
}

export function encodeIPv6Header(input: IPv6HeaderInput): Buffer {
  const out = Buffer.alloc(40);
  const trafficClass = input.trafficClass ?? 0;
  out[0] = 0x60 | (trafficClass >> 4);
  out[1] = (trafficClass & 0x0f) << 4;
  out.writeUInt16BE(input.payloadLength, 4);
  out[6] = input.protocol;
  out[7] = input.hopLimit;
  out.set(input.source, 8);
  out.set(input.destination, 24);
  return out;
}

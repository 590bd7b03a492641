// Whole VRRP packets as keepalived puts them on the wire: IPv4 with TOS 0xc0,
// no DF and TTL 255 (RFC 5798 section 5.1.1.3); IPv6 with hop limit 255.
// Used by vrrpd's IPv4 send path (IP_HDRINCL) and to make test captures.

import { encodeAdvert, IPPROTO_VRRP, parseAddress, VRRP_TTL, type AdvertInput } from '@keepalived-ts/vrrp';
import { encodeIPv4Header, encodeIPv6Header } from './ipHeader.js';
import { encodeEthernetHeader, EtherType } from './linkLayer.js';

export interface VrrpPacketInput {
  readonly advert: AdvertInput;
  readonly source: string;
  readonly destination: string;
  readonly ttl?: number;
  readonly tos?: number;
  readonly id?: number;
  readonly v3ChecksumAsV2?: boolean;
}

/** The IP packet (header and VRRP message). */
export function encodeVrrpIpPacket(input: VrrpPacketInput): Buffer {
  const source = parseAddress(input.source);
  const destination = parseAddress(input.destination);
  if (!source || !destination || source.family !== destination.family) {
    throw new RangeError(`VRRP packet addresses ${input.source} > ${input.destination} are not one IP family`);
  }
  const family = source.family;
  const message = encodeAdvert(input.advert, { family, source: source.bytes, destination: destination.bytes, v3ChecksumAsV2: input.v3ChecksumAsV2 ?? false });
  const common = { source: source.bytes, destination: destination.bytes, protocol: IPPROTO_VRRP, payloadLength: message.length };
  const header =
    family === 4
      ? encodeIPv4Header({ ...common, ttl: input.ttl ?? VRRP_TTL, tos: input.tos ?? 0xc0, id: input.id ?? 0 })
      : encodeIPv6Header({ ...common, hopLimit: input.ttl ?? VRRP_TTL, trafficClass: input.tos ?? 0xc0 });
  return Buffer.concat([header, message]);
}

/** The multicast MAC an IP multicast destination maps to (RFC 1112 section 6.4, RFC 2464 section 7). */
export function multicastMac(destination: string): Buffer {
  const parsed = parseAddress(destination);
  if (!parsed) throw new RangeError(`not an address: ${destination}`);
  const b = parsed.bytes;
  return parsed.family === 4
    ? Buffer.from([0x01, 0x00, 0x5e, b[1]! & 0x7f, b[2]!, b[3]!])
    : Buffer.from([0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!]);
}

/** An Ethernet frame carrying a VRRP packet, for captures and injection. */
export function encodeVrrpFrame(input: VrrpPacketInput & { readonly sourceMac: Uint8Array; readonly destinationMac?: Uint8Array }): Buffer {
  const packet = encodeVrrpIpPacket(input);
  const family = packet[0]! >> 4;
  const destinationMac = input.destinationMac ?? multicastMac(input.destination);
  return Buffer.concat([encodeEthernetHeader(destinationMac, input.sourceMac, family === 4 ? EtherType.ipv4 : EtherType.ipv6), packet]);
}

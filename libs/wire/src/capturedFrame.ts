// One captured frame, classified: a VRRP advert (valid or with its reason),
// an address announcement (ARP / neighbour advertisement), or neither.

import { decodeAdvert, IPPROTO_VRRP, type DecodeResult } from '@keepalived-ts/vrrp';
import { decodeArp, decodeNeighbourAdvert, IPPROTO_ICMPV6, type ArpMessage, type NeighbourAdvert } from './announce.js';
import { decodeIPv4, decodeIPv6, type IpPacket } from './ipHeader.js';
import { decodeLinkFrame, EtherType, type LinkFrame, type LinkTypeCode } from './linkLayer.js';

export type CapturedFrame =
  | { readonly kind: 'vrrp'; readonly link: LinkFrame; readonly ip: IpPacket; readonly vrrp: DecodeResult }
  | { readonly kind: 'arp'; readonly link: LinkFrame; readonly arp: ArpMessage }
  | { readonly kind: 'na'; readonly link: LinkFrame; readonly ip: IpPacket; readonly na: NeighbourAdvert }
  /** A frame that claims to carry VRRP but whose link or IP layer is broken. */
  | { readonly kind: 'malformed'; readonly reason: string }
  | { readonly kind: 'other' };

export interface FrameDecodeOptions {
  /** keepalived's v3_checksum_as_v2: check VRRPv3 over IPv4 without the pseudo-header. */
  readonly v3ChecksumAsV2?: boolean;
}

const OTHER: CapturedFrame = { kind: 'other' };

export function decodeCapturedFrame(frame: Uint8Array, linkType: LinkTypeCode, end = frame.length, options: FrameDecodeOptions = {}): CapturedFrame {
  const link = decodeLinkFrame(frame, linkType, end);
  if (!link) return { kind: 'malformed', reason: `frame truncated (${end} octets) before its link header ends` };
  if (link.etherType === EtherType.arp) {
    const arp = decodeArp(frame, link.payloadOffset, end);
    return arp ? { kind: 'arp', link, arp } : OTHER;
  }
  if (link.etherType !== EtherType.ipv4 && link.etherType !== EtherType.ipv6) return OTHER;
  const decoded = link.etherType === EtherType.ipv4 ? decodeIPv4(frame, link.payloadOffset, end) : decodeIPv6(frame, link.payloadOffset, end);
  if (!decoded.ok) return { kind: 'malformed', reason: decoded.reason };
  const ip = decoded.packet;
  const { header } = ip;
  if (header.protocol === IPPROTO_VRRP) {
    const available = Math.min(end, ip.payloadOffset + ip.payloadLength);
    const message = frame.subarray(ip.payloadOffset, Math.max(ip.payloadOffset, available));
    const ttl = header.family === 4 ? header.ttl : header.hopLimit;
    const vrrp = decodeAdvert(
      message,
      { family: header.family, source: header.source, destination: header.destination, ttl, v3ChecksumAsV2: options.v3ChecksumAsV2 ?? false },
      ip.payloadLength,
    );
    return { kind: 'vrrp', link, ip, vrrp };
  }
  if (header.family === 6 && header.protocol === IPPROTO_ICMPV6) {
    const na = decodeNeighbourAdvert(frame, ip.payloadOffset, Math.min(end, ip.payloadOffset + ip.payloadLength));
    return na ? { kind: 'na', link, ip, na } : OTHER;
  }
  return OTHER;
}

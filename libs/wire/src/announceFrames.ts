// The frames that announce an address after a failover, byte for byte as
// keepalived 2.2.7 builds them (vrrp_arp.c, vrrp_ndisc.c; checked against its
// capture, see announceFrames.test.ts). Pure: announceSender.ts injects them.
//
// Gratuitous ARP, 42 octets (no padding: the driver pads short frames):
//   Ethernet  ff:ff:ff:ff:ff:ff < MAC, type 0x0806
//   ARP       htype 1, ptype 0x0800, hlen 6, plen 4, op 1 (request),
//             sender MAC, sender IP = VIP, target MAC ff:ff:ff:ff:ff:ff, target IP = VIP
// Unsolicited neighbour advertisement, 86 octets:
//   Ethernet  33:33:00:00:00:01 < MAC, type 0x86dd
//   IPv6      class 0, flow 0, payload 32, next header 58, hop limit 255, VIP > ff02::1
//   ICMPv6    type 136, code 0, checksum (with the pseudo-header), flags 0x20
//             (override only; router when the interface forwards), target = VIP,
//             option 2 (target link-layer address), length 1 (8 octets), MAC

import { foldChecksum, parseAddress, sumWords } from '@keepalived-ts/vrrp';
import { ICMPV6_NEIGHBOUR_ADVERT, IPPROTO_ICMPV6 } from './announce.js';
import { encodeIPv6Header } from './ipHeader.js';
import { encodeEthernetHeader, EtherType, parseMac } from './linkLayer.js';

export const ARP_FRAME_LENGTH = 42;
export const NEIGHBOUR_ADVERT_FRAME_LENGTH = 86;

/** RFC 4861 section 4.4: flags octet of a neighbour advertisement. */
const NA_FLAG_ROUTER = 0x80;
const NA_FLAG_OVERRIDE = 0x20;
/** RFC 4861 section 4.6.1: option type 2, the target link-layer address. */
const ND_OPT_TARGET_LINK_ADDRESS = 2;
/** RFC 4861 section 7.1.2: neighbour discovery is only believed from hop limit 255. */
const ND_HOP_LIMIT = 255;

const BROADCAST_MAC = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
const ALL_NODES = parseAddress('ff02::1')!.bytes;
/** RFC 2464 section 7: ff02::1 on Ethernet. */
const ALL_NODES_MAC = Buffer.from([0x33, 0x33, 0x00, 0x00, 0x00, 0x01]);

export interface GratuitousArpInput {
  /** The MAC to announce (and send from): "aa:bb:cc:dd:ee:ff" or 6 octets. */
  readonly mac: string | Uint8Array;
  readonly ip: string;
  /**
   * `request` is what keepalived sends. `reply` is an ARP reply announcing the
   * same (as `arping -A`): op 2, and the target MAC is the sender's own, since
   * a reply answers no one.
   */
  readonly kind: 'request' | 'reply';
}

export interface NeighbourAdvertInput {
  readonly mac: string | Uint8Array;
  /** The IPv6 address announced: source of the packet and target of the advert. */
  readonly ip: string;
  /** The router flag: keepalived sets it when the interface forwards IPv6. Default false. */
  readonly router?: boolean;
}

function macBytes(mac: string | Uint8Array): Uint8Array {
  const bytes = typeof mac === 'string' ? parseMac(mac) : mac;
  if (!bytes || bytes.length !== 6) throw new RangeError(`not a MAC address: ${typeof mac === 'string' ? JSON.stringify(mac) : `${mac.length} octets`}`);
  return bytes;
}

function addressBytes(ip: string, family: 4 | 6): Uint8Array {
  const parsed = parseAddress(ip);
  if (!parsed || parsed.family !== family) throw new RangeError(`not an IPv${family} address: ${JSON.stringify(ip)}`);
  return parsed.bytes;
}

export function encodeGratuitousArp(input: GratuitousArpInput): Buffer {
  const mac = macBytes(input.mac);
  const ip = addressBytes(input.ip, 4);
  const out = Buffer.alloc(ARP_FRAME_LENGTH);
  encodeEthernetHeader(BROADCAST_MAC, mac, EtherType.arp).copy(out, 0);
  out.writeUInt16BE(1, 14); // hardware type: Ethernet
  out.writeUInt16BE(EtherType.ipv4, 16);
  out[18] = 6;
  out[19] = 4;
  out.writeUInt16BE(input.kind === 'request' ? 1 : 2, 20);
  out.set(mac, 22);
  out.set(ip, 28);
  out.set(input.kind === 'request' ? BROADCAST_MAC : mac, 32);
  out.set(ip, 38);
  return out;
}

export function encodeUnsolicitedNeighbourAdvert(input: NeighbourAdvertInput): Buffer {
  const mac = macBytes(input.mac);
  const target = addressBytes(input.ip, 6);
  const icmp = Buffer.alloc(32);
  icmp[0] = ICMPV6_NEIGHBOUR_ADVERT;
  icmp[4] = NA_FLAG_OVERRIDE | (input.router ? NA_FLAG_ROUTER : 0);
  icmp.set(target, 8);
  icmp[24] = ND_OPT_TARGET_LINK_ADDRESS;
  icmp[25] = 1;
  icmp.set(mac, 26);
  icmp.writeUInt16BE(icmpv6Checksum(target, ALL_NODES, icmp), 2);
  const ip = encodeIPv6Header({ source: target, destination: ALL_NODES, protocol: IPPROTO_ICMPV6, payloadLength: icmp.length, hopLimit: ND_HOP_LIMIT });
  return Buffer.concat([encodeEthernetHeader(ALL_NODES_MAC, mac, EtherType.ipv6), ip, icmp]);
}

/** RFC 4443 section 2.3: the checksum over the RFC 8200 section 8.1 pseudo-header and the message. */
export function icmpv6Checksum(source: Uint8Array, destination: Uint8Array, message: Uint8Array): number {
  let sum = sumWords(source, 0, 16);
  sum = sumWords(destination, 0, 16, sum);
  sum += (message.length >>> 16) + (message.length & 0xffff) + IPPROTO_ICMPV6;
  // The checksum field (octets 2-3) counts as zero.
  sum = sumWords(message, 0, 2, sum);
  sum = sumWords(message, 4, message.length, sum);
  return foldChecksum(sum);
}


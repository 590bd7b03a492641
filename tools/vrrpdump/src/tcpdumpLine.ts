// One line per packet, in the words and order of tcpdump 4.99's VRRP printer
// (print-vrrp.c), so that what people grep for in tcpdump output is found
// here too. Our own additions come after tcpdump's text, in brackets.

import { authTypeName, formatAddress, type DecodedAdvert, type DecodeFailure } from '@keepalived-ts/vrrp';
import type { ArpMessage, CapturedFrame, IPv4Header, IPv6Header, IpPacket, NeighbourAdvert } from '@keepalived-ts/wire';
import type { NameOf } from './hostNames.js';

export interface LineOptions {
  /** 0: tcpdump's default; 1: -v (IP header, addresses, auth); 2: -vv adds the checksum status. */
  readonly verbosity: number;
  readonly nameOf: NameOf;
}

const ECN = ['', ',ECT(1)', ',ECT(0)', ',CE'] as const;

function ipv4Details(h: IPv4Header): string {
  // tcpdump's bittok2str order: MF ("+"), DF, reserved.
  const flags = `${h.moreFragments ? '+' : ''}${h.dontFragment ? 'DF' : ''}` || 'none';
  return `(tos 0x${(h.tos & 0xfc).toString(16)}${ECN[h.tos & 3]}, ttl ${h.ttl}, id ${h.id}, offset ${h.fragmentOffset}, flags [${flags}], proto VRRP (112), length ${h.totalLength})\n    `;
}

function ipv6Details(h: IPv6Header, next: string): string {
  const cls = h.trafficClass ? `class 0x${h.trafficClass.toString(16).padStart(2, '0')}, ` : '';
  const flow = h.flowLabel ? `flowlabel 0x${h.flowLabel.toString(16).padStart(5, '0')}, ` : '';
  return `(${cls}${flow}hlim ${h.hopLimit}, next-header ${next} payload length: ${h.payloadLength}) `;
}

function ipPrefix(ip: IpPacket, options: LineOptions, next: string): string {
  const { header } = ip;
  const src = options.nameOf(formatAddress(header.source, header.family));
  const dst = options.nameOf(formatAddress(header.destination, header.family));
  if (header.family === 4) return `IP ${options.verbosity ? ipv4Details(header) : ''}${src} > ${dst}: `;
  return `IP6 ${options.verbosity ? ipv6Details(header, next) : ''}${src} > ${dst}: `;
}

/** tcpdump's nd_printjnp: at most n octets, stopping at NUL, unprintables escaped. */
function printableAuth(data: Uint8Array): string {
  let out = '';
  for (const byte of data) {
    if (byte === 0) break;
    let c = byte;
    if (c > 0x7f) { out += 'M-'; c &= 0x7f; }
    out += c < 0x20 || c === 0x7f ? `^${String.fromCharCode(c ^ 0x40)}` : String.fromCharCode(c);
  }
  return out;
}

function vrrpText(advert: DecodedAdvert, ttl: number, options: LineOptions): string {
  let text = `VRRPv${advert.version}, ${advert.type === 1 ? 'Advertisement' : `unknown type (${advert.type})`}`;
  if (ttl !== 255) text += `, (ttl ${ttl})`;
  if (advert.type !== 1) return text;
  text += `, vrid ${advert.vrid}, prio ${advert.priority}`;
  if (advert.version === 2) {
    text += `, authtype ${authTypeName(advert.authType) ?? `#${advert.authType}`}, intvl ${advert.intervalSeconds}s, length ${advert.length}`;
  } else {
    text += `, intvl ${advert.intervalCentiseconds}cs, length ${advert.length}`;
  }
  if (options.verbosity) {
    const { carried, computed } = advert.checksum;
    if (carried !== computed) text += `, (bad vrrp cksum ${carried.toString(16)})`;
    text += `, addrs${advert.count > 1 ? `(${advert.count})` : ''}:`;
    text += advert.addresses.map((a, i) => `${i ? ',' : ' '}${options.nameOf(a)}`).join('');
    if (advert.version === 2 && advert.authType === 1) text += ` auth "${printableAuth(advert.authData)}"`;
    if (options.verbosity > 1 && carried === computed) text += `, cksum 0x${carried.toString(16).padStart(4, '0')} (correct)`;
  }
  return text;
}

function malformedNote(failure: DecodeFailure | undefined): string {
  return failure ? ` [malformed: ${failure.message}]` : '';
}

function arpText(arp: ArpMessage): string {
  if (arp.operation === 'request') {
    const target = arp.targetMac === '00:00:00:00:00:00' ? '' : ` (${arp.targetMac})`;
    return `ARP, Request who-has ${arp.targetIp}${target} tell ${arp.senderIp}, length ${arp.length}`;
  }
  if (arp.operation === 'reply') return `ARP, Reply ${arp.senderIp} is-at ${arp.senderMac}, length ${arp.length}`;
  return `ARP, Unknown operation (${arp.operation}), length ${arp.length}`;
}

function naText(na: NeighbourAdvert, options: LineOptions): string {
  let text = `ICMP6, neighbor advertisement, tgt is ${na.target}, length ${na.length}`;
  if (options.verbosity) {
    const flags = [na.router ? 'router' : '', na.solicited ? 'solicited' : '', na.override ? 'override' : ''].filter(Boolean).join(', ');
    text += `, Flags [${flags || 'none'}]${na.targetMac ? `, tgt link-address ${na.targetMac}` : ''}`;
  }
  return text;
}

/** The text after the time stamp; undefined for frames vrrpdump does not show. */
export function frameLine(frame: CapturedFrame, options: LineOptions): string | undefined {
  switch (frame.kind) {
    case 'vrrp': {
      const { header } = frame.ip;
      const ttl = header.family === 4 ? header.ttl : header.hopLimit;
      const prefix = ipPrefix(frame.ip, options, 'VRRP (112)');
      const result = frame.vrrp;
      if (result.ok) return prefix + vrrpText(result.advert, ttl, options);
      if (result.advert) return prefix + vrrpText(result.advert, ttl, options) + malformedNote(result);
      return `${prefix}VRRP${malformedNote(result)}`;
    }
    case 'arp':
      return arpText(frame.arp);
    case 'na':
      return ipPrefix(frame.ip, options, 'ICMPv6 (58)') + naText(frame.na, options);
    case 'malformed':
      return `[malformed: ${frame.reason}]`;
    case 'other':
      return undefined;
  }
}

// Announcing one address, for garp, vipctl add --garp and vipctl apply:
// gratuitous ARP for IPv4, unsolicited neighbour advertisement for IPv6, in
// one burst (as keepalived sends them) or paced. The frames themselves and
// the pcap handle are @keepalived-ts/wire/announceSender's.

import { setTimeout as sleep } from 'node:timers/promises';
import { formatMac, parseMac } from '@keepalived-ts/wire';
import type { Announcer } from '@keepalived-ts/wire/announceSender';
import { VipError } from './errors.js';
import type { VipAddress } from './vipAddress.js';

/** The announcer refuses more per burst; a typo must not flood a segment. */
export const ANNOUNCE_MAX_COUNT = 1000;
export const ANNOUNCE_MAX_INTERVAL_MS = 60_000;
/** keepalived's vrrp_garp_master_repeat default. */
export const DEFAULT_ANNOUNCE_COUNT = 5;

export interface AnnounceOptions {
  /** 1 to ANNOUNCE_MAX_COUNT. */
  readonly count: number;
  /** Pause between two frames; 0 (default) sends them back to back. */
  readonly intervalMs?: number;
  /** The MAC announced (and sent from), e.g. a VRRP virtual MAC; default the interface's. From parseAnnounceMac. */
  readonly mac?: string;
  /** IPv4: ARP replies (as `arping -A`) instead of requests. Ignored for IPv6. */
  readonly reply?: boolean;
}

export interface AnnounceOutcome {
  readonly address: string;
  readonly dev: string;
  readonly kind: 'arp-request' | 'arp-reply' | 'neighbour-advert';
  readonly count: number;
  readonly mac: string;
}

/** A MAC to announce: must parse and be unicast (a multicast sender address is dropped by receivers). */
export function parseAnnounceMac(text: string): string {
  const mac = parseMac(text);
  if (!mac) throw new VipError(`${JSON.stringify(text)} is not a MAC address (aa:bb:cc:dd:ee:ff)`, 'invalid-address');
  if ((mac[0]! & 1) === 1) throw new VipError(`${text} is a multicast MAC address`, 'invalid-address');
  return formatMac(mac);
}

export async function announce(announcer: Announcer, vip: VipAddress, options: AnnounceOptions): Promise<AnnounceOutcome> {
  const { count } = options;
  const intervalMs = options.intervalMs ?? 0;
  if (!Number.isInteger(count) || count < 1 || count > ANNOUNCE_MAX_COUNT) throw new RangeError(`announce count ${count} is not in 1-${ANNOUNCE_MAX_COUNT}`);
  if (!Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > ANNOUNCE_MAX_INTERVAL_MS) throw new RangeError(`announce interval ${intervalMs} ms is not in 0-${ANNOUNCE_MAX_INTERVAL_MS}`);
  const mac = options.mac ?? announcer.mac;
  const kind = vip.family === 6 ? 'neighbour-advert' : options.reply ? 'arp-reply' : 'arp-request';
  const send = (frames: number): void => {
    if (vip.family === 6) announcer.neighbourAdvert(vip.address, frames, { mac });
    else announcer.arp(vip.address, frames, { mac, reply: options.reply ?? false });
  };
  if (intervalMs === 0) {
    send(count);
  } else {
    for (let sent = 0; sent < count; sent++) {
      if (sent > 0) await sleep(intervalMs);
      send(1);
    }
  }
  return { address: vip.address, dev: announcer.ifname, kind, count, mac };
}

const FRAME_NAMES: Readonly<Record<AnnounceOutcome['kind'], readonly [string, string]>> = {
  'arp-request': ['gratuitous ARP request', 'gratuitous ARP requests'],
  'arp-reply': ['gratuitous ARP reply', 'gratuitous ARP replies'],
  'neighbour-advert': ['unsolicited neighbour advertisement', 'unsolicited neighbour advertisements'],
};

/** `sent 5 gratuitous ARP requests for 10.0.0.100 on eth0 from 02:00:00:00:00:01`, the line garp and vipctl print. */
export function announcementText(outcome: AnnounceOutcome): string {
  const [one, many] = FRAME_NAMES[outcome.kind];
  return `sent ${outcome.count} ${outcome.count === 1 ? one : many} for ${outcome.address} on ${outcome.dev} from ${outcome.mac}`;
}

// Run inside a lab namespace: puts hand-made VRRP adverts on the wire, with a
// TTL / hop limit of our choosing, which no real router would send.
//   injectAdvert.ts IFNAME SRC DST TTL VERSION VRID PRIORITY COUNT VIP
import { parseMac } from '@keepalived-ts/wire';
import { encodeVrrpFrame } from '@keepalived-ts/wire';
import { openLinkSession } from '@keepalived-ts/wire/announceSender';
import { readFileSync } from 'node:fs';

const [ifname, source, destination, ttl, version, vrid, priority, count, vip] = process.argv.slice(2);
if (!ifname || !source || !destination || !ttl || !version || !vrid || !priority || !count || !vip) throw new Error('usage: IFNAME SRC DST TTL VERSION VRID PRIORITY COUNT VIP');
const sourceMac = parseMac(readFileSync(`/sys/class/net/${ifname}/address`, 'utf8').trim())!;
const advert =
  version === '3'
    ? { version: 3 as const, vrid: Number(vrid), priority: Number(priority), intervalCentiseconds: 100, addresses: [vip] }
    : { version: 2 as const, vrid: Number(vrid), priority: Number(priority), intervalSeconds: 1, addresses: [vip] };
const frame = encodeVrrpFrame({ source, destination, ttl: Number(ttl), sourceMac, advert });
const session = openLinkSession(ifname);
for (let i = 0; i < Number(count); i++) {
  session.inject(frame);
  await new Promise((r) => setTimeout(r, 200));
}
session.close();
process.exit(0);

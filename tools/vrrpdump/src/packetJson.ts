// --json: one object per packet, field names stable for programs (jq, log
// shippers). Time is ISO 8601 UTC with microseconds, as the capture has them.

import { authPassword, authTypeName, formatAddress, type DecodedAdvert } from '@keepalived-ts/vrrp';
import { formatMac, type CapturedFrame, type IpPacket } from '@keepalived-ts/wire';

export function isoTime(seconds: number, micros: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${String(micros).padStart(6, '0')}Z`;
}

function ipFields(ip: IpPacket) {
  const h = ip.header;
  return {
    family: h.family === 4 ? 'ipv4' : 'ipv6',
    src: formatAddress(h.source, h.family),
    dst: formatAddress(h.destination, h.family),
    ttl: h.family === 4 ? h.ttl : h.hopLimit,
    ...(h.family === 4 ? { tos: h.tos, ipId: h.id, dontFragment: h.dontFragment } : { trafficClass: h.trafficClass }),
  };
}

function advertFields(advert: DecodedAdvert) {
  const common = {
    version: advert.version,
    type: advert.type,
    vrid: advert.vrid,
    priority: advert.priority,
    count: advert.count,
    addresses: advert.addresses,
    length: advert.length,
    checksum: { carried: advert.checksum.carried, computed: advert.checksum.computed, ok: advert.checksum.carried === advert.checksum.computed },
  };
  if (advert.version === 3) return { ...common, intervalCentiseconds: advert.intervalCentiseconds };
  const name = authTypeName(advert.authType);
  return {
    ...common,
    intervalSeconds: advert.intervalSeconds,
    authType: name ?? advert.authType,
    ...(advert.authType === 1 ? { authPassword: authPassword(advert) } : {}),
  };
}

export function frameJson(frame: CapturedFrame, seconds: number, micros: number, iface: string): Record<string, unknown> | undefined {
  const base = { time: isoTime(seconds, micros), interface: iface };
  switch (frame.kind) {
    case 'vrrp': {
      const sourceMac = frame.link.sourceMac ? { srcMac: formatMac(frame.link.sourceMac) } : {};
      const result = frame.vrrp;
      const advert = result.ok ? result.advert : result.advert;
      return {
        ...base,
        kind: 'vrrp',
        ...sourceMac,
        ...ipFields(frame.ip),
        ...(advert ? advertFields(advert) : {}),
        valid: result.ok,
        ...(result.ok ? {} : { reason: result.reason, field: result.field, value: result.value, message: result.message }),
      };
    }
    case 'arp':
      return { ...base, ...frame.arp };
    case 'na':
      return { ...base, ...ipFields(frame.ip), ...frame.na };
    case 'malformed':
      return { ...base, kind: 'malformed', valid: false, message: frame.reason };
    case 'other':
      return undefined;
  }
}

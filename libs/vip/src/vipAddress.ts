// A virtual address as an operator writes it (`10.0.0.100/24`, `fd00::100`),
// checked once here so that every command rejects the same texts with the
// same reason. Pure.

import { formatAddress, parseAddress, type AddressFamily } from '@keepalived-ts/vrrp';

export interface VipAddress {
  /** Canonical text (RFC 5952 for IPv6), as the kernel reports it back. */
  readonly address: string;
  readonly family: AddressFamily;
  /** As written; undefined when the text had no `/PREFIX`. */
  readonly prefixLength: number | undefined;
}

export type VipParse = { readonly ok: true; readonly vip: VipAddress } | { readonly ok: false; readonly reason: string };

export const maxPrefixLength = (family: AddressFamily): 32 | 128 => (family === 4 ? 32 : 128);

/** `ADDR` or `ADDR/PREFIX`, IPv4 or IPv6. */
export function parseVip(text: string): VipParse {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  // parseAddress takes `fe80::1%eth0`; here the interface is always `dev IF`.
  if (addressText.includes('%')) return { ok: false, reason: `${JSON.stringify(text)}: give the interface with dev, not as a zone index` };
  const parsed = parseAddress(addressText);
  if (!parsed) return { ok: false, reason: `${JSON.stringify(addressText)} is not an IPv4 or IPv6 address` };
  const max = maxPrefixLength(parsed.family);
  let prefixLength: number | undefined;
  if (prefixText !== undefined) {
    prefixLength = Number(prefixText);
    if (!/^\d{1,3}$/.test(prefixText) || prefixLength > max) {
      return { ok: false, reason: `${JSON.stringify(text)}: the prefix length must be a number from 0 to ${max}` };
    }
  }
  return { ok: true, vip: { address: formatAddress(parsed.bytes, parsed.family), family: parsed.family, prefixLength } };
}

/** The prefix length to add with: as written, else a host route's (/32, /128), as `ip addr add` does. */
export const prefixForAdd = (vip: VipAddress): number => vip.prefixLength ?? maxPrefixLength(vip.family);

/** `10.0.0.100/24`. */
export const cidrText = (address: string, prefixLength: number): string => `${address}/${prefixLength}`;

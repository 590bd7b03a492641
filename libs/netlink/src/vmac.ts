// keepalived's use_vmac: a macvlan interface per VRRP instance carrying the
// virtual router MAC of RFC 5798 section 7.3, created in private mode
// (keepalived's vrrp_vmac.c sets MACVLAN_MODE_PRIVATE: "in private mode,
// macvlan will receive frames with same MAC addr as configured on the interface").

import type { MacvlanMode } from './constants.js';

/** keepalived's macvlan mode for use_vmac. */
export const VMAC_MODE: MacvlanMode = 'private';

function assertVrid(vrid: number): void {
  if (!Number.isInteger(vrid) || vrid < 1 || vrid > 255) throw new RangeError(`VRID ${vrid} is not in 1-255`);
}

/** The virtual router MAC: 00:00:5e:00:01:{VRID} for IPv4, 00:00:5e:00:02:{VRID} for IPv6 (RFC 5798 7.3). */
export function vmacAddress(vrid: number, family: 4 | 6 = 4): string {
  assertVrid(vrid);
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${vrid.toString(16).padStart(2, '0')}`;
}

/** Bounds the search for a free name; keepalived's own loop has none. */
const MAX_NAME_ATTEMPTS = 1000;

/**
 * keepalived's default use_vmac interface name: `vrrp.{VRID}`. When that name
 * is taken (`isTaken`), keepalived tries `vrrp1.{VRID}`, `vrrp2.{VRID}`, ...;
 * for an IPv6 instance it tries `vrrp6.{VRID}` first, then `vrrp1.`, `vrrp2.`,
 * ... skipping 6 (keepalived's vrrp.c, vrrp_complete_instance).
 */
export function macvlanName(vrid: number, family: 4 | 6 = 4, isTaken: (name: string) => boolean = () => false): string {
  assertVrid(vrid);
  let name = `vrrp.${vrid}`;
  let num = 0;
  for (let attempt = 0; attempt < MAX_NAME_ATTEMPTS; attempt++) {
    if (!isTaken(name)) return name;
    if (family === 6) num = num === 0 ? 6 : num === 6 ? 1 : num + 1 === 6 ? 7 : num + 1;
    else num += 1;
    name = `vrrp${num}.${vrid}`;
  }
  throw new RangeError(`no free use_vmac interface name for VRID ${vrid} after ${MAX_NAME_ATTEMPTS} attempts`);
}

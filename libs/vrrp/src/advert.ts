// VRRP advertisements as data: what a decoded one holds, and what it takes
// to encode one. VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798) differ in the
// interval's unit and in authentication, so the version discriminates.

import type { AddressFamily } from './address.js';

interface AdvertFields {
  readonly family: AddressFamily;
  /** 1 is the only type defined (Advertisement); others decode but fail validation. */
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly addresses: readonly string[];
}

export interface VrrpV2Advert extends AdvertFields {
  readonly version: 2;
  readonly authType: number;
  /** The 8 octets of authentication data; for `simple` the password, NUL padded. */
  readonly authData: Uint8Array;
  readonly intervalSeconds: number;
}

export interface VrrpV3Advert extends AdvertFields {
  readonly version: 3;
  readonly intervalCentiseconds: number;
}

export type VrrpAdvert = VrrpV2Advert | VrrpV3Advert;

export interface Checksums {
  readonly carried: number;
  readonly computed: number;
}

/** A decoded advert: views into the received buffer, nothing copied. */
export type DecodedAdvert = VrrpAdvert & {
  /** The count field as carried, which may disagree with the addresses that fit. */
  readonly count: number;
  readonly length: number;
  readonly checksum: Checksums;
  readonly addressBytes: Uint8Array;
};

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;

/** What the encoder needs; family comes from the checksum scope, type defaults to Advertisement. */
export type AdvertInput =
  | Optional<Omit<VrrpV2Advert, 'family' | 'authData'>, 'type' | 'authType'> & { readonly authData?: string | Uint8Array }
  | Optional<Omit<VrrpV3Advert, 'family'>, 'type'>;

export const intervalCentiseconds = (advert: VrrpAdvert): number =>
  advert.version === 2 ? advert.intervalSeconds * 100 : advert.intervalCentiseconds;

/** The password of a `simple` (PASS) advert, without its NUL padding. */
export function authPassword(advert: VrrpV2Advert): string {
  const end = advert.authData.indexOf(0);
  return Buffer.from(advert.authData.subarray(0, end < 0 ? advert.authData.length : end)).toString('latin1');
}

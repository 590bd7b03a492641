// Decoding never throws on packet data: every rejection is a reason with the
// field and value at fault, and the caller decides to count, drop or print.

import { addressLength, formatAddress, type AddressFamily } from './address.js';
import type { Checksums, DecodedAdvert, VrrpV2Advert, VrrpV3Advert } from './advert.js';
import { vrrpChecksum, type ChecksumScope } from './checksum.js';
import { authTypeName, VRRP_HEADER_LENGTH, VRRP_TTL, VRRP_TYPE_ADVERTISEMENT, VRRP_V2_AUTH_DATA_LENGTH } from './constants.js';
import { fieldOf, readField } from './headerFields.js';

export type InvalidReason =
  | 'truncated'
  | 'bad-version'
  | 'bad-type'
  | 'count-mismatch'
  | 'bad-ttl'
  | 'unknown-auth-type'
  | 'zero-interval'
  | 'bad-checksum';

export interface DecodeFailure {
  readonly ok: false;
  readonly reason: InvalidReason;
  readonly field: string;
  readonly value: number | string;
  readonly message: string;
  /** Present when the header could be read, so a tool can still show what it said. */
  readonly advert?: DecodedAdvert;
}

export type DecodeResult = { readonly ok: true; readonly advert: DecodedAdvert } | DecodeFailure;

/** What the IP layer tells about a VRRP message. */
export interface IpContext extends ChecksumScope {
  /** The IPv4 TTL or IPv6 hop limit, when the receive path knows it. */
  readonly ttl?: number;
}

const fail = (reason: InvalidReason, field: string, value: number | string, message: string, advert?: DecodedAdvert): DecodeFailure =>
  advert ? { ok: false, reason, field, value, message, advert } : { ok: false, reason, field, value, message };

const V2 = { version: fieldOf(2, 'version'), type: fieldOf(2, 'type'), vrid: fieldOf(2, 'vrid'), priority: fieldOf(2, 'priority'), count: fieldOf(2, 'count'), authType: fieldOf(2, 'authType'), interval: fieldOf(2, 'interval'), checksum: fieldOf(2, 'checksum') };
const V3_INTERVAL = fieldOf(3, 'interval');

// Classes rather than object literals: one hidden class per version keeps the
// hot path monomorphic, and the address list is formatted only when asked for.
abstract class DecodedBase {
  private formatted: readonly string[] | undefined;
  constructor(
    readonly family: AddressFamily,
    readonly type: number,
    readonly vrid: number,
    readonly priority: number,
    readonly count: number,
    readonly length: number,
    readonly checksum: Checksums,
    readonly addressBytes: Uint8Array,
  ) {}

  get addresses(): readonly string[] {
    if (!this.formatted) {
      const size = addressLength(this.family);
      const list: string[] = [];
      for (let at = 0; at + size <= this.addressBytes.length; at += size) list.push(formatAddress(this.addressBytes, this.family, at));
      this.formatted = list;
    }
    return this.formatted;
  }
}

class DecodedV2 extends DecodedBase implements VrrpV2Advert {
  readonly version = 2;
  authType = 0;
  intervalSeconds = 0;
  /** Set by the decoder; the view is made only when the auth data is read. */
  message: Uint8Array = EMPTY;

  get authData(): Uint8Array {
    return this.message.subarray(this.length - VRRP_V2_AUTH_DATA_LENGTH, this.length);
  }
}

class DecodedV3 extends DecodedBase implements VrrpV3Advert {
  readonly version = 3;
  intervalCentiseconds = 0;
}

const EMPTY = new Uint8Array(0);

/**
 * Decodes the VRRP message `message[0, length)` (the IP payload; `length`
 * defaults to the buffer's, and bytes beyond it, such as Ethernet padding,
 * are not part of the message).
 */
export function decodeAdvert(message: Uint8Array, ip: IpContext, length = message.length): DecodeResult {
  if (length > message.length) {
    return fail('truncated', 'length', length, `VRRP packet is truncated (${message.length} of ${length} octets captured)`);
  }
  if (length < VRRP_HEADER_LENGTH) {
    return fail('truncated', 'length', length, `VRRP packet is undersized (${length} < ${VRRP_HEADER_LENGTH})`);
  }
  const version = readField(message, V2.version);
  if (version !== 2 && version !== 3) {
    return fail('bad-version', 'version', version, `VRRP version is ${version}; should be 2 or 3`);
  }
  const family = ip.family;
  const count = readField(message, V2.count);
  const size = addressLength(family);
  const authLength = version === 2 ? VRRP_V2_AUTH_DATA_LENGTH : 0;
  if (length < VRRP_HEADER_LENGTH + authLength) {
    return fail('truncated', 'length', length, `VRRPv2 packet is undersized (${length} < ${VRRP_HEADER_LENGTH + authLength})`);
  }
  const expectedLength = VRRP_HEADER_LENGTH + count * size + authLength;
  const addressesThatFit = Math.min(count, Math.floor((length - VRRP_HEADER_LENGTH - authLength) / size));
  const addressBytes = message.subarray(VRRP_HEADER_LENGTH, VRRP_HEADER_LENGTH + addressesThatFit * size);
  const checksum = { carried: readField(message, V2.checksum), computed: vrrpChecksum(message, length, version, ip) };
  const args = [family, readField(message, V2.type), readField(message, V2.vrid), readField(message, V2.priority), count, length, checksum, addressBytes] as const;
  let advert: DecodedAdvert;
  if (version === 2) {
    const v2 = new DecodedV2(...args);
    v2.authType = readField(message, V2.authType);
    v2.message = message;
    v2.intervalSeconds = readField(message, V2.interval);
    advert = v2;
  } else {
    const v3 = new DecodedV3(...args);
    v3.intervalCentiseconds = readField(message, V3_INTERVAL);
    advert = v3;
  }

  if (length !== expectedLength) {
    return fail('count-mismatch', 'count', count, `VRRP address count ${count} needs ${expectedLength} octets; packet has ${length}`, advert);
  }
  if (advert.type !== VRRP_TYPE_ADVERTISEMENT) {
    return fail('bad-type', 'type', advert.type, `VRRP type is ${advert.type}; should be ${VRRP_TYPE_ADVERTISEMENT} (Advertisement)`, advert);
  }
  if (ip.ttl !== undefined && ip.ttl !== VRRP_TTL) {
    const name = family === 4 ? 'TTL' : 'hop limit';
    return fail('bad-ttl', family === 4 ? 'ttl' : 'hopLimit', ip.ttl, `IPv${family} ${name} is ${ip.ttl}; should be ${VRRP_TTL}`, advert);
  }
  if (advert.version === 2 && authTypeName(advert.authType) === undefined) {
    return fail('unknown-auth-type', 'authType', advert.authType, `VRRP auth type ${advert.authType} is unknown; should be 0, 1 or 2`, advert);
  }
  const interval = advert.version === 2 ? advert.intervalSeconds : advert.intervalCentiseconds;
  if (interval === 0) {
    return fail('zero-interval', 'interval', 0, 'VRRP advertisement interval is 0', advert);
  }
  if (checksum.carried !== checksum.computed) {
    const hex = (n: number) => n.toString(16).padStart(4, '0');
    return fail('bad-checksum', 'checksum', checksum.carried, `Bad VRRP checksum ${hex(checksum.carried)}; should be ${hex(checksum.computed)}`, advert);
  }
  return { ok: true, advert };
}

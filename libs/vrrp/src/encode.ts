// Encoding is for our own adverts and for tests: input errors are
// programming errors, so they throw RangeError naming the field and value.

import { addressLength, parseAddress } from './address.js';
import type { AdvertInput } from './advert.js';
import { vrrpChecksum, type ChecksumScope } from './checksum.js';
import { AuthType, VRRP_HEADER_LENGTH, VRRP_TYPE_ADVERTISEMENT, VRRP_V2_AUTH_DATA_LENGTH } from './constants.js';
import { fieldOf, writeField } from './headerFields.js';

function checkRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`VRRP ${field} ${value} is out of range [${min}, ${max}]`);
  }
}

/** Encodes an advert with its checksum for the given IP source and destination. */
export function encodeAdvert(input: AdvertInput, scope: ChecksumScope): Buffer {
  const { version } = input;
  const size = addressLength(scope.family);
  checkRange('vrid', input.vrid, 1, 255);
  checkRange('priority', input.priority, 0, 255);
  checkRange('address count', input.addresses.length, 0, 255);
  const authLength = version === 2 ? VRRP_V2_AUTH_DATA_LENGTH : 0;
  const length = VRRP_HEADER_LENGTH + input.addresses.length * size + authLength;
  const out = Buffer.alloc(length);
  writeField(out, fieldOf(version, 'version'), version);
  writeField(out, fieldOf(version, 'type'), input.type ?? VRRP_TYPE_ADVERTISEMENT);
  writeField(out, fieldOf(version, 'vrid'), input.vrid);
  writeField(out, fieldOf(version, 'priority'), input.priority);
  writeField(out, fieldOf(version, 'count'), input.addresses.length);
  input.addresses.forEach((text, i) => {
    const parsed = parseAddress(text);
    if (!parsed || parsed.family !== scope.family) {
      throw new RangeError(`VRRP address ${JSON.stringify(text)} is not an IPv${scope.family} address`);
    }
    parsed.bytes.copy(out, VRRP_HEADER_LENGTH + i * size);
  });
  if (input.version === 2) {
    checkRange('advertisement interval (s)', input.intervalSeconds, 1, 255);
    const authType = input.authType ?? (input.authData === undefined ? AuthType.none : AuthType.simple);
    checkRange('auth type', authType, 0, 255);
    writeField(out, fieldOf(2, 'authType'), authType);
    writeField(out, fieldOf(2, 'interval'), input.intervalSeconds);
    if (input.authData !== undefined) {
      const data = typeof input.authData === 'string' ? Buffer.from(input.authData, 'latin1') : Buffer.from(input.authData);
      checkRange('auth data length', data.length, 0, VRRP_V2_AUTH_DATA_LENGTH);
      data.copy(out, length - VRRP_V2_AUTH_DATA_LENGTH);
    }
  } else {
    checkRange('advertisement interval (cs)', input.intervalCentiseconds, 1, 0x0fff);
    writeField(out, fieldOf(3, 'interval'), input.intervalCentiseconds);
  }
  writeField(out, fieldOf(version, 'checksum'), vrrpChecksum(out, length, version, scope));
  return out;
}

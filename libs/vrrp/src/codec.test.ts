import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authPassword,
  decodeAdvert,
  encodeAdvert,
  parseAddress,
  vrrpChecksum,
  type AdvertInput,
  type ChecksumScope,
  type IpContext,
} from './index.js';

// A small seeded generator keeps failures reproducible: the seed is in the message.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 0x100000000;
  };
}
const int = (r: () => number, min: number, max: number) => min + Math.floor(r() * (max - min + 1));

function randomAddress(r: () => number, family: 4 | 6): string {
  if (family === 4) return [0, 0, 0, 0].map(() => int(r, 0, 255)).join('.');
  // Runs of zero words exercise the :: compression.
  return Array.from({ length: 8 }, () => (r() < 0.4 ? 0 : int(r, 0, 0xffff)).toString(16)).join(':');
}

function randomCase(seed: number): { input: AdvertInput; scope: ChecksumScope } {
  const r = rng(seed);
  const family: 4 | 6 = r() < 0.5 ? 4 : 6;
  const version: 2 | 3 = family === 6 ? 3 : r() < 0.5 ? 2 : 3;
  const addresses = Array.from({ length: int(r, 0, family === 4 ? 20 : 8) }, () => randomAddress(r, family));
  const scope: ChecksumScope = {
    family,
    source: parseAddress(randomAddress(r, family))!.bytes,
    destination: parseAddress(family === 4 ? '224.0.0.18' : 'ff02::12')!.bytes,
    v3ChecksumAsV2: family === 4 && r() < 0.2,
  };
  const common = { vrid: int(r, 1, 255), priority: int(r, 0, 255), addresses };
  const input: AdvertInput =
    version === 2
      ? { ...common, version, intervalSeconds: int(r, 1, 255), ...(r() < 0.5 ? { authData: 'pw' + int(r, 0, 999999) } : {}) }
      : { ...common, version, intervalCentiseconds: int(r, 1, 4095) };
  return { input, scope };
}

// Compared as bytes: the property is parse(format(x)) == x, whatever text form went in.
const canonical = (text: string) => parseAddress(text)!.bytes.toString('hex');

describe('VRRP codec round trip', () => {
  it('decodes what it encodes, for 2000 random valid adverts', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const { input, scope } = randomCase(seed);
      const bytes = encodeAdvert(input, scope);
      const result = decodeAdvert(bytes, { ...scope, ttl: 255 });
      assert.ok(result.ok, `seed ${seed}: ${result.ok ? '' : result.message}`);
      const advert = result.advert;
      assert.equal(advert.version, input.version, `seed ${seed}`);
      assert.equal(advert.vrid, input.vrid);
      assert.equal(advert.priority, input.priority);
      assert.equal(advert.count, input.addresses.length);
      assert.equal(advert.type, 1);
      assert.equal(advert.checksum.carried, advert.checksum.computed);
      assert.deepEqual(
        advert.addresses.map(canonical),
        input.addresses.map(canonical),
        `seed ${seed}`,
      );
      if (advert.version === 2 && input.version === 2) {
        assert.equal(advert.intervalSeconds, input.intervalSeconds);
        assert.equal(authPassword(advert), typeof input.authData === 'string' ? input.authData : '');
        assert.equal(advert.authType, input.authData === undefined ? 0 : 1);
      } else if (advert.version === 3 && input.version === 3) {
        assert.equal(advert.intervalCentiseconds, input.intervalCentiseconds);
      }
      // A decoded advert is itself encoder input, and re-encodes to the same bytes.
      assert.deepEqual(encodeAdvert(advert, scope), bytes, `seed ${seed}`);
    }
  });

  it('does not copy: the address bytes are a view of the received buffer', () => {
    const scope: ChecksumScope = { family: 4, source: parseAddress('10.0.0.2')!.bytes, destination: parseAddress('224.0.0.18')!.bytes };
    const bytes = encodeAdvert({ version: 2, vrid: 51, priority: 100, intervalSeconds: 1, addresses: ['10.0.0.100'] }, scope);
    const result = decodeAdvert(bytes, scope);
    assert.ok(result.ok);
    assert.equal(result.advert.addressBytes.buffer, bytes.buffer);
  });
});

describe('VRRP checksums', () => {
  // RFC 1071 worked example: 0001 f203 f4f5 f6f7 sums to ddf2, checksum 220d.
  it('matches the RFC 1071 example', () => {
    const msg = Buffer.from('0001f203f4f5f6f7', 'hex');
    // vrrpChecksum skips octets 6-7 (the checksum field), so put the example's words elsewhere.
    const padded = Buffer.concat([msg.subarray(0, 6), Buffer.alloc(2), msg.subarray(6)]);
    assert.equal(vrrpChecksum(padded, padded.length, 2, undefined), 0x220d);
  });

  it('covers the pseudo-header for v3 and not for v2 or with v3ChecksumAsV2', () => {
    const source = parseAddress('10.0.0.2')!.bytes;
    const destination = parseAddress('224.0.0.18')!.bytes;
    const input: AdvertInput = { version: 3, vrid: 7, priority: 100, intervalCentiseconds: 100, addresses: ['10.0.0.7'] };
    const withPseudo = encodeAdvert(input, { family: 4, source, destination });
    const asV2 = encodeAdvert(input, { family: 4, source, destination, v3ChecksumAsV2: true });
    assert.notDeepEqual(withPseudo, asV2);
    const other = encodeAdvert(input, { family: 4, source: parseAddress('10.0.0.3')!.bytes, destination });
    assert.notEqual(other.readUInt16BE(6), withPseudo.readUInt16BE(6), 'the source address is covered');
    const crossed = decodeAdvert(asV2, { family: 4, source, destination });
    assert.equal(crossed.ok, false);
    assert.equal(!crossed.ok && crossed.reason, 'bad-checksum');
  });
});

describe('VRRP validation reasons', () => {
  const scope4: IpContext = { family: 4, source: parseAddress('10.0.0.2')!.bytes, destination: parseAddress('224.0.0.18')!.bytes, ttl: 255 };
  const good = () => encodeAdvert({ version: 2, vrid: 51, priority: 100, intervalSeconds: 1, authData: '1111', addresses: ['10.0.0.100', '10.0.0.101'] }, scope4);
  const fixChecksum = (b: Buffer, scope: IpContext = scope4) => { b.writeUInt16BE(0, 6); b.writeUInt16BE(vrrpChecksum(b, b.length, b[0]! >> 4, scope), 6); return b; };
  const expectFailure = (bytes: Uint8Array, ip: IpContext, reason: string, field: string, value: number | string, length?: number) => {
    const result = decodeAdvert(bytes, ip, length);
    assert.equal(result.ok, false, `expected ${reason}`);
    if (result.ok) return;
    assert.equal(result.reason, reason, result.message);
    assert.equal(result.field, field);
    assert.equal(result.value, value);
    assert.match(result.message, /\S/);
  };

  it('accepts the unmodified packet', () => assert.ok(decodeAdvert(good(), scope4).ok));
  it('truncated below the fixed header', () => expectFailure(good().subarray(0, 5), scope4, 'truncated', 'length', 5));
  it('truncated: fewer octets captured than the IP length says', () => expectFailure(good().subarray(0, 20), scope4, 'truncated', 'length', 28, 28));
  it('truncated v2 without room for auth data', () => expectFailure(good().subarray(0, 12), scope4, 'truncated', 'length', 12));
  it('bad version', () => { const b = good(); b[0] = 0x41; expectFailure(fixChecksum(b), scope4, 'bad-version', 'version', 4); });
  it('bad type', () => { const b = good(); b[0] = 0x22; expectFailure(fixChecksum(b), scope4, 'bad-type', 'type', 2); });
  it('address count larger than the packet', () => { const b = good(); b[3] = 3; expectFailure(fixChecksum(b), scope4, 'count-mismatch', 'count', 3); });
  it('address count smaller than the packet', () => { const b = good(); b[3] = 1; expectFailure(fixChecksum(b), scope4, 'count-mismatch', 'count', 1); });
  it('TTL not 255', () => expectFailure(good(), { ...scope4, ttl: 64 }, 'bad-ttl', 'ttl', 64));
  it('hop limit not 255', () => {
    const scope6: IpContext = { family: 6, source: parseAddress('fe80::1')!.bytes, destination: parseAddress('ff02::12')!.bytes, ttl: 64 };
    const b = encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCentiseconds: 100, addresses: ['fd00::1'] }, scope6);
    expectFailure(b, scope6, 'bad-ttl', 'hopLimit', 64);
  });
  it('unknown auth type', () => { const b = good(); b[4] = 7; expectFailure(fixChecksum(b), scope4, 'unknown-auth-type', 'authType', 7); });
  it('zero interval (v2)', () => { const b = good(); b[5] = 0; expectFailure(fixChecksum(b), scope4, 'zero-interval', 'interval', 0); });
  it('zero interval (v3)', () => {
    const b = encodeAdvert({ version: 3, vrid: 1, priority: 100, intervalCentiseconds: 100, addresses: ['10.0.0.1'] }, scope4);
    b[4] = 0xf0; b[5] = 0; // reserved bits set, interval zero
    expectFailure(fixChecksum(b), scope4, 'zero-interval', 'interval', 0);
  });
  it('bad checksum keeps the decoded fields for display', () => {
    const b = good(); b[7] = b[7]! ^ 0xff;
    const result = decodeAdvert(b, scope4);
    assert.ok(!result.ok && result.reason === 'bad-checksum');
    assert.equal(result.advert?.vrid, 51);
    assert.deepEqual(result.advert?.addresses, ['10.0.0.100', '10.0.0.101']);
  });
  it('never throws on random bytes', () => {
    const r = rng(42);
    for (let i = 0; i < 20000; i++) {
      const b = Buffer.from(Array.from({ length: int(r, 0, 80) }, () => int(r, 0, 255)));
      if (r() < 0.5) b[0] = r() < 0.5 ? 0x21 : 0x31;
      const result = decodeAdvert(b, r() < 0.5 ? scope4 : { family: 6, source: Buffer.alloc(16), destination: Buffer.alloc(16) });
      if (result.ok) void result.advert.addresses; else assert.ok(result.message.length > 0);
    }
  });
  it('encode refuses out-of-range fields with the field named', () => {
    assert.throws(() => encodeAdvert({ version: 2, vrid: 0, priority: 1, intervalSeconds: 1, addresses: [] }, scope4), /vrid 0/);
    assert.throws(() => encodeAdvert({ version: 3, vrid: 1, priority: 1, intervalCentiseconds: 4096, addresses: [] }, scope4), /interval/);
    assert.throws(() => encodeAdvert({ version: 3, vrid: 1, priority: 1, intervalCentiseconds: 1, addresses: ['fd00::1'] }, scope4), /not an IPv4/);
    assert.throws(() => encodeAdvert({ version: 2, vrid: 1, priority: 1, intervalSeconds: 1, authData: '123456789', addresses: [] }, scope4), /auth data length 9/);
  });
});

describe('addresses', () => {
  const cases: [string, string][] = [
    ['fe80:0:0:0:0:0:0:1', 'fe80::1'],
    ['ff02::12', 'ff02::12'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::ffff:10.1.2.3', '::ffff:10.1.2.3'],
    ['fd77::1:2', 'fd77::1:2'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} prints as ${expected}`, async () => {
      const { formatIPv6 } = await import('./address.js');
      assert.equal(formatIPv6(parseAddress(input)!.bytes), expected);
    });
  }
});

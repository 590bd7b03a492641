import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeDnsHeader, decodeDnsMessage, dnsNameError, dnsTypeCode, dnsTypeName, encodeDnsQuery, rcodeName } from './dnsMessage.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('encodeDnsQuery', () => {
  it('builds the query keepalived builds: RD set, one question of class IN', () => {
    assert.equal(
      Buffer.from(encodeDnsQuery({ id: 0x1234, name: 'example.com', type: 1 })).toString('hex'),
      '1234 0100 0001 0000 0000 0000 07 6578616d706c65 03 636f6d 00 0001 0001'.replace(/ /g, ''),
    );
    // A trailing dot changes nothing; the root is a single zero byte.
    assert.deepEqual(encodeDnsQuery({ id: 1, name: 'example.com.', type: 1 }), encodeDnsQuery({ id: 1, name: 'example.com', type: 1 }));
    assert.equal(Buffer.from(encodeDnsQuery({ id: 2, name: '.', type: 6 })).toString('hex'), '000201000001000000000000' + '00' + '0006' + '0001');
    assert.equal(Buffer.from(encodeDnsQuery({ id: 2, name: '.', type: 6, recursionDesired: false })).subarray(2, 4).toString('hex'), '0000');
  });

  it('refuses names keepalived refuses (empty labels) and the RFC 1035 limits', () => {
    assert.match(dnsNameError('a..b') ?? '', /empty label/);
    assert.match(dnsNameError('.a') ?? '', /empty label/);
    assert.match(dnsNameError('') ?? '', /empty name/);
    assert.match(dnsNameError(`${'a'.repeat(64)}.com`) ?? '', /longer than 63/);
    assert.match(dnsNameError(Array(64).fill('abc').join('.')) ?? '', /longer than 255/);
    assert.equal(dnsNameError('.'), undefined);
    assert.equal(dnsNameError(`${'a'.repeat(63)}.example.`), undefined);
    assert.throws(() => encodeDnsQuery({ id: 1, name: 'a..b', type: 1 }), RangeError);
    assert.throws(() => encodeDnsQuery({ id: 70000, name: 'a', type: 1 }), RangeError);
  });

  it('knows keepalived\'s type names, case-insensitively, and names others as RFC 3597 does', () => {
    assert.equal(dnsTypeCode('aaaa'), 28);
    assert.equal(dnsTypeCode('SOA'), 6);
    assert.equal(dnsTypeCode('SRV'), undefined);
    assert.equal(dnsTypeCode('constructor'), undefined);
    assert.equal(dnsTypeName(48), 'DNSKEY');
    assert.equal(dnsTypeName(33), 'SRV');
    assert.equal(dnsTypeName(65), 'TYPE65');
    assert.equal(rcodeName(3), 'NXDOMAIN');
    assert.equal(rcodeName(15), 'RCODE15');
  });
});

// A reply for "example.com" with compressed names: A, AAAA, CNAME, MX, TXT in
// the answers, SOA in the authority section, an unknown type in the additionals.
const REPLY = hex(`
  abcd 8580 0001 0005 0001 0001
  07 6578616d706c65 03 636f6d 00 0001 0001
  c00c 0001 0001 0000012c 0004 c0000201
  c00c 001c 0001 0000012c 0010 20010db8000000000000000000000001
  c00c 0005 0001 00000e10 0006 03 777777 c00c
  c00c 000f 0001 00000e10 0009 000a 04 6d61696c c00c
  c00c 0010 0001 00000e10 000c 05 68656c6c6f 05 776f726c64
  c00c 0006 0001 00000e10 0026 02 6e73 c00c 0a 686f73746d6173746572 c00c 00000001 00000002 00000003 00000004 00000005
  c00c 0041 0001 00000e10 0002 0102
`);

describe('decodeDnsMessage', () => {
  it('reads flags, questions and every section, following compression pointers', () => {
    const decoded = decodeDnsMessage(REPLY);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.reason);
    const m = decoded.message;
    assert.equal(m.id, 0xabcd);
    assert.deepEqual([m.response, m.opcode, m.authoritative, m.truncated, m.recursionDesired, m.recursionAvailable, m.rcode], [true, 0, true, false, true, true, 0]);
    assert.deepEqual(m.questions, [{ name: 'example.com', type: 1, class: 1 }]);
    assert.deepEqual(
      m.answers.map((r) => [r.name, dnsTypeName(r.type), r.ttl, r.data]),
      [
        ['example.com', 'A', 300, '192.0.2.1'],
        ['example.com', 'AAAA', 300, '2001:db8::1'],
        ['example.com', 'CNAME', 3600, 'www.example.com.'],
        ['example.com', 'MX', 3600, '10 mail.example.com.'],
        ['example.com', 'TXT', 3600, '"hello" "world"'],
      ],
    );
    assert.deepEqual(m.authorities.map((r) => r.data), ['ns.example.com. hostmaster.example.com. 1 2 3 4 5']);
    assert.deepEqual(m.additionals.map((r) => [dnsTypeName(r.type), r.data]), [['TYPE65', '\\# 2 0102']]);
  });

  it('gives a reason, never an exception, for every truncation of a good reply', () => {
    for (let length = 0; length < REPLY.length; length++) {
      const decoded = decodeDnsMessage(REPLY.subarray(0, length));
      assert.equal(decoded.ok, false, `length ${length}`);
      if (!decoded.ok) assert.match(decoded.reason, /undersized|ends inside/);
    }
  });

  it('stops at compression loops and bad label types', () => {
    const loop = hex('0001 8180 0001 0000 0000 0000 c00c 0001 0001');
    const decoded = decodeDnsMessage(loop);
    assert.equal(decoded.ok, false);
    if (!decoded.ok) assert.match(decoded.reason, /loops/);
    const extended = decodeDnsMessage(hex('0001 8180 0001 0000 0000 0000 41 00 0001 0001'));
    assert.equal(extended.ok, false);
    if (!extended.ok) assert.match(extended.reason, /unknown type 0x40/);
    const badA = decodeDnsMessage(hex('0001 8180 0000 0001 0000 0000 00 0001 0001 00000000 0003 010203'));
    assert.equal(badA.ok, false);
    if (!badA.ok) assert.match(badA.reason, /A record data is 3 bytes/);
  });

  it('reads the header alone from replies too broken to parse', () => {
    assert.deepEqual(decodeDnsHeader(hex('beef 8183 0001 0000 0000 0000 ff')), { id: 0xbeef, response: true, rcode: 3 });
    assert.equal(decodeDnsHeader(hex('beef 8183')), undefined);
  });
});

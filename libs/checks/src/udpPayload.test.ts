import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHexString, replyMismatch, UDP_DEFAULT_PAYLOAD } from './udpPayload.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('parseHexString (keepalived read_hex_str)', () => {
  it('reads digit pairs, spaces between bytes, and a lone digit as one byte', () => {
    assert.deepEqual(parseHexString('68656c6c6f'), { data: bytes(0x68, 0x65, 0x6c, 0x6c, 0x6f) });
    assert.deepEqual(parseHexString('DE AD\tbe ef'), { data: bytes(0xde, 0xad, 0xbe, 0xef) });
    assert.deepEqual(parseHexString('1 2 abc'), { data: bytes(0x01, 0x02, 0xab, 0x0c) });
  });

  it('takes x as a wildcard nibble only where allowed, and refuses anything else', () => {
    assert.deepEqual(parseHexString('0x 1X', { wildcards: true }), { data: bytes(0x00, 0x10), mask: bytes(0x0f, 0x0f) });
    assert.equal(parseHexString('0x'), undefined);
    assert.equal(parseHexString('hello'), undefined);
    assert.equal(parseHexString('  '), undefined);
    assert.equal(parseHexString(''), undefined);
  });

  it("keepalived's default payload is 32 bytes of its banner", () => {
    assert.equal(Buffer.from(UDP_DEFAULT_PAYLOAD).toString('latin1'), 'keepalived check - keepalived ch');
  });
});

describe('replyMismatch (keepalived check_udp_reply)', () => {
  it('compares as many bytes as both have, outside wildcard nibbles', () => {
    const expected = parseHexString('50 4x 4e 47', { wildcards: true })!;
    assert.equal(replyMismatch(Buffer.from('PING'), expected), undefined);
    assert.equal(replyMismatch(Buffer.from('POND'), expected), 'reply differs at byte 3: 0x44, want 0x47');
    assert.equal(replyMismatch(Buffer.from('PANG'), expected), undefined);
    assert.equal(replyMismatch(Buffer.from('PQNG'), expected), 'reply differs at byte 1: 0x51, want 0x40 (mask 0x0f)');
    assert.equal(replyMismatch(Buffer.from('QING'), expected), 'reply differs at byte 0: 0x51, want 0x50');
    // A shorter reply that agrees so far matches, as in keepalived.
    assert.equal(replyMismatch(Buffer.from('PI'), expected), undefined);
  });

  it('bounds the length by min and max (default 0 to 255)', () => {
    const expected = { data: bytes(0x41) };
    assert.equal(replyMismatch(Buffer.alloc(256, 0x41), expected), 'reply is 256 bytes, not 0 to 255');
    assert.equal(replyMismatch(Buffer.from('A'), { ...expected, minLength: 2 }), 'reply is 1 bytes, not 2 to 255');
    assert.equal(replyMismatch(Buffer.from('AB'), { ...expected, minLength: 2, maxLength: 2 }), undefined);
  });
});

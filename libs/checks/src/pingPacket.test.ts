import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldChecksum, sumWords } from '@keepalived-ts/vrrp';
import { encodeEchoRequest, parseIcmpMessage, PING_PAYLOAD } from './pingPacket.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const IPV4_HEADER = '4500 00a4 0000 4000 4001 0000 0a000002 0a000001';

describe('encodeEchoRequest', () => {
  it("sends keepalived's 128 bytes with a good ICMP checksum", () => {
    const request = Buffer.from(encodeEchoRequest({ family: 4, identifier: 0x1234, sequence: 7 }));
    assert.equal(request.length, 8 + 128);
    assert.equal(request.subarray(0, 2).toString('hex'), '0800');
    assert.equal(request.subarray(4, 8).toString('hex'), '12340007');
    assert.equal(Buffer.from(PING_PAYLOAD).toString('latin1', 0, 24), 'keepalived check - keepa');
    // A message with its checksum in place sums to zero.
    assert.equal(foldChecksum(sumWords(request, 0, request.length)), 0);
  });

  it('leaves the ICMPv6 checksum to the kernel', () => {
    const request = Buffer.from(encodeEchoRequest({ family: 6, identifier: 1, sequence: 0x10001, payload: Buffer.from('hi') }));
    assert.equal(request.toString('hex'), '80000000' + '00010001' + '6869');
  });
});

describe('parseIcmpMessage', () => {
  it('finds echo replies after the IPv4 header (any header length) and in ICMPv6', () => {
    assert.deepEqual(parseIcmpMessage(4, hex(`${IPV4_HEADER} 0000 0000 1234 0007 ${'00'.repeat(8)}`)), { kind: 'echo-reply', identifier: 0x1234, sequence: 7 });
    assert.deepEqual(parseIcmpMessage(4, hex(`4600 0000 0000 0000 4001 0000 0a000002 0a000001 01010101 0000 0000 0001 0002`)), { kind: 'echo-reply', identifier: 1, sequence: 2 });
    assert.deepEqual(parseIcmpMessage(6, hex('8100 0000 abcd 0001')), { kind: 'echo-reply', identifier: 0xabcd, sequence: 1 });
  });

  it('ignores requests and other messages, and reports the undersized', () => {
    assert.deepEqual(parseIcmpMessage(4, hex(`${IPV4_HEADER} 0800 0000 1234 0007`)), { kind: 'other' });
    assert.deepEqual(parseIcmpMessage(6, hex('8700 0000 0000 0000')), { kind: 'other' });
    assert.deepEqual(parseIcmpMessage(4, hex('4500')), { kind: 'malformed', reason: 'IPv4 packet is undersized (2 < 20)' });
    assert.deepEqual(parseIcmpMessage(6, hex('8100')), { kind: 'malformed', reason: 'ICMP message is undersized (2 < 8)' });
  });

  it('ties an ICMP error to the echo request it quotes', () => {
    // Host unreachable from a router, quoting our request to 10.0.0.9.
    const v4 = hex(`${IPV4_HEADER} 0301 0000 00000000 4500 00a4 0000 4000 4001 0000 0a000001 0a000009 0800 0000 1234 0007`);
    assert.deepEqual(parseIcmpMessage(4, v4), { kind: 'error', identifier: 0x1234, sequence: 7, destination: '10.0.0.9', unreachable: true, detail: 'host unreachable' });
    // Time exceeded quoting a UDP datagram is not ours.
    const udp = hex(`${IPV4_HEADER} 0b00 0000 00000000 4500 0020 0000 4000 0111 0000 0a000001 0a000009 0035 0035 000c 0000`);
    assert.deepEqual(parseIcmpMessage(4, udp), { kind: 'other' });
    // ICMPv6 address unreachable quoting our echo request to fd00::9.
    const v6 = hex(`0103 0000 00000000 6000 0000 0088 3a40 fd000000000000000000000000000001 fd000000000000000000000000000009 8000 0000 0042 0001`);
    assert.deepEqual(parseIcmpMessage(6, v6), { kind: 'error', identifier: 0x42, sequence: 1, destination: 'fd00::9', unreachable: true, detail: 'address unreachable' });
  });
});

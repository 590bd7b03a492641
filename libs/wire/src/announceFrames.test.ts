import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { foldChecksum, sumWords } from '@keepalived-ts/vrrp';
import {
  decodeArp,
  decodeCapturedFrame,
  decodeNeighbourAdvert,
  encodeGratuitousArp,
  encodeUnsolicitedNeighbourAdvert,
  LinkType,
  PcapWriter,
} from './index.js';

// Captured from Debian's keepalived 2.2.7 becoming master (vrrp_garp_master_repeat 3)
// with `tcpdump -e -xx` in the peer namespace; MAC 5e:0f:28:cd:71:31,
// VIPs 10.77.0.100 and fd77::100, net.ipv6.conf.eth0.forwarding 0:
//   5e:0f:28:cd:71:31 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4),
//     Request who-has 10.77.0.100 (ff:ff:ff:ff:ff:ff) tell 10.77.0.100, length 28
//   5e:0f:28:cd:71:31 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58)
//     payload length: 32) fd77::100 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32,
//     tgt is fd77::100, Flags [override]
const KEEPALIVED_GARP = Buffer.from(
  'ffffffffffff5e0f28cd71310806' + '0001080006040001' + '5e0f28cd7131' + '0a4d0064' + 'ffffffffffff' + '0a4d0064',
  'hex',
);
const KEEPALIVED_NA = Buffer.from(
  '3333000000015e0f28cd713186dd' +
    '6000000000203aff' + 'fd770000000000000000000000000100' + 'ff020000000000000000000000000001' +
    '880061a220000000' + 'fd770000000000000000000000000100' + '02015e0f28cd7131',
  'hex',
);
const MAC = '5e:0f:28:cd:71:31';

describe('gratuitous ARP', () => {
  it('is byte for byte what keepalived 2.2.7 sends', () => {
    const frame = encodeGratuitousArp({ mac: MAC, ip: '10.77.0.100', kind: 'request' });
    assert.equal(frame.toString('hex'), KEEPALIVED_GARP.toString('hex'));
  });

  it('decodes as a gratuitous request from the VIP, target MAC broadcast', () => {
    const arp = decodeArp(encodeGratuitousArp({ mac: MAC, ip: '10.77.0.100', kind: 'request' }), 14);
    assert.deepEqual(arp, {
      kind: 'arp', operation: 'request', senderMac: MAC, senderIp: '10.77.0.100',
      targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: '10.77.0.100', gratuitous: true, length: 28,
    });
  });

  it('as a reply carries op 2 and its own MAC as the target MAC (as arping -A)', () => {
    const frame = encodeGratuitousArp({ mac: Buffer.from('020000000001', 'hex'), ip: '192.0.2.7', kind: 'reply' });
    assert.equal(frame.subarray(0, 6).toString('hex'), 'ffffffffffff');
    const arp = decodeArp(frame, 14);
    assert.equal(arp?.operation, 'reply');
    assert.equal(arp?.targetMac, '02:00:00:00:00:01');
    assert.equal(arp?.gratuitous, true);
  });

  it('refuses what it cannot encode', () => {
    assert.throws(() => encodeGratuitousArp({ mac: MAC, ip: 'fd00::1', kind: 'request' }), RangeError);
    assert.throws(() => encodeGratuitousArp({ mac: '5e:0f:28', ip: '10.0.0.1', kind: 'request' }), RangeError);
    assert.throws(() => encodeGratuitousArp({ mac: new Uint8Array(5), ip: '10.0.0.1', kind: 'request' }), RangeError);
  });
});

describe('unsolicited neighbour advertisement', () => {
  it('is byte for byte what keepalived 2.2.7 sends (checksum included)', () => {
    const frame = encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: 'fd77::100' });
    assert.equal(frame.toString('hex'), KEEPALIVED_NA.toString('hex'));
  });

  it('decodes as an override-only advert for the VIP with its link-layer address', () => {
    const frame = encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: 'fd77::100' });
    const decoded = decodeCapturedFrame(frame, LinkType.ethernet);
    assert.equal(decoded.kind, 'na');
    if (decoded.kind !== 'na') return;
    assert.equal(decoded.ip.header.family === 6 && decoded.ip.header.hopLimit, 255);
    assert.deepEqual(decoded.na, { kind: 'na', target: 'fd77::100', router: false, solicited: false, override: true, targetMac: MAC, length: 32 });
    assert.deepEqual(decodeNeighbourAdvert(frame, 54, frame.length), decoded.na);
  });

  it('sets the router flag when asked, and the checksum follows', () => {
    const frame = encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: 'fd77::100', router: true });
    assert.equal(frame[58], 0xa0);
    // Pseudo-header (source, destination, length, next header) plus the whole message, checksum included, sums to 0xffff.
    const sum = sumWords(frame, 22, 54, 32 + 58) + sumWords(frame, 54, 86);
    assert.equal(foldChecksum(sum), 0);
    assert.notEqual(frame.readUInt16BE(56), 0x61a2);
  });

  it('refuses an IPv4 address', () => {
    assert.throws(() => encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: '10.0.0.1' }), RangeError);
  });
});

// tshark is the second opinion: an independent dissector, checksum validation on.
const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;

describe('as tshark reads them', { skip: hasTshark ? false : 'tshark is not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'kt-announce-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('ARP request and reply are gratuitous; the NA checksum is good', () => {
    const path = join(dir, 'announce.pcap');
    const writer = new PcapWriter(path, LinkType.ethernet);
    writer.write(1_700_000_000, 0, encodeGratuitousArp({ mac: MAC, ip: '10.77.0.100', kind: 'request' }));
    writer.write(1_700_000_000, 1, encodeGratuitousArp({ mac: MAC, ip: '10.77.0.100', kind: 'reply' }));
    writer.write(1_700_000_000, 2, encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: 'fd77::100' }));
    writer.write(1_700_000_000, 3, encodeUnsolicitedNeighbourAdvert({ mac: MAC, ip: 'fd77::100', router: true }));
    writer.close();
    const result = spawnSync('tshark', ['-n', '-r', path, '-V'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const text = result.stdout;
    const frames = text.split(/^Frame \d+:/m).slice(1);
    assert.equal(frames.length, 4, text);
    const [request, reply, advert, routerAdvert] = frames as [string, string, string, string];
    assert.match(request, /Opcode: request \(1\)/);
    assert.match(request, /\[Is gratuitous: True\]/);
    assert.match(request, /Target MAC address: (Broadcast \()?ff:ff:ff:ff:ff:ff/);
    assert.match(reply, /Opcode: reply \(2\)/);
    assert.match(reply, /\[Is gratuitous: True\]/);
    for (const na of [advert, routerAdvert]) {
      assert.match(na, /Type: Neighbor Advertisement \(136\)/);
      assert.match(na, /\[Checksum Status: Good\]/);
      assert.match(na, /Hop Limit: 255/);
      assert.match(na, /Target Address: fd77::100/);
      assert.match(na, /Link-layer address: 5e:0f:28:cd:71:31/);
      assert.doesNotMatch(na, /Solicited.*= Solicited: Set/);
    }
    assert.match(advert, /\.\.1\. .*= Override: Set/);
    assert.match(advert, /0\.\.\. .*= Router: Not set/);
    assert.match(routerAdvert, /1\.\.\. .*= Router: Set/);
  });
});

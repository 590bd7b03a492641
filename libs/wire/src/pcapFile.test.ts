import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeCapturedFrame, encodeVrrpFrame, LinkType, PcapFileError, PcapWriter, readPcapFile, type PcapRecord } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'kt-pcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const frame = encodeVrrpFrame({
  source: '10.0.0.2', destination: '224.0.0.18', id: 3, sourceMac: Buffer.from('020000000001', 'hex'),
  advert: { version: 2, vrid: 51, priority: 100, intervalSeconds: 1, authData: 'pw', addresses: ['10.0.0.100'] },
});

function writeFile(name: string, count: number): string {
  const path = join(dir, name);
  const writer = new PcapWriter(path, LinkType.ethernet);
  for (let i = 0; i < count; i++) writer.write(1700000000 + i, i, frame);
  writer.close();
  return path;
}

function readAll(path: string, chunkSize?: number): { records: { seconds: number; micros: number; length: number }[]; error?: PcapFileError } {
  const records: { seconds: number; micros: number; length: number }[] = [];
  try {
    readPcapFile(path, () => undefined, (r: PcapRecord) => records.push({ seconds: r.seconds, micros: r.micros, length: r.capturedLength }), chunkSize);
    return { records };
  } catch (error) {
    assert.ok(error instanceof PcapFileError, String(error));
    return { records, error };
  }
}

describe('pcap files', () => {
  it('reads back what it writes, across chunk boundaries', () => {
    const path = writeFile('ok.pcap', 100);
    for (const chunk of [64, 100, 4096]) {
      const { records, error } = readAll(path, chunk);
      assert.equal(error, undefined);
      assert.equal(records.length, 100);
      assert.deepEqual(records[99], { seconds: 1700000099, micros: 99, length: frame.length });
    }
  });

  it('reports a truncated packet after delivering the whole ones', () => {
    const path = writeFile('cut.pcap', 5);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    const { records, error } = readAll(path);
    assert.equal(records.length, 4);
    assert.match(error!.message, /truncated packet at offset \d+ after 4 packets/);
    assert.equal(error!.packetsRead, 4);
  });

  it('reports a truncated record header', () => {
    const path = writeFile('cut-header.pcap', 2);
    writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.alloc(7)]));
    const { records, error } = readAll(path);
    assert.equal(records.length, 2);
    assert.match(error!.message, /truncated record header/);
  });

  it('reports an implausible record length as corrupt', () => {
    const path = writeFile('corrupt.pcap', 3);
    const bytes = readFileSync(path);
    const second = 24 + 16 + frame.length;
    bytes.writeUInt32LE(0x7fffffff, second + 8);
    writeFileSync(path, bytes);
    const { records, error } = readAll(path);
    assert.equal(records.length, 1);
    assert.match(error!.message, /corrupt record at offset \d+: captured length 2147483647/);
  });

  it('refuses empty files, foreign files and pcapng with a reason', () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, '');
    assert.match(readAll(empty).error!.message, /empty file/);
    const text = join(dir, 'text.pcap');
    writeFileSync(text, 'this is not a capture file at all');
    assert.match(readAll(text).error!.message, /not a pcap file \(magic 0x74686973\)/);
    const ng = join(dir, 'ng.pcapng');
    writeFileSync(ng, Buffer.from('0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000', 'hex'));
    assert.match(readAll(ng).error!.message, /pcapng files are not supported; convert with: editcap/);
  });

  it('reads big-endian and nanosecond files', () => {
    const header = Buffer.alloc(24);
    header.writeUInt32BE(0xa1b23c4d, 0);
    header.writeUInt16BE(2, 4); header.writeUInt16BE(4, 6);
    header.writeUInt32BE(65535, 16); header.writeUInt32BE(1, 20);
    const record = Buffer.alloc(16);
    record.writeUInt32BE(1700000000, 0); record.writeUInt32BE(123456789, 4);
    record.writeUInt32BE(frame.length, 8); record.writeUInt32BE(frame.length, 12);
    const path = join(dir, 'be-ns.pcap');
    writeFileSync(path, Buffer.concat([header, record, frame]));
    assert.deepEqual(readAll(path).records, [{ seconds: 1700000000, micros: 123456, length: frame.length }]);
  });
});

describe('captured frames', () => {
  it('finds the advert in an Ethernet frame with padding beyond the IP length', () => {
    const padded = Buffer.concat([frame, Buffer.alloc(18)]);
    const decoded = decodeCapturedFrame(padded, LinkType.ethernet);
    assert.equal(decoded.kind, 'vrrp');
    assert.ok(decoded.kind === 'vrrp' && decoded.vrrp.ok && decoded.vrrp.advert.vrid === 51);
  });

  it('reports a frame cut inside the VRRP message as truncated', () => {
    const decoded = decodeCapturedFrame(frame.subarray(0, frame.length - 4), LinkType.ethernet);
    assert.ok(decoded.kind === 'vrrp' && !decoded.vrrp.ok && decoded.vrrp.reason === 'truncated');
  });

  it('reports a broken IPv4 header as malformed', () => {
    const broken = Buffer.from(frame);
    broken[14] = 0x42; // IHL 2: shorter than the fixed header
    const decoded = decodeCapturedFrame(broken, LinkType.ethernet);
    assert.equal(decoded.kind, 'malformed');
  });

  it('decodes a gratuitous ARP request', () => {
    const arp = Buffer.from('ffffffffffff020000000001080600010800060400010200000000010a000064ffffffffffff0a000064', 'hex');
    const decoded = decodeCapturedFrame(arp, LinkType.ethernet);
    assert.ok(decoded.kind === 'arp');
    assert.equal(decoded.arp.operation, 'request');
    assert.equal(decoded.arp.senderIp, '10.0.0.100');
    assert.equal(decoded.arp.targetMac, 'ff:ff:ff:ff:ff:ff');
    assert.ok(decoded.arp.gratuitous);
  });
});

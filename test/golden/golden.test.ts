// Real keepalived, judged by real tcpdump: captures every golden case (about
// 8 s, needs root), reads each pcap with tcpdump at three verbosities and
// checks the parsed records against what the keepalived config said. Our own
// codec is not involved, so these captures can then judge it.
//
//   node --import tsx --conditions=source --test test/golden/golden.test.ts
//
// GOLDEN_UPDATE_SAMPLES=1 rewrites test/golden/samples/*.txt from this run's
// captures (they are also written when missing); otherwise the committed
// samples are only parsed and checked, which needs no root.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { listNamespaces, readPcapText, runCommand, uniquePrefix } from '@keepalived-ts/test-utils';
import { authPassword, authTypeName, formatAddress, intervalCentiseconds, type DecodeResult } from '@keepalived-ts/vrrp';
import { decodeCapturedFrame, LinkType, readPcapFile, type LinkTypeCode } from '@keepalived-ts/wire';
import {
  captureKeepalivedGolden,
  GOLDEN_CASES,
  MIN_ADVERTS,
  type GoldenCase,
  type GoldenCaseName,
  type GoldenExpectation,
} from './capture.js';
import { parseTcpdumpVrrp, type TcpdumpVrrpRecord } from './tcpdumpText.js';

const SAMPLES_DIR = fileURLToPath(new URL('./samples/', import.meta.url));
const VERBOSITIES = [['-nn'], ['-nn', '-v'], ['-nn', '-vv']] as const;
const isRoot = process.getuid?.() === 0;
const needsRoot = isRoot ? false : 'needs root (network namespaces, keepalived, tcpdump)';

let outDir = '';
const labPrefix = uniquePrefix('gold');
const captured = new Map<GoldenCaseName, GoldenCase>();

before(async () => {
  if (!isRoot) return;
  outDir = await mkdtemp(join(tmpdir(), 'golden-'));
  for (const golden of await captureKeepalivedGolden(outDir, { prefix: labPrefix })) captured.set(golden.name, golden);
});

after(async () => {
  if (outDir !== '') await rm(outDir, { recursive: true, force: true });
});

function capturedCase(name: GoldenCaseName): GoldenCase {
  const golden = captured.get(name);
  assert.ok(golden, `no capture for ${name}`);
  return golden;
}

/** VRRP length: the 8-byte header, the addresses, and VRRPv2's 8 bytes of auth data. */
function vrrpLength(expected: GoldenExpectation): number {
  const addressBytes = expected.family === 'ipv4' ? 4 : 16;
  return 8 + expected.vips.length * addressBytes + (expected.version === 2 ? 8 : 0);
}

/** Checks tcpdump's reading of one capture against what the config said. */
function checkRecords(records: readonly TcpdumpVrrpRecord[], expected: GoldenExpectation, verbose: boolean, label: string): void {
  const steady = expected.endsWithPriorityZero ? records.slice(0, -1) : records;
  assert.ok(steady.length >= MIN_ADVERTS, `${label}: ${steady.length} adverts, want >= ${MIN_ADVERTS}`);
  if (expected.endsWithPriorityZero) assert.equal(records.at(-1)?.vrrp.prio, 0, `${label}: last advert should have priority 0`);

  for (const [index, record] of records.entries()) {
    const at = `${label} packet ${index + 1}: ${record.raw}`;
    const { ip, vrrp } = record;
    assert.match(record.timestamp ?? '', /^\d\d:\d\d:\d\d\.\d{6}$/, at);
    assert.equal(ip.family, expected.family === 'ipv4' ? 'IP' : 'IP6', at);
    assert.equal(ip.src, expected.source, at);
    assert.equal(ip.dst, expected.destination, at);

    assert.equal(vrrp.version, expected.version, at);
    assert.equal(vrrp.type, 'Advertisement', at);
    assert.equal(vrrp.vrid, expected.vrid, at);
    assert.equal(vrrp.prio, record === records.at(-1) && expected.endsWithPriorityZero ? 0 : expected.priority, at);
    // tcpdump prints VRRPv2's interval in seconds and VRRPv3's in centiseconds.
    assert.equal(vrrp.intvlUnit, expected.version === 2 ? 's' : 'cs', at);
    assert.equal(vrrp.intervalCs, expected.advertIntervalCs, at);
    assert.equal(vrrp.authtype, expected.version === 3 ? undefined : expected.authType === 'pass' ? 'simple' : 'none', at);
    assert.equal(vrrp.length, vrrpLength(expected), at);
    // keepalived sends with TTL / hop limit 255 (RFC 3768 5.2.3, RFC 5798 5.1.1.3), so no "(ttl N)" note.
    assert.equal(vrrp.ttlNote, undefined, at);

    if (verbose) {
      assert.deepEqual(vrrp.addrs, expected.vips, at);
      assert.equal(vrrp.addrCount, expected.vips.length > 1 ? expected.vips.length : undefined, at);
      assert.equal(vrrp.auth, expected.authType === 'pass' ? expected.authPass : undefined, at);
      assert.equal(vrrp.badChecksum, undefined, at);
      assert.equal(ip.ttl, 255, at);
      // keepalived marks its adverts as network control traffic (IPTOS_PREC_INTERNETCONTROL).
      assert.equal(ip.tos, 0xc0, at);
      if (expected.family === 'ipv4') {
        assert.equal(ip.length, 20 + vrrpLength(expected), at);
        // No DF: keepalived turns path-MTU discovery off on its socket.
        assert.equal(ip.flags, 'none', at);
        assert.equal(ip.offset, 0, at);
        assert.ok(ip.id !== undefined, at);
      } else {
        assert.equal(ip.length, vrrpLength(expected), at);
        assert.equal(ip.id, undefined, at);
      }
    } else {
      assert.equal(vrrp.addrs, undefined, at);
      assert.equal(vrrp.auth, undefined, at);
      assert.equal(ip.ttl, undefined, at);
    }
  }
}

for (const definition of GOLDEN_CASES) {
  test(`${definition.name}: tcpdump reads keepalived's adverts as configured`, { skip: needsRoot }, async () => {
    const golden = capturedCase(definition.name);
    assert.deepEqual(golden.expected, definition.expected);
    const sample: string[] = [];
    for (const flags of VERBOSITIES) {
      const result = await readPcapText(golden.pcapFile, flags);
      assert.equal(result.code, 0, result.stderr);
      const records = parseTcpdumpVrrp(result.stdout);
      assert.equal(records.length, golden.advertsCaptured, `${flags.join(' ')}: record count`);
      checkRecords(records, golden.expected, flags.length > 1, `${definition.name} ${flags.join(' ')}`);
      sample.push(`# tcpdump ${flags.join(' ')} -r ${basename(golden.pcapFile)}`, result.stdout.trimEnd(), '');
    }
    await writeSample(definition.name, sample.join('\n'));
  });
}

test('the committed samples parse to what each config said', async () => {
  for (const definition of GOLDEN_CASES) {
    const file = join(SAMPLES_DIR, `${definition.name}.txt`);
    if (!existsSync(file)) assert.fail(`missing sample ${file}: run this test as root once`);
    const sections = splitSample(await readFile(file, 'utf8'));
    assert.deepEqual(sections.map((section) => section.flags), VERBOSITIES.map((flags) => flags.join(' ')), file);
    for (const section of sections) {
      checkRecords(parseTcpdumpVrrp(section.text), definition.expected, section.flags !== '-nn', `${file} ${section.flags}`);
    }
  }
});

// tcpdump's verdicts on packets keepalived never sends (a bad checksum, a TTL
// other than 255), made by editing real captures so that the text is real
// tcpdump output. vrrpdump must print these the same way.
interface PacketEdit {
  readonly file: string;
  readonly from: GoldenCaseName;
  readonly edit: (ip: Buffer, vrrp: Buffer) => void;
  readonly badChecksum: boolean;
  readonly ttl: number;
}

const flipVrrpChecksum = (_ip: Buffer, vrrp: Buffer): void => {
  vrrp.writeUInt16BE(vrrp.readUInt16BE(6) ^ 0xffff, 6);
};

const PACKET_EDITS: readonly PacketEdit[] = [
  { file: 'v2-bad-checksum.pcap', from: 'v2-pass', edit: flipVrrpChecksum, badChecksum: true, ttl: 255 },
  // tcpdump 4.99 checks VRRPv3 over IPv6 with the IPv6 pseudo-header too.
  { file: 'v3-ipv6-bad-checksum.pcap', from: 'v3-ipv6', edit: flipVrrpChecksum, badChecksum: true, ttl: 255 },
  {
    file: 'v3-ttl-64.pcap',
    from: 'v3-ipv4',
    // The TTL is not in VRRPv3's pseudo-header: only the IP header checksum changes.
    edit: (ip) => {
      ip.writeUInt8(64, 8);
      fixIpv4HeaderChecksum(ip);
    },
    badChecksum: false,
    ttl: 64,
  },
];

test('tcpdump flags a bad VRRP checksum (-v) and a TTL other than 255 (always)', { skip: needsRoot }, async () => {
  const sample: string[] = [];
  for (const packetEdit of PACKET_EDITS) {
    const file = join(outDir, packetEdit.file);
    await rewritePcap(capturedCase(packetEdit.from).pcapFile, file, packetEdit.edit);
    const expected = capturedCase(packetEdit.from).expected;
    for (const flags of VERBOSITIES) {
      const result = await readPcapText(file, flags);
      const records = parseTcpdumpVrrp(result.stdout);
      assert.ok(records.length >= MIN_ADVERTS, result.stdout);
      const verbose = flags.length > 1;
      for (const record of records) {
        // tcpdump verifies the checksum only with -v, and prints the field's value in hex.
        if (packetEdit.badChecksum && verbose) assert.match(record.vrrp.badChecksum ?? '', /^[0-9a-f]{1,4}$/, record.raw);
        else assert.equal(record.vrrp.badChecksum, undefined, record.raw);
        // The "(ttl N)" note comes at every verbosity, the header's ttl with -v.
        assert.equal(record.vrrp.ttlNote, packetEdit.ttl === 255 ? undefined : packetEdit.ttl, record.raw);
        assert.equal(record.ip.ttl, verbose ? packetEdit.ttl : undefined, record.raw);
        assert.equal(record.vrrp.vrid, expected.vrid, record.raw);
        assert.deepEqual(record.vrrp.addrs, verbose ? expected.vips : undefined, record.raw);
        assert.equal(record.vrrp.auth, verbose && expected.authType === 'pass' ? expected.authPass : undefined, record.raw);
      }
      sample.push(`# tcpdump ${flags.join(' ')} -r ${packetEdit.file}`, result.stdout.trimEnd(), '');
    }
  }
  await writeSample('edited-packets', sample.join('\n'));
});

test('parseTcpdumpVrrp skips what is not VRRP', () => {
  const text = [
    'reading from file x.pcap, link-type EN10MB (Ethernet), snapshot length 262144',
    '15:13:00.000001 ARP, Request who-has 10.77.1.2 tell 10.77.1.1, length 28',
    '15:13:00.956627 IP 10.77.1.1 > 224.0.0.18: VRRPv2, Advertisement, vrid 51, prio 100, authtype simple, intvl 1s, length 20',
    '15:13:01.000000 IP 10.77.1.1 > 10.77.1.2: ICMP echo request, id 1, seq 1, length 64',
  ].join('\n');
  const records = parseTcpdumpVrrp(text);
  assert.equal(records.length, 1);
  assert.equal(records[0]?.vrrp.vrid, 51);
});

test('no lab namespace is left behind', { skip: needsRoot }, async () => {
  assert.deepEqual(await listNamespaces(labPrefix), []);
});

async function writeSample(name: string, text: string): Promise<void> {
  const file = join(SAMPLES_DIR, `${name}.txt`);
  if (process.env.GOLDEN_UPDATE_SAMPLES === '1' || !existsSync(file)) await writeFile(file, `${text.trimEnd()}\n`);
}

/** Splits a sample file into its "# tcpdump FLAGS -r FILE" sections. */
function splitSample(text: string): { flags: string; text: string }[] {
  const sections: { flags: string; text: string }[] = [];
  for (const line of text.split('\n')) {
    const header = /^# tcpdump (.*) -r \S+$/.exec(line);
    if (header?.[1] !== undefined) sections.push({ flags: header[1], text: '' });
    else if (sections.length > 0) {
      const current = sections[sections.length - 1];
      if (current) current.text += `${line}\n`;
    }
  }
  return sections;
}

/**
 * Copies a pcap file (Ethernet, IPv4 without options or IPv6 without extension
 * headers), letting `edit` change each packet's IP header and VRRP bytes in place.
 */
async function rewritePcap(source: string, target: string, edit: (ip: Buffer, vrrp: Buffer) => void): Promise<void> {
  const data = await readFile(source);
  const magic = data.readUInt32LE(0);
  const littleEndian = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (offset: number): number => (littleEndian ? data.readUInt32LE(offset) : data.readUInt32BE(offset));
  assert.equal(u32(20), 1, 'link type should be Ethernet');
  for (let offset = 24, count = 0; offset + 16 <= data.length && count < 10_000; count += 1) {
    const capturedLength = u32(offset + 8);
    const frame = data.subarray(offset + 16, offset + 16 + capturedLength);
    const etherType = frame.readUInt16BE(12);
    const ip = frame.subarray(14);
    const headerLength = etherType === 0x0800 ? (ip.readUInt8(0) & 0x0f) * 4 : 40;
    edit(ip, ip.subarray(headerLength));
    offset += 16 + capturedLength;
  }
  await writeFile(target, data);
}

function fixIpv4HeaderChecksum(ip: Buffer): void {
  const headerLength = (ip.readUInt8(0) & 0x0f) * 4;
  ip.writeUInt16BE(0, 10);
  let sum = 0;
  for (let i = 0; i < headerLength; i += 2) sum += ip.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
}

// ---------------------------------------------------------------------------
// Our codec and vrrpdump, judged on the same captures by tcpdump and tshark.

const VRRPDUMP = fileURLToPath(new URL('../../tools/vrrpdump/dist/vrrpdump.js', import.meta.url));
const TSHARK_FIELDS = ['vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.checksum', 'vrrp.checksum.status', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'vrrp.auth_string', 'vrrp.adver_int', 'vrrp.short_adver_int'] as const;

interface OurPacket {
  readonly ttl: number;
  readonly tos: number;
  readonly id: number | undefined;
  readonly src: string;
  readonly dst: string;
  readonly result: DecodeResult;
}

function decodeFile(path: string): OurPacket[] {
  const packets: OurPacket[] = [];
  let linkType: LinkTypeCode = LinkType.ethernet;
  readPcapFile(path, (type) => { linkType = type; }, (record) => {
    // Copied out: the reader reuses its buffer, and the decoded advert is a view of it.
    const frame = decodeCapturedFrame(Buffer.from(record.data), linkType);
    assert.equal(frame.kind, 'vrrp', `${path}: a frame that is not VRRP`);
    if (frame.kind !== 'vrrp') return;
    const h = frame.ip.header;
    packets.push({
      ttl: h.family === 4 ? h.ttl : h.hopLimit,
      tos: h.family === 4 ? h.tos : h.trafficClass,
      id: h.family === 4 ? h.id : undefined,
      src: formatAddress(h.source, h.family),
      dst: formatAddress(h.destination, h.family),
      result: frame.vrrp,
    });
  });
  return packets;
}

async function vrrpdumpText(path: string, ...flags: string[]): Promise<string> {
  const result = await runCommand([process.execPath, VRRPDUMP, ...flags, '-r', path], { timeoutMs: 30_000 });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

for (const definition of GOLDEN_CASES) {
  test(`${definition.name}: our decode agrees with tcpdump -vv field by field`, { skip: needsRoot }, async () => {
    const golden = capturedCase(definition.name);
    const ours = decodeFile(golden.pcapFile);
    const theirs = parseTcpdumpVrrp((await readPcapText(golden.pcapFile, ['-nn', '-vv'])).stdout);
    assert.equal(ours.length, theirs.length);
    ours.forEach((packet, i) => {
      const { ip, vrrp } = theirs[i]!;
      const at = `${definition.name} packet ${i + 1}: ${theirs[i]!.raw}`;
      assert.ok(packet.result.ok, `${at}: ${packet.result.ok ? '' : packet.result.message}`);
      const advert = packet.result.advert;
      assert.equal(packet.src, ip.src, at);
      assert.equal(packet.dst, ip.dst, at);
      assert.equal(packet.ttl, ip.ttl, at);
      assert.equal(packet.tos, ip.tos, at);
      assert.equal(packet.id, ip.id, at);
      assert.equal(advert.version, vrrp.version, at);
      assert.equal(advert.vrid, vrrp.vrid, at);
      assert.equal(advert.priority, vrrp.prio, at);
      assert.equal(advert.length, vrrp.length, at);
      assert.equal(intervalCentiseconds(advert), vrrp.intervalCs, at);
      assert.deepEqual(advert.addresses, vrrp.addrs, at);
      assert.equal(advert.checksum.carried, advert.checksum.computed, at);
      assert.equal(vrrp.badChecksum, undefined, at);
      if (advert.version === 2) {
        assert.equal(authTypeName(advert.authType), vrrp.authtype, at);
        assert.equal(advert.authType === 1 ? authPassword(advert) : undefined, vrrp.auth, at);
      }
    });
  });

  test(`${definition.name}: vrrpdump prints tcpdump's lines (-n, -v)`, { skip: needsRoot }, async () => {
    const golden = capturedCase(definition.name);
    for (const verbosity of [[], ['-v']]) {
      const theirs = (await readPcapText(golden.pcapFile, ['-nn', ...verbosity])).stdout;
      assert.equal(await vrrpdumpText(golden.pcapFile, '-n', ...verbosity), theirs);
    }
  });

  test(`${definition.name}: tshark agrees with our decode`, { skip: needsRoot }, async () => {
    const golden = capturedCase(definition.name);
    const result = await runCommand(['tshark', '-r', golden.pcapFile, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const rows = result.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'));
    const ours = decodeFile(golden.pcapFile);
    assert.equal(rows.length, ours.length);
    ours.forEach((packet, i) => {
      assert.ok(packet.result.ok);
      const advert = packet.result.advert;
      const [version, vrid, prio, count, checksum, status, v4, v6, auth, adverInt, maxAdverInt] = rows[i]!;
      const at = `${definition.name} packet ${i + 1}`;
      assert.equal(Number(version), advert.version, at);
      assert.equal(Number(vrid), advert.vrid, at);
      assert.equal(Number(prio), advert.priority, at);
      assert.equal(Number(count), advert.count, at);
      assert.equal(Number(checksum), advert.checksum.carried, at);
      assert.equal(status, '1', `${at}: tshark says the checksum is good`);
      assert.deepEqual((advert.family === 4 ? v4 : v6)!.split(','), advert.addresses, at);
      if (advert.version === 2) {
        assert.equal(Number(adverInt), advert.intervalSeconds, at);
        if (advert.authType === 1) assert.equal(auth, authPassword(advert), at);
      } else {
        assert.equal(Number(maxAdverInt), advert.intervalCentiseconds, at);
      }
    });
  });
}

test('edited captures: our decode names the fault, vrrpdump prints tcpdump\'s text then the reason', { skip: needsRoot }, async () => {
  for (const packetEdit of PACKET_EDITS) {
    const file = join(outDir, `ours-${packetEdit.file}`);
    await rewritePcap(capturedCase(packetEdit.from).pcapFile, file, packetEdit.edit);
    for (const packet of decodeFile(file)) {
      assert.equal(packet.result.ok, false, packetEdit.file);
      if (packet.result.ok) continue;
      assert.equal(packet.result.reason, packetEdit.badChecksum ? 'bad-checksum' : 'bad-ttl', packetEdit.file);
    }
    const theirs = (await readPcapText(file, ['-nn', '-v'])).stdout.split('\n');
    const ours = (await vrrpdumpText(file, '-n', '-v')).split('\n');
    assert.equal(ours.length, theirs.length);
    ours.forEach((line, i) => {
      const tcpdumpLine = theirs[i]!;
      if (line === tcpdumpLine) return; // the IPv4 header line
      assert.ok(line.startsWith(tcpdumpLine), `${line}\n  should start with\n${tcpdumpLine}`);
      assert.match(line.slice(tcpdumpLine.length), packetEdit.badChecksum ? /^ \[malformed: Bad VRRP checksum/ : /^ \[malformed: IPv4 TTL is 64; should be 255\]$/);
    });
  }
});

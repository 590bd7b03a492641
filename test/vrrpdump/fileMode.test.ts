// vrrpdump -r against tcpdump -r on the same files: the lines must be the
// same text, malformed packets must be said and survived, broken files must
// fail cleanly. tshark judges that the packets our encoder makes are valid.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCommand } from '@keepalived-ts/test-utils';
import { samplePackets, writeVrrpPcap } from '@keepalived-ts/bench/vrrpPcap';
import { encodeVrrpFrame, LinkType, PcapWriter } from '@keepalived-ts/wire';

const VRRPDUMP = fileURLToPath(new URL('../../tools/vrrpdump/dist/vrrpdump.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kt-vrrpdump-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const vrrpdump = (...args: string[]) => runCommand([process.execPath, VRRPDUMP, ...args], { timeoutMs: 30_000 });
const tcpdump = (...args: string[]) => runCommand(['tcpdump', ...args], { timeoutMs: 30_000 });
const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

const sample = join(dir, 'sample.pcap');
writeVrrpPcap(sample, 60);
const MAC = Buffer.from('020000000002', 'hex');

/** A file of deliberately broken adverts, one per validation rule. */
function writeMalformed(path: string): void {
  const good = () => encodeVrrpFrame({ source: '10.0.0.2', destination: '224.0.0.18', id: 1, sourceMac: MAC, advert: { version: 2, vrid: 9, priority: 100, intervalSeconds: 1, authData: 'pw', addresses: ['10.0.0.9'] } });
  const IP = 14;
  const VRRP = IP + 20;
  const frames: Buffer[] = [];
  const badChecksum = good(); badChecksum[VRRP + 7]! ^= 0xff; frames.push(badChecksum);
  const ttl64 = encodeVrrpFrame({ source: '10.0.0.2', destination: '224.0.0.18', ttl: 64, sourceMac: MAC, advert: { version: 2, vrid: 9, priority: 100, intervalSeconds: 1, addresses: ['10.0.0.9'] } });
  frames.push(ttl64);
  const badVersion = good(); badVersion[VRRP] = 0x41; frames.push(badVersion);
  const cut = good().subarray(0, VRRP + 6); frames.push(cut);
  const brokenIp = good(); brokenIp[IP] = 0x41; frames.push(brokenIp);
  frames.push(good());
  const writer = new PcapWriter(path, LinkType.ethernet);
  frames.forEach((f, i) => writer.write(1795000000, i, f, f === cut ? 60 : f.length));
  writer.close();
}

describe('vrrpdump -r', () => {
  it('prints the same lines as tcpdump -nn, -nn -v and -nn -vv', async () => {
    for (const verbosity of [[], ['-v'], ['-vv']]) {
      const ours = await vrrpdump('-n', ...verbosity, '-r', sample);
      const theirs = await tcpdump('-nn', ...verbosity, '-r', sample);
      assert.equal(ours.code, 0, ours.stderr);
      // -vv adds our checksum note, tcpdump prints nothing for a good checksum.
      const expected = lines(theirs.stdout);
      const got = lines(ours.stdout).map((l) => l.replace(/, cksum 0x[0-9a-f]{4} \(correct\)$/, ''));
      assert.ok(got.length >= 60);
      assert.deepEqual(got, expected);
    }
  });

  it('with -vv says the checksum is correct', async () => {
    const ours = await vrrpdump('-n', '-vv', '-c', '1', '-r', sample);
    assert.match(ours.stdout, /, cksum 0x[0-9a-f]{4} \(correct\)\n$/);
  });

  it('-c stops after N packets, -t drops the time stamps', async () => {
    const ours = await vrrpdump('-n', '-t', '-c', '3', '-r', sample);
    assert.deepEqual(lines(ours.stdout).map((l) => l.slice(0, 12)), ['IP 10.77.0.2', 'IP 10.77.0.3', 'IP 10.77.0.2']);
  });

  it('-w writes a file tcpdump reads as the same packets', async () => {
    const copy = join(dir, 'copy.pcap');
    assert.equal((await vrrpdump('-n', '-c', '10', '-w', copy, '-r', sample)).code, 0);
    const original = lines((await tcpdump('-nn', '-c', '10', '-r', sample)).stdout);
    assert.deepEqual(lines((await tcpdump('-nn', '-r', copy)).stdout), original);
  });

  it('--json gives one object per packet with the decoded fields', async () => {
    const ours = await vrrpdump('--json', '-c', '6', '-r', sample);
    const objects = lines(ours.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objects.length, 6);
    const expected = samplePackets();
    objects.forEach((o, i) => {
      const input = expected[i]!;
      assert.equal(o['kind'], 'vrrp');
      assert.equal(o['valid'], true);
      assert.equal(o['src'], input.source);
      assert.equal(o['dst'], input.destination);
      assert.equal(o['vrid'], input.advert.vrid);
      assert.equal(o['priority'], input.advert.priority);
      assert.equal(o['version'], input.advert.version);
      assert.deepEqual(o['addresses'], input.advert.addresses);
      assert.equal(o['ttl'], 255);
      assert.match(String(o['time']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    });
    assert.equal(objects[0]!['authPassword'], 'secret');
    assert.equal(objects[2]!['intervalCentiseconds'], 100);
  });

  it('--summary prints one row per VRID', async () => {
    const ours = await vrrpdump('--summary', '-r', sample);
    const rows = lines(ours.stdout);
    assert.match(rows[0]!, /^INTERFACE\s+VRID\s+FAMILY\s+MASTER\s+PRIO/);
    assert.equal(rows.length, 1 + 6);
    assert.match(rows.find((r) => /\s51\s/.test(r))!, /10\.77\.0\.2\s+102\s+100cs\s+v2\s+10\s/);
  });

  it('prints malformed packets with their reason, counts on, and exits 0', async () => {
    const path = join(dir, 'malformed.pcap');
    writeMalformed(path);
    const ours = await vrrpdump('-n', '-t', '-r', path);
    assert.equal(ours.code, 0, ours.stderr);
    const out = lines(ours.stdout);
    assert.equal(out.length, 6);
    assert.match(out[0]!, /vrid 9, .*\[malformed: Bad VRRP checksum [0-9a-f]{4}; should be [0-9a-f]{4}\]$/);
    assert.match(out[1]!, /VRRPv2, Advertisement, \(ttl 64\), vrid 9, .*\[malformed: IPv4 TTL is 64; should be 255\]$/);
    assert.match(out[2]!, /\[malformed: VRRP version is 4; should be 2 or 3\]$/);
    assert.match(out[3]!, /\[malformed: VRRP packet is truncated \(6 of 20 octets captured\)\]$/);
    assert.match(out[4]!, /^\[malformed: IPv4 header length 4 is invalid\]$/);
    assert.doesNotMatch(out[5]!, /malformed/);
    assert.match(ours.stderr, /warning: vrid 9 on -: from 10\.0\.0\.2: IPv4 TTL is 64/);
    const json = lines((await vrrpdump('--json', '-r', path)).stdout).map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o['kind'] !== 'warning');
    assert.deepEqual(json.map((o) => o['reason'] ?? (o['valid'] ? 'ok' : 'ip')), ['bad-checksum', 'bad-ttl', 'bad-version', 'truncated', 'ip', 'ok']);
    assert.equal(json[1]!['field'], 'ttl');
    assert.equal(json[1]!['value'], 64);
  });

  it('prints what it could read of a truncated file, then fails with the offset', async () => {
    const path = join(dir, 'truncated.pcap');
    writeFileSync(path, readFileSync(sample).subarray(0, 24 + 3 * (16 + 54) + 30));
    const ours = await vrrpdump('-n', '-r', path);
    assert.equal(ours.code, 1);
    assert.equal(lines(ours.stdout).length, 3);
    assert.match(ours.stderr, /^reading from file .*\nvrrpdump: .*truncated\.pcap: truncated packet at offset \d+ after 3 packets/);
    assert.doesNotMatch(ours.stderr, /\n\s+at /, 'no stack trace');
  });

  it('fails cleanly on a missing file, a directory, a file that is not pcap, and bad flags', async () => {
    const cases: [string[], number, RegExp][] = [
      [['-r', join(dir, 'nope.pcap')], 1, /^vrrpdump: .*nope\.pcap: No such file or directory\n$/],
      [['-r', dir], 1, /^vrrpdump: .*: Is a directory\n$/],
      [['-r', VRRPDUMP], 1, /^vrrpdump: .*: not a pcap file \(magic 0x[0-9a-f]{8}\)\n$/],
      [[], 2, /^vrrpdump: give one of -i IFACE or -r FILE\n$/],
      [['-r', sample, '-c', '0'], 2, /^vrrpdump: --count "0": not a whole number from 1 to/],
      [['-r', sample, '--frobnicate'], 2, /^vrrpdump: unknown option --frobnicate \(see --help\)\n$/],
      [['-r', sample, 'extra'], 2, /^vrrpdump: unexpected argument "extra"/],
    ];
    for (const [args, code, message] of cases) {
      const result = await vrrpdump(...args);
      assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
  });

  it('uses colour only on a terminal, and never with NO_COLOR or --no-color', async () => {
    const path = join(dir, 'malformed-colour.pcap');
    writeMalformed(path);
    const inTerminal = (extra: string) =>
      runCommand(['script', '-qec', `${extra} ${process.execPath} ${VRRPDUMP} -n -r ${path}`, '/dev/null'], { timeoutMs: 30_000 });
    const esc = '\u001b[';
    const coloured = await inTerminal('');
    assert.ok(coloured.stdout.includes(esc), `a terminal gets colour: ${JSON.stringify(coloured)}`);
    assert.ok(!(await inTerminal('env NO_COLOR=1')).stdout.includes(esc), 'NO_COLOR');
    const flag = await runCommand(['script', '-qec', `${process.execPath} ${VRRPDUMP} --no-color -n -r ${path}`, '/dev/null'], { timeoutMs: 30_000 });
    assert.ok(!flag.stdout.includes(esc), '--no-color');
    assert.ok(!(await vrrpdump('-n', '-r', path)).stdout.includes(esc), 'a pipe gets no colour');
  });

  it('--help is quick to load: it does not load libpcap', async () => {
    // The process report lists the shared objects loaded, native addons among them.
    const report = "console.error(process.report.getReport().sharedObjects.some((o) => o.includes('pcap_binding')) ? 'LOADED' : 'not loaded')";
    const help = await runCommand([process.execPath, '--input-type=module', '-e', `process.argv = ['node', 'vrrpdump', '--help']; await import(${JSON.stringify(VRRPDUMP)}); ${report}`]);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage:\s+\$ vrrpdump/);
    assert.equal(help.stderr.trim(), 'not loaded');
    // The same probe sees the addon when it is loaded, so the check above can fail.
    const pcapDir = fileURLToPath(new URL('../../tools/vrrpdump/', import.meta.url));
    const loaded = await runCommand([process.execPath, '-e', `require(require.resolve('pcap', { paths: [${JSON.stringify(pcapDir)}] })); ${report}`]);
    assert.equal(loaded.stderr.trim(), 'LOADED');
  });
});

describe('packets we encode, judged by tshark', () => {
  it('tshark decodes every field as we meant it, with a good checksum', async () => {
    const fields = ['vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.checksum.status', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'vrrp.auth_string'];
    const result = await runCommand(['tshark', '-r', sample, '-c', '6', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { timeoutMs: 60_000 });
    assert.equal(result.code, 0, result.stderr);
    const rows = lines(result.stdout).map((l) => l.split('\t'));
    samplePackets().forEach((input, i) => {
      const [version, vrid, prio, count, status, v4, v6, auth] = rows[i]!;
      assert.equal(Number(version), input.advert.version);
      assert.equal(Number(vrid), input.advert.vrid);
      assert.equal(Number(prio), input.advert.priority);
      assert.equal(Number(count), input.advert.addresses.length);
      assert.equal(status, '1', `packet ${i}: tshark checksum status`);
      assert.deepEqual((v4 || v6)!.split(','), input.advert.addresses);
      if (input.advert.version === 2 && input.advert.authData) assert.equal(auth, input.advert.authData);
    });
  });
});

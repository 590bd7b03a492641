// garp and vipctl add --garp against the real kernel: the frames captured by
// tcpdump on the neighbour, and the neighbour's table moving to the
// announced MAC (the interface's, or --mac). Needs root and the built tools
// (pnpm build). Run (about 15 s):
//   node --import tsx --conditions=source --test test/vipctl/garp.test.ts

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readPcapText, startTcpdump, uniquePrefix, waitFor, withLab } from '@keepalived-ts/test-utils';
import { readPcapFile } from '@keepalived-ts/wire';
import { garp, missingBuild, neighbour, pair, vipctl } from './vipctlLab.js';

const skip = process.getuid?.() === 0 ? missingBuild() : 'needs root (network namespaces, packet injection)';
const STALE_MAC = '02:00:00:00:00:99';
const ANNOUNCEMENTS = 'arp or (icmp6 and ip6[40] == 136)';

describe('garp against the kernel', { skip }, () => {
  it("sends gratuitous ARPs and unsolicited NAs from the interface's MAC (or --mac); the neighbour's entries follow", async () => {
    await withLab(uniquePrefix('gpf'), async (lab) => {
      const { a, b } = await pair(lab, 74);
      const macA = (await lab.exec(a, ['cat', '/sys/class/net/eth0/address'], { check: true })).stdout.trim();
      // B believes the VIPs are elsewhere. Linux updates an entry it has on an
      // announcement; it creates none (arp_accept and accept_untracked_na are 0).
      for (const vip of ['10.74.0.100', 'fd74::100', '10.74.0.101', 'fd74::101', '10.74.0.102']) {
        await lab.exec(b, ['ip', 'neigh', 'replace', vip, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale'], { check: true });
      }
      const pcapFile = `${await lab.tempDir('pcap')}/garp.pcap`;
      const tcpdump = await startTcpdump(lab, b, 'eth0', pcapFile, ANNOUNCEMENTS, { extraArgs: ['--immediate-mode'] });

      const four = await garp(lab, a, ['-i', 'eth0', '10.74.0.100', '-c', '3']);
      assert.equal(four.code, 0, four.stderr);
      assert.equal(four.stdout, `sent 3 gratuitous ARP requests for 10.74.0.100 on eth0 from ${macA}\n`);
      const six = await garp(lab, a, ['-i', 'eth0', 'fd74::100', '-c', '2', '--json']);
      assert.equal(six.code, 0, six.stderr);
      assert.deepEqual(JSON.parse(six.stdout), { address: 'fd74::100', dev: 'eth0', kind: 'neighbour-advert', count: 2, mac: macA });
      for (const vip of ['10.74.0.100', 'fd74::100']) {
        await waitFor(async () => (await neighbour(lab, b, vip))?.lladdr === macA, { timeoutMs: 3_000, what: `B's entry for ${vip} to move to A's MAC ${macA}` });
      }

      // --mac (a virtual MAC) and --reply; paced with -w.
      const replies = await garp(lab, a, ['-i', 'eth0', '10.74.0.101', '--reply', '--mac', '02:00:00:00:00:42', '-c', '3', '-w', '200']);
      assert.equal(replies.code, 0, replies.stderr);
      assert.equal(replies.stdout, 'sent 3 gratuitous ARP replies for 10.74.0.101 on eth0 from 02:00:00:00:00:42\n');
      const virtual6 = await garp(lab, a, ['-i', 'eth0', 'fd74::101', '--mac', '02:00:00:00:00:43', '-c', '1']);
      assert.equal(virtual6.code, 0, virtual6.stderr);
      await waitFor(async () => (await neighbour(lab, b, '10.74.0.101'))?.lladdr === '02:00:00:00:00:42', { timeoutMs: 3_000, what: "B's entry for 10.74.0.101 to move to the --mac" });
      await waitFor(async () => (await neighbour(lab, b, 'fd74::101'))?.lladdr === '02:00:00:00:00:43', { timeoutMs: 3_000, what: "B's entry for fd74::101 to move to the --mac" });

      // vipctl add --garp announces through the same lib.
      const added = await vipctl(lab, a, ['add', '10.74.0.102/24', 'dev', 'eth0', '--garp', '--garp-count', '2']);
      assert.equal(added.code, 0, added.stderr);
      assert.equal(added.stdout, `added 10.74.0.102/24 on eth0\nsent 2 gratuitous ARP requests for 10.74.0.102 on eth0 from ${macA}\n`);
      await waitFor(async () => (await neighbour(lab, b, '10.74.0.102'))?.lladdr === macA, { timeoutMs: 3_000, what: "B's entry for 10.74.0.102 to move to A's MAC" });

      await tcpdump.stop();
      const lines = (await readPcapText(pcapFile, ['-e', '-nn', '-v'])).stdout.split('\n').filter(Boolean);
      const count = (pattern: RegExp) => lines.filter((line) => pattern.test(line)).length;
      const esc = (text: string) => text.replace(/[.:]/g, (c) => `\\${c}`);
      assert.equal(count(new RegExp(`${esc(macA)} > ff:ff:ff:ff:ff:ff, ethertype ARP \\(0x0806\\), length 42: .*Request who-has 10\\.74\\.0\\.100 \\(ff:ff:ff:ff:ff:ff\\) tell 10\\.74\\.0\\.100, length 28`)), 3, lines.join('\n'));
      assert.equal(count(new RegExp(`${esc(macA)} > 33:33:00:00:00:01, ethertype IPv6 \\(0x86dd\\), length 86: \\(hlim 255, .*fd74::100 > ff02::1: .*neighbor advertisement, length 32, tgt is fd74::100, Flags \\[override\\]`)), 2, lines.join('\n'));
      assert.equal(count(/02:00:00:00:00:42 > ff:ff:ff:ff:ff:ff, ethertype ARP .*Reply 10\.74\.0\.101 is-at 02:00:00:00:00:42/), 3, lines.join('\n'));
      assert.equal(count(/02:00:00:00:00:43 > 33:33:00:00:00:01, .*tgt is fd74::101, Flags \[override\]/), 1, lines.join('\n'));
      assert.equal(count(/Request who-has 10\.74\.0\.102 \(ff:ff:ff:ff:ff:ff\) tell 10\.74\.0\.102/), 2, lines.join('\n'));

      // -w 200: the three replies 200 ms apart (back to back without it).
      const replyTimes: number[] = [];
      readPcapFile(pcapFile, () => undefined, (record) => {
        const frame = Buffer.from(record.data);
        if (frame.readUInt16BE(12) === 0x0806 && frame.readUInt16BE(20) === 2) replyTimes.push(record.seconds * 1000 + record.micros / 1000);
      });
      assert.equal(replyTimes.length, 3);
      for (let i = 1; i < replyTimes.length; i++) {
        const gap = replyTimes[i]! - replyTimes[i - 1]!;
        assert.ok(gap >= 180 && gap < 1_000, `gap ${gap} ms between paced replies`);
      }
    });
  });

  it('gives one line and a distinct status for each error', async () => {
    await withLab(uniquePrefix('gpe'), async (lab) => {
      const { a, b } = await pair(lab, 75);
      const pcapFile = `${await lab.tempDir('pcap')}/none.pcap`;
      const tcpdump = await startTcpdump(lab, b, 'eth0', pcapFile, ANNOUNCEMENTS, { extraArgs: ['--immediate-mode'] });
      const cases: { args: string[]; code: number; stderr: RegExp; asNobody?: boolean }[] = [
        { args: ['-i', 'eth9', '10.75.0.100'], code: 3, stderr: /^garp: eth9: no such interface$/ },
        { args: ['-i', 'eth0', '10.75.0.100'], code: 4, stderr: /^garp: eth0: permission denied \(needs root or CAP_NET_RAW\)$/, asNobody: true },
        { args: ['-i', 'eth0', '10.75.0.300'], code: 5, stderr: /^garp: "10\.75\.0\.300" is not an IPv4 or IPv6 address$/ },
        { args: ['-i', 'eth0', '10.75.0.100/24'], code: 5, stderr: /^garp: "10\.75\.0\.100\/24": give the address without a prefix length$/ },
        { args: ['-i', 'eth0', '10.75.0.100', '--mac', '02:00:00:00:00'], code: 5, stderr: /^garp: "02:00:00:00:00" is not a MAC address/ },
        { args: ['-i', 'eth0', '10.75.0.100', '--mac', '01:00:5e:00:00:01'], code: 5, stderr: /^garp: 01:00:5e:00:00:01 is a multicast MAC address$/ },
        { args: ['10.75.0.100'], code: 2, stderr: /^garp: give the interface: -i IFACE$/ },
        { args: ['-i', 'eth0'], code: 2, stderr: /^garp: give at least one address to announce$/ },
        { args: ['-i', 'eth0', '10.75.0.100', '-c', '0'], code: 2, stderr: /^garp: --count "0": not a whole number from 1 to 1000$/ },
        { args: ['-i', 'eth0', '10.75.0.100', '-c', '1001'], code: 2, stderr: /not a whole number from 1 to 1000/ },
        { args: ['-i', 'eth0', '10.75.0.100', '-w', '60001'], code: 2, stderr: /not a whole number from 0 to 60000/ },
        { args: ['-i', 'eth0', 'fd75::100', '--reply'], code: 2, stderr: /^garp: --reply is for IPv4/ },
      ];
      for (const c of cases) {
        const result = await garp(lab, a, c.args, { asNobody: c.asNobody ?? false });
        const label = `garp ${c.args.join(' ')}${c.asNobody ? ' (as nobody)' : ''}`;
        assert.equal(result.code, c.code, `${label}: ${result.stderr}`);
        assert.match(result.stderr.trimEnd(), c.stderr, label);
        assert.equal(result.stderr.trimEnd().split('\n').length, 1, `${label}: one line`);
      }
      const stats = await tcpdump.stop();
      assert.equal(stats.captured, 0, 'no error sent anything');
      const help = await garp(lab, a, ['--help'], { asNobody: true });
      assert.equal(help.code, 0);
      assert.match(help.stdout, /Exit status:\n {2}0 {2}sent/);
    });
  });
});

// Announcements against the real kernel: a gratuitous ARP / unsolicited
// neighbour advertisement sent from namespace A must move namespace B's
// neighbour entry for the VIP to A's MAC. Needs root. Run (about 10 s):
//   node --import tsx --conditions=source --test libs/wire/src/announceSender.test.ts
//
// This file is also the program run inside namespace A:
//   announceSender.test.ts --announce PLAN_JSON
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { readPcapText, startTcpdump, uniquePrefix, waitFor, withLab, type Lab } from '@keepalived-ts/test-utils';
import { encodeGratuitousArp, encodeUnsolicitedNeighbourAdvert } from './announceFrames.js';
import { LinkError, openAnnouncer } from './announceSender.js';
import { readPcapFile } from './pcapFile.js';

const SELF = fileURLToPath(import.meta.url);
const TSX = [process.execPath, '--import', 'tsx', '--conditions=source'];

interface AnnouncePlan {
  readonly ifname: string;
  readonly steps: readonly { readonly kind: 'arp' | 'na'; readonly ip: string; readonly count: number; readonly mac?: string; readonly reply?: boolean }[];
}

async function runAnnouncer(plan: AnnouncePlan): Promise<void> {
  const announcer = await openAnnouncer(plan.ifname);
  for (const step of plan.steps) {
    const mac = step.mac === undefined ? {} : { mac: step.mac };
    if (step.kind === 'arp') announcer.arp(step.ip, step.count, { ...mac, reply: step.reply ?? false });
    else announcer.neighbourAdvert(step.ip, step.count, mac);
  }
  process.stdout.write(`${JSON.stringify({ mac: announcer.mac, counters: announcer.counters })}\n`);
  // No process.exit(): close() must let the process end by itself.
  announcer.close();
}

if (process.argv[2] === '--announce') await runAnnouncer(JSON.parse(process.argv[3]!) as AnnouncePlan);
else defineTests();

// ---------------------------------------------------------------------------

async function announce(lab: Lab, ns: string, plan: AnnouncePlan): Promise<{ mac: string; counters: { arp: number; neighbourAdverts: number } }> {
  const started = Date.now();
  const result = await lab.exec(ns, [...TSX, SELF, '--announce', JSON.stringify(plan)], { timeoutMs: 15_000 });
  assert.equal(result.code, 0, `announcer failed or hung (${Date.now() - started} ms): ${result.stderr}`);
  return JSON.parse(result.stdout) as { mac: string; counters: { arp: number; neighbourAdverts: number } };
}

/** B's neighbour entry for `ip` on eth0 (`ip -j neigh`), or undefined. */
async function neighbour(lab: Lab, ns: string, ip: string): Promise<{ lladdr?: string; state?: string[] } | undefined> {
  const family = ip.includes(':') ? '-6' : '-4';
  const result = await lab.exec(ns, ['ip', family, '-j', 'neigh', 'show', 'dev', 'eth0', 'to', ip], { check: true });
  const entries = JSON.parse(result.stdout || '[]') as { dst: string; lladdr?: string; state?: string[] }[];
  return entries.find((entry) => entry.dst === ip);
}

const STALE_MAC = '02:00:00:00:00:99';

function defineTests(): void {
  const needsRoot = process.getuid?.() === 0 ? false : 'needs root (network namespaces, packet injection)';

  it('names a missing interface', async () => {
    await assert.rejects(openAnnouncer('kt-no-such-if0'), (error: unknown) => error instanceof LinkError && error.kind === 'no-such-device');
  });

  describe('in network namespaces', { skip: needsRoot }, () => {
    it('(f) GARP and unsolicited NA from A move B\'s neighbour entries to A\'s MAC; the frames are keepalived\'s', async () => {
      await withLab(uniquePrefix('garp'), async (lab) => {
        const a = await lab.addNamespace('a');
        const b = await lab.addNamespace('b');
        await lab.connect(a, b, { up: false });
        for (const [ns, host] of [[a, 1], [b, 2]] as const) {
          await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
          await lab.linkUp(ns, 'eth0');
          await lab.addAddress(ns, 'eth0', `10.77.0.${host}/24`);
          await lab.addAddress(ns, 'eth0', `fe80::77:${host}/64`);
        }
        // B believes the VIPs are elsewhere. Linux lets a gratuitous ARP or an
        // unsolicited NA update an entry it has; it creates none unless asked
        // (net.ipv4.conf.*.arp_accept, net.ipv6.conf.*.accept_untracked_na).
        for (const vip of ['10.77.0.100', 'fd77::100']) {
          await lab.exec(b, ['ip', 'neigh', 'replace', vip, 'lladdr', STALE_MAC, 'dev', 'eth0', 'nud', 'stale'], { check: true });
          assert.equal((await neighbour(lab, b, vip))?.lladdr, STALE_MAC);
        }
        const dir = await lab.tempDir('pcap');
        const pcapFile = `${dir}/announce.pcap`;
        const tcpdump = await startTcpdump(lab, b, 'eth0', pcapFile, 'arp or (icmp6 and ip6[40] == 136)', { extraArgs: ['--immediate-mode'] });

        const sent = await announce(lab, a, {
          ifname: 'eth0',
          steps: [
            { kind: 'arp', ip: '10.77.0.100', count: 3 },
            { kind: 'na', ip: 'fd77::100', count: 3 },
          ],
        });
        assert.deepEqual(sent.counters, { arp: 3, neighbourAdverts: 3 });
        for (const vip of ['10.77.0.100', 'fd77::100']) {
          await waitFor(async () => (await neighbour(lab, b, vip))?.lladdr === sent.mac, { timeoutMs: 3_000, what: `B's entry for ${vip} to point at A's MAC ${sent.mac}` });
        }

        // With no entry for 10.77.0.101, B learns nothing (arp_accept 0) ...
        await announce(lab, a, { ifname: 'eth0', steps: [{ kind: 'arp', ip: '10.77.0.101', count: 1, reply: true, mac: '02:00:00:00:00:42' }] });
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(await neighbour(lab, b, '10.77.0.101'), undefined);
        // ... until arp_accept is 1; and a gratuitous reply counts (Linux wants its target MAC = sender MAC).
        await lab.exec(b, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/eth0/arp_accept'], { check: true });
        await announce(lab, a, { ifname: 'eth0', steps: [{ kind: 'arp', ip: '10.77.0.101', count: 1, reply: true, mac: '02:00:00:00:00:42' }] });
        await waitFor(async () => (await neighbour(lab, b, '10.77.0.101'))?.lladdr === '02:00:00:00:00:42', { timeoutMs: 3_000, what: 'B to learn 10.77.0.101 from a gratuitous reply' });

        await tcpdump.stop();
        // Byte for byte the frames keepalived sends (announceFrames.test.ts holds its capture).
        const frames: Buffer[] = [];
        readPcapFile(pcapFile, () => undefined, (record) => frames.push(Buffer.from(record.data)));
        const garp = encodeGratuitousArp({ mac: sent.mac, ip: '10.77.0.100', kind: 'request' });
        const na = encodeUnsolicitedNeighbourAdvert({ mac: sent.mac, ip: 'fd77::100' });
        const reply = encodeGratuitousArp({ mac: '02:00:00:00:00:42', ip: '10.77.0.101', kind: 'reply' });
        assert.deepEqual(frames.map((frame) => frame.toString('hex')), [garp, garp, garp, na, na, na, reply, reply].map((frame) => frame.toString('hex')));
        const text = (await readPcapText(pcapFile, ['-e', '-nn', '-v'])).stdout.split('\n').filter(Boolean);
        assert.equal(text.filter((line) => line.includes(`${sent.mac} > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Ethernet (len 6), IPv4 (len 4), Request who-has 10.77.0.100 (ff:ff:ff:ff:ff:ff) tell 10.77.0.100, length 28`)).length, 3, text.join('\n'));
        assert.equal(
          text.filter((line) => line.includes(`${sent.mac} > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) payload length: 32) fd77::100 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is fd77::100, Flags [override]`)).length,
          3,
          text.join('\n'),
        );
      });
    });
  });
}

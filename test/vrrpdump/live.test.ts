// vrrpdump capturing live in network namespaces with real keepalived: the
// warnings an operator relies on must appear for real faults, and capture
// errors must be one clear line with exit status 1.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readPcapText, startKeepalived, uniquePrefix, waitFor, withLab, type Lab } from '@keepalived-ts/test-utils';

const VRRPDUMP = fileURLToPath(new URL('../../tools/vrrpdump/dist/vrrpdump.js', import.meta.url));
const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces, capture)';

const instance = (priority: number, pass: string, advertInt = 1) => `
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority ${priority}
    advert_int ${advertInt}
    authentication {
        auth_type PASS
        auth_pass ${pass}
    }
    virtual_ipaddress {
        10.78.0.100/24
    }
}
`;

/** Two keepalived nodes and a watcher on one switch. */
async function segment(lab: Lab): Promise<{ node1: string; node2: string; watch: string }> {
  const sw = await lab.addSwitch('sw');
  const node1 = await lab.addNamespace('n1');
  const node2 = await lab.addNamespace('n2');
  const watch = await lab.addNamespace('w');
  for (const [ns, ip] of [[node1, '10.78.0.1/24'], [node2, '10.78.0.2/24'], [watch, '10.78.0.9/24']] as const) {
    await lab.plug(ns, sw);
    await lab.addAddress(ns, 'eth0', ip);
  }
  return { node1, node2, watch };
}

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('vrrpdump live', { skip }, () => {
  it('warns of split brain and the auth mismatch behind it, and writes what it saw with -w', async () => {
    await withLab(uniquePrefix('vdsb'), async (lab) => {
      const { node1, node2, watch } = await segment(lab);
      const dir = await lab.tempDir('vd');
      const pcap = join(dir, 'seen.pcap');
      const dump = await lab.spawn(watch, [process.execPath, VRRPDUMP, '-i', 'eth0', '--json', '-w', pcap]);
      await dump.waitForLine(/^listening on eth0/, { timeoutMs: 10_000, stream: 'stderr' });
      // Different passwords: each keepalived discards the other's adverts, so both become master.
      const k1 = await startKeepalived(lab, node1, instance(150, 'alpha'), { name: 'n1' });
      const k2 = await startKeepalived(lab, node2, instance(100, 'bravo'), { name: 'n2' });
      await k1.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      await k2.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      const warnings = () => jsonLines(dump.text('stdout')).filter((o) => o['kind'] === 'warning');
      await waitFor(() => warnings().some((w) => w['warning'] === 'split-brain'), { timeoutMs: 10_000, what: 'a split-brain warning' });
      const kinds = new Set(warnings().map((w) => w['warning']));
      assert.ok(kinds.has('auth-mismatch'), [...kinds].join());
      const splitBrain = warnings().find((w) => w['warning'] === 'split-brain')!;
      assert.equal(splitBrain['vrid'], 61);
      assert.match(String(splitBrain['message']), /two masters, 10\.78\.0\.1 and 10\.78\.0\.2/);
      // Said once, not per advert.
      assert.equal(warnings().filter((w) => w['warning'] === 'split-brain').length, 1);
      const status = await dump.stop('SIGINT');
      assert.equal(status.code, 0);
      const adverts = jsonLines(dump.text('stdout')).filter((o) => o['kind'] === 'vrrp');
      assert.ok(adverts.every((a) => a['valid'] === true && a['vrid'] === 61 && a['ttl'] === 255));
      // The file holds the same adverts, as tcpdump reads them.
      const written = (await readPcapText(pcap, ['-nn'])).stdout.split('\n').filter((l) => l.includes('VRRPv2'));
      assert.equal(written.length, adverts.length);
      await k1.stop();
      await k2.stop();
    });
  });

  it('shows the priority-0 advert and the gratuitous ARPs of a failover with --arp, and stops after -c', async () => {
    await withLab(uniquePrefix('vdfo'), async (lab) => {
      const { node1, node2, watch } = await segment(lab);
      const k1 = await startKeepalived(lab, node1, instance(150, 'same'), { name: 'n1' });
      const k2 = await startKeepalived(lab, node2, instance(100, 'same'), { name: 'n2' });
      await k1.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      const dump = await lab.spawn(watch, [process.execPath, VRRPDUMP, '-i', 'eth0', '-n', '-t', '--arp', '-c', '12']);
      await dump.waitForLine(/^listening on eth0/, { timeoutMs: 10_000 });
      await dump.waitForLine(/prio 150/, { timeoutMs: 5_000 });
      await k1.stop('SIGTERM');
      await k2.waitForState('VI_1', 'MASTER', { timeoutMs: 15_000 });
      const status = await waitFor(() => dump.exitStatus(), { timeoutMs: 15_000, what: 'vrrpdump to stop after 12 packets' });
      assert.equal(status.code, 0);
      const out = dump.text('stdout').split('\n').filter(Boolean);
      assert.equal(out.length, 12);
      const zero = out.findIndex((l) => /^IP 10\.78\.0\.1 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 61, prio 0,/.test(l));
      assert.ok(zero >= 0, out.join('\n'));
      const takeover = out.findIndex((l) => l.startsWith('IP 10.78.0.2 > 224.0.0.18: VRRPv2, Advertisement, vrid 61, prio 100,'));
      assert.ok(takeover > zero, out.join('\n'));
      assert.equal(out[takeover + 1], 'ARP, Request who-has 10.78.0.100 (ff:ff:ff:ff:ff:ff) tell 10.78.0.100, length 28');
      assert.match(dump.text('stderr'), /warning: vrid 61 on eth0: master 10\.78\.0\.1 is leaving \(priority 0\)/);
      assert.match(dump.text('stderr'), /^12 packets captured$/m);
      await k2.stop();
    });
  });

  it('fails with one line and status 1 on an unknown interface or without permission', async () => {
    await withLab(uniquePrefix('vderr'), async (lab) => {
      const ns = await lab.addNamespace('a');
      const missing = await lab.exec(ns, [process.execPath, VRRPDUMP, '-i', 'nosuch0']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr, 'vrrpdump: nosuch0: no such interface\n');
      const denied = await lab.exec(ns, ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all', process.execPath, VRRPDUMP, '-i', 'lo']);
      assert.equal(denied.code, 1, denied.stderr);
      assert.equal(denied.stderr, 'vrrpdump: lo: permission denied (capturing needs root or CAP_NET_RAW)\n');
    });
  });
});

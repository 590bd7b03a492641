// The rtnetlink layer against the real kernel, in network namespaces. The
// library talks to the namespace of its process, so each case runs
// testing/probe.ts inside a namespace and checks what it printed, and what
// `ip -j` shows, there. Every probe must also end by itself: close() has to
// release the sockets.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
// Relative, as this package's manifest does not list the test helpers yet.
import { uniquePrefix, withLab, type Lab } from '@keepalived-ts/test-utils';
import { IFA_F, OWNER_PROTO } from './constants.js';
import type { AddressInfo, LinkInfo, NetlinkEvent } from './types.js';
import { macvlanName, vmacAddress } from './vmac.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

const PROBE = fileURLToPath(new URL('./testing/probe.ts', import.meta.url));
/** Absolute, so the probe starts whatever the working directory. */
const TSX = import.meta.resolve('tsx');
const PROBE_ARGV = [process.execPath, '--import', TSX, '--conditions=source', PROBE];
const AS_NOBODY = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--inh-caps=-all'];
const PROBE_TIMEOUT_MS = 20_000;

interface StepResult {
  readonly op: string;
  readonly ok?: boolean;
  readonly ready?: boolean;
  readonly value?: unknown;
  readonly error?: { readonly errno?: string; readonly operation?: string; readonly message: string };
  readonly event?: NetlinkEvent;
}

const parseLines = (text: string): StepResult[] =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as StepResult);

/** Runs the probe's steps in `ns`; it must exit 0 by itself, well before the timeout. */
async function probe(lab: Lab, ns: string, steps: readonly unknown[], options: { readonly asNobody?: boolean } = {}): Promise<StepResult[]> {
  const argv = [...(options.asNobody ? AS_NOBODY : []), ...PROBE_ARGV, JSON.stringify(steps)];
  const result = await lab.exec(ns, argv, { timeoutMs: PROBE_TIMEOUT_MS });
  assert.equal(result.timedOut, false, `probe did not exit by itself:\n${result.stdout}\n${result.stderr}`);
  assert.equal(result.code, 0, `probe failed:\n${result.stdout}\n${result.stderr}`);
  const results = parseLines(result.stdout);
  assert.equal(results.length, steps.length, `one result per step:\n${result.stdout}`);
  return results;
}

const valueOf = <T>(result: StepResult | undefined): T => {
  assert.ok(result?.ok, `step failed: ${JSON.stringify(result)}`);
  return result.value as T;
};

interface IpAddr {
  readonly local: string;
  readonly prefixlen: number;
  readonly label?: string;
  readonly broadcast?: string;
  readonly nodad?: boolean;
  readonly tentative?: boolean;
}

async function ipAddresses(lab: Lab, ns: string, ifname: string): Promise<IpAddr[]> {
  const result = await lab.exec(ns, ['ip', '-j', 'address', 'show', 'dev', ifname], { check: true });
  const [link] = JSON.parse(result.stdout) as [{ addr_info: IpAddr[] }];
  return link.addr_info;
}

/** Two namespaces joined by eth0 <-> eth0, both up. */
async function pair(lab: Lab): Promise<{ a: string; b: string }> {
  const a = await lab.addNamespace('a');
  const b = await lab.addNamespace('b');
  await lab.connect(a, b);
  return { a, b };
}

describe('rtnetlink in a namespace', { skip }, () => {
  it('adds, lists and deletes IPv4 and IPv6 VIPs marked with IFA_PROTO, idempotently', async () => {
    await withLab(uniquePrefix('nladd'), async (lab) => {
      const { a } = await pair(lab);
      await lab.addAddress(a, 'eth0', '10.77.0.1/24');
      // The lab turns DAD off; turn it back on so that NODAD makes a difference.
      await lab.exec(a, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/eth0/accept_dad'], { check: true });

      const vip4 = { ifname: 'eth0', address: '10.77.0.100', prefixLength: 24, label: 'eth0:vip', broadcast: '10.77.0.255' };
      const vip6 = { ifname: 'eth0', address: '2001:db8:77::100', prefixLength: 64 };
      const slow6 = { ifname: 'eth0', address: '2001:db8:77::101', prefixLength: 64, noDad: false };
      const results = await probe(lab, a, [
        { op: 'addAddress', args: [vip4] },
        { op: 'addAddress', args: [vip4] },
        { op: 'addAddress', args: [vip6] },
        { op: 'addAddress', args: [{ ...vip6, address: '2001:0db8:0077:0::100' }] },
        { op: 'addAddress', args: [slow6] },
        { op: 'listAddresses', args: [{ ifname: 'eth0' }] },
        { op: 'findAddress', args: ['10.77.0.100'] },
        { op: 'listAddresses', args: [{ family: 4 }] },
      ]);
      assert.deepEqual(results.slice(0, 5).map((r) => r.value), ['added', 'exists', 'added', 'exists', 'added']);

      const listed = valueOf<AddressInfo[]>(results[5]);
      const byAddress = new Map(listed.map((entry) => [entry.address, entry]));
      assert.deepEqual(byAddress.get('10.77.0.100'), {
        ifindex: byAddress.get('10.77.0.100')?.ifindex,
        ifname: 'eth0',
        family: 4,
        address: '10.77.0.100',
        prefixLength: 24,
        label: 'eth0:vip',
        broadcast: '10.77.0.255',
        scope: 0,
        proto: OWNER_PROTO,
        flags: IFA_F.SECONDARY | IFA_F.PERMANENT,
      });
      // Added by `ip addr add`: no IFA_PROTO at all, not proto 0.
      const manual = byAddress.get('10.77.0.1');
      assert.ok(manual);
      assert.equal('proto' in manual, false);
      assert.equal(manual.label, 'eth0');
      const v6 = byAddress.get('2001:db8:77::100');
      assert.equal(v6?.proto, OWNER_PROTO);
      assert.equal(v6.family, 6);
      assert.equal(v6.flags & IFA_F.NODAD, IFA_F.NODAD);
      assert.equal(v6.flags & IFA_F.TENTATIVE, 0, 'a NODAD address is usable at once');
      assert.equal((byAddress.get('2001:db8:77::101')?.flags ?? 0) & IFA_F.TENTATIVE, IFA_F.TENTATIVE, 'without NODAD the address starts tentative');

      const found = valueOf<AddressInfo[]>(results[6]);
      assert.deepEqual(found.map((entry) => [entry.ifname, entry.address, entry.proto]), [['eth0', '10.77.0.100', OWNER_PROTO]]);
      const ipv4Only = valueOf<AddressInfo[]>(results[7]);
      assert.ok(ipv4Only.length >= 3 && ipv4Only.every((entry) => entry.family === 4), JSON.stringify(ipv4Only));
      assert.ok(ipv4Only.some((entry) => entry.ifname === 'lo' && entry.address === '127.0.0.1'));

      // What iproute2 sees (Debian's 6.1 cannot show IFA_PROTO).
      const shown = new Map((await ipAddresses(lab, a, 'eth0')).map((entry) => [entry.local, entry]));
      assert.equal(shown.get('10.77.0.100')?.label, 'eth0:vip');
      assert.equal(shown.get('10.77.0.100')?.broadcast, '10.77.0.255');
      assert.equal(shown.get('10.77.0.100')?.prefixlen, 24);
      assert.equal(shown.get('2001:db8:77::100')?.nodad, true);

      const removal = await probe(lab, a, [
        { op: 'deleteAddress', args: [{ ifname: 'eth0', address: '10.77.0.100', prefixLength: 32 }] },
        { op: 'deleteAddress', args: [{ ifname: 'eth0', address: '10.77.0.100', prefixLength: 24 }] },
        { op: 'deleteAddress', args: [{ ifname: 'eth0', address: '10.77.0.100', prefixLength: 24 }] },
        { op: 'deleteAddress', args: [vip6] },
        { op: 'deleteAddress', args: [vip6] },
        { op: 'deleteAddress', args: [slow6] },
      ]);
      assert.deepEqual(removal.map((r) => r.value), ['absent', 'deleted', 'absent', 'deleted', 'absent', 'deleted']);
      const left = (await ipAddresses(lab, a, 'eth0')).map((entry) => entry.local);
      assert.ok(left.includes('10.77.0.1'), 'the address added by hand stays');
      assert.deepEqual(left.filter((local) => local.startsWith('10.77.0.1') && local !== '10.77.0.1'), []);
      assert.equal(left.includes('2001:db8:77::100') || left.includes('2001:db8:77::101'), false);
    });
  });

  it('reports a missing device, a bad label and a missing privilege as NetlinkErrors', async () => {
    await withLab(uniquePrefix('nlerr'), async (lab) => {
      const { a } = await pair(lab);
      const results = await probe(lab, a, [
        { op: 'addAddress', args: [{ ifname: 'eth9', address: '10.0.0.100', prefixLength: 24 }] },
        { op: 'deleteAddress', args: [{ ifname: 'eth9', address: '10.0.0.100', prefixLength: 24 }] },
        { op: 'addAddress', args: [{ ifname: 'eth0', address: '10.0.0.100', prefixLength: 24, label: 'eth1:1' }] },
        { op: 'createMacvlan', args: [{ parent: 'eth9', name: 'vrrp.1', mac: vmacAddress(1) }] },
        { op: 'setLinkUp', args: ['eth9', true] },
        { op: 'getLink', args: ['eth9'] },
        { op: 'listAddresses', args: [{ ifname: 'eth9' }] },
      ]);
      const errors = results.map((r) => r.error);
      assert.deepEqual(errors[0], { name: 'NetlinkError', errno: 'ENODEV', operation: 'addAddress', message: 'add 10.0.0.100/24 on eth9: no such device (ENODEV)' });
      assert.equal(errors[1]?.message, 'delete 10.0.0.100/24 from eth9: no such device (ENODEV)');
      assert.deepEqual(errors[2], {
        name: 'NetlinkError',
        errno: 'EINVAL',
        operation: 'addAddress',
        message: 'add 10.0.0.100/24 on eth0: label "eth1:1" must start with the interface name "eth0" (EINVAL)',
      });
      assert.equal(errors[3]?.message, 'create macvlan vrrp.1 on eth9: no such device (ENODEV)');
      assert.equal(errors[4]?.message, 'set eth9 up: no such device (ENODEV)');
      assert.deepEqual(results[5], { op: 'getLink', ok: true, value: null });
      assert.equal(errors[6]?.errno, 'ENODEV');
      assert.equal((await ipAddresses(lab, a, 'eth0')).some((entry) => entry.local === '10.0.0.100'), false);

      const denied = await probe(
        lab,
        a,
        [
          { op: 'addAddress', args: [{ ifname: 'eth0', address: '10.0.0.100', prefixLength: 24 }] },
          { op: 'createMacvlan', args: [{ parent: 'eth0', name: 'vrrp.1', mac: vmacAddress(1) }] },
          { op: 'setLinkUp', args: ['eth0', false] },
          { op: 'listLinks' },
        ],
        { asNobody: true },
      );
      assert.deepEqual(denied[0]?.error, { name: 'NetlinkError', errno: 'EPERM', operation: 'addAddress', message: 'add 10.0.0.100/24 on eth0: operation not permitted (EPERM)' });
      assert.equal(denied[1]?.error?.errno, 'EPERM');
      assert.equal(denied[2]?.error?.message, 'set eth0 down: operation not permitted (EPERM)');
      assert.ok(valueOf<LinkInfo[]>(denied[3]).some((link) => link.name === 'eth0'), 'reading needs no privilege');
    });
  });

  it('delivers address and link events in order, and lets the process end after unsubscribing', async () => {
    await withLab(uniquePrefix('nlev'), async (lab) => {
      const { a } = await pair(lab);
      await lab.addAddress(a, 'eth0', '10.77.0.9/24');
      const watcher = await lab.spawn(a, [
        ...PROBE_ARGV,
        JSON.stringify([
          {
            op: 'watch',
            timeoutMs: 10_000,
            until: [
              { kind: 'address-added', address: { address: '10.77.0.10' } },
              { kind: 'address-removed', address: { address: '10.77.0.9' } },
              { kind: 'link-changed', link: { name: 'eth0', up: false } },
            ],
          },
        ]),
      ]);
      await watcher.waitForLine('"ready":true', { timeoutMs: 10_000 });
      await lab.exec(a, ['ip', 'address', 'add', '10.77.0.10/24', 'dev', 'eth0'], { check: true });
      await lab.exec(a, ['ip', 'address', 'del', '10.77.0.9/24', 'dev', 'eth0'], { check: true });
      await lab.linkDown(a, 'eth0');
      const exit = await Promise.race([watcher.exited, new Promise<'hung'>((resolve) => setTimeout(resolve, 10_000, 'hung').unref())]);
      assert.deepEqual(exit, { code: 0, signal: null }, `the watcher must end by itself:\n${watcher.text()}`);

      const lines = parseLines(watcher.text('stdout'));
      assert.deepEqual(lines.at(-1), { op: 'watch', ok: true });
      const events = lines.flatMap((line) => (line.event ? [line.event] : []));
      const added = events.findIndex((e) => e.kind === 'address-added' && e.address.address === '10.77.0.10');
      const removed = events.findIndex((e) => e.kind === 'address-removed' && e.address.address === '10.77.0.9');
      const down = events.findIndex((e) => e.kind === 'link-changed' && e.link.name === 'eth0' && !e.link.up);
      assert.ok(added >= 0 && added < removed && removed < down, JSON.stringify(events, null, 1));
      const removal = events[removed];
      assert.ok(removal?.kind === 'address-removed');
      assert.deepEqual(
        { ifname: removal.address.ifname, family: removal.address.family, prefixLength: removal.address.prefixLength, proto: removal.address.proto },
        { ifname: 'eth0', family: 4, prefixLength: 24, proto: undefined },
      );
      const linkDown = events[down];
      assert.ok(linkDown?.kind === 'link-changed');
      assert.equal(linkDown.link.running, false);
      assert.equal(linkDown.link.kind, 'veth');
    });
  });

  it('creates a use_vmac macvlan with the VRRP MAC on a veth, takes it over again, and deletes it', async () => {
    await withLab(uniquePrefix('nlmv'), async (lab) => {
      const { a } = await pair(lab);
      const name = macvlanName(51);
      const mac = vmacAddress(51);
      const results = await probe(lab, a, [
        { op: 'createMacvlan', args: [{ parent: 'eth0', name, mac }] },
        { op: 'setLinkUp', args: [name, true] },
        { op: 'createMacvlan', args: [{ parent: 'eth0', name, mac: mac.toUpperCase() }] },
        { op: 'createMacvlan', args: [{ parent: 'eth0', name, mac: vmacAddress(52) }] },
        { op: 'getLink', args: ['eth0'] },
      ]);
      const created = valueOf<LinkInfo>(results[0]);
      const eth0 = valueOf<LinkInfo>(results[4]);
      assert.deepEqual(created, { index: created.index, name: 'vrrp.51', mac: '00:00:5e:00:01:33', up: false, running: false, mtu: 1500, kind: 'macvlan', parentIndex: eth0.index, macvlanMode: 'private' });
      const again = valueOf<LinkInfo>(results[2]);
      assert.equal(again.index, created.index);
      assert.equal(again.up, true);
      assert.equal(results[3]?.error?.errno, 'EEXIST');
      assert.match(results[3]?.error?.message ?? '', /vrrp\.51 already exists as a macvlan with MAC 00:00:5e:00:01:33/);

      const shown = await lab.exec(a, ['ip', '-j', '-d', 'link', 'show', 'dev', name], { check: true });
      const [link] = JSON.parse(shown.stdout) as [{ address: string; link: string; flags: string[]; linkinfo: { info_kind: string; info_data: { mode: string } } }];
      assert.equal(link.address, '00:00:5e:00:01:33');
      assert.equal(link.link, 'eth0');
      assert.ok(link.flags.includes('UP'));
      assert.deepEqual([link.linkinfo.info_kind, link.linkinfo.info_data.mode], ['macvlan', 'private']);

      const removal = await probe(lab, a, [
        { op: 'deleteLink', args: [name] },
        { op: 'deleteLink', args: [name] },
        { op: 'getLink', args: [name] },
      ]);
      assert.deepEqual(removal.map((r) => r.value), ['deleted', 'absent', null]);
      const gone = await lab.exec(a, ['ip', 'link', 'show', 'dev', name]);
      assert.notEqual(gone.code, 0);
    });
  });

  it('lets the process exit after close() even with a listener still subscribed', async () => {
    await withLab(uniquePrefix('nlcl'), async (lab) => {
      const { a } = await pair(lab);
      const started = Date.now();
      const results = await probe(lab, a, [{ op: 'subscribe' }, { op: 'listLinks' }, { op: 'close' }, { op: 'getLink', args: ['eth0'] }]);
      assert.deepEqual(results[0], { op: 'subscribe', ok: true });
      assert.ok(Date.now() - started < PROBE_TIMEOUT_MS / 2);
      assert.deepEqual(results[3]?.error, { name: 'NetlinkError', errno: 'EBADF', operation: 'getLink', message: 'get link eth0: rtnetlink is closed (EBADF)' });
    });
  });
});

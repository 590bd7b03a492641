// What this lib decides, without a kernel: address and event parsing,
// ownership and idempotency, and what happens on a kernel that drops the
// IFA_PROTO mark (which no kernel here can be made to do). The real kernel
// judges the same operations in test/vipctl. Run (well under a second):
//   node --import tsx --conditions=source --test libs/vip/src/vip.test.ts

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OWNER_PROTO } from '@keepalived-ts/netlink';
import type { Announcer } from '@keepalived-ts/wire/announceSender';
import { addVip, deleteVip, flushOwned, kernelKeepsMarks, notOursMessage, ownerOf, parseScope } from './addressControl.js';
import { announcementText } from './announce.js';
import { VipError } from './errors.js';
import { EventApplier, type ApplyReport } from './eventApplier.js';
import { parseTransitionEvent } from './transitionEvent.js';
import { parseVip, type VipAddress } from './vipAddress.js';
import { MemoryRtnetlink } from './testing/memoryRtnetlink.js';

const vip = (text: string): VipAddress => {
  const parsed = parseVip(text);
  assert.ok(parsed.ok, text);
  return parsed.vip;
};

describe('parseVip', () => {
  it('takes IPv4 and IPv6, with or without a prefix length, and canonicalises', () => {
    assert.deepEqual(parseVip('10.0.0.100/24'), { ok: true, vip: { address: '10.0.0.100', family: 4, prefixLength: 24 } });
    assert.deepEqual(parseVip('FD00:0:0::100'), { ok: true, vip: { address: 'fd00::100', family: 6, prefixLength: undefined } });
    assert.deepEqual(parseVip('fd00::100/128'), { ok: true, vip: { address: 'fd00::100', family: 6, prefixLength: 128 } });
  });

  it('says why it refuses', () => {
    const reason = (text: string) => {
      const parsed = parseVip(text);
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    assert.equal(reason('10.0.0.300/24'), '"10.0.0.300" is not an IPv4 or IPv6 address');
    assert.equal(reason('10.0.0.1/33'), '"10.0.0.1/33": the prefix length must be a number from 0 to 32');
    assert.equal(reason('fd00::1/129'), '"fd00::1/129": the prefix length must be a number from 0 to 128');
    assert.equal(reason('10.0.0.1/'), '"10.0.0.1/": the prefix length must be a number from 0 to 32');
    assert.equal(reason('10.0.0.1/2a'), '"10.0.0.1/2a": the prefix length must be a number from 0 to 32');
    assert.equal(reason('fe80::1%eth0'), '"fe80::1%eth0": give the interface with dev, not as a zone index');
    assert.equal(reason(''), '"" is not an IPv4 or IPv6 address');
  });
});

describe('parseTransitionEvent', () => {
  const event = {
    time: '2026-11-01T00:00:00.000Z',
    instance: 'VI_1',
    vrid: 51,
    interface: 'eth0',
    from: 'backup',
    to: 'master',
    priority: 150,
    reason: 'master-down',
    vips: ['10.0.0.100/24'],
    vipDetails: [{ address: '10.0.0.100/24', dev: 'eth0', label: 'eth0:1' }, { address: 'fd00::100/64', dev: 'eth1' }],
  };

  it("reads vrrpd's events, vipDetails first", () => {
    const parsed = parseTransitionEvent(JSON.stringify(event));
    assert.ok(parsed.ok);
    assert.equal(parsed.event.to, 'master');
    assert.deepEqual(parsed.event.placements, [
      { vip: { address: '10.0.0.100', family: 4, prefixLength: 24 }, dev: 'eth0', label: 'eth0:1' },
      { vip: { address: 'fd00::100', family: 6, prefixLength: 64 }, dev: 'eth1' },
    ]);
  });

  it('falls back to vips on interface, host routes when no prefix length is written', () => {
    const parsed = parseTransitionEvent(JSON.stringify({ instance: 'VI_1', to: 'backup', interface: 'eth0', vips: ['10.0.0.100'] }));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.event.placements, [{ vip: { address: '10.0.0.100', family: 4, prefixLength: 32 }, dev: 'eth0' }]);
  });

  it('gives a reason for each kind of bad line', () => {
    const reason = (line: string) => {
      const parsed = parseTransitionEvent(line);
      return parsed.ok ? 'accepted' : parsed.reason;
    };
    assert.match(reason('{"instance":'), /^not JSON \(/);
    assert.equal(reason('[1,2]'), 'not a JSON object');
    assert.equal(reason(JSON.stringify({ ...event, instance: undefined })), 'instance is missing');
    assert.equal(reason(JSON.stringify({ ...event, to: 'MASTER' })), 'to is "MASTER": expected init, backup, master, fault');
    assert.equal(reason(JSON.stringify({ ...event, vipDetails: [{ address: '10.0.0.999/24', dev: 'eth0' }] })), 'vipDetails[0].address: "10.0.0.999" is not an IPv4 or IPv6 address');
    assert.equal(reason(JSON.stringify({ ...event, vipDetails: [{ address: '10.0.0.9/24' }] })), 'vipDetails[0].dev is missing');
    assert.equal(reason(JSON.stringify({ ...event, vipDetails: [{ address: '10.0.0.9/24', dev: 'eth0', label: 7 }] })), 'vipDetails[0].label is 7, not a string');
    assert.equal(reason(JSON.stringify({ instance: 'VI_1', to: 'master' })), 'vipDetails and vips are both missing');
  });
});

describe('ownership', () => {
  it('knows which kernels keep the mark (IFA_PROTO, Linux 5.18)', () => {
    assert.equal(kernelKeepsMarks('5.10.0-28-amd64'), false);
    assert.equal(kernelKeepsMarks('5.17.15'), false);
    assert.equal(kernelKeepsMarks('5.18.0'), true);
    assert.equal(kernelKeepsMarks('6.1.0-13-amd64'), true);
    assert.equal(kernelKeepsMarks('4.19.0'), false);
  });

  it('names owners', () => {
    const base = { ifindex: 2, ifname: 'eth0', family: 4 as const, address: '10.0.0.1', prefixLength: 24, scope: 0, flags: 0 };
    assert.equal(ownerOf(base), 'none');
    assert.equal(ownerOf({ ...base, proto: OWNER_PROTO }), 'ours');
    assert.equal(ownerOf({ ...base, proto: 18 }), 'keepalived');
    assert.equal(ownerOf({ ...base, proto: 3 }), 'kernel');
    assert.equal(ownerOf({ ...base, proto: 99 }), 99);
  });

  it('parses scopes as ip(8) does', () => {
    assert.equal(parseScope('host'), 254);
    assert.equal(parseScope('nowhere'), 255);
    assert.equal(parseScope('17'), 17);
    assert.equal(parseScope('256'), undefined);
    assert.equal(parseScope('toString'), undefined);
  });

  it('refuses to delete an unmarked address, and says why (more on an old kernel)', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'] });
    rtnl.seed('eth0', '10.0.0.1/24');
    const [outcome] = await deleteVip(rtnl, { vip: vip('10.0.0.1/24'), dev: 'eth0' });
    assert.equal(outcome?.result, 'not-ours');
    assert.equal(rtnl.addresses.length, 1);
    assert.equal(notOursMessage(outcome!, '6.1.0'), '10.0.0.1/24 on eth0 is not ours: it carries no mark (added by hand, by DHCP or another program); --force removes it anyway');
    assert.match(notOursMessage(outcome!, '5.10.0'), /this kernel, 5\.10\.0, keeps no address marks: IFA_PROTO needs Linux 5\.18/);
    const forced = await deleteVip(rtnl, { vip: vip('10.0.0.1'), dev: 'eth0', isOurs: () => true });
    assert.deepEqual(forced.map((o) => [o.result, o.address]), [['deleted', '10.0.0.1/24']]);
  });

  it('flush refuses on a kernel without marks rather than pretending there is nothing', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'], keepsMarks: false });
    await addVip(rtnl, { vip: vip('10.0.0.100/24'), dev: 'eth0' });
    await assert.rejects(flushOwned(rtnl, undefined, '5.10.0'), (error: unknown) => error instanceof VipError && error.kind === 'not-ours' && /nothing removed/.test(error.message));
    assert.equal(rtnl.addresses.length, 1);
  });

  it('add is idempotent, refuses an address bound elsewhere, and checks the device first', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0', 'eth1'] });
    assert.deepEqual(await addVip(rtnl, { vip: vip('10.0.0.100/24'), dev: 'eth0' }), { result: 'added', address: '10.0.0.100/24', dev: 'eth0', owned: true });
    assert.deepEqual(await addVip(rtnl, { vip: vip('10.0.0.100/24'), dev: 'eth0' }), { result: 'present', address: '10.0.0.100/24', dev: 'eth0', owned: true });
    await assert.rejects(addVip(rtnl, { vip: vip('10.0.0.100/24'), dev: 'eth1' }), (error: unknown) => error instanceof VipError && error.exitStatus === 6);
    await assert.rejects(addVip(rtnl, { vip: vip('10.0.0.100/25'), dev: 'eth0' }), (error: unknown) => error instanceof VipError && error.kind === 'bound-elsewhere');
    await assert.rejects(addVip(rtnl, { vip: vip('10.0.0.101/24'), dev: 'eth9' }), (error: unknown) => error instanceof VipError && error.exitStatus === 3);
    await assert.rejects(addVip(rtnl, { vip: vip('10.0.0.101/24'), dev: 'eth0:1' }), (error: unknown) => error instanceof VipError && error.exitStatus === 3);
    await assert.rejects(addVip(rtnl, { vip: vip('10.0.0.101/24'), dev: 'eth0', scope: 'far' }), (error: unknown) => error instanceof VipError && error.exitStatus === 5);
    assert.equal((await addVip(rtnl, { vip: vip('10.0.0.100/24'), dev: 'eth1', force: true })).result, 'added');
  });
});

describe('EventApplier', () => {
  const line = (to: string, vips = ['10.0.0.100/24']) => {
    const parsed = parseTransitionEvent(JSON.stringify({ instance: 'VI_1', to, interface: 'eth0', vips }));
    assert.ok(parsed.ok);
    return parsed.event;
  };

  function fakeAnnouncer(sent: string[]): (ifname: string) => Promise<Announcer> {
    return async (ifname) => ({
      ifname,
      mac: '02:00:00:00:00:01',
      counters: { arp: 0, neighbourAdverts: 0 },
      arp: (ip, count) => void sent.push(`arp ${ip} x${count} on ${ifname}`),
      neighbourAdvert: (ip, count) => void sent.push(`na ${ip} x${count} on ${ifname}`),
      close: () => undefined,
    });
  }

  const summary = (reports: ApplyReport[]) =>
    reports.map((r) => (r.kind === 'announced' ? announcementText(r.announced) : r.kind === 'error' ? `error ${r.error.message}` : `${r.to} ${r.kind} ${r.address} ${r.dev}`));

  it('adds and announces on master, removes ours on backup, leaves what is not ours', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'] });
    rtnl.seed('eth0', '10.0.0.200/24');
    const sent: string[] = [];
    const reports: ApplyReport[] = [];
    const applier = new EventApplier(rtnl, fakeAnnouncer(sent), { announceCount: 3, secondBurstDelayMs: 0 }, (r) => reports.push(r));
    await applier.apply(line('master', ['10.0.0.100/24', 'fd00::100/64', '10.0.0.200/24']), 1);
    await applier.apply(line('backup', ['10.0.0.100/24', 'fd00::100/64', '10.0.0.200/24']), 2);
    await applier.apply(line('init', ['10.0.0.100/24']), 3);
    applier.close();
    assert.deepEqual(summary(reports), [
      'master added 10.0.0.100/24 eth0',
      'master added fd00::100/64 eth0',
      'master present 10.0.0.200/24 eth0',
      'sent 3 gratuitous ARP requests for 10.0.0.100 on eth0 from 02:00:00:00:00:01',
      'sent 3 unsolicited neighbour advertisements for fd00::100 on eth0 from 02:00:00:00:00:01',
      'sent 3 gratuitous ARP requests for 10.0.0.200 on eth0 from 02:00:00:00:00:01',
      'backup deleted 10.0.0.100/24 eth0',
      'backup deleted fd00::100/64 eth0',
      'backup not-ours 10.0.0.200/24 eth0',
      'init absent 10.0.0.100/24 eth0',
    ]);
    assert.deepEqual(rtnl.addresses.map((a) => `${a.address}/${a.prefixLength}`), ['10.0.0.200/24']);
    assert.equal(sent.length, 3);
  });

  it('on a kernel without marks, removes what it added itself and nothing else', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'], keepsMarks: false });
    rtnl.seed('eth0', '10.0.0.200/24');
    const reports: ApplyReport[] = [];
    const applier = new EventApplier(rtnl, fakeAnnouncer([]), { announceCount: 1, secondBurstDelayMs: 0, kernelKeepsMarks: false }, (r) => reports.push(r));
    await applier.apply(line('master', ['10.0.0.100/24', '10.0.0.200/24']), 1);
    await applier.apply(line('fault', ['10.0.0.100/24', '10.0.0.200/24']), 2);
    applier.close();
    assert.deepEqual(summary(reports).filter((s) => s.startsWith('fault')), ['fault deleted 10.0.0.100/24 eth0', 'fault not-ours 10.0.0.200/24 eth0']);
  });

  it('reports a failure and goes on with the next VIP', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'], readOnly: true });
    const reports: ApplyReport[] = [];
    const applier = new EventApplier(rtnl, fakeAnnouncer([]), { announceCount: 1, secondBurstDelayMs: 0 }, (r) => reports.push(r));
    const event = parseTransitionEvent(JSON.stringify({ instance: 'VI_1', to: 'master', vipDetails: [{ address: '10.0.0.100/24', dev: 'eth9' }, { address: '10.0.0.101/24', dev: 'eth0' }] }));
    assert.ok(event.ok);
    await applier.apply(event.event, 7);
    applier.close();
    assert.deepEqual(
      reports.map((r) => (r.kind === 'error' ? [r.line, r.error.kind] : [r.line, r.kind])),
      [
        [7, 'no-such-device'],
        [7, 'not-permitted'],
      ],
    );
  });

  it('sends the second burst after the delay, unless the instance moved on', async () => {
    const rtnl = new MemoryRtnetlink({ links: ['eth0'] });
    const sent: string[] = [];
    const applier = new EventApplier(rtnl, fakeAnnouncer(sent), { announceCount: 2, secondBurstDelayMs: 30 }, () => undefined);
    await applier.apply(line('master'), 1);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.deepEqual(sent, ['arp 10.0.0.100 x2 on eth0', 'arp 10.0.0.100 x2 on eth0']);
    await applier.apply(line('master'), 2);
    await applier.apply(line('backup'), 3);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(sent.length, 3);
    applier.close();
  });
});

// The VRRP socket against the real kernel and Debian's keepalived 2.2.7, in
// network namespaces. Needs root. Run (about 20 s, the cases run at once):
//   node --import tsx --conditions=source --test libs/wire/src/vrrpSocket.test.ts
//
// This file is also the program the tests run inside the namespaces:
//   vrrpSocket.test.ts --peer PLAN_JSON     open a VRRP socket, send, listen, print JSON lines
//   vrrpSocket.test.ts --inject PLAN_JSON   inject hand-made VRRP frames with pcap
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { decodeAdvert, parseAddress, type AdvertInput } from '@keepalived-ts/vrrp';
// libs/wire has no dependency on the test helpers (and installs are not ours to
// change): they are plain TypeScript, reached by path.
import {
  readPcapText,
  startKeepalived,
  startTcpdump,
  uniquePrefix,
  withLab,
  type KeepalivedHandle,
  type Lab,
  type ProcessHandle,
} from '@keepalived-ts/test-utils';
import { openLinkSession } from './announceSender.js';
import { encodeVrrpFrame } from './vrrpPacket.js';
import { Ipv4IdCounter, openVrrpSocket, type VrrpSocketOptions } from './vrrpSocket.js';

const SELF = fileURLToPath(import.meta.url);
const TSX = [process.execPath, '--import', 'tsx', '--conditions=source'];

interface PeerPlan {
  readonly socket: Omit<VrrpSocketOptions, 'onError'>;
  readonly advert?: AdvertInput;
  readonly sendCount?: number;
  readonly intervalMs?: number;
  /** How long to go on receiving once the sending is done (SIGUSR2 cuts it short). */
  readonly listenMs: number;
  /** Send the advert with priority 0 just before close(), as a stopping master does. */
  readonly priorityZeroOnClose?: boolean;
}

interface InjectPlan {
  readonly ifname: string;
  readonly packets: readonly { readonly source: string; readonly destination: string; readonly ttl: number; readonly advert: AdvertInput }[];
}

type PeerEvent =
  | { readonly event: 'ready' }
  | { readonly event: 'stopped-sending' }
  | { readonly event: 'error'; readonly kind: string; readonly message: string }
  | {
      readonly event: 'packet';
      readonly source: string;
      readonly destination: string;
      readonly ttl: number;
      readonly ok: boolean;
      readonly reason?: string;
      readonly vrid?: number;
      readonly priority?: number;
      readonly version?: number;
      readonly addresses?: readonly string[];
    }
  | { readonly event: 'done'; readonly counters: { sent: number; received: number; dropped: Record<string, number>; errors: Record<string, number> } };

const print = (event: PeerEvent): void => void process.stdout.write(`${JSON.stringify(event)}\n`);

async function runPeer(plan: PeerPlan): Promise<void> {
  // Listening lasts listenMs, or until SIGUSR2 says that everything to hear was sent.
  let onStop = (): void => undefined;
  const stopRequested = new Promise<void>((resolve) => (onStop = resolve));
  process.on('SIGUSR2', onStop);
  const family = plan.socket.family;
  const socket = await openVrrpSocket({ ...plan.socket, onError: (error) => print({ event: 'error', kind: error.kind, message: error.message }) }, (packet) => {
    const decoded = decodeAdvert(packet.message, {
      family,
      source: parseAddress(packet.source)!.bytes,
      destination: parseAddress(packet.destination)!.bytes,
      ttl: packet.ttl,
    });
    const advert = decoded.advert;
    print({
      event: 'packet',
      source: packet.source,
      destination: packet.destination,
      ttl: packet.ttl,
      ok: decoded.ok,
      ...(decoded.ok ? {} : { reason: decoded.reason }),
      ...(advert ? { vrid: advert.vrid, priority: advert.priority, version: advert.version, addresses: advert.addresses } : {}),
    });
  });
  print({ event: 'ready' });
  const { advert, sendCount = 0, intervalMs = 1000 } = plan;
  for (let sent = 0; advert && sent < sendCount; sent++) {
    if (sent > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    socket.send(advert);
  }
  print({ event: 'stopped-sending' });
  await Promise.race([stopRequested, new Promise((resolve) => setTimeout(resolve, plan.listenMs).unref())]);
  process.off('SIGUSR2', onStop);
  print({ event: 'done', counters: socket.counters });
  if (advert && plan.priorityZeroOnClose) socket.send({ ...advert, priority: 0 });
  // Nothing else holds the event loop: the process must now end by itself.
  socket.close();
}

async function runInjector(plan: InjectPlan): Promise<void> {
  const link = openLinkSession(plan.ifname);
  for (const packet of plan.packets) link.inject(encodeVrrpFrame({ ...packet, id: 1, sourceMac: link.mac }));
  link.close();
}

const role = process.argv[2];
if (role === '--peer') await runPeer(JSON.parse(process.argv[3]!) as PeerPlan);
else if (role === '--inject') await runInjector(JSON.parse(process.argv[3]!) as InjectPlan);
else defineTests();

// ---------------------------------------------------------------------------

async function spawnPeer(lab: Lab, ns: string, plan: PeerPlan): Promise<ProcessHandle> {
  const child = await lab.spawn(ns, [...TSX, SELF, '--peer', JSON.stringify(plan)]);
  await child.waitForLine('"event":"ready"', { timeoutMs: 15_000 });
  return child;
}

function peerEvents(child: ProcessHandle): PeerEvent[] {
  return child.lines('stdout').flatMap((line) => (line.text.startsWith('{') ? [JSON.parse(line.text) as PeerEvent] : []));
}

const packetsOf = (child: ProcessHandle) => peerEvents(child).flatMap((event) => (event.event === 'packet' ? [event] : []));

/** Waits for the peer's last words, then for it to exit on its own: close() must release the event loop. */
async function finished(child: ProcessHandle, timeoutMs: number) {
  await child.waitForLine('"event":"done"', { timeoutMs });
  const exit = await Promise.race([child.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3_000).unref())]);
  assert.notEqual(exit, 'hung', `${child.argv.slice(-2, -1).join(' ')} did not exit after close(); output:\n${child.text()}`);
  assert.deepEqual(exit, { code: 0, signal: null }, child.text());
  const done = peerEvents(child).find((event) => event.event === 'done');
  assert.ok(done?.event === 'done');
  const errors = peerEvents(child).filter((event) => event.event === 'error');
  assert.deepEqual(errors, [], 'the socket reported errors');
  return done.counters;
}

/** Two namespaces joined by a veth pair; IPv6 with fixed link-local addresses only. */
async function pair(lab: Lab, family: 4 | 6): Promise<{ a: string; b: string }> {
  const a = await lab.addNamespace('a');
  const b = await lab.addNamespace('b');
  await lab.connect(a, b, { up: false });
  for (const [ns, host] of [[a, 1], [b, 2]] as const) {
    await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
    await lab.linkUp(ns, 'eth0');
    await lab.addAddress(ns, 'eth0', family === 4 ? `10.77.0.${host}/24` : `fe80::77:${host}/64`);
  }
  return { a, b };
}

// Without it, frames wait in libpcap's ring for up to a second, and a capture stopped early misses them.
const IMMEDIATE = { extraArgs: ['--immediate-mode'] };

const NOT_WELL = /invalid|bogus|bad |mismatch|wrong|incorrect|error/i;

function keepalivedComplaints(keepalived: KeepalivedHandle): string[] {
  return keepalived.logLines().filter((line) => NOT_WELL.test(line));
}

/**
 * Our adverts make a lower-priority keepalived stay BACKUP; once we stop,
 * it becomes MASTER, and its adverts reach our socket with TTL/hop limit 255.
 */
async function interop(family: 4 | 6): Promise<void> {
  const v4 = family === 4;
  await withLab(uniquePrefix(v4 ? 'ka4' : 'ka6'), async (lab) => {
    const { a, b } = await pair(lab, family);
    const dir = await lab.tempDir('pcap');
    const tcpdump = await startTcpdump(lab, b, 'eth0', `${dir}/vrrp.pcap`, undefined, IMMEDIATE);
    const vip = v4 ? '10.77.0.100' : 'fd77::100';
    const intervalMs = v4 ? 1000 : 500;
    const advert: AdvertInput = v4
      ? { version: 2, vrid: 51, priority: 200, intervalSeconds: 1, authData: 's3cret', addresses: [vip] }
      : { version: 3, vrid: 55, priority: 200, intervalCentiseconds: 50, addresses: [vip] };
    // Sending for twice keepalived's master-down interval (3 intervals and a skew).
    const sendCount = v4 ? 8 : 9;
    const ours = await spawnPeer(lab, a, {
      socket: { family, ifname: 'eth0', sourceAddress: v4 ? '10.77.0.1' : 'fe80::77:1' },
      advert,
      sendCount,
      intervalMs,
      listenMs: 6 * intervalMs + 1000,
    });
    const keepalived = await startKeepalived(
      lab,
      b,
      `vrrp_instance KT {
    ${v4 ? '' : 'version 3'}
    state BACKUP
    interface eth0
    virtual_router_id ${advert.vrid}
    priority 100
    advert_int ${intervalMs / 1000}
    ${v4 ? 'authentication {\n        auth_type PASS\n        auth_pass s3cret\n    }' : ''}
    virtual_ipaddress {
        ${vip}/${v4 ? 24 : 64}
    }
}
`,
      { name: 'backup' },
    );
    await ours.waitForLine('"event":"stopped-sending"', { timeoutMs: sendCount * intervalMs + 5_000 });
    const log = () => keepalived.logLines().join('\n  ');
    assert.ok(!keepalived.logLines().some((line) => /Entering MASTER STATE/.test(line)), `keepalived took over while we advertised:\n  ${log()}`);
    assert.deepEqual(keepalivedComplaints(keepalived), [], `keepalived complained about our adverts:\n  ${log()}`);
    // Without our adverts it takes over: so it had been listening to them.
    await keepalived.waitForState('KT', 'MASTER', { timeoutMs: 5 * intervalMs + 2_000 });
    const counters = await finished(ours, 10 * intervalMs + 5_000);
    await tcpdump.stop();
    assert.deepEqual(keepalivedComplaints(keepalived), [], log());

    // keepalived's adverts, received by our socket in A.
    const received = packetsOf(ours);
    assert.ok(received.length >= 2, `our socket received ${received.length} adverts from keepalived`);
    for (const packet of received) {
      assert.deepEqual(
        { source: packet.source, destination: packet.destination, ttl: packet.ttl, ok: packet.ok, vrid: packet.vrid, priority: packet.priority, version: packet.version, addresses: packet.addresses },
        { source: v4 ? '10.77.0.2' : 'fe80::77:2', destination: v4 ? '224.0.0.18' : 'ff02::12', ttl: 255, ok: true, vrid: advert.vrid, priority: 100, version: v4 ? 2 : 3, addresses: [vip] },
      );
    }
    assert.equal(counters.sent, sendCount);
    assert.equal(counters.received, received.length);
    assert.deepEqual(counters.dropped, {});

    // Ours, as tcpdump -vv prints them, next to keepalived's own.
    const text = (await readPcapText(`${dir}/vrrp.pcap`, ['-nn', '-vv'])).stdout;
    const records = text.split(/\n(?=\d\d:\d\d:\d\d\.\d+ )/).map((record) => record.replace(/\s+/g, ' ').trim()).filter(Boolean);
    const fromUs = records.filter((record) => record.includes(v4 ? '10.77.0.1 > 224.0.0.18' : 'fe80::77:1 > ff02::12'));
    const fromKeepalived = records.filter((record) => record.includes(v4 ? '10.77.0.2 > 224.0.0.18' : 'fe80::77:2 > ff02::12'));
    assert.equal(fromUs.length, sendCount, text);
    assert.ok(fromKeepalived.length >= 2, text);
    assert.doesNotMatch(text, /bad|wrong|invalid/i);
    // The same line but for the time, id (IPv4), sender and priority: byte for byte where it matters.
    const normalise = (record: string) =>
      record
        .replace(/^\S+ /, '')
        .replace(/id \d+,/, 'id N,')
        .replace(/10\.77\.0\.[12] >|fe80::77:[12] >/, 'SRC >')
        .replace(/prio \d+/, 'prio P')
        // The kernel's automatic flow label hashes the flow (addresses): from
        // fe80::77:1, ours is 0x4e8ab, as is keepalived's in test/golden/samples/v3-ipv6.txt.
        .replace(/flowlabel 0x[0-9a-f]+/, 'flowlabel F');
    for (const record of [...fromUs, ...fromKeepalived]) assert.equal(normalise(record), normalise(fromKeepalived[0]!), record);
    if (v4) {
      assert.deepEqual(fromUs.map((record) => /id (\d+),/.exec(record)?.[1]), Array.from({ length: sendCount }, (_, i) => String(i + 1)));
      assert.match(fromUs[0]!, /IP \(tos 0xc0, ttl 255, id 1, offset 0, flags \[none\], proto VRRP \(112\), length 40\)/);
      assert.match(fromUs[0]!, /VRRPv2, Advertisement, vrid 51, prio 200, authtype simple, intvl 1s, length 20, addrs: 10\.77\.0\.100 auth "s3cret"/);
    } else {
      assert.match(fromUs[0]!, /IP6 \(class 0xc0, flowlabel 0x[0-9a-f]+, hlim 255, next-header VRRP \(112\) payload length: 24\)/);
      assert.match(fromUs[0]!, /VRRPv3, Advertisement, vrid 55, prio 200, intvl 50cs, length 24, addrs: fd77::100/);
    }
  });
}

function defineTests(): void {
  const needsRoot = process.getuid?.() === 0 ? false : 'needs root (network namespaces, raw sockets)';

  it('loads no native module until a socket is opened (tools\' --help stays instant)', () => {
    // This process imported vrrpSocket.ts and announceSender.ts, and opens nothing itself.
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => /raw-socket|[/\\]pcap[/\\]/.test(path));
    assert.deepEqual(loaded, []);
  });

  it('IPv4 ids count as keepalived counts them: from 1, and after 65535 from 2', () => {
    const ids = new Ipv4IdCounter();
    const first = Array.from({ length: 65536 }, () => ids.next());
    assert.deepEqual(first.slice(0, 3), [1, 2, 3]);
    assert.equal(first[65534], 65535);
    assert.equal(first[65535], 2);
    assert.ok(!first.includes(0), 'id 0 would make the kernel choose one');
  });

  describe('in network namespaces', { skip: needsRoot, concurrency: true }, () => {
    it('(a, b) IPv4: keepalived stays backup to our adverts, and we receive its own with TTL 255', () => interop(4));

    it('(c) IPv6: the same with VRRPv3 on ff02::12 from link-local addresses', () => interop(6));

    it('(d) an advert with TTL / hop limit 64 is received with ttl 64, for the caller to drop', async () => {
      await withLab(uniquePrefix('ttl'), async (lab) => {
        const { a, b } = await pair(lab, 4);
        await lab.addAddress(a, 'eth0', 'fe80::77:1/64');
        await lab.addAddress(b, 'eth0', 'fe80::77:2/64');
        const listeners = await Promise.all([
          spawnPeer(lab, b, { socket: { family: 4, ifname: 'eth0', sourceAddress: '10.77.0.2' }, listenMs: 20_000 }),
          spawnPeer(lab, b, { socket: { family: 6, ifname: 'eth0', sourceAddress: 'fe80::77:2' }, listenMs: 20_000 }),
        ]);
        const v2: AdvertInput = { version: 2, vrid: 60, priority: 100, intervalSeconds: 1, addresses: ['10.77.0.100'] };
        const v3: AdvertInput = { version: 3, vrid: 60, priority: 100, intervalCentiseconds: 100, addresses: ['fd77::100'] };
        const plan: InjectPlan = {
          ifname: 'eth0',
          packets: [
            { source: '10.77.0.1', destination: '224.0.0.18', ttl: 64, advert: v2 },
            { source: '10.77.0.1', destination: '224.0.0.18', ttl: 255, advert: v2 },
            { source: 'fe80::77:1', destination: 'ff02::12', ttl: 64, advert: v3 },
            { source: 'fe80::77:1', destination: 'ff02::12', ttl: 255, advert: v3 },
          ],
        };
        // The injector exits by itself too: an inject-only pcap session closes cleanly.
        const injected = await lab.exec(a, [...TSX, SELF, '--inject', JSON.stringify(plan)], { timeoutMs: 15_000 });
        assert.equal(injected.code, 0, injected.stderr);
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (const listener of listeners) {
          listener.signal('SIGUSR2');
          await finished(listener, 10_000);
          const seen = packetsOf(listener).map((packet) => ({ ttl: packet.ttl, ok: packet.ok, reason: packet.reason }));
          assert.deepEqual(seen, [{ ttl: 64, ok: false, reason: 'bad-ttl' }, { ttl: 255, ok: true, reason: undefined }], listener.text());
        }
      });
    });

    for (const family of [4, 6] as const) {
      it(`(e) IPv${family} unicast: adverts go to the peer, and only configured peers are heard`, async () => {
        await withLab(uniquePrefix(`uc${family}`), async (lab) => {
          const sw = await lab.addSwitch('sw');
          const nodes: string[] = [];
          for (const [index, short] of ['a', 'b', 'c'].entries()) {
            const ns = await lab.addNamespace(short);
            await lab.plug(ns, sw, { up: false });
            await lab.exec(ns, ['ip', 'link', 'set', 'eth0', 'addrgenmode', 'none'], { check: true });
            await lab.linkUp(ns, 'eth0');
            await lab.addAddress(ns, 'eth0', family === 4 ? `10.77.0.${index + 1}/24` : `fe80::77:${index + 1}/64`);
            nodes.push(ns);
          }
          const [a, b, c] = nodes as [string, string, string];
          const address = (host: number) => (family === 4 ? `10.77.0.${host}` : `fe80::77:${host}`);
          const vip = family === 4 ? '10.77.0.100' : 'fd77::100';
          const advert = (priority: number): AdvertInput =>
            family === 4 ? { version: 2, vrid: 70, priority, intervalSeconds: 1, addresses: [vip] } : { version: 3, vrid: 70, priority, intervalCentiseconds: 30, addresses: [vip] };
          const dir = await lab.tempDir('pcap');
          const tcpdump = await startTcpdump(lab, b, 'eth0', `${dir}/b.pcap`, undefined, IMMEDIATE);
          const receiver = await spawnPeer(lab, b, { socket: { family, ifname: 'eth0', sourceAddress: address(2), unicastPeers: [address(1)] }, listenMs: 20_000 });
          const senders = await Promise.all([
            spawnPeer(lab, a, { socket: { family, ifname: 'eth0', sourceAddress: address(1), unicastPeers: [address(2)] }, advert: advert(150), sendCount: 3, intervalMs: 300, listenMs: 500, priorityZeroOnClose: true }),
            // c is not a peer of b's: b must not hear it.
            spawnPeer(lab, c, { socket: { family, ifname: 'eth0', sourceAddress: address(3), unicastPeers: [address(2)] }, advert: advert(250), sendCount: 3, intervalMs: 300, listenMs: 500, priorityZeroOnClose: true }),
          ]);
          for (const sender of senders) assert.equal((await finished(sender, 10_000)).sent, 3);
          receiver.signal('SIGUSR2');
          const counters = await finished(receiver, 10_000);
          await tcpdump.stop();
          const heard = packetsOf(receiver);
          // The priority-0 advert sent just before close() got out too.
          assert.deepEqual(
            heard.map((packet) => ({ source: packet.source, destination: packet.destination, ttl: packet.ttl, ok: packet.ok, priority: packet.priority })),
            [150, 150, 150, 0].map((priority) => ({ source: address(1), destination: address(2), ttl: 255, ok: true, priority })),
          );
          assert.deepEqual(counters.dropped, { 'not-a-peer': 4 });
          // On the wire: unicast to b, hop limit 255, from each sender's own address.
          const text = (await readPcapText(`${dir}/b.pcap`, ['-nn', '-v'])).stdout;
          for (const host of [1, 3]) {
            const lines = text.split('\n').filter((line) => line.includes(`${address(host)} > ${address(2)}: VRRPv`));
            assert.equal(lines.length, 4, text);
          }
          assert.equal((text.match(family === 4 ? /ttl 255/g : /hlim 255/g) ?? []).length, 8, text);
          assert.doesNotMatch(text, /bad|wrong/i);
        });
      });
    }

    it('refuses to open when the kernel would send IPv6 adverts from another link-local address', async () => {
      await withLab(uniquePrefix('src6'), async (lab) => {
        const { a } = await pair(lab, 6);
        // Added last, so the kernel prefers it for ff02::12.
        await lab.addAddress(a, 'eth0', 'fe80::77:99/64');
        const result = await lab.exec(a, [...TSX, SELF, '--peer', JSON.stringify({ socket: { family: 6, ifname: 'eth0', sourceAddress: 'fe80::77:1' }, listenMs: 0 } satisfies PeerPlan)], { timeoutMs: 15_000 });
        assert.notEqual(result.code, 0);
        assert.match(result.stderr, /the kernel sends to ff02::12 from fe80::77:99, not fe80::77:1/);
        const direct = await lab.exec(a, [...TSX, SELF, '--peer', JSON.stringify({ socket: { family: 6, ifname: 'eth0', sourceAddress: 'fe80::77:99' }, listenMs: 0 } satisfies PeerPlan)], { timeoutMs: 15_000 });
        assert.equal(direct.code, 0, direct.stderr);
      });
    });
  });
}

// Needs root: it makes network namespaces. Run:
//   node --import tsx --conditions=source --test test/utils/src/lab.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isProcessRunning, listNamespaces, runCommand, uniquePrefix, waitFor, WaitTimeoutError, withLab, type Lab } from './index.js';

const needsRoot = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

// ICMP echo needs iputils-ping (Debian package). Without it, a UDP round trip
// through Node proves the same path, so the test still says something.
const hasPing = (await runCommand(['sh', '-c', 'command -v ping'])).code === 0;

const UDP_ECHO_SERVER = `
const socket = require('node:dgram').createSocket(process.argv[1].includes(':') ? 'udp6' : 'udp4');
socket.on('message', (message, peer) => socket.send(message, peer.port, peer.address));
socket.bind(7777, process.argv[1], () => console.log('ready'));`;

const UDP_ECHO_CLIENT = `
const socket = require('node:dgram').createSocket(process.argv[1].includes(':') ? 'udp6' : 'udp4');
setTimeout(() => process.exit(1), 2000);
socket.on('message', (message) => { console.log(String(message)); process.exit(0); });
socket.send('echo', 7777, process.argv[1]);`;

/** Asserts that `target` answers from namespace `from` (ICMP echo, else UDP echo). */
async function assertReachable(lab: Lab, from: string, to: string, target: string): Promise<void> {
  if (hasPing) {
    const ping = await lab.exec(from, ['ping', '-n', '-c', '1', '-W', '2', target], { timeoutMs: 5_000 });
    assert.equal(ping.code, 0, `ping ${target}: ${ping.stdout}${ping.stderr}`);
    return;
  }
  const server = await lab.spawn(to, [process.execPath, '-e', UDP_ECHO_SERVER, target]);
  await server.waitForLine('ready', { timeoutMs: 5_000 });
  const client = await lab.exec(from, [process.execPath, '-e', UDP_ECHO_CLIENT, target], { timeoutMs: 5_000 });
  await server.stop();
  assert.equal(client.stdout.trim(), 'echo', `UDP echo from ${target}: ${client.stderr}`);
}

test('uniquePrefix fits interface names and refuses long tags', () => {
  const prefix = uniquePrefix('lab');
  assert.match(prefix, /^kt[0-9a-f]{4}lab$/);
  assert.ok(prefix.length <= 11);
  assert.throws(() => uniquePrefix('toolong'), RangeError);
  assert.throws(() => uniquePrefix('Bad!'), RangeError);
});

test('waitFor returns the first truthy value and names what it waited for on timeout', async () => {
  let calls = 0;
  assert.equal(await waitFor(() => (++calls >= 3 ? 'ready' : undefined), { timeoutMs: 1_000, intervalMs: 5, what: 'three calls' }), 'ready');
  await assert.rejects(
    waitFor(() => false, { timeoutMs: 100, intervalMs: 10, what: 'the impossible' }),
    (error: unknown) => error instanceof WaitTimeoutError && /waiting for the impossible/.test(error.message),
  );
});

test('two namespaces joined by a veth pair ping each other; destroy leaves nothing', { skip: needsRoot }, async () => {
  const prefix = uniquePrefix('lab');
  let sleeperPid = 0;
  await withLab(prefix, async (lab) => {
    const a = await lab.addNamespace('a');
    const b = await lab.addNamespace('b');
    const link = await lab.connect(a, b);
    assert.deepEqual(link, { a: { ns: a, ifname: 'eth0' }, b: { ns: b, ifname: 'eth0' } });
    await lab.addAddress(a, 'eth0', '10.77.0.1/24');
    await lab.addAddress(b, 'eth0', '10.77.0.2/24');
    await lab.addAddress(a, 'eth0', 'fd77::1/64');
    await lab.addAddress(b, 'eth0', 'fd77::2/64');

    await assertReachable(lab, a, b, '10.77.0.2');
    // nodad: the IPv6 address answers at once, with no wait for DAD.
    await assertReachable(lab, a, b, 'fd77::2');

    const failing = await lab.exec(a, ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([failing.stdout, failing.stderr, failing.code], ['out\n', 'err\n', 3]);
    const slow = await lab.exec(a, ['sleep', '5'], { timeoutMs: 100 });
    assert.equal(slow.timedOut, true);

    const sleeper = await lab.spawn(b, ['sleep', '60']);
    sleeperPid = sleeper.pid;
    assert.ok(await isProcessRunning(sleeperPid));
    assert.deepEqual((await listNamespaces(prefix)).sort(), [a, b].sort());
  });
  assert.deepEqual(await listNamespaces(prefix), [], 'namespaces left behind');
  assert.ok(!(await isProcessRunning(sleeperPid)), `process ${sleeperPid} survived destroy`);
});

test('a switch namespace joins three nodes on one segment', { skip: needsRoot }, async () => {
  const prefix = uniquePrefix('lab');
  await withLab(prefix, async (lab) => {
    const sw = await lab.addSwitch('sw');
    const nodes = [await lab.addNamespace('n1'), await lab.addNamespace('n2'), await lab.addNamespace('n3')];
    for (const [index, ns] of nodes.entries()) {
      await lab.plug(ns, sw);
      await lab.addAddress(ns, 'eth0', `10.77.0.${index + 1}/24`);
    }
    const [n1, n2, n3] = nodes;
    assert.ok(n1 && n2 && n3);
    await assertReachable(lab, n1, n2, '10.77.0.2');
    await assertReachable(lab, n1, n3, '10.77.0.3');
  });
  assert.deepEqual(await listNamespaces(prefix), []);
});

test('a lab is destroyed even when the test body throws', { skip: needsRoot }, async () => {
  const prefix = uniquePrefix('lab');
  await assert.rejects(
    withLab(prefix, async (lab) => {
      await lab.addNamespace('a');
      throw new Error('body failed');
    }),
    /body failed/,
  );
  assert.deepEqual(await listNamespaces(prefix), []);
});

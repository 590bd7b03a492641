// TCP_CHECK through hcheck against socat in a network namespace: up over
// IPv4 and IPv6, from a bind address the server sees; down when refused,
// when the server has stopped, when packets are dropped (timeout), and when
// there is no route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, CLIENT_V4_OTHER, dropInbound, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot, socat } from './checkLab.js';

const skip = skipUnlessRoot || (await missing('socat', 'socat')) || (await missing('nft', 'nftables'));

test('TCP_CHECK against socat', { skip }, async (t) => {
  await withLab(uniquePrefix('ctcp'), async (lab) => {
    const l = await makeCheckLab(lab);
    const server = await socat(l, l.server, ['TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr', 'SYSTEM:true']);

    await t.test('up over IPv4 and IPv6', async () => {
      const { durationMs, ...v4 } = await check(l, ['tcp', `${SERVER_V4}:80`]);
      assert.deepEqual(v4, { check: 'tcp', target: `${SERVER_V4}:80`, status: 'up', detail: 'connected', attempts: 1 });
      assert.ok(typeof durationMs === 'number' && durationMs > 0 && durationMs < 1000);
      const v6 = await check(l, ['tcp', `[${SERVER_V6}]:80`]);
      assert.deepEqual([v6['status'], v6['detail']], ['up', 'connected']);
    });

    await t.test('--bind: the server sees the bind address', async () => {
      const result = await check(l, ['tcp', `${SERVER_V4}:80`, '--bind', CLIENT_V4_OTHER]);
      assert.equal(result['status'], 'up');
      // socat prints the IPv4-mapped peer in full: ...:ffff:0a5b:0003 is 10.91.0.3.
      assert.equal(CLIENT_V4_OTHER, '10.91.0.3');
      await server.waitForLine(/accepting connection from AF=10 \[[0:]+ffff:0a5b:0003\]/, { timeoutMs: 2_000 });
    });

    await t.test('down: port closed (refused)', async () => {
      const result = await check(l, ['tcp', `${SERVER_V4}:81`]);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'refused', 'connection refused']);
    });

    await t.test('down: packets dropped (timed out after the timeout)', async () => {
      await dropInbound(l, l.server, 'tcp dport 82');
      const started = Date.now();
      const result = await check(l, ['tcp', `${SERVER_V4}:82`, '--timeout', '400']);
      assert.deepEqual([result['status'], result['reason']], ['down', 'timeout']);
      assert.match(String(result['detail']), /^timed out after 400 ms waiting for the connection to 10\.91\.0\.2:82$/);
      assert.ok(Date.now() - started < 3_000);
    });

    await t.test('down: no route to the host', async () => {
      await lab.exec(l.client, ['ip', 'route', 'add', 'unreachable', '10.92.0.9'], { check: true });
      const result = await check(l, ['tcp', '10.92.0.9:80']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'unreachable', 'no route to host']);
    });

    await t.test('down after retries: the server stopped', async () => {
      await server.stop();
      const result = await check(l, ['tcp', `${SERVER_V4}:80`, '--retry', '2', '--delay-before-retry', '50']);
      assert.deepEqual([result['status'], result['reason'], result['attempts']], ['down', 'refused', 3]);
    });
  });
});

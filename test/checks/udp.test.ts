// UDP_CHECK through hcheck with keepalived's semantics: without
// --require-reply silence is up and only an ICMP error is down; with it a
// reply must come, and with --reply it must match. socat is the echo server
// and the silent one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot, socat } from './checkLab.js';

const skip = skipUnlessRoot || (await missing('socat', 'socat'));

test('UDP_CHECK against socat', { skip }, async (t) => {
  await withLab(uniquePrefix('cudp'), async (lab) => {
    const l = await makeCheckLab(lab);
    const echo = await socat(l, l.server, ['UDP6-LISTEN:7,ipv6only=0,fork', 'PIPE']);
    await socat(l, l.server, ['-u', 'UDP6-RECV:9,ipv6only=0', 'OPEN:/dev/null']);

    await t.test("up: an echo of keepalived's default payload, of text, of hex", async () => {
      const plain = await check(l, ['udp', `${SERVER_V4}:7`, '--require-reply']);
      assert.deepEqual([plain['status'], plain['detail']], ['up', 'reply of 32 bytes']);
      const text = await check(l, ['udp', `[${SERVER_V6}]:7`, '--payload', 'hello', '--reply', 'hello']);
      assert.deepEqual([text['status'], text['detail']], ['up', 'reply of 5 bytes']);
      // Hex as keepalived writes it, x as a wildcard nibble: "PING" matches 50 4x 4e 47.
      const hex = await check(l, ['udp', `${SERVER_V4}:7`, '--payload', '50 49 4e 47', '--reply', '50 4x 4e 47']);
      assert.equal(hex['status'], 'up');
    });

    await t.test('down: a reply that does not match', async () => {
      const result = await check(l, ['udp', `${SERVER_V4}:7`, '--payload', 'hello', '--reply', 'help']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'protocol', 'reply differs at byte 3: 0x6c, want 0x70']);
    });

    await t.test('a silent server: up without --require-reply (as keepalived), down with it', async () => {
      const started = Date.now();
      const silent = await check(l, ['udp', `${SERVER_V4}:9`, '--timeout', '300']);
      assert.deepEqual([silent['status'], silent['detail']], ['up', 'no ICMP error within 300 ms']);
      assert.ok(Date.now() - started >= 300);
      const required = await check(l, ['udp', `${SERVER_V4}:9`, '--timeout', '300', '--require-reply']);
      assert.deepEqual([required['status'], required['reason'], required['detail']], ['down', 'timeout', 'no reply within 300 ms']);
    });

    await t.test('down: closed port over IPv4 and IPv6 (ICMP port unreachable)', async () => {
      for (const target of [`${SERVER_V4}:8`, `[${SERVER_V6}]:8`]) {
        const result = await check(l, ['udp', target, '--timeout', '2000']);
        assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'refused', 'port unreachable (ICMP)'], target);
      }
    });

    await t.test('down: the echo server stopped', async () => {
      await echo.stop();
      const result = await check(l, ['udp', `${SERVER_V4}:7`, '--require-reply', '--timeout', '2000']);
      assert.deepEqual([result['status'], result['reason']], ['down', 'refused']);
    });
  });
});

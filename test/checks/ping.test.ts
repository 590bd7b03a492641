// PING_CHECK through hcheck: ICMP and ICMPv6 echo across a veth pair; down
// when the host drops echo requests (no reply), when the address is not on
// the link (host unreachable, from the kernel's neighbour discovery), and
// when there is no route.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, dropInbound, hcheck, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot } from './checkLab.js';

const skip = skipUnlessRoot || (await missing('nft', 'nftables'));

test('PING_CHECK across namespaces', { skip }, async (t) => {
  await withLab(uniquePrefix('cping'), async (lab) => {
    const l = await makeCheckLab(lab);

    await t.test('up over ICMP and ICMPv6', async () => {
      const v4 = await check(l, ['ping', SERVER_V4]);
      assert.deepEqual([v4['status'], v4['detail']], ['up', `echo reply from ${SERVER_V4}`]);
      const v6 = await check(l, ['ping', SERVER_V6]);
      assert.deepEqual([v6['status'], v6['detail']], ['up', `echo reply from ${SERVER_V6}`]);
    });

    await t.test('pings from processes running at once do not take each other\'s replies', async () => {
      // Every raw ICMP socket sees every reply: each process keeps only those with its identifier.
      const results = await Promise.all([SERVER_V4, SERVER_V4, SERVER_V6, SERVER_V6].map((target) => check(l, ['ping', target])));
      assert.deepEqual(results.map((r) => r['status']), ['up', 'up', 'up', 'up']);
    });

    await t.test('down: echo requests dropped (no reply)', async () => {
      await dropInbound(l, l.server, 'icmp type echo-request');
      await dropInbound(l, l.server, 'icmpv6 type echo-request');
      for (const target of [SERVER_V4, SERVER_V6]) {
        const result = await check(l, ['ping', target, '--timeout', '300']);
        assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'timeout', 'no echo reply within 300 ms'], target);
      }
    });

    await t.test('down: an address nobody has on the link (host unreachable)', async () => {
      // The kernel gives up neighbour resolution after about 3 s and reports it as ICMP.
      const result = await check(l, ['ping', '10.91.0.77', '--timeout', '8000']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'unreachable', 'host unreachable (ICMP from 10.91.0.1)']);
    });

    await t.test('down: no route', async () => {
      await lab.exec(l.client, ['ip', 'route', 'add', 'unreachable', '10.92.0.9'], { check: true });
      const result = await check(l, ['ping', '10.92.0.9']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'unreachable', 'no route to host']);
    });

    await t.test('usage: ping has no --bind and no port', async () => {
      const bind = await hcheck(l, ['ping', SERVER_V4, '--bind', '10.91.0.1']);
      assert.equal(bind.code, 2);
      assert.match(bind.stderr, /ping has no --bind/);
      const port = await hcheck(l, ['ping', `${SERVER_V4}:80`]);
      assert.equal(port.code, 2);
    });
  });
});

// DNS_CHECK through hcheck against dnsmasq: up with an answer over IPv4 and
// IPv6; down on NXDOMAIN, REFUSED, NOERROR without an answer, a server that
// reads and never replies (timeout), a closed port (ICMP), a stopped server.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, CLIENT_V4_OTHER, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot, socat } from './checkLab.js';

const skip = skipUnlessRoot || (await missing('dnsmasq', 'dnsmasq-base')) || (await missing('socat', 'socat'));

test('DNS_CHECK against dnsmasq', { skip }, async (t) => {
  await withLab(uniquePrefix('cdns'), async (lab) => {
    const l = await makeCheckLab(lab);
    // Authoritative for test/ with one A record, no upstream, nothing read from the host.
    const dnsmasq = await lab.spawn(l.server, [
      'dnsmasq', '--keep-in-foreground', '--log-facility=-', '--log-queries', '--conf-file=/dev/null', '--no-resolv', '--no-hosts',
      '--pid-file=', '--user=root', '--bind-interfaces', `--listen-address=${SERVER_V4},${SERVER_V6}`, '--except-interface=lo',
      '--host-record=web.test,10.9.9.9', '--local=/test/',
    ]);
    await dnsmasq.waitForLine(/started, version/, { timeoutMs: 5_000 });

    await t.test('up: an A answer, over IPv4 and IPv6, from a bind address', async () => {
      const v4 = await check(l, ['dns', SERVER_V4, '--name', 'web.test', '--type', 'A']);
      assert.deepEqual([v4['status'], v4['detail']], ['up', 'DNS web.test A 10.9.9.9']);
      const v6 = await check(l, ['dns', `[${SERVER_V6}]:53`, '--name', 'web.test.', '--type', 'a']);
      assert.deepEqual([v6['status'], v6['detail']], ['up', 'DNS web.test A 10.9.9.9']);
      const bound = await check(l, ['dns', SERVER_V4, '--name', 'web.test', '--type', 'A', '--bind', CLIENT_V4_OTHER]);
      assert.equal(bound['status'], 'up');
      await dnsmasq.waitForLine(`query[A] web.test from ${CLIENT_V4_OTHER}`, { timeoutMs: 2_000 });
    });

    await t.test('down: NXDOMAIN, REFUSED, and NOERROR with no answer', async () => {
      const nx = await check(l, ['dns', SERVER_V4, '--name', 'nothere.test', '--type', 'A']);
      assert.deepEqual([nx['status'], nx['reason'], nx['detail']], ['down', 'protocol', 'DNS NXDOMAIN for nothere.test A']);
      // keepalived's defaults (". SOA") go upstream, and there is none.
      const refused = await check(l, ['dns', SERVER_V4]);
      assert.deepEqual([refused['status'], refused['detail']], ['down', 'DNS REFUSED for . SOA']);
      const nodata = await check(l, ['dns', SERVER_V4, '--name', 'web.test', '--type', 'AAAA']);
      assert.deepEqual([nodata['status'], nodata['reason'], nodata['detail']], ['down', 'protocol', 'DNS no answer for web.test AAAA']);
    });

    await t.test('down: a server that reads and never replies (timeout)', async () => {
      await socat(l, l.server, ['-u', `UDP-RECV:5353,bind=${SERVER_V4}`, 'OPEN:/dev/null']);
      const result = await check(l, ['dns', `${SERVER_V4}:5353`, '--name', 'web.test', '--timeout', '400']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'timeout', 'timed out after 400 ms waiting for a DNS reply from 10.91.0.2:5353']);
    });

    await t.test('down: closed port, then the server stopped (ICMP port unreachable)', async () => {
      const closed = await check(l, ['dns', `${SERVER_V4}:5354`, '--name', 'web.test']);
      assert.deepEqual([closed['status'], closed['reason'], closed['detail']], ['down', 'refused', 'port unreachable (ICMP)']);
      await dnsmasq.stop();
      const stopped = await check(l, ['dns', `[${SERVER_V6}]`, '--name', 'web.test']);
      assert.deepEqual([stopped['status'], stopped['reason']], ['down', 'refused']);
    });
  });
});

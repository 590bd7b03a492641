// SMTP_CHECK through hcheck: up against Debian's aiosmtpd (which logs the
// HELO it got), over IPv4 and IPv6; down on a 554 greeting, a refused HELO,
// a server that never speaks (timeout), a closed port, and a server that
// hangs up in the middle.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCommand, uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { check, makeCheckLab, missing, script, SERVER_V4, SERVER_V6, skipUnlessRoot, socat, type CheckLab } from './checkLab.js';

// Debian's python3-aiosmtpd is importable by Debian's python3, which need not be the first on PATH.
const PYTHON = '/usr/bin/python3';
const hasAiosmtpd = await runCommand([PYTHON, '-c', 'import aiosmtpd']).then((r) => r.code === 0, () => false);
const skip = skipUnlessRoot || (await missing('socat', 'socat')) || (hasAiosmtpd ? false : 'needs python3-aiosmtpd (bash scripts/setup.sh installs it)');

async function aiosmtpd(l: CheckLab, listen: string) {
  // -n: stay root (no setuid nobody); -d: log the conversation.
  const server = await l.lab.spawn(l.server, [PYTHON, '-m', 'aiosmtpd', '-n', '-d', '-l', listen]);
  await server.waitForLine(/Server is listening/, { timeoutMs: 10_000 });
  return server;
}

test('SMTP_CHECK against aiosmtpd and scripted servers', { skip }, async (t) => {
  await withLab(uniquePrefix('csmtp'), async (lab) => {
    const l = await makeCheckLab(lab);
    const v4 = await aiosmtpd(l, `${SERVER_V4}:25`);
    const v6 = await aiosmtpd(l, `${SERVER_V6}:2525`);

    await t.test("up: 220, HELO with keepalived's default name, 250, QUIT", async () => {
      const result = await check(l, ['smtp', SERVER_V4]);
      assert.equal(result['status'], 'up');
      assert.match(String(result['detail']), /^SMTP 220 .*Python SMTP/);
      await v4.waitForLine("b'HELO smtpchecker.keepalived.org'", { timeoutMs: 2_000 });
      await v4.waitForLine("b'QUIT'", { timeoutMs: 2_000 });
    });

    await t.test('up over IPv6 with --helo', async () => {
      const result = await check(l, ['smtp', `[${SERVER_V6}]:2525`, '--helo', 'lb1.example.com']);
      assert.equal(result['status'], 'up');
      await v6.waitForLine("b'HELO lb1.example.com'", { timeoutMs: 2_000 });
    });

    await t.test('down: the server greets with 554', async () => {
      const greeter = await script(lab, 'busy.sh', "printf '554 5.3.2 no service here\\r\\n'");
      await socat(l, l.server, ['TCP-LISTEN:2526,fork,reuseaddr', `EXEC:${greeter}`]);
      const result = await check(l, ['smtp', `${SERVER_V4}:2526`]);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'protocol', 'SMTP said 554 5.3.2 no service here, expected 220 (greeting)']);
    });

    await t.test('down: HELO refused', async () => {
      const picky = await script(lab, 'picky.sh', "printf '220-mx.example ESMTP\\r\\n220 ready\\r\\n'; read line; printf '550 5.7.1 %s not welcome\\r\\n' \"$(echo \"$line\" | cut -d' ' -f2 | tr -d '\\r')\"");
      await socat(l, l.server, ['TCP-LISTEN:2527,fork,reuseaddr', `EXEC:${picky}`]);
      const result = await check(l, ['smtp', `${SERVER_V4}:2527`, '--helo', 'lb2']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'protocol', 'SMTP said 550 5.7.1 lb2 not welcome, expected 250 (HELO)']);
    });

    await t.test('down: a server that accepts and never speaks (timeout)', async () => {
      const mute = await script(lab, 'mute.sh', 'sleep 30');
      await socat(l, l.server, ['TCP-LISTEN:2528,fork,reuseaddr', `EXEC:${mute}`]);
      const result = await check(l, ['smtp', `${SERVER_V4}:2528`, '--timeout', '500']);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'timeout', 'timed out after 500 ms waiting for the SMTP greeting']);
    });

    await t.test('down: a server that hangs up after the greeting', async () => {
      const rude = await script(lab, 'rude.sh', "printf '220 hello\\r\\n'");
      await socat(l, l.server, ['TCP-LISTEN:2529,fork,reuseaddr', `EXEC:${rude}`]);
      const result = await check(l, ['smtp', `${SERVER_V4}:2529`]);
      assert.deepEqual([result['status'], result['reason'], result['detail']], ['down', 'protocol', 'connection closed by the server while waiting for the reply to HELO']);
    });

    await t.test('down: port closed, then the server stopped', async () => {
      const closed = await check(l, ['smtp', `${SERVER_V4}:2530`]);
      assert.deepEqual([closed['status'], closed['reason']], ['down', 'refused']);
      await v4.stop();
      const stopped = await check(l, ['smtp', SERVER_V4]);
      assert.deepEqual([stopped['status'], stopped['reason']], ['down', 'refused']);
    });
  });
});

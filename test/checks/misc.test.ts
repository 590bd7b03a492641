// MISC_CHECK through hcheck with real scripts: keepalived's exit statuses
// (0 up, 1 down, misc_dynamic 2-255 up with weight status - 2), its timeout
// (SIGTERM to the script's process group, SIGKILL 2 s later), script_user,
// and scripts that cannot run (a configuration error: exit status 2).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { isProcessRunning, runCommand, uniquePrefix, waitFor, withLab } from '@keepalived-ts/test-utils';
import { HCHECK, script } from './checkLab.js';

const hcheck = async (args: readonly string[]) => {
  const result = await runCommand([process.execPath, HCHECK, ...args], { timeoutMs: 20_000 });
  const json = args.includes('--json') && result.stdout.startsWith('{') ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined;
  return { ...result, json };
};

test('MISC_CHECK with scripts', async (t) => {
  await withLab(uniquePrefix('cmisc'), async (lab) => {
    const exits = await script(lab, 'exits.sh', 'exit "$1"');

    await t.test('exit 0 is up, 1 down; other statuses down unless --dynamic', async () => {
      const ok = await hcheck(['misc', '--json', '--', exits, '0']);
      assert.deepEqual([ok.code, ok.json?.['status'], ok.json?.['detail']], [0, 'up', 'exits.sh exited 0']);
      const failed = await hcheck(['misc', '--json', '--', exits, '1']);
      assert.deepEqual([failed.code, failed.json?.['status'], failed.json?.['reason'], failed.json?.['detail']], [1, 'down', 'script', 'exits.sh exited 1']);
      const seven = await hcheck(['misc', '--json', '--', exits, '7']);
      assert.deepEqual([seven.code, seven.json?.['status']], [1, 'down']);
    });

    await t.test('--dynamic: 2-255 are up with weight status - 2, 1 is still down', async () => {
      const seven = await hcheck(['misc', '--dynamic', '--json', '--', exits, '7']);
      assert.deepEqual([seven.code, seven.json?.['status'], seven.json?.['weight'], seven.json?.['detail']], [0, 'up', 5, 'exits.sh exited 7: weight 5']);
      const top = await hcheck(['misc', '--dynamic', '--json', '--', exits, '255']);
      assert.equal(top.json?.['weight'], 253);
      const one = await hcheck(['misc', '--dynamic', '--json', '--', exits, '1']);
      assert.deepEqual([one.code, one.json?.['status']], [1, 'down']);
      const zero = await hcheck(['misc', '--dynamic', '--json', '--', exits, '0']);
      assert.deepEqual([zero.code, zero.json?.['weight']], [0, undefined]);
    });

    await t.test('timeout: SIGTERM to the group, SIGKILL 2 s later for what ignores it', async () => {
      const dir = await lab.tempDir('pids');
      // The shell and its sleep both ignore SIGTERM (an ignored signal is inherited).
      const stubborn = await script(lab, 'stubborn.sh', `trap '' TERM\nsleep 30 &\necho $! > ${join(dir, 'child')}\nwait`);
      const started = Date.now();
      const result = await hcheck(['misc', '--timeout', '300', '--json', '--', stubborn]);
      const took = Date.now() - started;
      assert.deepEqual([result.code, result.json?.['status'], result.json?.['reason'], result.json?.['detail']], [1, 'down', 'timeout', 'stubborn.sh timed out after 300 ms']);
      assert.ok(took >= 2_300 && took < 6_000, `took ${took} ms`);
      const child = Number(await readFile(join(dir, 'child'), 'utf8'));
      await waitFor(async () => !(await isProcessRunning(child)), { timeoutMs: 2_000, what: `the script's child ${child} to be gone` });
    });

    await t.test('a script killed by a signal is down', async () => {
      const crash = await script(lab, 'crash.sh', 'kill -SEGV $$');
      const result = await hcheck(['misc', '--json', '--', crash]);
      assert.deepEqual([result.json?.['status'], result.json?.['detail']], ['down', 'crash.sh killed by SIGSEGV (11)']);
    });

    await t.test('--user runs it as that user and group (needs root)', { skip: process.getuid?.() === 0 ? false : 'needs root' }, async () => {
      const whoami = await script(lab, 'whoami.sh', '[ "$(id -u)" = 65534 ] && [ "$(id -g)" = 65534 ]');
      assert.equal((await hcheck(['misc', '--', whoami])).code, 1, 'as root the test script must fail');
      const asNobody = await hcheck(['misc', '--user', 'nobody:nogroup', '--', whoami]);
      assert.equal(asNobody.code, 0, asNobody.stdout + asNobody.stderr);
      const byNumber = await hcheck(['misc', '--user', '65534', '--', whoami]);
      assert.equal(byNumber.code, 0, byNumber.stdout + byNumber.stderr);
      const unknown = await hcheck(['misc', '--user', 'no-such-user-kt', '--', whoami]);
      assert.deepEqual([unknown.code, unknown.stderr], [2, 'hcheck: --user: no such user "no-such-user-kt"\n']);
    });

    await t.test('a script that cannot run is a configuration error (2)', async () => {
      const missing = await hcheck(['misc', '--', '/nonexistent/check.sh']);
      assert.deepEqual([missing.code, missing.stderr], [2, 'hcheck: misc: /nonexistent/check.sh: not found or not executable\n']);
      const notInPath = await hcheck(['misc', '--', 'no-such-command-kt']);
      assert.deepEqual([notInPath.code, notInPath.stderr], [2, 'hcheck: misc: no-such-command-kt: not found in PATH\n']);
      const noCommand = await hcheck(['misc', '--dynamic']);
      assert.equal(noCommand.code, 2);
    });
  });
});

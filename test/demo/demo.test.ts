// The README's first command, run end to end as a newcomer would (without
// the setup step, and not on a terminal): it must finish, say what it
// measured, show the VIP move and come back, and leave no namespace or
// process behind, also when interrupted halfway.

import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { listNamespaces, runCommand, spawnProcess, uniquePrefix, type ExitStatus, type ProcessHandle } from '@keepalived-ts/test-utils';

const DEMO = fileURLToPath(new URL('../../demo/failover.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');
const skip = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';

const startDemo = (args: readonly string[]): Promise<ProcessHandle> =>
  spawnProcess([process.execPath, '--import', TSX, '--conditions=source', DEMO, ...args], { env: { ...process.env, NO_COLOR: '1' } });

/** The demo's exit, bounded: past `timeoutMs` it is interrupted (it then cleans up) and the test fails. */
async function finished(demo: ProcessHandle, timeoutMs: number): Promise<ExitStatus> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), timeoutMs);
  });
  const first = await Promise.race([demo.exited, late]);
  clearTimeout(timer);
  if (first === 'late') {
    await demo.stop('SIGINT', { timeoutMs: 20_000 });
    assert.fail(`the demo did not finish within ${timeoutMs / 1000} s; its output:\n${demo.text()}`);
  }
  return first;
}

/** Processes whose command line names the lab (vrrpd's and keepalived's config paths, the helpers' namespace argument). */
async function processesOf(prefix: string): Promise<string[]> {
  const { stdout } = await runCommand(['ps', '-eo', 'pid=,args='], { check: true });
  return stdout.split('\n').filter((line) => line.includes(prefix));
}

async function assertNothingLeft(prefix: string): Promise<void> {
  assert.deepEqual(await listNamespaces(`${prefix}-`), [], 'no namespace of the lab is left');
  assert.deepEqual(await processesOf(prefix), [], 'no process of the lab is left');
  const { stdout } = await runCommand(['sh', '-c', `ls -d /tmp/${prefix}-* 2>/dev/null || true`]);
  assert.equal(stdout.trim(), '', 'no temporary directory of the lab is left');
}

/** Runs the demo to its end and checks what every run must show. */
async function runToEnd(args: readonly string[]): Promise<{ prefix: string; output: string }> {
  const prefix = uniquePrefix('dmo');
  const demo = await startDemo(['--prefix', prefix, ...args]);
  try {
    const status = await finished(demo, 120_000);
    const output = demo.text('stdout');
    assert.deepEqual(status, { code: 0, signal: null }, `exit status; stderr:\n${demo.text('stderr')}\nstdout:\n${output}`);
    assert.match(output, new RegExp(`lab prefix: ${prefix}`));

    const failover = /failover: node2 took over (\d+\.\d\d) s after the kill .* first answer from node2 at (\d+\.\d\d) s; (\d+) of (\d+) requests failed/.exec(output);
    assert.ok(failover, `a failover report in:\n${output}`);
    const [, masterSeconds, answerSeconds, failed, requests] = failover.map(Number) as [number, number, number, number, number];
    assert.ok(masterSeconds > 0 && masterSeconds <= answerSeconds && answerSeconds < 10, `failover figures ${failover[0]}`);
    assert.ok(failed <= requests && requests > 0, `failed-request count ${failover[0]}`);
    assert.match(output, /failover\s+kill node1 -> first answer from node2\s+\d+\.\d\d s/);
    assert.match(output, /failover\s+failed requests\s+\d+ of \d+/);
    assert.match(output, /preemption: node1 took the VIP back \d+\.\d\d s after its restart/);

    // The kernel's view, as the demo reports it: node1, then node2, then node1 again.
    const holders = [...output.matchAll(/VIP 10\.77\.0\.100 is on (\S+) /g)].map((m) => m[1]);
    assert.deepEqual(holders, ['node1', 'node2', 'node1']);
    assert.match(output, /VIP\s+held by \(ip addr\), step by step\s+node1 -> node2 -> node1/);
    assert.match(output, /Nothing left behind/);
    await assertNothingLeft(prefix);
    return { prefix, output };
  } finally {
    if (demo.exitStatus() === undefined) await demo.stop('SIGINT', { timeoutMs: 20_000 });
  }
}

describe('demo: command line', () => {
  it('rejects a bad flag with one line and status 2, before touching anything', async () => {
    const demo = await startDemo(['--advert-int', 'fast']);
    const status = await finished(demo, 30_000);
    assert.equal(status.code, 2);
    assert.equal(demo.text('stderr'), 'demo: --advert-int "fast": seconds from 0.05 to 10, in steps of 0.01');
    assert.equal(demo.text('stdout'), '');
  });

  it('prints its help with status 0', async () => {
    const demo = await startDemo(['--help']);
    const status = await finished(demo, 30_000);
    assert.equal(status.code, 0);
    for (const flag of ['--advert-int', '--nodes', '--keepalived', '--no-color', '--prefix']) assert.match(demo.text('stdout'), new RegExp(flag));
  });
});

describe('demo: the lab', { skip }, () => {
  it('runs end to end (VRRPv3, advert_int 0.5): failover measured, the VIP moves and comes back, nothing left', async () => {
    const { output } = await runToEnd(['--advert-int', '0.5']);
    assert.match(output, /VRRPv3, advert_int 0\.5 s/);
  });

  it('with --keepalived and three routers: keepalived takes over from a crashed vrrpd and yields to it again', async () => {
    const { output } = await runToEnd(['--keepalived', '--nodes', '3', '--advert-int', '0.5']);
    assert.match(output, /node2 +10\.77\.0\.2\/24 on eth0 in \S+: keepalived, priority 100/);
    assert.match(output, /node2 +\(VI_1\) Entering MASTER STATE/);
  });

  it('on SIGINT halfway, tears the lab down and ends by the signal', async () => {
    const prefix = uniquePrefix('dmoi');
    const demo = await startDemo(['--prefix', prefix, '--advert-int', '0.5']);
    try {
      // Halfway: the master has just been killed, the backup is taking over.
      await demo.waitForLine(/==> Crashing node1/, { timeoutMs: 60_000, stream: 'stdout' });
      assert.ok((await listNamespaces(`${prefix}-`)).length > 0, 'the lab exists before the interruption');
      demo.signal('SIGINT');
      const status = await finished(demo, 30_000);
      assert.ok(status.signal === 'SIGINT' || status.code === 130, `ended by SIGINT, not ${JSON.stringify(status)}; stderr:\n${demo.text('stderr')}`);
      assert.match(demo.text('stderr'), new RegExp(`demo: SIGINT: tearing down the lab \\(namespaces ${prefix}-\\*\\)`));
      await assertNothingLeft(prefix);
    } finally {
      if (demo.exitStatus() === undefined) await demo.stop('SIGKILL', { timeoutMs: 5_000 });
    }
  });
});

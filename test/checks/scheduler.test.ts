// The CheckScheduler with real checks against real servers, in a lab
// namespace: hundreds of TCP, DNS and ping checks held to a concurrency
// limit (so to a bounded number of open sockets), every run on its
// schedule's grid; and when the server drops packets so that runs take
// their whole timeout and the limit cannot keep up, due times are skipped
// rather than piled up, and still stay on the grid.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { uniquePrefix, withLab } from '@keepalived-ts/test-utils';
import { dropInbound, makeCheckLab, missing, SERVER_V4, SERVER_V6, skipUnlessRoot, type CheckLab } from './checkLab.js';

const RUNNER = fileURLToPath(new URL('./schedulerRun.ts', import.meta.url));
const TCP_SERVER = `require('node:net').createServer((s) => s.on('error', () => {}).destroy()).listen({ port: 80, host: '::', backlog: 1024 }, () => console.log('listening'));`;
const skip = skipUnlessRoot || (await missing('dnsmasq', 'dnsmasq-base')) || (await missing('nft', 'nftables'));

interface RunReport {
  checks: number;
  runs: number;
  up: number;
  reasons: Record<string, number>;
  missed: number;
  peakRunning: number;
  offGrid: number;
  latenessP50: number;
  latenessMax: number;
  baselineFds: number;
  mostFds: number;
}

async function runScheduler(l: CheckLab, plan: object): Promise<RunReport> {
  const result = await l.lab.exec(l.client, [process.execPath, '--import', 'tsx', '--conditions=source', RUNNER, JSON.stringify(plan)], { timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as RunReport;
}

test('CheckScheduler with real checks', { skip }, async (t) => {
  await withLab(uniquePrefix('csch'), async (lab) => {
    const l = await makeCheckLab(lab);
    // Hundreds of connections a second: a server that forks per connection (socat) would
    // starve the machine, so a Node one that accepts and closes.
    const web = await lab.spawn(l.server, [process.execPath, '-e', TCP_SERVER]);
    await web.waitForLine('listening', { timeoutMs: 5_000 });
    const dnsmasq = await lab.spawn(l.server, ['dnsmasq', '--keep-in-foreground', '--log-facility=-', '--conf-file=/dev/null', '--no-resolv', '--no-hosts', '--pid-file=', '--user=root', '--bind-interfaces', `--listen-address=${SERVER_V4}`, '--host-record=web.test,10.9.9.9']);
    await dnsmasq.waitForLine(/started, version/, { timeoutMs: 5_000 });

    await t.test('400 checks, 40 at a time: all up, on schedule, sockets bounded', async () => {
      const report = await runScheduler(l, {
        checks: [
          { kind: 'tcp', host: SERVER_V4, port: 80, copies: 200 },
          { kind: 'tcp', host: SERVER_V6, port: 80, copies: 50 },
          { kind: 'dns', host: SERVER_V4, copies: 50 },
          { kind: 'ping', host: SERVER_V4, copies: 50 },
          { kind: 'ping', host: SERVER_V6, copies: 50 },
        ],
        intervalMs: 1000,
        timeoutMs: 1000,
        concurrency: 40,
        runForMs: 4_000,
      });
      assert.equal(report.checks, 400);
      // Four rounds, give or take the runs due when the run ended.
      assert.ok(report.runs >= 400 * 3, `runs ${report.runs}`);
      assert.equal(report.up, report.runs, JSON.stringify(report.reasons));
      assert.ok(report.peakRunning <= 40, `peak ${report.peakRunning}`);
      assert.equal(report.missed, 0);
      assert.equal(report.offGrid, 0);
      assert.ok(report.latenessP50 < 100, `median lateness ${report.latenessP50} ms`);
      // One socket per running check at most, plus the two shared ICMP sockets and slack for Node's own.
      assert.ok(report.mostFds - report.baselineFds <= 40 + 2 + 10, `fds ${report.baselineFds} -> ${report.mostFds}`);
    });

    await t.test('overload (every run times out): bounded, due times skipped, still on the grid', async () => {
      await dropInbound(l, l.server, 'tcp dport 8080');
      const report = await runScheduler(l, {
        checks: [{ kind: 'tcp', host: SERVER_V4, port: 8080, copies: 100 }],
        intervalMs: 400,
        timeoutMs: 200,
        concurrency: 20,
        runForMs: 3_000,
      });
      // 100 checks x 200 ms every 400 ms needs 50 slots; with 20 the scheduler skips instead of queueing forever.
      assert.deepEqual(Object.keys(report.reasons), ['timeout']);
      assert.ok(report.peakRunning <= 20);
      assert.ok(report.missed > 0, 'no due time was skipped');
      assert.equal(report.offGrid, 0);
      // Throughput is what 20 slots of 200 ms give: about 100 runs a second.
      assert.ok(report.runs >= 150 && report.runs <= 320, `runs ${report.runs}`);
      assert.ok(report.mostFds - report.baselineFds <= 20 + 10, `fds ${report.baselineFds} -> ${report.mostFds}`);
    });
  });
});

// Our genhash against keepalived's genhash on one 50 MB body served by nginx
// over loopback (sendfile on), HTTP and HTTPS, runs interleaved so both see
// the same machine load; medians of wall and CPU time, and peak RSS (ours
// must stay flat: the body is hashed as it streams). Prints Markdown rows for
// RESULTS.md.
//
//   node --import tsx --conditions=source bench/genhashBody.ts [MB] [RUNS]

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEEPALIVED_GENHASH, OUR_GENHASH, missingTools, startNginx } from '../test/checks-http/nginxLab.js';

const megabytes = Number(process.argv[2] ?? 50);
const runs = Number(process.argv[3] ?? 5);
const size = megabytes * 1_000_000;

const missing = missingTools();
if (missing) {
  console.error(`genhashBody: ${missing}`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'kt-bench-genhash-'));
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Timing {
  readonly wall: number;
  readonly cpu: number;
  readonly rssKb: number;
  readonly digest: string;
}

/** Wall time, and CPU time (user + system) and peak RSS from GNU time. */
function timeRun(argv: readonly string[]): Timing {
  const report = join(dir, 'time.txt');
  const start = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', report, ...argv], { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
  const [user, system, rssKb] = readFileSync(report, 'utf8').trim().split(' ').map(Number);
  return { wall, cpu: user! + system!, rssKb: rssKb!, digest: result.stdout.trim() };
}

const nginx = await startNginx(join(dir), { files: { 'body.bin': size }, sendfile: true });
try {
  const want = nginx.digests.get('/body.bin');
  console.log(`body: ${megabytes} MB (${size} bytes), md5 ${want}, runs: ${runs}, interleaved`);
  for (const [label, flags] of [['HTTP', ['-p', String(nginx.httpPort)]], ['HTTPS', ['-S', '-p', String(nginx.httpsPort)]]] as const) {
    const args = [...flags, '-s', '127.0.0.1', '-u', '/body.bin'];
    const keepalived = [KEEPALIVED_GENHASH!, ...args];
    const ours = [process.execPath, OUR_GENHASH, ...args];
    timeRun(keepalived); // warm the page cache and nginx
    const times = { keepalived: [] as Timing[], ours: [] as Timing[] };
    for (let i = 0; i < runs; i++) {
      times.keepalived.push(timeRun(keepalived));
      times.ours.push(timeRun(ours));
    }
    for (const t of [...times.keepalived, ...times.ours]) if (t.digest !== want) throw new Error(`digest ${t.digest}, want ${want}`);
    const show = (name: string, list: readonly Timing[]): void =>
      console.log(`${name} ${label}: wall ${list.map((x) => x.wall.toFixed(3)).join(' ')} | cpu ${list.map((x) => x.cpu.toFixed(2)).join(' ')} | rss ${list.map((x) => x.rssKb).join(' ')} kB`);
    show('keepalived genhash', times.keepalived);
    show('our genhash', times.ours);
    const wall = [median(times.keepalived.map((x) => x.wall)), median(times.ours.map((x) => x.wall))] as const;
    const cpu = [median(times.keepalived.map((x) => x.cpu)), median(times.ours.map((x) => x.cpu))] as const;
    const rss = [Math.max(...times.keepalived.map((x) => x.rssKb)), Math.max(...times.ours.map((x) => x.rssKb))] as const;
    const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;
    // Ours on a 17-byte body: the peak RSS a body cannot go below.
    const tiny = timeRun([process.execPath, OUR_GENHASH, ...flags, '-s', '127.0.0.1', '-u', '/index.html']);
    console.log(
      `| ${new Date().toISOString().slice(0, 10)} | ${label} | ${megabytes} MB | ${wall[0].toFixed(3)} s | ${wall[1].toFixed(3)} s | **${(wall[1] / wall[0]).toFixed(2)}** | ${cpu[0].toFixed(2)} s | ${cpu[1].toFixed(2)} s | **${(cpu[1] / cpu[0]).toFixed(2)}** | ${mb(rss[0])} | ${mb(rss[1])} | ${mb(tiny.rssKb)} |`,
    );
  }
  // The same body hashed in this process, for scale: what MD5 alone costs.
  const start = process.hrtime.bigint();
  createHash('md5').update(readFileSync(join(dir, 'www', 'body.bin'))).digest('hex');
  console.log(`md5 of ${megabytes} MB in this process: ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(3)} s`);
} finally {
  await nginx.stop();
  rmSync(dir, { recursive: true, force: true });
}

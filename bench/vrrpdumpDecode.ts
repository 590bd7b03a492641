// vrrpdump -r against tcpdump -nn -r on one generated pcap of 1,000,000 VRRP
// packets (v2/v3, IPv4/IPv6), output to /dev/null, runs interleaved so both
// see the same machine load. Prints Markdown rows for RESULTS.md.
//
//   node --import tsx --conditions=source bench/vrrpdumpDecode.ts [PACKETS] [RUNS]

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeVrrpPcap } from './vrrpPcap.js';

const packets = Number(process.argv[2] ?? 1_000_000);
const runs = Number(process.argv[3] ?? 5);
const vrrpdump = fileURLToPath(new URL('../tools/vrrpdump/dist/vrrpdump.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'kt-bench-'));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Timing { readonly wall: number; readonly cpu: number }

/** Wall time, and CPU time (user + system) from GNU time: steadier on a shared machine. */
function timeRun(argv: readonly string[]): Timing {
  const devNull = openSync('/dev/null', 'w');
  const report = join(dir, 'time.txt');
  try {
    const start = process.hrtime.bigint();
    const result = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', report, ...argv], { stdio: ['ignore', devNull, devNull] });
    const wall = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}`);
    const [user, system] = readFileSync(report, 'utf8').trim().split(' ').map(Number);
    return { wall, cpu: user! + system! };
  } finally {
    closeSync(devNull);
  }
}

try {
  const file = join(dir, 'vrrp.pcap');
  writeVrrpPcap(file, packets);
  console.log(`packets: ${packets} (${(statSync(file).size / 1e6).toFixed(0)} MB), runs: ${runs}, interleaved`);
  timeRun(['tcpdump', '-nn', '-r', file]); // warm the page cache for both
  for (const verbosity of [[], ['-v']]) {
    const tcpdump = ['tcpdump', '-nn', ...verbosity, '-r', file];
    const ours = [process.execPath, vrrpdump, '-n', ...verbosity, '-r', file];
    const times = { tcpdump: [] as Timing[], vrrpdump: [] as Timing[] };
    for (let i = 0; i < runs; i++) {
      times.tcpdump.push(timeRun(tcpdump));
      times.vrrpdump.push(timeRun(ours));
    }
    const flags = verbosity.join(' ');
    const show = (name: string, list: readonly Timing[]) =>
      console.log(`${name} ${flags} -r: wall ${list.map((x) => x.wall.toFixed(2)).join(' ')} | cpu ${list.map((x) => x.cpu.toFixed(2)).join(' ')}`);
    show('tcpdump -nn', times.tcpdump);
    show('vrrpdump -n', times.vrrpdump);
    const wall = [median(times.tcpdump.map((x) => x.wall)), median(times.vrrpdump.map((x) => x.wall))] as const;
    const cpu = [median(times.tcpdump.map((x) => x.cpu)), median(times.vrrpdump.map((x) => x.cpu))] as const;
    console.log(`| ${new Date().toISOString().slice(0, 10)} | \`${flags || '(default)'}\` | ${packets} | ${wall[0].toFixed(2)} s | ${wall[1].toFixed(2)} s | **${(wall[1] / wall[0]).toFixed(2)}** | ${cpu[0].toFixed(2)} s | ${cpu[1].toFixed(2)} s | **${(cpu[1] / cpu[0]).toFixed(2)}** |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

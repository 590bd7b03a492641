// One-shot hcheck wall time, the cost a vrrp_script pays every interval,
// against `node -e 0` (the floor: starting Node at all) and an empty ES
// module (what Node's ES module loader adds to it). A TCP server on
// loopback in this process; each command run RUNS times, interleaved so that
// all see the same machine load; medians and 90th percentiles. Prints
// Markdown rows for RESULTS.md.
//
//   node scripts/build.mjs
//   node --import tsx --conditions=source bench/hcheckOneShot.ts [RUNS]

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 100);
const hcheck = fileURLToPath(new URL('../tools/hcheck/dist/hcheck.js', import.meta.url));
if (!existsSync(hcheck)) throw new Error(`${hcheck} is missing: run node scripts/build.mjs first`);

const server = net.createServer((socket) => socket.on('error', () => undefined).end());
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as net.AddressInfo).port;
// A port nothing listens on: the refused path.
const closed = await new Promise<number>((resolve) => {
  const probe = net.createServer().listen(0, '127.0.0.1', () => {
    const free = (probe.address() as net.AddressInfo).port;
    probe.close(() => resolve(free));
  });
});

const dir = mkdtempSync(join(tmpdir(), 'kt-bench-'));
const emptyModule = join(dir, 'empty.mjs');
writeFileSync(emptyModule, '');

const commands: readonly { readonly name: string; readonly argv: readonly string[]; readonly status: number }[] = [
  { name: '`node -e 0` (floor)', argv: ['-e', '0'], status: 0 },
  { name: '`node empty.mjs` (ES module floor)', argv: [emptyModule], status: 0 },
  { name: `\`hcheck tcp 127.0.0.1:PORT\` (up)`, argv: [hcheck, 'tcp', `127.0.0.1:${port}`], status: 0 },
  { name: `\`hcheck tcp 127.0.0.1:PORT\` (refused)`, argv: [hcheck, 'tcp', `127.0.0.1:${closed}`], status: 1 },
  { name: '`hcheck --help`', argv: [hcheck, '--help'], status: 0 },
];

function timeRun(argv: readonly string[], status: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    execFile(process.execPath, argv, (error) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const code = error ? (error as { code?: number }).code ?? -1 : 0;
      if (code !== status) reject(new Error(`${argv.join(' ')} exited ${code}, not ${status}`));
      else resolve(ms);
    });
  });
}

const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;
const times = commands.map(() => [] as number[]);
for (const command of commands) await timeRun(command.argv, command.status); // warm the page cache
for (let i = 0; i < runs; i++) {
  for (const [index, command] of commands.entries()) times[index]!.push(await timeRun(command.argv, command.status));
}
server.close();
rmSync(dir, { recursive: true, force: true });

const floor = quantile(times[0]!, 0.5);
const date = new Date().toISOString().slice(0, 10);
console.log(`runs: ${runs} each, interleaved; node ${process.version}`);
console.log('| date | command | median | p90 | over the floor (median) |');
console.log('| --- | --- | --- | --- | --- |');
for (const [index, command] of commands.entries()) {
  const median = quantile(times[index]!, 0.5);
  const over = index === 0 ? '-' : `+${(median - floor).toFixed(1)} ms (**${(median / floor).toFixed(2)}x**)`;
  console.log(`| ${date} | ${command.name} | ${median.toFixed(1)} ms | ${quantile(times[index]!, 0.9).toFixed(1)} ms | ${over} |`);
}

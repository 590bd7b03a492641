// --summary: one row per interface and VRID, columns fixed so awk works.

import type { Colour } from '@keepalived-ts/cli';
import type { SummaryRow } from './vridWatch.js';

const HEADINGS = ['INTERFACE', 'VRID', 'FAMILY', 'MASTER', 'PRIO', 'INTVL', 'VER', 'PACKETS', 'LAST SEEN'] as const;

export function summaryTable(rows: readonly SummaryRow[], nowMs: number, colour: Colour): string {
  const cells = rows.map((row) => [
    row.interface,
    String(row.vrid),
    row.family === 4 ? 'IPv4' : 'IPv6',
    row.masters.length === 0 ? '(none)' : row.masters.join(','),
    String(row.priority),
    `${row.intervalCentiseconds}cs`,
    `v${row.version}`,
    String(row.packets),
    `${((nowMs - row.lastSeenMs) / 1000).toFixed(1)}s ago`,
  ]);
  const widths = HEADINGS.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  const body = cells.map((c, r) => {
    const text = line(c);
    const masters = rows[r]!.masters.length;
    return masters > 1 ? colour.red(text) : masters === 0 ? colour.yellow(text) : text;
  });
  return [colour.bold(line(HEADINGS)), ...body].join('\n') + '\n';
}

// The closing table: what was measured, one row each, columns fixed so that
// `grep failover` or `awk` pick a figure out of a saved run.

import type { Colour } from '@keepalived-ts/cli';

export interface Switchover {
  /** The node that took the VIP. */
  readonly node: string;
  /** From the kill (or the restart) to the node's "Entering MASTER STATE", in ms. */
  readonly masterMs: number;
  /** To its first "Sending gratuitous ARP", in ms. */
  readonly garpMs: number;
  /** To the end of the client's first request it answered, in ms. */
  readonly answerMs: number;
  /** Client requests that ended in the window, and how many of them failed. */
  readonly requests: number;
  readonly failed: number;
}

export interface Measurements {
  readonly setting: string;
  readonly firstMaster: { readonly node: string; readonly ms: number };
  readonly crashed: string;
  readonly failover: Switchover;
  readonly preemption: Switchover;
  readonly client: { readonly total: number; readonly failed: number; readonly answeredBy: readonly (readonly [string, number])[] };
  readonly vipPath: readonly string[];
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function summaryLines(m: Measurements, colour: Colour): string[] {
  const { failover, preemption } = m;
  const rows: (readonly [string, string, string])[] = [
    ['election', `start -> ${m.firstMaster.node} Entering MASTER STATE`, seconds(m.firstMaster.ms)],
    ['failover', `kill ${m.crashed} -> ${failover.node} Entering MASTER STATE`, seconds(failover.masterMs)],
    ['failover', `kill ${m.crashed} -> ${failover.node} first gratuitous ARP`, seconds(failover.garpMs)],
    ['failover', `kill ${m.crashed} -> first answer from ${failover.node}`, seconds(failover.answerMs)],
    ['failover', 'failed requests', `${failover.failed} of ${failover.requests}`],
    ['preemption', `restart ${m.crashed} -> ${preemption.node} Entering MASTER STATE`, seconds(preemption.masterMs)],
    ['preemption', `restart ${m.crashed} -> ${preemption.node} first gratuitous ARP`, seconds(preemption.garpMs)],
    ['preemption', `restart ${m.crashed} -> first answer from ${preemption.node}`, seconds(preemption.answerMs)],
    ['preemption', 'failed requests', `${preemption.failed} of ${preemption.requests}`],
    ['client', 'requests = answered by each node + failed', `${m.client.total} = ${[...m.client.answeredBy.map(([node, count]) => `${node} ${count}`), `failed ${m.client.failed}`].join(' + ')}`],
    ['VIP', 'held by (ip addr), step by step', m.vipPath.join(' -> ')],
  ];
  const header = ['phase', 'measured', 'value'] as const;
  const widths = [0, 1].map((column) => Math.max(header[column]!.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: readonly [string, string, string]): string => `  ${row[0].padEnd(widths[0]!)}  ${row[1].padEnd(widths[1]!)}  ${row[2]}`;
  return [colour.bold(`Summary (${m.setting})`), colour.dim(format(header)), ...rows.map(format)];
}

// hcheck's one line of output, in words or as JSON. Fields keep their order
// so that awk and grep work: KIND TARGET STATUS: DETAIL (TIME[, N attempts]).

import type { Colour } from '@keepalived-ts/cli';
import type { CheckResult } from '@keepalived-ts/checks';

export interface Report {
  /** The subcommand: tcp, http, https, smtp, dns, udp, ping, misc. */
  readonly check: string;
  /** What was checked, as given (10.0.0.2:80, a URL, the command). */
  readonly target: string;
  /** The address checked, when a name was resolved to it. */
  readonly address?: string;
  readonly result: CheckResult;
  readonly attempts: number;
}

const milliseconds = (ms: number): string => (ms < 10 ? ms.toFixed(1) : Math.round(ms).toString());

export function reportLine(report: Report, colour: Colour): string {
  const { result } = report;
  const status = result.status === 'up' ? colour.green('up') : colour.red('down');
  const target = report.address ? `${report.target} (${report.address})` : report.target;
  const attempts = report.attempts > 1 ? `, ${report.attempts} attempts` : '';
  return `${report.check} ${target} ${status}: ${result.detail} (${milliseconds(result.durationMs)} ms${attempts})`;
}

export function reportJson(report: Report): string {
  const { result } = report;
  return JSON.stringify({
    check: report.check,
    target: report.target,
    ...(report.address ? { address: report.address } : {}),
    status: result.status,
    ...(result.status === 'down' ? { reason: result.reason } : {}),
    detail: result.detail,
    ...(result.status === 'up' && result.weight !== undefined ? { weight: result.weight } : {}),
    durationMs: Math.round(result.durationMs * 1000) / 1000,
    attempts: report.attempts,
  });
}

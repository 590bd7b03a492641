// Runs a CheckScheduler for a while inside a lab namespace (the test process
// cannot enter one) and prints one JSON line of what happened:
//   node --import tsx --conditions=source test/checks/schedulerRun.ts '{"checks":[...], ...}'
import { readdirSync } from 'node:fs';
import { CheckScheduler, dnsCheck, pingCheck, tcpCheck, type CheckOutcome, type CheckResult } from '@keepalived-ts/checks';

interface Plan {
  readonly checks: readonly { readonly kind: 'tcp' | 'ping' | 'dns'; readonly host: string; readonly port?: number; readonly copies: number }[];
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly runForMs: number;
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const openFds = (): number => readdirSync('/proc/self/fd').length;
const baselineFds = openFds();
let mostFds = baselineFds;
const outcomes: CheckOutcome[] = [];
const scheduler = new CheckScheduler({ concurrency: plan.concurrency, onResult: (o) => outcomes.push(o) });

let id = 0;
for (const spec of plan.checks) {
  for (let copy = 0; copy < spec.copies; copy++) {
    const run = (signal: AbortSignal): Promise<CheckResult> => {
      const common = { timeoutMs: plan.timeoutMs, signal };
      if (spec.kind === 'tcp') return tcpCheck({ ...common, host: spec.host, port: spec.port ?? 80 });
      if (spec.kind === 'dns') return dnsCheck({ ...common, host: spec.host, name: 'web.test', type: 'A' });
      return pingCheck({ ...common, host: spec.host });
    };
    // Spread over the first interval, as a daemon starting many checks would.
    scheduler.add({ id: `${spec.kind}-${id}`, intervalMs: plan.intervalMs, firstDelayMs: (id * 7919) % plan.intervalMs, run });
    id += 1;
  }
}

const sampler = setInterval(() => (mostFds = Math.max(mostFds, openFds())), 5);
const began = performance.now();
scheduler.start();
await new Promise((resolve) => setTimeout(resolve, plan.runForMs));
await scheduler.stop();
clearInterval(sampler);

const firstDue = new Map<string, number>();
let offGrid = 0;
for (const o of outcomes) {
  const first = firstDue.get(o.id) ?? o.dueAt;
  firstDue.set(o.id, first);
  const steps = (o.dueAt - first) / plan.intervalMs;
  if (Math.abs(steps - Math.round(steps)) > 1e-6) offGrid += 1;
}
const lateness = outcomes.map((o) => o.startedAt - o.dueAt).sort((a, b) => a - b);
console.log(
  JSON.stringify({
    checks: id,
    runs: outcomes.length,
    up: outcomes.filter((o) => o.result.status === 'up').length,
    reasons: outcomes.reduce<Record<string, number>>((counts, o) => {
      const key = o.result.status === 'up' ? 'up' : o.result.reason;
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
    missed: scheduler.stats.missed,
    peakRunning: scheduler.stats.peakRunning,
    offGrid,
    latenessP50: lateness[Math.floor(lateness.length / 2)] ?? 0,
    latenessMax: lateness[lateness.length - 1] ?? 0,
    baselineFds,
    mostFds,
    elapsedMs: performance.now() - began,
  }),
);

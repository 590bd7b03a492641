// Runs rtnetlink steps in the network namespace it is started in (the library
// talks to the namespace of its process) and prints one JSON line per result,
// for the lab tests in ../rtnetlink.test.ts:
//
//   ip netns exec NS node --import tsx --conditions=source probe.ts '[{"op":"listLinks"}]'
//
// Steps: {"op": METHOD, "args": [...]} calls an Rtnetlink method and prints
// {"op","ok":true,"value"} or {"op","ok":false,"error":{name,errno,operation,message}};
// {"op":"watch","until":[MATCHER...],"timeoutMs":N} prints {"op":"watch","ready":true},
// then {"event":...} per event, until every matcher (a partial event) has been seen;
// {"op":"subscribe"} starts watching and never unsubscribes (close() must still end it);
// {"op":"close"} closes early, so that later steps meet a closed handle.
// It never calls process.exit: the tests check that close() lets it end.

import { isDeepStrictEqual } from 'node:util';
import { NetlinkError, openRtnetlink, type NetlinkEvent, type Rtnetlink } from '../index.js';

type Step =
  | { readonly op: 'watch'; readonly until: readonly unknown[]; readonly timeoutMs?: number }
  | { readonly op: 'subscribe' }
  | { readonly op: 'close' }
  | { readonly op: Exclude<keyof Rtnetlink, 'watch' | 'close'>; readonly args?: readonly unknown[] };

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** Whether every property of `pattern` is in `value` (recursively for objects). */
function matches(pattern: unknown, value: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return isDeepStrictEqual(pattern, value);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(pattern).every(([key, wanted]) => matches(wanted, (value as Record<string, unknown>)[key]));
}

function describeError(error: unknown): unknown {
  if (error instanceof NetlinkError) {
    return { name: error.name, errno: error.errno, operation: error.operation, message: error.message };
  }
  return { name: error instanceof Error ? error.name : typeof error, message: String(error) };
}

async function watch(rt: Rtnetlink, step: Extract<Step, { op: 'watch' }>): Promise<void> {
  const pending = [...step.until];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      unsubscribe();
      print({ op: 'watch', ok: false, error: { name: 'Timeout', message: `unseen: ${JSON.stringify(pending)}` } });
      resolve();
    }, step.timeoutMs ?? 10_000);
    const unsubscribe = rt.watch((event: NetlinkEvent) => {
      print({ event });
      const index = pending.findIndex((pattern) => matches(pattern, event));
      if (index >= 0) pending.splice(index, 1);
      if (pending.length === 0) {
        clearTimeout(timer);
        unsubscribe();
        print({ op: 'watch', ok: true });
        resolve();
      }
    });
    print({ op: 'watch', ready: true });
  });
}

async function main(): Promise<void> {
  const steps = JSON.parse(process.argv[2] ?? '[]') as Step[];
  const rt = await openRtnetlink();
  try {
    for (const step of steps) {
      if (step.op === 'watch') {
        await watch(rt, step);
        continue;
      }
      if (step.op === 'subscribe' || step.op === 'close') {
        if (step.op === 'subscribe') rt.watch(() => undefined);
        else rt.close();
        print({ op: step.op, ok: true });
        continue;
      }
      try {
        const method = rt[step.op] as (...args: unknown[]) => Promise<unknown>;
        const value = await method.apply(rt, [...(step.args ?? [])]);
        print({ op: step.op, ok: true, value: value ?? null });
      } catch (error) {
        print({ op: step.op, ok: false, error: describeError(error) });
      }
    }
  } finally {
    rt.close();
  }
}

main().catch((error: unknown) => {
  console.error('probe:', error);
  process.exitCode = 1;
});

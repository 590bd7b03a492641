// Replays every case in this folder: <case>/input.jsonl (the instances, then
// one event per line) through the election, and compares the actions with
// <case>/output.jsonl, line for line. See README.md for the format.
//   CONFORMANCE_RECORD=1  rewrites output.jsonl from what the election does now.
//   CONFORMANCE_CASE=name runs one case.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
// Imported by path until the workspace links @keepalived-ts/election here.
import { Election, withDefaults, type ElectionAction, type ElectionEvent, type PartialInstanceSpec, type SyncGroupSpec } from '@keepalived-ts/election';

const here = dirname(fileURLToPath(import.meta.url));
const record = process.env.CONFORMANCE_RECORD === '1';
const onlyCase = process.env.CONFORMANCE_CASE;

interface CaseInput {
  readonly instances: readonly PartialInstanceSpec[];
  readonly syncGroups: readonly SyncGroupSpec[];
  readonly events: readonly { readonly line: number; readonly at: number; readonly event: ElectionEvent }[];
}

/** Blank lines and lines starting with # are comments. The first other line holds the instances. */
function parseInput(path: string): CaseInput {
  const rows = readFileSync(path, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((r) => r.text !== '' && !r.text.startsWith('#'));
  const [head, ...rest] = rows;
  if (!head) throw new Error(`${path}: empty`);
  const setup = JSON.parse(head.text) as { instances?: PartialInstanceSpec[]; syncGroups?: SyncGroupSpec[] };
  if (!Array.isArray(setup.instances)) throw new Error(`${path}:${head.line}: the first line must be {"instances":[...]}`);
  const events = rest.map((r) => {
    const { at, ...event } = JSON.parse(r.text) as { at?: unknown } & Record<string, unknown>;
    if (typeof at !== 'number') throw new Error(`${path}:${r.line}: an event needs "at" (ms)`);
    return { line: r.line, at, event: event as unknown as ElectionEvent };
  });
  return { instances: setup.instances, syncGroups: setup.syncGroups ?? [], events };
}

/**
 * One output line: the time of the event, then the action. A set-timer's own
 * `at` (when the timer is due) is written `due`, so that the two never clash.
 */
function serialize(at: number, action: ElectionAction): string {
  if (action.kind === 'set-timer') {
    const { at: due, ...rest } = action;
    return JSON.stringify({ at, ...rest, due });
  }
  return JSON.stringify({ at, ...action });
}

/** The conversation: every action, with the time of the event that produced it. */
function replay(path: string, input: CaseInput): string {
  const election = new Election(input.instances.map(withDefaults), input.syncGroups);
  // Timers as the daemon would hold them, to catch a case that fires one at the wrong time.
  const armed = new Map<string, number>();
  const out: string[] = [];
  for (const { line, at, event } of input.events) {
    if (event.kind === 'timer') {
      const key = `${event.instance}/${event.timer}`;
      const due = armed.get(key);
      assert.equal(at, due, `${path}:${line}: timer ${key} fires at ${at}, but it is ${due === undefined ? 'not armed' : `armed for ${due}`}`);
      armed.delete(key);
    }
    for (const action of election.handle(event, at)) {
      if (action.kind === 'set-timer') armed.set(`${action.instance}/${action.timer}`, action.at);
      if (action.kind === 'cancel-timer') armed.delete(`${action.instance}/${action.timer}`);
      out.push(serialize(at, action));
    }
  }
  return out.map((l) => `${l}\n`).join('');
}

const cases = readdirSync(here)
  .filter((name) => statSync(join(here, name)).isDirectory() && name !== 'node_modules')
  .filter((name) => onlyCase === undefined || name === onlyCase)
  .sort();

test('there are conformance cases', () => {
  assert.ok(cases.length > 0, `no case folders in ${here}`);
});

for (const name of cases) {
  test(name, () => {
    const inputPath = join(here, name, 'input.jsonl');
    const outputPath = join(here, name, 'output.jsonl');
    const actual = replay(inputPath, parseInput(inputPath));
    if (record) {
      writeFileSync(outputPath, actual);
      return;
    }
    let expected: string;
    try {
      expected = readFileSync(outputPath, 'utf8');
    } catch {
      assert.fail(`${outputPath} is missing: record it with CONFORMANCE_RECORD=1 and review it`);
    }
    const actualLines = actual.split('\n');
    const expectedLines = expected.split('\n');
    const first = actualLines.findIndex((l, i) => l !== expectedLines[i]);
    if (first === -1 && actualLines.length === expectedLines.length) return;
    const at = first === -1 ? Math.min(actualLines.length, expectedLines.length) : first;
    assert.fail(
      `${name}: output.jsonl line ${at + 1} differs\n  expected: ${expectedLines[at] ?? '(end)'}\n  actual:   ${actualLines[at] ?? '(end)'}`,
    );
  });
}

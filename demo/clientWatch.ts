// The client's side of the story: runs httpClient.ts in the client namespace
// and keeps every answer it reports, so that the demo can say when the client
// was first answered by a node, and how many requests failed in between.

import { fileURLToPath } from 'node:url';
import type { Lab, ProcessHandle } from '@keepalived-ts/test-utils';
import type { RequestResult } from './httpClient.js';
import { helperArgv } from './routerNode.js';

const HTTP_CLIENT = fileURLToPath(new URL('./httpClient.ts', import.meta.url));
export const REQUEST_INTERVAL_MS = 100;
export const REQUEST_TIMEOUT_MS = 300;

/** What a run of equal outcomes is about: the node that answered, or why requests failed. */
export const outcomeOf = (result: RequestResult): string => (result.ok ? `node:${result.node}` : `error:${result.error}`);

const ERROR_WORDS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  timeout: `no answer within ${REQUEST_TIMEOUT_MS} ms`,
};
export const describeError = (error: string | undefined): string => ERROR_WORDS[error ?? ''] ?? error ?? 'failed';

export class ClientWatch {
  readonly results: RequestResult[] = [];
  private read = 0;
  private stopped = false;

  private constructor(private readonly child: ProcessHandle) {}

  static async start(lab: Lab, ns: string, url: string, lifetimeSeconds: number): Promise<ClientWatch> {
    const argv = helperArgv(HTTP_CLIENT, [ns, url, String(REQUEST_INTERVAL_MS), String(REQUEST_TIMEOUT_MS), String(lifetimeSeconds)]);
    return new ClientWatch(await lab.spawn(ns, argv));
  }

  /** Reads the answers reported since the last call. */
  readNew(): RequestResult[] {
    const lines = this.child.lines('stdout');
    const fresh: RequestResult[] = [];
    for (; this.read < lines.length; this.read += 1) {
      try {
        fresh.push(JSON.parse(lines[this.read]!.text) as RequestResult);
      } catch {
        // Not one of ours (a warning from node): the counts stay exact without it.
      }
    }
    this.results.push(...fresh);
    return fresh;
  }

  /** The first request answered by `node` that ended at or after `since`. */
  firstAnswerFrom(node: string, since: number): RequestResult | undefined {
    return this.results.find((result) => result.ok && result.node === node && result.end >= since);
  }

  /** Requests that ended in [from, to): how many, and how many failed. */
  countBetween(from: number, to = Infinity): { readonly total: number; readonly failed: number } {
    const inside = this.results.filter((result) => result.end >= from && result.end < to);
    return { total: inside.length, failed: inside.filter((result) => !result.ok).length };
  }

  answeredBy(node: string): number {
    return this.results.filter((result) => result.ok && result.node === node).length;
  }

  get failed(): number {
    return this.results.filter((result) => !result.ok).length;
  }

  unexpectedExit(): string | undefined {
    const status = this.child.exitStatus();
    if (status === undefined || this.stopped) return undefined;
    return `the HTTP client exited by itself (${status.signal ?? `status ${status.code}`}): ${this.child.text('stderr').slice(-300)}`;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.child.stop('SIGTERM', { timeoutMs: 2_000 });
    this.readNew();
  }
}

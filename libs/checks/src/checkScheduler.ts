// Runs many checks on their own schedules with a bound on how many run at
// once (so on open sockets and child processes), for the checker daemon.
//
// - A check's runs are due at first + k * interval: the next due time comes
//   from the schedule, not from when the last run ended, so neither slow
//   checks nor timer lateness make the schedule drift. keepalived re-arms
//   delay_loop after each run ends, which drifts by the run's duration.
// - A check never runs twice at once. A run that ends after its next due
//   time(s) skips them (counted as missed) instead of running back to back.
// - Due checks beyond the concurrency limit wait in due-time order.
// - One timer, for the earliest due time, whatever the number of checks.
// - The clock is injected, so tests drive it virtually.

import type { CheckResult } from './checkResult.js';

export interface SchedulerClock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  setTimer(callback: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => performance.now(),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ScheduledCheck {
  readonly id: string;
  /** keepalived's delay_loop, in ms. */
  readonly intervalMs: number;
  /** Delay before the first run (keepalived's warmup); default 0. */
  readonly firstDelayMs?: number;
  /** One run, retries included; aborted when the check is removed or the scheduler stops. */
  run(signal: AbortSignal): Promise<CheckResult>;
}

export interface CheckOutcome {
  readonly id: string;
  readonly result: CheckResult;
  /** When the run was due, started and ended, on the clock's scale. */
  readonly dueAt: number;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Due times skipped because this run (or the wait for a free slot) overran them. */
  readonly missed: number;
}

export interface CheckSchedulerOptions {
  /** Most runs at once. */
  readonly concurrency: number;
  readonly clock?: SchedulerClock;
  readonly onResult: (outcome: CheckOutcome) => void;
  /** A run threw (a bug in the check, since checkers report failures as results). */
  readonly onError?: (id: string, error: unknown) => void;
}

export interface SchedulerStats {
  readonly checks: number;
  readonly running: number;
  readonly waiting: number;
  readonly completed: number;
  readonly missed: number;
  /** The most runs seen at once. */
  readonly peakRunning: number;
}

interface Entry {
  readonly check: ScheduledCheck;
  dueAt: number;
  /** Bumped whenever the entry leaves the heap, so stale heap items are recognised. */
  generation: number;
  state: 'scheduled' | 'waiting' | 'running' | 'removed';
  controller: AbortController | undefined;
}

interface HeapItem {
  readonly dueAt: number;
  readonly order: number;
  readonly entry: Entry;
  readonly generation: number;
}

export class CheckScheduler {
  private readonly clock: SchedulerClock;
  private readonly entries = new Map<string, Entry>();
  private readonly heap: HeapItem[] = [];
  private readonly waiting: Entry[] = [];
  private readonly runs = new Set<Promise<void>>();
  private timer: unknown;
  private timerAt = Infinity;
  private order = 0;
  private started = false;
  private running = 0;
  private completed = 0;
  private missed = 0;
  private peakRunning = 0;

  constructor(private readonly options: CheckSchedulerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError(`concurrency ${options.concurrency} must be a whole number >= 1`);
    this.clock = options.clock ?? systemClock;
  }

  add(check: ScheduledCheck): void {
    if (this.entries.has(check.id)) throw new Error(`check ${check.id} is already scheduled`);
    if (!(check.intervalMs > 0)) throw new RangeError(`check ${check.id}: interval ${check.intervalMs} ms must be positive`);
    const entry: Entry = { check, dueAt: this.clock.now() + (check.firstDelayMs ?? 0), generation: 0, state: 'scheduled', controller: undefined };
    this.entries.set(check.id, entry);
    this.push(entry);
    if (this.started) this.pump();
  }

  /** Stops scheduling a check and aborts its run, if one is going; its result is then not reported. */
  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    entry.generation += 1;
    if (entry.state === 'waiting') this.waiting.splice(this.waiting.indexOf(entry), 1);
    entry.state = 'removed';
    entry.controller?.abort();
    return true;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.pump();
  }

  /** Stops the timer, aborts the runs going on and waits for them to end. */
  async stop(): Promise<void> {
    this.started = false;
    this.disarm();
    for (const entry of this.entries.values()) entry.controller?.abort();
    await Promise.allSettled([...this.runs]);
  }

  get stats(): SchedulerStats {
    return { checks: this.entries.size, running: this.running, waiting: this.waiting.length, completed: this.completed, missed: this.missed, peakRunning: this.peakRunning };
  }

  /** When a check is next due (undefined while it runs or waits for a slot). */
  nextDue(id: string): number | undefined {
    const entry = this.entries.get(id);
    return entry?.state === 'scheduled' ? entry.dueAt : undefined;
  }

  private pump(): void {
    if (!this.started) return;
    const now = this.clock.now();
    for (let top = this.heap[0]; top !== undefined && top.dueAt <= now; top = this.heap[0]) {
      this.pop();
      if (top.generation !== top.entry.generation || top.entry.state !== 'scheduled') continue;
      top.entry.generation += 1;
      top.entry.state = 'waiting';
      this.waiting.push(top.entry);
    }
    while (this.running < this.options.concurrency && this.waiting.length > 0) this.launch(this.waiting.shift()!);
    this.arm();
  }

  private launch(entry: Entry): void {
    entry.state = 'running';
    const controller = new AbortController();
    entry.controller = controller;
    this.running += 1;
    this.peakRunning = Math.max(this.peakRunning, this.running);
    const startedAt = this.clock.now();
    const run = (async () => {
      let result: CheckResult | undefined;
      try {
        result = await entry.check.run(controller.signal);
      } catch (error) {
        if (entry.state !== 'removed') this.options.onError?.(entry.check.id, error);
      }
      this.running -= 1;
      this.completed += 1;
      entry.controller = undefined;
      if (entry.state === 'removed') {
        this.pump();
        return;
      }
      const endedAt = this.clock.now();
      const dueAt = entry.dueAt;
      // The first due time on the schedule not already past: k >= 1 intervals on.
      const steps = Math.max(1, Math.ceil((endedAt - dueAt) / entry.check.intervalMs));
      const missed = steps - 1;
      this.missed += missed;
      entry.dueAt = dueAt + steps * entry.check.intervalMs;
      entry.state = 'scheduled';
      this.push(entry);
      if (result && this.started) this.options.onResult({ id: entry.check.id, result, dueAt, startedAt, endedAt, missed });
      this.pump();
    })();
    this.runs.add(run);
    void run.finally(() => this.runs.delete(run));
  }

  private arm(): void {
    const top = this.heap[0];
    const at = top?.dueAt ?? Infinity;
    if (at === this.timerAt) return;
    this.disarm();
    if (at === Infinity) return;
    this.timerAt = at;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, Math.max(0, at - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  // A binary min-heap on (dueAt, insertion order): equal due times run in the order they were added.
  private push(entry: Entry): void {
    const item: HeapItem = { dueAt: entry.dueAt, order: this.order++, entry, generation: entry.generation };
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
      if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
      if (least === i) break;
      [heap[i], heap[least]] = [heap[least]!, heap[i]!];
      i = least;
    }
  }
}

const before = (a: HeapItem, b: HeapItem): boolean => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.order < b.order);

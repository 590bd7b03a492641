// The scheduler on a virtual clock: due times follow the schedule whatever
// the runs take, concurrency stays bounded, overruns skip instead of piling up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { up, type CheckResult } from './checkResult.js';
import { CheckScheduler, type CheckOutcome, type SchedulerClock } from './checkScheduler.js';

/** A clock whose time moves only by advance(); timers fire in time order, with microtasks run between. */
class VirtualClock implements SchedulerClock {
  private time = 0;
  private nextId = 1;
  // A min-heap on (at, id), with cleared timers dropped as they surface.
  private readonly heap: { at: number; id: number; callback: () => void }[] = [];
  private readonly live = new Set<number>();
  armed = 0;

  now(): number {
    return this.time;
  }
  setTimer(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.live.add(id);
    this.armed += 1;
    const heap = this.heap;
    heap.push({ at: this.time + Math.max(0, delayMs), id, callback });
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
    return id;
  }
  clearTimer(handle: unknown): void {
    this.live.delete(handle as number);
  }
  get pendingTimers(): number {
    return this.live.size;
  }
  /** A promise that settles when the clock reaches now + ms, or at once on abort (as checkers honour it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.setTimer(resolve, ms);
      signal?.addEventListener('abort', () => {
        this.clearTimer(timer);
        resolve();
      });
    });
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    // Bounded: each round fires one timer or ends.
    for (let round = 0; round < 10_000_000; round++) {
      await settle();
      const next = this.pop(end);
      if (!next) break;
      this.time = next.at;
      next.callback();
    }
    this.time = end;
    await settle();
  }
  private pop(end: number): { at: number; callback: () => void } | undefined {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.at <= end) {
      const top = heap[0]!;
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && earlier(heap[l]!, heap[m]!)) m = l;
          if (r < heap.length && earlier(heap[r]!, heap[m]!)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m]!, heap[i]!];
          i = m;
        }
      }
      if (this.live.delete(top.id)) return top;
    }
    return undefined;
  }
}

const earlier = (a: { at: number; id: number }, b: { at: number; id: number }): boolean => a.at < b.at || (a.at === b.at && a.id < b.id);

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('CheckScheduler', () => {
  it('runs each check at first + k * interval, however long the runs take', async () => {
    const clock = new VirtualClock();
    const outcomes: CheckOutcome[] = [];
    const scheduler = new CheckScheduler({ concurrency: 10, clock, onResult: (o) => outcomes.push(o) });
    // 300 ms runs every 1000 ms: keepalived would drift to 1300, 2600, ...
    scheduler.add({ id: 'slow', intervalMs: 1000, run: async (signal) => (await clock.sleep(300, signal), up('ok', 300)) });
    scheduler.add({ id: 'late', intervalMs: 500, firstDelayMs: 250, run: async (signal) => (await clock.sleep(10, signal), up('ok', 10)) });
    scheduler.start();
    await clock.advance(10_000);
    const starts = (id: string) => outcomes.filter((o) => o.id === id).map((o) => o.startedAt);
    assert.deepEqual(starts('slow'), [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000]);
    assert.deepEqual(starts('late'), Array.from({ length: 20 }, (_, k) => 250 + 500 * k).filter((t) => t <= 9750));
    assert.equal(scheduler.stats.missed, 0);
    await scheduler.stop();
    assert.equal(clock.pendingTimers, 0);
  });

  it('skips the due times a run overran rather than running back to back', async () => {
    const clock = new VirtualClock();
    const outcomes: CheckOutcome[] = [];
    const scheduler = new CheckScheduler({ concurrency: 1, clock, onResult: (o) => outcomes.push(o) });
    let calls = 0;
    scheduler.add({
      id: 'hang',
      intervalMs: 1000,
      // The first run takes 2500 ms (a timeout), the others 100 ms.
      run: async (signal) => (await clock.sleep(++calls === 1 ? 2500 : 100, signal), up('ok', 0)),
    });
    scheduler.start();
    await clock.advance(5_500);
    assert.deepEqual(outcomes.map((o) => [o.dueAt, o.startedAt, o.missed]), [[0, 0, 2], [3000, 3000, 0], [4000, 4000, 0], [5000, 5000, 0]]);
    assert.equal(scheduler.stats.missed, 2);
    await scheduler.stop();
  });

  it('keeps at most `concurrency` runs going; the rest wait in due order and keep their schedule', async () => {
    const clock = new VirtualClock();
    const outcomes: CheckOutcome[] = [];
    const scheduler = new CheckScheduler({ concurrency: 3, clock, onResult: (o) => outcomes.push(o) });
    let running = 0;
    let peak = 0;
    const run = async (signal: AbortSignal): Promise<CheckResult> => {
      running += 1;
      peak = Math.max(peak, running);
      await clock.sleep(100, signal);
      running -= 1;
      return up('ok', 100);
    };
    for (let i = 0; i < 9; i++) scheduler.add({ id: `c${i}`, intervalMs: 1000, firstDelayMs: i, run });
    scheduler.start();
    await clock.advance(1_500);
    assert.equal(peak, 3);
    assert.equal(scheduler.stats.peakRunning, 3);
    const first = outcomes.filter((o) => o.dueAt < 1000);
    // Three waves of three: started at 0-2, then as slots free at 100 and 200.
    assert.deepEqual(first.map((o) => o.id), ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8']);
    assert.deepEqual(first.map((o) => o.startedAt), [0, 1, 2, 100, 101, 102, 200, 201, 202]);
    // The second round is due at 1000 + i whatever the wait in the first.
    assert.deepEqual(outcomes.filter((o) => o.dueAt >= 1000).map((o) => o.dueAt), [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008]);
    await scheduler.stop();
  });

  it('holds thousands of checks on one timer, with bounded runs and no drift', async () => {
    const clock = new VirtualClock();
    // The scheduler's own timers, apart from those the checks sleep on.
    const own = new Set<unknown>();
    let mostOwn = 0;
    const schedulerClock: SchedulerClock = {
      now: () => clock.now(),
      setTimer: (callback, delayMs) => {
        const handle = clock.setTimer(() => {
          own.delete(handle);
          callback();
        }, delayMs);
        own.add(handle);
        mostOwn = Math.max(mostOwn, own.size);
        return handle;
      },
      clearTimer: (handle) => {
        own.delete(handle);
        clock.clearTimer(handle);
      },
    };
    let results = 0;
    const lateness: number[] = [];
    const scheduler = new CheckScheduler({
      concurrency: 100,
      clock: schedulerClock,
      onResult: (o) => {
        if (o.dueAt >= 10_000) return;
        results += 1;
        lateness.push(o.startedAt - o.dueAt);
      },
    });
    let running = 0;
    let peak = 0;
    for (let i = 0; i < 2000; i++) {
      scheduler.add({
        id: `rs${i}`,
        intervalMs: 2000,
        firstDelayMs: (i * 7) % 2000,
        run: async (signal) => {
          running += 1;
          peak = Math.max(peak, running);
          await clock.sleep(20 + (i % 30), signal);
          running -= 1;
          return up('ok', 0);
        },
      });
    }
    scheduler.start();
    await clock.advance(10_200);
    assert.ok(peak <= 100, `peak ${peak}`);
    assert.equal(results, 2000 * 5);
    assert.equal(scheduler.stats.missed, 0);
    assert.ok(Math.max(...lateness) < 100, `worst lateness ${Math.max(...lateness)} ms`);
    assert.equal(mostOwn, 1);
    await scheduler.stop();
    assert.equal(own.size, 0);
    assert.equal(clock.pendingTimers, 0);
  });

  it('aborts a removed check and reports nothing more for it', async () => {
    const clock = new VirtualClock();
    const outcomes: CheckOutcome[] = [];
    const scheduler = new CheckScheduler({ concurrency: 5, clock, onResult: (o) => outcomes.push(o) });
    let aborted = false;
    scheduler.add({
      id: 'gone',
      intervalMs: 1000,
      run: (signal) =>
        new Promise<CheckResult>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve(up('aborted', 0));
          });
        }),
    });
    scheduler.add({ id: 'stays', intervalMs: 1000, run: async () => up('ok', 0) });
    scheduler.start();
    await clock.advance(500);
    assert.equal(scheduler.remove('gone'), true);
    await clock.advance(2_000);
    assert.equal(aborted, true);
    assert.deepEqual([...new Set(outcomes.map((o) => o.id))], ['stays']);
    assert.equal(scheduler.stats.checks, 1);
    assert.throws(() => scheduler.add({ id: 'stays', intervalMs: 1000, run: async () => up('ok', 0) }), /already scheduled/);
    await scheduler.stop();
  });

  it('reports a run that throws through onError and keeps the schedule', async () => {
    const clock = new VirtualClock();
    const errors: string[] = [];
    const scheduler = new CheckScheduler({ concurrency: 1, clock, onResult: () => undefined, onError: (id, error) => errors.push(`${id}: ${(error as Error).message}`) });
    scheduler.add({ id: 'buggy', intervalMs: 1000, run: async () => { throw new Error('boom'); } });
    scheduler.start();
    await clock.advance(2_500);
    assert.deepEqual(errors, ['buggy: boom', 'buggy: boom', 'buggy: boom']);
    assert.equal(scheduler.nextDue('buggy'), 3000);
    await scheduler.stop();
  });
});

// The election asks for timers at absolute times on its clock; this keeps
// one Node timer per (instance, timer) and fires the event back. The clock
// is monotonic (performance.now), so a wall-clock step never fires early.

import { performance } from 'node:perf_hooks';

export const monotonicNow = (): number => performance.now();

export class TimerSet<Name extends string> {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly fire: (instance: string, timer: Name) => void) {}

  set(instance: string, timer: Name, at: number): void {
    this.cancel(instance, timer);
    const key = `${instance}\u0000${timer}`;
    const handle = setTimeout(() => {
      this.timers.delete(key);
      this.fire(instance, timer);
    }, Math.max(0, at - monotonicNow()));
    this.timers.set(key, handle);
  }

  cancel(instance: string, timer: Name): void {
    const key = `${instance}\u0000${timer}`;
    const handle = this.timers.get(key);
    if (handle) clearTimeout(handle);
    this.timers.delete(key);
  }

  cancelAll(): void {
    for (const handle of this.timers.values()) clearTimeout(handle);
    this.timers.clear();
  }
}

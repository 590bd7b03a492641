// A LAN of routers in virtual time, for tests: each router is one Election
// (one VRRP instance), adverts reach the others after a per-packet delay or
// are lost, and timers fire when the daemon's would. Everything random comes
// from one seeded generator, so a failing schedule replays from its seed.

import { Election } from './election.js';
import { withDefaults } from './defaults.js';
import type { ElectionAction, InstanceSnapshot, TimerName, VrrpState } from './types.js';

export const INSTANCE = 'VI_1';

/** mulberry32: small, fast, and good enough to shuffle schedules. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('Random.pick: no items');
    return item;
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

export interface RouterConfig {
  readonly name: string;
  readonly address: string;
  readonly priority: number;
  readonly preempt: boolean;
  readonly version: 2 | 3;
  readonly advertIntervalCs: number;
  readonly preemptDelayMs?: number;
  readonly initialState?: 'master' | 'backup';
}

export interface LinkConditions {
  readonly lossRate: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

interface Router {
  readonly config: RouterConfig;
  election: Election | undefined;
  /** Bumped at each (re)start, so that a dead run's timers never fire into a new one. */
  generation: number;
  readonly timers: Map<TimerName, number>;
  /** Whether the VIPs are on this host (a crash leaves them, as on a real host). */
  vipsHeld: boolean;
}

type QueuedEvent =
  | { readonly kind: 'deliver'; readonly to: string; readonly from: string; readonly priority: number; readonly intervalCs: number }
  | { readonly kind: 'timer'; readonly router: string; readonly generation: number; readonly timer: TimerName; readonly at: number }
  | { readonly kind: 'do'; readonly run: () => void };

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly event: QueuedEvent;
}

/** A binary heap ordered by time, then by insertion (so equal times keep their order). */
class EventQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;
  get size(): number {
    return this.heap.length;
  }
  push(at: number, event: QueuedEvent): void {
    this.heap.push({ at, seq: this.seq++, event });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[i]!, this.heap[parent]!)) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }
  peek(): Entry | undefined {
    return this.heap[0];
  }
  pop(): Entry | undefined {
    const top = this.heap[0];
    const last = this.heap.pop();
    if (top === undefined || last === undefined || this.heap.length === 0) return top;
    this.heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < this.heap.length && before(this.heap[left]!, this.heap[smallest]!)) smallest = left;
      if (right < this.heap.length && before(this.heap[right]!, this.heap[smallest]!)) smallest = right;
      if (smallest === i) break;
      [this.heap[i], this.heap[smallest]] = [this.heap[smallest]!, this.heap[i]!];
      i = smallest;
    }
    return top;
  }
}

const before = (a: Entry, b: Entry): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export interface TransitionRecord {
  readonly at: number;
  readonly router: string;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly reason: string;
}

export class SimulatedLan {
  now = 0;
  readonly transitions: TransitionRecord[] = [];
  private readonly routers = new Map<string, Router>();
  private readonly queue = new EventQueue();
  /** Per directed link, when the last packet arrives: a LAN delays but never reorders. */
  private readonly lastArrival = new Map<string, number>();
  private processed = 0;

  constructor(
    readonly random: Random,
    public conditions: LinkConditions,
    routers: readonly RouterConfig[],
    /** Bound on events per run, so that a livelock fails instead of hanging. */
    private readonly maxEvents = 2_000_000,
  ) {
    for (const config of routers) this.routers.set(config.name, { config, election: undefined, generation: 0, timers: new Map(), vipsHeld: false });
  }

  /** Starts (or restarts, with a fresh Election: a new process) a router at `at`. */
  start(name: string, at: number): void {
    this.at(at, () => {
      const router = this.router(name);
      router.generation++;
      router.timers.clear();
      const c = router.config;
      router.election = new Election([
        withDefaults({
          name: INSTANCE,
          vrid: 51,
          primaryAddress: c.address,
          priority: c.priority,
          preempt: c.preempt,
          version: c.version,
          advertIntervalCs: c.advertIntervalCs,
          preemptDelayMs: c.preemptDelayMs ?? 0,
          initialState: c.initialState ?? 'backup',
        }),
      ]);
      this.handle(router, { kind: 'start' });
    });
  }

  /** A clean stop: the router tells the others (priority 0) and removes its VIPs. */
  stop(name: string, at: number): void {
    this.at(at, () => {
      const router = this.router(name);
      if (!router.election) return;
      this.handle(router, { kind: 'stop' });
      router.election = undefined;
      router.timers.clear();
    });
  }

  /** A crash: silence. The VIPs stay on the host until it restarts. */
  crash(name: string, at: number): void {
    this.at(at, () => {
      const router = this.router(name);
      router.election = undefined;
      router.timers.clear();
    });
  }

  setConditions(conditions: LinkConditions, at: number): void {
    this.at(at, () => {
      this.conditions = conditions;
    });
  }

  at(at: number, run: () => void): void {
    this.queue.push(at, { kind: 'do', run });
  }

  runUntil(end: number): void {
    for (;;) {
      const next = this.queue.peek();
      if (!next || next.at > end) break;
      this.queue.pop();
      if (++this.processed > this.maxEvents) throw new Error(`SimulatedLan: more than ${this.maxEvents} events by ${next.at} ms`);
      this.now = next.at;
      this.dispatch(next.event);
    }
    this.now = end;
  }

  isRunning(name: string): boolean {
    return this.router(name).election !== undefined;
  }

  runningRouters(): string[] {
    return [...this.routers.values()].filter((r) => r.election).map((r) => r.config.name);
  }

  config(name: string): RouterConfig {
    return this.router(name).config;
  }

  snapshot(name: string): InstanceSnapshot | undefined {
    return this.router(name).election?.snapshot()[0];
  }

  state(name: string): VrrpState | undefined {
    return this.router(name).election?.state(INSTANCE);
  }

  holdsVips(name: string): boolean {
    return this.router(name).vipsHeld;
  }

  masters(): string[] {
    return this.runningRouters().filter((n) => this.state(n) === 'master');
  }

  private router(name: string): Router {
    const router = this.routers.get(name);
    if (!router) throw new RangeError(`SimulatedLan: no router ${name}`);
    return router;
  }

  private dispatch(event: QueuedEvent): void {
    switch (event.kind) {
      case 'do':
        event.run();
        return;
      case 'deliver': {
        const router = this.router(event.to);
        if (router.election) this.handle(router, { kind: 'advert', instance: INSTANCE, from: event.from, priority: event.priority, intervalCs: event.intervalCs });
        return;
      }
      case 'timer': {
        const router = this.router(event.router);
        if (!router.election || router.generation !== event.generation || router.timers.get(event.timer) !== event.at) return;
        router.timers.delete(event.timer);
        this.handle(router, { kind: 'timer', instance: INSTANCE, timer: event.timer });
        return;
      }
    }
  }

  private handle(router: Router, event: Parameters<Election['handle']>[0]): void {
    const election = router.election;
    if (!election) return;
    for (const action of election.handle(event, this.now)) this.carryOut(router, action);
  }

  /** What the daemon does with each action. */
  private carryOut(router: Router, action: ElectionAction): void {
    switch (action.kind) {
      case 'send-advert':
        for (const other of this.routers.values()) {
          if (other === router || this.random.chance(this.conditions.lossRate)) continue;
          const link = `${router.config.name}>${other.config.name}`;
          const delay = this.random.int(this.conditions.minDelayMs, this.conditions.maxDelayMs);
          const arrival = Math.max(this.now + delay, this.lastArrival.get(link) ?? 0);
          this.lastArrival.set(link, arrival);
          this.queue.push(arrival, { kind: 'deliver', to: other.config.name, from: router.config.address, priority: action.priority, intervalCs: action.intervalCs });
        }
        return;
      case 'set-timer':
        router.timers.set(action.timer, action.at);
        this.queue.push(action.at, { kind: 'timer', router: router.config.name, generation: router.generation, timer: action.timer, at: action.at });
        return;
      case 'cancel-timer':
        router.timers.delete(action.timer);
        return;
      case 'add-vips':
        router.vipsHeld = true;
        return;
      case 'remove-vips':
        router.vipsHeld = false;
        return;
      case 'transition':
        this.transitions.push({ at: this.now, router: router.config.name, from: action.from, to: action.to, reason: action.reason });
        return;
      case 'announce':
      case 'log':
        return;
    }
  }
}

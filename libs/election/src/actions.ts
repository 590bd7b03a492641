// Emitting actions. Every action goes through here so that the runtime
// bookkeeping (armed timers, counters, state) always matches what the daemon
// was told to do.

import type { LogLine } from './messages.js';
import type { InstanceRuntime } from './runtime.js';
import type { ElectionAction, TimerName, TransitionReason, VrrpState } from './types.js';

/** One call of Election.handle: the time it runs at, and the actions it produces. */
export interface Step {
  readonly now: number;
  readonly out: ElectionAction[];
}

export function log(step: Step, rt: InstanceRuntime, line: LogLine, group?: string): void {
  step.out.push({
    kind: 'log',
    instance: rt.spec.name,
    message: line.message,
    ...(line.detail ? { detail: true as const } : {}),
    ...(group !== undefined ? { group } : {}),
  });
}

export function setTimer(step: Step, rt: InstanceRuntime, timer: TimerName, at: number): void {
  rt.timers.set(timer, at);
  step.out.push({ kind: 'set-timer', instance: rt.spec.name, timer, at });
}

/** Cancels a timer if it is armed; a timer that is not armed produces no action. */
export function cancelTimer(step: Step, rt: InstanceRuntime, timer: TimerName): void {
  if (!rt.timers.delete(timer)) return;
  step.out.push({ kind: 'cancel-timer', instance: rt.spec.name, timer });
}

export function cancelAllTimers(step: Step, rt: InstanceRuntime): void {
  for (const timer of [...rt.timers.keys()]) cancelTimer(step, rt, timer);
}

export function sendAdvert(step: Step, rt: InstanceRuntime, priority: number): void {
  rt.counters.advertsSent++;
  if (priority === 0) rt.counters.priorityZeroSent++;
  step.out.push({ kind: 'send-advert', instance: rt.spec.name, priority, intervalCs: rt.spec.advertIntervalCs });
}

export function announce(step: Step, rt: InstanceRuntime, count: number): void {
  if (count <= 0) return;
  rt.counters.announcements += count;
  step.out.push({ kind: 'announce', instance: rt.spec.name, count });
}

export function addVips(step: Step, rt: InstanceRuntime): void {
  rt.vipsSet = true;
  step.out.push({ kind: 'add-vips', instance: rt.spec.name });
}

export function removeVips(step: Step, rt: InstanceRuntime): void {
  rt.vipsSet = false;
  step.out.push({ kind: 'remove-vips', instance: rt.spec.name });
}

export function transition(step: Step, rt: InstanceRuntime, to: VrrpState, reason: TransitionReason): void {
  const from = rt.state;
  rt.state = to;
  rt.counters.transitions++;
  step.out.push({ kind: 'transition', instance: rt.spec.name, from, to, priority: rt.effectivePriority, reason });
}

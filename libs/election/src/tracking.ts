// Tracked scripts and interfaces: the effective priority they give, the FAULT
// they cause, and what a change does (keepalived's vrrp_track.c:
// vrrp_set_effective_priority, down_instance, try_up_instance).

import { log, setTimer, type Step } from './actions.js';
import { OWNER_PRIORITY } from './configuration.js';
import { messages } from './messages.js';
import { canGotoMaster, groupHeldDown, type InstanceRuntime } from './runtime.js';
import { syncBackup, syncFault, syncMaster } from './syncGroup.js';
import { fullMasterDownMs, leaveFault, leaveMaster } from './transitions.js';

/** What the daemon has reported so far. An interface never reported is up; a script never reported is unknown. */
export interface Health {
  readonly scripts: ReadonlyMap<string, boolean>;
  readonly interfaces: ReadonlyMap<string, boolean>;
}

export const interfaceUp = (health: Health, name: string): boolean => health.interfaces.get(name) ?? true;

/**
 * Base priority plus the weights: a positive weight counts while healthy, a
 * negative one while failing, a script that has not reported yet not at all.
 * Clamped to 1..254; an owner keeps 255 whatever happens.
 */
export function trackedPriority(rt: InstanceRuntime, health: Health): number {
  if (rt.basePriority === OWNER_PRIORITY) return OWNER_PRIORITY;
  let total = rt.basePriority;
  for (const tracked of rt.config.scripts) {
    const healthy = health.scripts.get(tracked.name);
    if (healthy === true && tracked.weight > 0) total += tracked.weight;
    if (healthy === false && tracked.weight < 0) total += tracked.weight;
  }
  for (const tracked of rt.config.interfaces) {
    const up = interfaceUp(health, tracked.name);
    if (up && tracked.weight > 0) total += tracked.weight;
    if (!up && tracked.weight < 0) total += tracked.weight;
  }
  return Math.min(OWNER_PRIORITY - 1, Math.max(1, total));
}

export type FaultCause = { readonly kind: 'interface' | 'script'; readonly name: string };

/** The weight-0 tracked objects that are failing: interfaces first, as keepalived checks them. */
export function faultCauses(rt: InstanceRuntime, health: Health): FaultCause[] {
  const causes: FaultCause[] = [];
  for (const tracked of rt.config.interfaces) {
    if (tracked.weight === 0 && !interfaceUp(health, tracked.name)) causes.push({ kind: 'interface', name: tracked.name });
  }
  for (const tracked of rt.config.scripts) {
    if (tracked.weight === 0 && health.scripts.get(tracked.name) === false) causes.push({ kind: 'script', name: tracked.name });
  }
  return causes;
}

/** keepalived holds an instance until every weight-0 script has given its first result. */
export const waitingForScripts = (rt: InstanceRuntime, health: Health): boolean =>
  rt.config.scripts.some((tracked) => tracked.weight === 0 && !health.scripts.has(tracked.name));

export const tracksScript = (rt: InstanceRuntime, name: string): boolean => rt.config.scripts.some((t) => t.name === name);
export const tracksInterface = (rt: InstanceRuntime, name: string): boolean => rt.config.interfaces.some((t) => t.name === name);

/**
 * A new effective priority. keepalived recomputes the master-down length and,
 * in BACKUP, moves the armed timer by the difference; a master's next advert
 * simply carries the new priority.
 */
export function setEffectivePriority(step: Step, rt: InstanceRuntime, priority: number): void {
  if (rt.basePriority === OWNER_PRIORITY || priority === rt.effectivePriority) return;
  log(step, rt, messages.changingPriority(rt.spec.name, rt.effectivePriority, priority));
  const oldLength = rt.masterDownLengthMs;
  rt.effectivePriority = priority;
  rt.masterDownLengthMs = fullMasterDownMs(rt);
  const armed = rt.timers.get('masterDown');
  if (rt.state === 'backup' && armed !== undefined) setTimer(step, rt, 'masterDown', armed + rt.masterDownLengthMs - oldLength);
}

/** Our own tracking failed (keepalived's down_instance). */
function downInstance(step: Step, rt: InstanceRuntime): void {
  rt.wantState = 'fault';
  if (rt.state === 'master') leaveMaster(step, rt, 'fault', 'fault', true);
  else leaveFault(step, rt, 'fault');
  syncFault(step, rt);
}

/**
 * Our own tracking is healthy again, or has given its first results
 * (keepalived's try_up_instance). A sync group member waits for the whole
 * group.
 */
function tryUpInstance(step: Step, rt: InstanceRuntime, leavingInit: boolean): void {
  const wanted = leavingInit && rt.startsAsMaster ? 'master' : 'backup';
  rt.wantState = wanted;
  rt.masterAdvertIntervalCs = rt.spec.advertIntervalCs;
  const group = rt.group;
  if (group && groupHeldDown(group)) return;
  // keepalived: "If the sync group can't go to master, we must go to backup state".
  if (wanted === 'master' && !canGotoMaster(rt)) rt.wantState = 'backup';
  leaveFault(step, rt, leavingInit ? 'startup' : 'fault-recovered');
  rt.wantState = wanted;
  if (rt.state === 'master') syncMaster(step, rt);
  else syncBackup(step, rt);
}

/** Re-evaluates one instance after a script or interface it tracks has changed. */
export function reevaluateTracking(step: Step, rt: InstanceRuntime, health: Health): void {
  setEffectivePriority(step, rt, trackedPriority(rt, health));
  const faulty = faultCauses(rt, health).length > 0;
  const waiting = waitingForScripts(rt, health);
  const wasFaulty = rt.ownFault;
  const wasWaiting = rt.ownInit;
  rt.ownFault = faulty;
  rt.ownInit = waiting;
  if (faulty && !wasFaulty) downInstance(step, rt);
  else if (!faulty && !waiting && (wasFaulty || wasWaiting)) tryUpInstance(step, rt, !wasFaulty);
}

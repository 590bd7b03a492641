// Entering and leaving MASTER, BACKUP and FAULT, in the order keepalived 2.2.7
// does things (vrrp.c: vrrp_state_goto_master, vrrp_state_master_tx,
// vrrp_state_become_master, vrrp_state_leave_master, vrrp_restore_interface,
// vrrp_state_leave_fault). Sync group propagation is in syncGroup.ts.

import { addVips, announce, cancelAllTimers, cancelTimer, log, removeVips, sendAdvert, setTimer, transition, type Step } from './actions.js';
import { messages } from './messages.js';
import { canGotoMaster, type InstanceRuntime } from './runtime.js';
import { centisecondsToMs, masterDownIntervalMs, skewTimeMs } from './timing.js';
import type { TransitionReason } from './types.js';

export const fullMasterDownMs = (rt: InstanceRuntime): number =>
  masterDownIntervalMs(rt.spec.version, rt.effectivePriority, rt.masterAdvertIntervalCs);

export const skewMs = (rt: InstanceRuntime): number => skewTimeMs(rt.spec.version, rt.effectivePriority, rt.masterAdvertIntervalCs);

export function armMasterDown(step: Step, rt: InstanceRuntime, lengthMs: number): void {
  rt.masterDownLengthMs = lengthMs;
  setTimer(step, rt, 'masterDown', step.now + lengthMs);
}

export function armAdvert(step: Step, rt: InstanceRuntime): void {
  setTimer(step, rt, 'advert', step.now + centisecondsToMs(rt.spec.advertIntervalCs));
}

function stopPreemptDelay(step: Step, rt: InstanceRuntime): void {
  rt.preemptDelayUntil = undefined;
  cancelTimer(step, rt, 'preemptDelay');
}

/**
 * BACKUP (or FAULT/INIT on the way up) to MASTER. keepalived sends the advert
 * first, so that the old master drops the addresses before our gratuitous
 * ARPs; then the addresses, the first burst, and the delayed second burst.
 * A sync group member whose partners do not all want MASTER stays where it
 * is, wanting MASTER (keepalived's vrrp_state_goto_master).
 */
export function becomeMaster(step: Step, rt: InstanceRuntime, reason: TransitionReason): boolean {
  rt.wantState = 'master';
  if (rt.group && !canGotoMaster(rt)) {
    // keepalived re-arms with whatever its ms_down_timer holds; a full interval is the plain reading.
    if (rt.state === 'backup') armMasterDown(step, rt, fullMasterDownMs(rt));
    return false;
  }
  cancelTimer(step, rt, 'masterDown');
  stopPreemptDelay(step, rt);

  sendAdvert(step, rt, rt.effectivePriority);
  transition(step, rt, 'master', reason);
  log(step, rt, messages.enteringMaster(rt.spec.name));
  rt.counters.becameMaster++;
  rt.masterAddress = rt.spec.primaryAddress;
  rt.masterPriority = rt.effectivePriority;
  if (rt.masterAdvertIntervalCs !== rt.spec.advertIntervalCs) {
    log(step, rt, messages.intervalRestored(rt.spec.name, centisecondsToMs(rt.masterAdvertIntervalCs), centisecondsToMs(rt.spec.advertIntervalCs)));
    rt.masterAdvertIntervalCs = rt.spec.advertIntervalCs;
  }

  log(step, rt, messages.settingVips(rt.spec.name));
  addVips(step, rt);
  const garp = rt.spec.garp;
  announce(step, rt, garp.masterRepeat);
  if (garp.masterRefreshMs > 0) setTimer(step, rt, 'garpRefresh', step.now + garp.masterRefreshMs);
  if (garp.masterDelayMs > 0) setTimer(step, rt, 'garpDelay', step.now + garp.masterDelayMs);
  armAdvert(step, rt);
  return true;
}

/**
 * Removes the addresses if we set them (or always, with `force`); first sends
 * priority 0 when asked (keepalived's advF).
 */
export function restoreInterface(step: Step, rt: InstanceRuntime, sendPriorityZero: boolean, force = false): void {
  if (sendPriorityZero) {
    sendAdvert(step, rt, 0);
    log(step, rt, messages.sentPriorityZero(rt.spec.name));
  }
  if (rt.vipsSet || force) {
    log(step, rt, messages.removingVips(rt.spec.name));
    removeVips(step, rt);
  }
}

function cancelMasterTimers(step: Step, rt: InstanceRuntime): void {
  for (const timer of ['advert', 'garpDelay', 'garpRefresh', 'garpLowerPrioDelay'] as const) cancelTimer(step, rt, timer);
}

/**
 * MASTER to BACKUP or FAULT. Going to FAULT, keepalived sends a priority-0
 * advert so that a backup takes over after Skew_Time; `sendPriorityZero`
 * (its advF, set when our own tracking failed) sends one more.
 */
export function leaveMaster(step: Step, rt: InstanceRuntime, to: 'backup' | 'fault', reason: TransitionReason, sendPriorityZero: boolean): void {
  rt.wantState = to;
  transition(step, rt, to, reason);
  if (to === 'backup') {
    log(step, rt, messages.enteringBackup(rt.spec.name));
    stopPreemptDelay(step, rt);
  } else {
    log(step, rt, messages.enteringFault(rt.spec.name));
    sendAdvert(step, rt, 0);
  }
  restoreInterface(step, rt, sendPriorityZero);
  cancelMasterTimers(step, rt);
  rt.counters.releasedMaster++;
  if (to === 'backup') {
    armMasterDown(step, rt, fullMasterDownMs(rt));
  } else {
    cancelAllTimers(step, rt);
    rt.masterAddress = undefined;
    rt.masterPriority = undefined;
  }
}

/**
 * Out of FAULT or INIT to wherever wantState says (keepalived's
 * vrrp_state_leave_fault; also how a BACKUP enters FAULT).
 */
export function leaveFault(step: Step, rt: InstanceRuntime, reason: TransitionReason): void {
  if (rt.wantState === 'master') {
    becomeMaster(step, rt, reason);
    return;
  }
  const to = rt.wantState === 'fault' ? 'fault' : 'backup';
  const from = rt.state;
  if (from !== to) {
    transition(step, rt, to, reason);
    log(step, rt, to === 'backup' ? messages.enteringBackup(rt.spec.name) : messages.enteringFault(rt.spec.name));
  }
  if (to === 'fault' && from === 'master') {
    sendAdvert(step, rt, 0);
    restoreInterface(step, rt, false);
  }
  rt.masterAdvertIntervalCs = rt.spec.advertIntervalCs;
  if (to === 'backup') {
    stopPreemptDelay(step, rt);
    armMasterDown(step, rt, fullMasterDownMs(rt));
  } else {
    cancelAllTimers(step, rt);
    rt.masterAddress = undefined;
    rt.masterPriority = undefined;
  }
}

// What each state does with an advert and with a timer: RFC 5798 section 6.4
// (6.4.2 Backup, 6.4.3 Master), with keepalived 2.2.7's choices where it goes
// further (vrrp.c: vrrp_state_backup, vrrp_state_master_rx; vrrp_scheduler.c:
// the read-timeout dispatcher).

import { announce, cancelTimer, log, sendAdvert, setTimer, type Step } from './actions.js';
import { compareAddresses } from './addressOrder.js';
import { OWNER_PRIORITY } from './configuration.js';
import { messages } from './messages.js';
import type { InstanceRuntime } from './runtime.js';
import { syncBackup, syncMaster } from './syncGroup.js';
import { formatPreemptDelay, centisecondsToMs } from './timing.js';
import { armAdvert, armMasterDown, becomeMaster, fullMasterDownMs, leaveMaster, skewMs } from './transitions.js';
import type { TimerName, VrrpState } from './types.js';

export interface ReceivedAdvert {
  readonly from: string;
  readonly priority: number;
  readonly intervalCs: number;
}

export interface StateHandlers {
  advert(step: Step, rt: InstanceRuntime, advert: ReceivedAdvert): void;
  timer(step: Step, rt: InstanceRuntime, timer: TimerName): void;
}

/**
 * RFC 3768: a VRRPv2 router drops an advert whose interval differs from its
 * own (keepalived logs it each time). VRRPv3 learns the master's instead.
 */
function intervalMismatch(step: Step, rt: InstanceRuntime, advert: ReceivedAdvert): boolean {
  if (rt.spec.version !== 2 || advert.intervalCs === rt.spec.advertIntervalCs) return false;
  rt.counters.intervalMismatches++;
  log(step, rt, messages.intervalMismatch(rt.spec.name, rt.spec.advertIntervalCs / 100, advert.intervalCs / 100));
  return true;
}

/** RFC 5798 6.4.2 (VRRPv3) learns Master_Adver_Interval from the master. */
function learnInterval(step: Step, rt: InstanceRuntime, advert: ReceivedAdvert): void {
  if (rt.spec.version !== 3 || rt.masterAdvertIntervalCs === advert.intervalCs) return;
  log(step, rt, messages.intervalLearned(rt.spec.name, centisecondsToMs(rt.masterAdvertIntervalCs), centisecondsToMs(advert.intervalCs)));
  rt.masterAdvertIntervalCs = advert.intervalCs;
}

/** An ignored advert leaves the master-down timer where it was. */
function ignoreAdvert(step: Step, rt: InstanceRuntime): void {
  const armed = rt.timers.get('masterDown');
  if (armed !== undefined) rt.masterDownLengthMs = Math.max(0, armed - step.now);
}

function backupAdvert(step: Step, rt: InstanceRuntime, advert: ReceivedAdvert): void {
  rt.counters.advertsReceived++;
  if (intervalMismatch(step, rt, advert)) {
    ignoreAdvert(step, rt);
    return;
  }
  const name = rt.spec.name;

  // The master is leaving: take over after Skew_Time, not at once, so that
  // the backup with the highest priority goes first.
  if (advert.priority === 0) {
    rt.counters.priorityZeroReceived++;
    log(step, rt, messages.backupHeardPriorityZero(name));
    armMasterDown(step, rt, skewMs(rt));
    rt.nextMasterReason = 'priority-0-received';
    return;
  }

  const delayMs = rt.config.preemptDelayMs;
  const preemptHeldBack = delayMs > 0 && (rt.preemptDelayUntil === undefined || rt.preemptDelayUntil > step.now);
  if (!rt.config.preempt || advert.priority >= rt.effectivePriority || preemptHeldBack) {
    learnInterval(step, rt, advert);
    armMasterDown(step, rt, fullMasterDownMs(rt));
    rt.masterAddress = advert.from;
    rt.masterPriority = advert.priority;
    rt.nextMasterReason = 'master-down-timer';
    // keepalived's preempt_delay counts from the first lower-priority advert
    // heard in BACKUP; until it has run out such adverts are obeyed.
    if (delayMs > 0) {
      if (advert.priority >= rt.effectivePriority) {
        if (rt.preemptDelayUntil !== undefined) {
          log(step, rt, messages.stopPreemptDelay(name));
          rt.preemptDelayUntil = undefined;
          cancelTimer(step, rt, 'preemptDelay');
        }
      } else if (rt.preemptDelayUntil === undefined) {
        log(step, rt, messages.startPreemptDelay(name, formatPreemptDelay(delayMs)));
        rt.preemptDelayUntil = step.now + delayMs;
        setTimer(step, rt, 'preemptDelay', rt.preemptDelayUntil);
      }
    }
    // Held in BACKUP by the sync group while wanting MASTER: a master is here now.
    rt.wantState = 'backup';
    return;
  }

  // Preempt: ignore the lower-priority master and let the master-down timer run out.
  log(step, rt, messages.discardingLowerPriority(name, advert.priority, advert.from));
  rt.counters.lowerPriorityDiscarded++;
  rt.nextMasterReason = 'preempted';
  rt.masterAddress = advert.from;
  rt.masterPriority = advert.priority;
  ignoreAdvert(step, rt);
}

/** garp_lower_prio_repeat: remind the LAN where the addresses are, now and after garp_lower_prio_delay. */
function lowerPriorityAnnouncements(step: Step, rt: InstanceRuntime): void {
  const garp = rt.spec.garp;
  if (garp.lowerPrioRepeat <= 0 || !rt.vipsSet) return;
  announce(step, rt, garp.lowerPrioRepeat);
  if (garp.lowerPrioDelayMs > 0) setTimer(step, rt, 'garpLowerPrioDelay', step.now + garp.lowerPrioDelayMs);
}

function masterAdvert(step: Step, rt: InstanceRuntime, advert: ReceivedAdvert): void {
  rt.counters.advertsReceived++;
  if (intervalMismatch(step, rt, advert)) return;
  const name = rt.spec.name;

  // The other master is leaving; answer at once so that the backups see us
  // rather than run their Skew_Time timers out.
  if (advert.priority === 0) {
    rt.counters.priorityZeroReceived++;
    sendAdvert(step, rt, rt.effectivePriority);
    log(step, rt, messages.masterHeardPriorityZero(name));
    armAdvert(step, rt);
    return;
  }

  const addressOrder = compareAddresses(advert.from, rt.spec.primaryAddress);
  if (advert.priority === rt.effectivePriority) {
    if (addressOrder === 0) {
      log(step, rt, messages.equalPriorityOwnAddress(name));
    } else if (rt.effectivePriority === OWNER_PRIORITY) {
      // Two owners: keepalived yields by dropping to 254 (the other then wins below).
      log(step, rt, messages.ownerConflict(name));
      rt.basePriority = OWNER_PRIORITY - 1;
      rt.effectivePriority = OWNER_PRIORITY - 1;
    }
  }

  if (advert.priority < rt.effectivePriority || (advert.priority === rt.effectivePriority && addressOrder < 0)) {
    // RFC 5798 says ignore it; keepalived forces a new election by
    // advertising at once (unless lower_prio_no_advert), and re-announces.
    const answer = !rt.config.lowerPrioNoAdvert;
    log(step, rt, messages.masterHeardLowerPriority(name, advert.from, advert.priority, rt.effectivePriority, answer));
    if (answer) {
      sendAdvert(step, rt, rt.effectivePriority);
      armAdvert(step, rt);
    }
    lowerPriorityAnnouncements(step, rt);
    for (const member of rt.group?.members ?? []) if (member !== rt) lowerPriorityAnnouncements(step, member);
    return;
  }

  if (advert.priority > rt.effectivePriority || (advert.priority === rt.effectivePriority && addressOrder > 0)) {
    log(
      step,
      rt,
      advert.priority > rt.effectivePriority
        ? messages.masterHeardHigherPriority(name, advert.from, advert.priority, rt.effectivePriority)
        : messages.masterHeardHigherAddress(name, advert.from, advert.priority),
    );
    learnInterval(step, rt, advert);
    leaveMaster(step, rt, 'backup', 'higher-priority-advert', false);
    rt.masterAddress = advert.from;
    rt.masterPriority = advert.priority;
    rt.nextMasterReason = 'master-down-timer';
    syncBackup(step, rt);
  }
}

function backupTimer(step: Step, rt: InstanceRuntime, timer: TimerName): void {
  // The preemptDelay timer only marks the end of the delay: the next
  // lower-priority advert is then discarded.
  if (timer !== 'masterDown') return;
  log(step, rt, messages.receiveTimeout(rt.spec.name));
  if (becomeMaster(step, rt, rt.nextMasterReason)) syncMaster(step, rt);
}

function masterTimer(step: Step, rt: InstanceRuntime, timer: TimerName): void {
  const garp = rt.spec.garp;
  switch (timer) {
    case 'advert':
      sendAdvert(step, rt, rt.effectivePriority);
      armAdvert(step, rt);
      return;
    case 'garpDelay':
      announce(step, rt, garp.masterRepeat);
      return;
    case 'garpRefresh':
      announce(step, rt, garp.masterRefreshRepeat);
      setTimer(step, rt, 'garpRefresh', step.now + garp.masterRefreshMs);
      return;
    case 'garpLowerPrioDelay':
      announce(step, rt, garp.lowerPrioRepeat);
      return;
    case 'masterDown':
    case 'preemptDelay':
      return;
  }
}

/** INIT and FAULT: keepalived drops adverts unread, and no timer runs. */
const inactive: StateHandlers = { advert: () => {}, timer: () => {} };

export const stateHandlers: Readonly<Record<VrrpState, StateHandlers>> = {
  init: inactive,
  backup: { advert: backupAdvert, timer: backupTimer },
  master: { advert: masterAdvert, timer: masterTimer },
  fault: inactive,
};

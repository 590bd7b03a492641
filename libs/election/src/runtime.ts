// Runtime state of each instance and sync group: what is happening now, kept
// apart from the configuration (types.ts, configuration.ts). One mutable
// record per instance, owned by the Election.

import type { EffectiveConfig } from './configuration.js';
import type { InstanceCounters, InstanceSpec, TimerName, TransitionReason, VrrpState } from './types.js';

export type MutableCounters = { -readonly [K in keyof InstanceCounters]: InstanceCounters[K] };

export interface GroupRuntime {
  readonly name: string;
  readonly members: InstanceRuntime[];
  state: VrrpState;
}

export interface InstanceRuntime {
  readonly spec: InstanceSpec;
  readonly config: EffectiveConfig;
  readonly group: GroupRuntime | undefined;
  /** `state MASTER` on an address owner (after the sync group's say): master at startup. */
  readonly startsAsMaster: boolean;
  /** 255 drops to 254 on an owner conflict, as in keepalived. */
  basePriority: number;
  state: VrrpState;
  /** keepalived's wantstate: where the instance would go without its sync group. */
  wantState: VrrpState;
  effectivePriority: number;
  /** Master_Adver_Interval (centiseconds). */
  masterAdvertIntervalCs: number;
  masterAddress: string | undefined;
  masterPriority: number | undefined;
  /** keepalived's preempt_time: lower-priority adverts are accepted until then. */
  preemptDelayUntil: number | undefined;
  /**
   * keepalived's ms_down_timer: the length the master-down timer was last
   * armed with (or what was left of it when an advert was ignored). A
   * priority change shifts the armed timer by the change of this length.
   */
  masterDownLengthMs: number;
  /** Why the next takeover will happen (keepalived's next_master_reason). */
  nextMasterReason: TransitionReason;
  vipsSet: boolean;
  /** Our own tracked objects (not the sync group's) say FAULT. */
  ownFault: boolean;
  /** A weight-0 tracked script has not reported yet: keepalived holds the instance in init. */
  ownInit: boolean;
  readonly timers: Map<TimerName, number>;
  readonly counters: MutableCounters;
}

export function newCounters(): MutableCounters {
  return {
    advertsReceived: 0,
    advertsSent: 0,
    priorityZeroReceived: 0,
    priorityZeroSent: 0,
    lowerPriorityDiscarded: 0,
    intervalMismatches: 0,
    becameMaster: 0,
    releasedMaster: 0,
    transitions: 0,
    announcements: 0,
  };
}

export function newInstanceRuntime(
  spec: InstanceSpec,
  config: EffectiveConfig,
  group: GroupRuntime | undefined,
  startsAsMaster: boolean,
): InstanceRuntime {
  return {
    spec,
    config,
    group,
    startsAsMaster,
    basePriority: spec.priority,
    state: 'init',
    wantState: startsAsMaster ? 'master' : 'backup',
    effectivePriority: spec.priority,
    masterAdvertIntervalCs: spec.advertIntervalCs,
    masterAddress: undefined,
    masterPriority: undefined,
    preemptDelayUntil: undefined,
    masterDownLengthMs: 0,
    nextMasterReason: 'master-down-timer',
    vipsSet: false,
    ownFault: false,
    ownInit: false,
    timers: new Map(),
    counters: newCounters(),
  };
}

/**
 * keepalived's vrrp_sync_can_goto_master: a sync group member may become
 * master when the group already is, or when every other member wants to
 * (preferring BACKUP avoids thrashing).
 */
export function canGotoMaster(rt: InstanceRuntime): boolean {
  const group = rt.group;
  if (!group || group.state === 'master') return true;
  return group.members.every((m) => m === rt || m.wantState === 'master');
}

/** A sync group comes up only when no member is faulty or still waiting for its first script results. */
export function groupHeldDown(group: GroupRuntime): boolean {
  return group.members.some((m) => m.ownFault || m.ownInit);
}

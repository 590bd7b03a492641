// The public shapes of the election: what the daemon configures (specs), what
// it feeds in (events) and what it must do (actions). Configuration here is
// what the operator asked for; runtime state lives in runtime.ts.

export type VrrpState = 'init' | 'backup' | 'master' | 'fault';

/**
 * A tracked script or interface. Weight 0: failure puts the instance in FAULT.
 * Weight > 0: added to the priority while healthy. Weight < 0: added (so
 * subtracted) while failing. keepalived's `reverse` is the daemon's business:
 * it inverts the health it reports.
 */
export interface TrackedObjectSpec {
  readonly name: string;
  readonly weight: number;
}

/** keepalived's garp_* settings, in milliseconds and counts. */
export interface GarpTiming {
  /** garp_master_delay: the second burst after becoming master (0 = none). */
  readonly masterDelayMs: number;
  /** garp_master_repeat: announcements per burst. */
  readonly masterRepeat: number;
  /** garp_master_refresh: periodic burst while master (0 = off). */
  readonly masterRefreshMs: number;
  readonly masterRefreshRepeat: number;
  /** garp_lower_prio_delay: the second burst after a lower-priority advert (0 = none). */
  readonly lowerPrioDelayMs: number;
  /** garp_lower_prio_repeat: burst when a master hears a lower priority (0 = none). */
  readonly lowerPrioRepeat: number;
}

export interface InstanceSpec {
  readonly name: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  /** Configured 1..255; 255 is the address owner. */
  readonly priority: number;
  /** Centiseconds; VRRPv2 needs a multiple of 100. */
  readonly advertIntervalCs: number;
  readonly initialState: 'master' | 'backup';
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  /** Our own source address (IPv4, or the IPv6 link-local), for the tie-break. */
  readonly primaryAddress: string;
  readonly trackedScripts: readonly TrackedObjectSpec[];
  /** The instance's own interface is tracked implicitly, with weight 0. */
  readonly trackedInterfaces: readonly TrackedObjectSpec[];
  readonly interface: string;
  readonly garp: GarpTiming;
  /**
   * keepalived's lower_prio_no_advert: a master that hears a lower priority
   * does not answer at once with an advert. Default false, as keepalived's.
   */
  readonly lowerPrioNoAdvert?: boolean;
}

export interface SyncGroupSpec {
  readonly name: string;
  readonly members: readonly string[];
  /**
   * keepalived's sync_group_tracking_weight. Without it keepalived drops the
   * weighted track_scripts of the members (and logs that it ignores the
   * weights of their tracked interfaces, which 2.2.7 then still applies).
   */
  readonly trackingWeight?: boolean;
}

export type TimerName = 'advert' | 'masterDown' | 'preemptDelay' | 'garpDelay' | 'garpRefresh' | 'garpLowerPrioDelay';

export type ElectionEvent =
  | { readonly kind: 'start' }
  /** Already validated (auth, vrid, TTL/hop limit, checksum) by the daemon. */
  | { readonly kind: 'advert'; readonly instance: string; readonly from: string; readonly priority: number; readonly intervalCs: number }
  | { readonly kind: 'timer'; readonly instance: string; readonly timer: TimerName }
  | { readonly kind: 'script'; readonly name: string; readonly healthy: boolean }
  | { readonly kind: 'interface'; readonly name: string; readonly up: boolean }
  | { readonly kind: 'stop' };

export type ElectionAction =
  | { readonly kind: 'send-advert'; readonly instance: string; readonly priority: number; readonly intervalCs: number }
  | { readonly kind: 'add-vips'; readonly instance: string }
  | { readonly kind: 'remove-vips'; readonly instance: string }
  /** Send `count` gratuitous ARPs (IPv4) or unsolicited neighbour advertisements (IPv6) for each VIP, now. */
  | { readonly kind: 'announce'; readonly instance: string; readonly count: number }
  /** Arm (or re-arm: it replaces any earlier one) a timer; `at` is absolute ms on the caller's clock. */
  | { readonly kind: 'set-timer'; readonly instance: string; readonly timer: TimerName; readonly at: number }
  | { readonly kind: 'cancel-timer'; readonly instance: string; readonly timer: TimerName }
  | {
      readonly kind: 'transition';
      readonly instance: string;
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly priority: number;
      readonly reason: TransitionReason;
    }
  /**
   * keepalived's exact words. `detail`: a line keepalived prints only with
   * --log-detail (-D). `group`: set on a sync group's own lines
   * ("VRRP_Group(G1) ..."); `instance` is then the member that caused it.
   */
  | { readonly kind: 'log'; readonly instance: string; readonly message: string; readonly detail?: true; readonly group?: string };

export type TransitionReason =
  | 'startup'
  | 'master-down-timer'
  | 'priority-0-received'
  | 'higher-priority-advert'
  | 'preempted'
  | 'fault'
  | 'fault-recovered'
  | 'sync-group'
  | 'stop';

export interface InstanceCounters {
  /** Adverts handled in BACKUP or MASTER (adverts in FAULT/INIT are ignored uncounted, as keepalived does). */
  readonly advertsReceived: number;
  readonly advertsSent: number;
  readonly priorityZeroReceived: number;
  readonly priorityZeroSent: number;
  /** Lower-priority adverts a preempting backup discarded. */
  readonly lowerPriorityDiscarded: number;
  /** VRRPv2 adverts dropped for another advertisement interval. */
  readonly intervalMismatches: number;
  readonly becameMaster: number;
  readonly releasedMaster: number;
  readonly transitions: number;
  /** Sum of the counts of the announce actions. */
  readonly announcements: number;
}

export interface InstanceSnapshot {
  readonly name: string;
  readonly vrid: number;
  readonly state: VrrpState;
  /** The state the instance would be in without its sync group. */
  readonly wantState: VrrpState;
  readonly syncGroup: string | undefined;
  readonly basePriority: number;
  readonly effectivePriority: number;
  /** The master's address and priority, as last heard (undefined when none yet, or when we are master). */
  readonly masterAddress: string | undefined;
  readonly masterPriority: number | undefined;
  readonly advertIntervalCs: number;
  /** Master_Adver_Interval: learned from the master in VRRPv3, our own in VRRPv2. */
  readonly masterAdvertIntervalCs: number;
  readonly vipsSet: boolean;
  /** Preemption is held back until this time (preempt_delay), when running. */
  readonly preemptDelayUntil: number | undefined;
  /** Armed timers, absolute ms. */
  readonly timers: Readonly<Partial<Record<TimerName, number>>>;
  readonly counters: InstanceCounters;
}

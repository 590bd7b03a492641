// The VRRP election for all the instances of one router. Pure: the daemon
// feeds events with the time they happened and carries out the actions it
// gets back (send adverts, add or remove the VIPs, announce them, arm timers
// and hand their expiry back as events). No I/O, no clock of its own.

import { cancelAllTimers, log, sendAdvert, transition, type Step } from './actions.js';
import { isAddress } from './addressOrder.js';
import { effectiveConfig, groupStartsAsMaster, OWNER_PRIORITY } from './configuration.js';
import { messages } from './messages.js';
import { newInstanceRuntime, type GroupRuntime, type InstanceRuntime } from './runtime.js';
import { stateHandlers } from './stateHandlers.js';
import { faultCauses, reevaluateTracking, trackedPriority, tracksInterface, tracksScript, waitingForScripts, type Health } from './tracking.js';
import { armMasterDown, becomeMaster, fullMasterDownMs, restoreInterface } from './transitions.js';
import type { ElectionAction, ElectionEvent, InstanceSnapshot, InstanceSpec, SyncGroupSpec, TimerName, VrrpState } from './types.js';

type Phase = 'configured' | 'running' | 'stopped';

export class Election {
  private readonly instances: InstanceRuntime[] = [];
  private readonly byName = new Map<string, InstanceRuntime>();
  private readonly groups: GroupRuntime[] = [];
  private readonly scripts = new Map<string, boolean>();
  private readonly interfaces = new Map<string, boolean>();
  private phase: Phase = 'configured';
  private lastNow = -Infinity;

  /** Throws RangeError on a spec keepalived would refuse (the daemon checks the configuration first). */
  constructor(instances: readonly InstanceSpec[], syncGroups: readonly SyncGroupSpec[] = []) {
    const groupOf = new Map<string, SyncGroupSpec>();
    const specs = new Map<string, InstanceSpec>();
    for (const spec of instances) {
      validateSpec(spec);
      if (specs.has(spec.name)) throw new RangeError(`Election: instance ${spec.name} is defined twice`);
      specs.set(spec.name, spec);
    }
    for (const group of syncGroups) {
      for (const member of group.members) {
        if (!specs.has(member)) throw new RangeError(`Election: sync group ${group.name}: no instance ${member}`);
        const other = groupOf.get(member);
        if (other) throw new RangeError(`Election: instance ${member} is in sync groups ${other.name} and ${group.name}`);
        groupOf.set(member, group);
      }
    }

    const groupRuntimes = new Map<SyncGroupSpec, GroupRuntime>();
    for (const group of syncGroups) {
      const members = group.members.map((m) => specs.get(m)!);
      const runtime: GroupRuntime = { name: group.name, members: [], state: groupStartsAsMaster(members) ? 'master' : 'backup' };
      groupRuntimes.set(group, runtime);
      this.groups.push(runtime);
    }
    for (const spec of instances) {
      const groupSpec = groupOf.get(spec.name);
      const group = groupSpec ? groupRuntimes.get(groupSpec) : undefined;
      const startsAsMaster = spec.priority === OWNER_PRIORITY && spec.initialState === 'master' && (!group || group.state === 'master');
      const rt = newInstanceRuntime(spec, effectiveConfig(spec, groupSpec), group, startsAsMaster);
      group?.members.push(rt);
      this.instances.push(rt);
      this.byName.set(spec.name, rt);
    }
  }

  /** Handles one event at `now` (ms on the caller's monotonic clock) and returns what to do, in order. */
  handle(event: ElectionEvent, now: number): ElectionAction[] {
    if (!Number.isFinite(now)) throw new RangeError(`Election.handle: now must be a finite number of ms, not ${now}`);
    if (now < this.lastNow) throw new RangeError(`Election.handle: the clock went back from ${this.lastNow} to ${now}`);
    this.lastNow = now;
    const step: Step = { now, out: [] };
    switch (event.kind) {
      case 'start':
        if (this.phase === 'configured') this.start(step);
        break;
      case 'stop':
        if (this.phase === 'running') this.stop(step);
        this.phase = 'stopped';
        break;
      case 'advert': {
        const rt = this.byName.get(event.instance);
        if (rt && this.phase === 'running') stateHandlers[rt.state].advert(step, rt, event);
        break;
      }
      case 'timer': {
        const rt = this.byName.get(event.instance);
        if (rt && this.phase === 'running') this.timerFired(step, rt, event.timer);
        break;
      }
      case 'script':
        this.scripts.set(event.name, event.healthy);
        if (this.phase === 'running') this.trackingChanged(step, (rt) => tracksScript(rt, event.name));
        break;
      case 'interface':
        this.interfaces.set(event.name, event.up);
        if (this.phase === 'running') this.trackingChanged(step, (rt) => tracksInterface(rt, event.name));
        break;
    }
    return step.out;
  }

  state(instance: string): VrrpState {
    return this.runtime(instance).state;
  }

  effectivePriority(instance: string): number {
    return this.runtime(instance).effectivePriority;
  }

  snapshot(): readonly InstanceSnapshot[] {
    return this.instances.map((rt) => ({
      name: rt.spec.name,
      vrid: rt.spec.vrid,
      state: rt.state,
      wantState: rt.wantState,
      syncGroup: rt.group?.name,
      basePriority: rt.basePriority,
      effectivePriority: rt.effectivePriority,
      masterAddress: rt.masterAddress,
      masterPriority: rt.masterPriority,
      advertIntervalCs: rt.spec.advertIntervalCs,
      masterAdvertIntervalCs: rt.masterAdvertIntervalCs,
      vipsSet: rt.vipsSet,
      preemptDelayUntil: rt.preemptDelayUntil,
      timers: Object.fromEntries(rt.timers) as Partial<Record<TimerName, number>>,
      counters: { ...rt.counters },
    }));
  }

  private runtime(instance: string): InstanceRuntime {
    const rt = this.byName.get(instance);
    if (!rt) throw new RangeError(`Election: no instance ${instance}`);
    return rt;
  }

  private get health(): Health {
    return { scripts: this.scripts, interfaces: this.interfaces };
  }

  /**
   * keepalived's startup: the configuration warnings, the tracking state
   * (faults known now put instances straight into FAULT), then BACKUP "(init)"
   * for everyone else; owners configured `state MASTER` go MASTER last, as
   * keepalived's one-microsecond master-down timer makes them. Instances with
   * weight-0 scripts that have not reported wait in INIT, silently.
   */
  private start(step: Step): void {
    this.phase = 'running';
    const health = this.health;
    for (const rt of this.instances) for (const line of rt.config.warnings) log(step, rt, line);

    for (const rt of this.instances) {
      const causes = faultCauses(rt, health);
      rt.ownFault = causes.length > 0;
      rt.ownInit = waitingForScripts(rt, health);
      for (const cause of causes) {
        const line = cause.kind === 'interface' ? messages.faultAtStartupInterface(rt.spec.name, cause.name) : messages.faultAtStartupScript(rt.spec.name, cause.name);
        log(step, rt, line);
      }
      const priority = trackedPriority(rt, health);
      if (priority !== rt.effectivePriority) {
        log(step, rt, messages.changingPriority(rt.spec.name, rt.effectivePriority, priority));
        rt.effectivePriority = priority;
      }
      if (rt.group && rt.ownFault && rt.group.state !== 'fault') {
        rt.group.state = 'fault';
        log(step, rt, messages.groupFaultAtStartup(rt.group.name), rt.group.name);
      }
    }
    for (const group of this.groups) if (group.state !== 'fault' && group.members.some((m) => m.ownInit)) group.state = 'init';

    const faulty = (rt: InstanceRuntime): boolean => rt.ownFault || rt.group?.state === 'fault';
    const waiting = (rt: InstanceRuntime): boolean => rt.ownInit || rt.group?.state === 'init';
    for (const rt of this.instances) {
      if (!faulty(rt)) continue;
      rt.wantState = 'fault';
      transition(step, rt, 'fault', 'fault');
      log(step, rt, messages.enteringFaultAtStartup(rt.spec.name));
    }

    const owners: InstanceRuntime[] = [];
    for (const rt of this.instances) {
      if (rt.startsAsMaster && !faulty(rt) && !waiting(rt)) {
        owners.push(rt);
        continue;
      }
      // keepalived removes the VIPs at startup, in case a crashed run left them behind.
      restoreInterface(step, rt, false, true);
      if (faulty(rt) || waiting(rt)) continue; // INIT waits for the scripts, its own or its partners'.
      transition(step, rt, 'backup', 'startup');
      log(step, rt, messages.enteringBackupInit(rt.spec.name));
      armMasterDown(step, rt, fullMasterDownMs(rt));
    }
    for (const rt of owners) becomeMaster(step, rt, 'startup');
  }

  /** Shutdown: a master hands over with priority 0 and drops its addresses; every timer goes. */
  private stop(step: Step): void {
    for (const rt of this.instances) {
      if (rt.state === 'master') {
        sendAdvert(step, rt, 0);
        log(step, rt, messages.sentPriorityZero(rt.spec.name));
        restoreInterface(step, rt, false);
      }
      cancelAllTimers(step, rt);
      if (rt.state !== 'init') transition(step, rt, 'init', 'stop');
      rt.wantState = 'init';
      rt.masterAddress = undefined;
      rt.masterPriority = undefined;
    }
  }

  /**
   * A timer the daemon armed has run out. One that was cancelled or re-armed
   * since is stale and ignored; one that fires early is armed again.
   */
  private timerFired(step: Step, rt: InstanceRuntime, timer: TimerName): void {
    const at = rt.timers.get(timer);
    if (at === undefined) return;
    if (step.now < at) {
      step.out.push({ kind: 'set-timer', instance: rt.spec.name, timer, at });
      return;
    }
    rt.timers.delete(timer);
    stateHandlers[rt.state].timer(step, rt, timer);
  }

  private trackingChanged(step: Step, affected: (rt: InstanceRuntime) => boolean): void {
    for (const rt of this.instances) if (affected(rt)) reevaluateTracking(step, rt, this.health);
  }
}

function validateSpec(spec: InstanceSpec): void {
  const problem = (what: string): never => {
    throw new RangeError(`Election: instance ${spec.name}: ${what}`);
  };
  if (!Number.isInteger(spec.vrid) || spec.vrid < 1 || spec.vrid > 255) problem(`vrid ${spec.vrid} is not in 1..255`);
  if (spec.version !== 2 && spec.version !== 3) problem(`version ${String(spec.version)} is not 2 or 3`);
  if (!Number.isInteger(spec.priority) || spec.priority < 1 || spec.priority > 255) problem(`priority ${spec.priority} is not in 1..255`);
  // The advert's field: 12 bits of centiseconds in VRRPv3, 8 bits of seconds in VRRPv2.
  const maxIntervalCs = spec.version === 2 ? 25500 : 4095;
  if (!Number.isInteger(spec.advertIntervalCs) || spec.advertIntervalCs < 1 || spec.advertIntervalCs > maxIntervalCs) {
    problem(`advertisement interval ${spec.advertIntervalCs} cs is not in 1..${maxIntervalCs}`);
  }
  if (spec.version === 2 && spec.advertIntervalCs % 100 !== 0) problem(`VRRPv2 needs whole seconds, not ${spec.advertIntervalCs} cs`);
  if (!(spec.preemptDelayMs >= 0)) problem(`preempt delay ${spec.preemptDelayMs} ms is negative`);
  if (!isAddress(spec.primaryAddress)) problem(`primary address ${JSON.stringify(spec.primaryAddress)} is not an IP address`);
}

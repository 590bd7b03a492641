// The adjustments keepalived makes to an instance's configuration before it
// starts (vrrp_complete_instance, vrrp_complete_init), with the lines it logs
// about them. The election applies them so that a spec taken straight from a
// keepalived.conf behaves as keepalived would run it.

import { messages, type LogLine } from './messages.js';
import type { InstanceSpec, SyncGroupSpec, TrackedObjectSpec } from './types.js';

export const OWNER_PRIORITY = 255;

/** The configuration the state machine runs, after keepalived's adjustments. */
export interface EffectiveConfig {
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly initialState: 'master' | 'backup';
  /** Tracked interfaces, the instance's own interface first (weight 0). */
  readonly interfaces: readonly TrackedObjectSpec[];
  readonly scripts: readonly TrackedObjectSpec[];
  readonly lowerPrioNoAdvert: boolean;
  /** What keepalived logs about the adjustments; the election emits them on start. */
  readonly warnings: readonly LogLine[];
}

export function effectiveConfig(spec: InstanceSpec, group: SyncGroupSpec | undefined): EffectiveConfig {
  const warnings: LogLine[] = [];
  const owner = spec.priority === OWNER_PRIORITY;
  let preempt = spec.preempt;
  let preemptDelayMs = spec.preemptDelayMs;

  if (owner && !preempt) {
    warnings.push(messages.nopreemptWithOwner(spec.name));
    preempt = true;
  }
  if (spec.initialState === 'master' && !preempt) {
    warnings.push(messages.nopreemptWithInitialMaster(spec.name));
    preempt = true;
  }
  if (spec.initialState === 'master' && preemptDelayMs > 0) {
    warnings.push(messages.preemptDelayWithInitialMaster(spec.name));
    preemptDelayMs = 0;
  }

  // Weights would make a sync group's members disagree on who should be
  // master, and an owner's priority must stay 255. The sync group wins the
  // wording when both apply, as in keepalived.
  const weightsDropped: 'sync group' | 'owner' | undefined = group && !group.trackingWeight ? 'sync group' : owner ? 'owner' : undefined;

  const interfaces: TrackedObjectSpec[] = [{ name: spec.interface, weight: 0 }];
  for (const tracked of spec.trackedInterfaces) {
    if (tracked.name === spec.interface) {
      warnings.push(messages.ownInterfaceTracked(spec.name, tracked.name));
      continue;
    }
    if (tracked.weight !== 0 && weightsDropped) {
      warnings.push(messages.weightedInterfaceIgnored(spec.name, tracked.name, weightsDropped));
      // keepalived 2.2.7 logs that it ignores a sync group member's interface
      // weight, then applies it all the same (seen in a lab); an owner's goes.
      if (weightsDropped === 'owner') continue;
    }
    interfaces.push(tracked);
  }

  const scripts: TrackedObjectSpec[] = [];
  for (const tracked of spec.trackedScripts) {
    if (tracked.weight !== 0 && weightsDropped) {
      warnings.push(messages.weightedScriptIgnored(spec.name, tracked.name, weightsDropped));
      continue;
    }
    scripts.push(tracked);
  }

  return {
    preempt,
    preemptDelayMs,
    initialState: spec.initialState,
    interfaces,
    scripts,
    lowerPrioNoAdvert: spec.lowerPrioNoAdvert ?? false,
    warnings,
  };
}

/**
 * keepalived starts a sync group in MASTER only when every member is an
 * address owner configured `state MASTER`; otherwise every member starts as
 * a backup.
 */
export function groupStartsAsMaster(members: readonly InstanceSpec[]): boolean {
  return members.every((m) => m.initialState === 'master' && m.priority === OWNER_PRIORITY);
}

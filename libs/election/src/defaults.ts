// keepalived's defaults, for callers (tests, conformance cases) that spell out
// only what differs. The daemon gets its values from the configuration.

import type { GarpTiming, InstanceSpec, TrackedObjectSpec } from './types.js';

/** vrrp_garp_master_delay 5, vrrp_garp_master_repeat 5, no refresh; lower-priority values follow the master ones. */
export const DEFAULT_GARP_TIMING: GarpTiming = {
  masterDelayMs: 5000,
  masterRepeat: 5,
  masterRefreshMs: 0,
  masterRefreshRepeat: 1,
  lowerPrioDelayMs: 5000,
  lowerPrioRepeat: 5,
};

export type PartialInstanceSpec = Partial<Omit<InstanceSpec, 'garp'>> &
  Pick<InstanceSpec, 'name' | 'vrid' | 'primaryAddress'> & { readonly garp?: Partial<GarpTiming> };

/**
 * An instance with keepalived's defaults for everything not given: VRRPv2,
 * priority 100, advert_int 1, state BACKUP, preempt, no preempt delay, no
 * tracking, interface eth0.
 */
export function withDefaults(partial: PartialInstanceSpec): InstanceSpec {
  const none: readonly TrackedObjectSpec[] = [];
  return {
    version: 2,
    priority: 100,
    advertIntervalCs: 100,
    initialState: 'backup',
    preempt: true,
    preemptDelayMs: 0,
    trackedScripts: none,
    trackedInterfaces: none,
    interface: 'eth0',
    ...partial,
    garp: { ...DEFAULT_GARP_TIMING, ...partial.garp },
  };
}

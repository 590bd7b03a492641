export { Election } from './election.js';
export { DEFAULT_GARP_TIMING, withDefaults, type PartialInstanceSpec } from './defaults.js';
export { masterDownIntervalMs, skewTimeMs } from './timing.js';
export { compareAddresses } from './addressOrder.js';
export type {
  ElectionAction,
  ElectionEvent,
  GarpTiming,
  InstanceCounters,
  InstanceSnapshot,
  InstanceSpec,
  SyncGroupSpec,
  TimerName,
  TrackedObjectSpec,
  TransitionReason,
  VrrpState,
} from './types.js';

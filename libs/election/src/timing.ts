// The protocol's timers (RFC 5798 section 6.1; RFC 3768 section 6.1 for v2).
// Everything is whole milliseconds: keepalived keeps microseconds, so each
// Skew_Time here is keepalived's truncated to the millisecond.

/**
 * Skew_Time. VRRPv3: ((256 - Priority) * Master_Adver_Interval) / 256, the
 * interval in centiseconds. VRRPv2: (256 - Priority) / 256 seconds. keepalived
 * 2.2 uses the effective priority and, for v3, the learned interval.
 */
export function skewTimeMs(version: 2 | 3, priority: number, masterAdvertIntervalCs: number): number {
  if (version === 2) return Math.floor(((256 - priority) * 1000) / 256);
  return Math.floor(((256 - priority) * masterAdvertIntervalCs * 10) / 256);
}

/** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
export function masterDownIntervalMs(version: 2 | 3, priority: number, masterAdvertIntervalCs: number): number {
  return 3 * masterAdvertIntervalCs * 10 + skewTimeMs(version, priority, masterAdvertIntervalCs);
}

export const centisecondsToMs = (cs: number): number => cs * 10;

/** keepalived prints a preempt delay as seconds.microseconds: "3.000000". */
export function formatPreemptDelay(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const micro = Math.round((ms - seconds * 1000) * 1000);
  return `${seconds}.${String(micro).padStart(6, '0')}`;
}

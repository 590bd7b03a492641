// keepalived's <TIMER> values (lib/parser.c read_timer): seconds with up to
// six decimals, read as microseconds. Its ranges are printed from unsigned
// longs, which a JavaScript number cannot hold exactly, so the upper bound
// is given as keepalived prints it.

import { MICROSECONDS_PER_SECOND, readDecimal, type ReadResult } from './values.js';

/** ULONG_MAX microseconds, as keepalived prints the largest timer. */
export const TIMER_MAX = '18446744073709.551614';

/** Seconds (a fraction of one allowed) at least `minSeconds`, at most `maxText` as keepalived prints it. */
export function readTimer(text: string, minSeconds: number, maxText: string = TIMER_MAX): ReadResult<number> {
  const max = Number(maxText) * MICROSECONDS_PER_SECOND;
  const min = Math.round(minSeconds * MICROSECONDS_PER_SECOND);
  const read = readDecimal(text, 6, min, Math.min(max, Number.MAX_SAFE_INTEGER));
  if (!read.ok) {
    if (!read.reason.includes('outside range')) return read;
    const shownMin = (min / MICROSECONDS_PER_SECOND).toFixed(6);
    return { ok: false, reason: `number '${text}' outside range [${shownMin}, ${maxText}]` };
  }
  return read.note ? { ok: true, value: read.value / MICROSECONDS_PER_SECOND, note: read.note } : { ok: true, value: read.value / MICROSECONDS_PER_SECOND };
}

// Number and flag readers with keepalived's rules and wording
// (lib/parser.c read_int_func, read_unsigned_func,
// read_decimal_unsigned_long_func, check_true_false), so a diagnostic says
// what keepalived says about the same word.

export type ReadResult<T> = { readonly ok: true; readonly value: T; readonly note?: string } | { readonly ok: false; readonly reason: string };

const DECIMAL = /^[+-]?\d+$/;

export function readInt(text: string, min: number, max: number): ReadResult<number> {
  if (!DECIMAL.test(text)) return { ok: false, reason: `invalid number '${text}'` };
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < -2147483648 || value > 2147483647) return { ok: false, reason: `number '${text}' outside integer range` };
  if (value < min || value > max) return { ok: false, reason: `number '${text}' outside range [${min}, ${max}]` };
  return { ok: true, value };
}

export function readUnsigned(text: string, min: number, max: number): ReadResult<number> {
  const trimmed = text.replace(/^[ \t]+/, '');
  if (trimmed.startsWith('-')) return { ok: false, reason: `negative number '${text}'` };
  if (!/^\+?\d+$/.test(trimmed)) return { ok: false, reason: `invalid number '${text}'` };
  const value = Number(trimmed);
  if (value > 4294967295) return { ok: false, reason: `number '${text}' outside unsigned integer range` };
  if (value < min || value > max) return { ok: false, reason: `number '${text}' outside range [${min}, ${max}]` };
  return { ok: true, value };
}

/**
 * A non-negative decimal with at most `places` decimals, returned scaled by
 * 10^places (keepalived reads times as microseconds this way). More decimals
 * are rounded, with a note, as keepalived does.
 */
export function readDecimal(text: string, places: number, min: number, max: number): ReadResult<number> {
  if (text.startsWith('-')) return { ok: false, reason: `negative number '${text}'` };
  const match = /^\+?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return { ok: false, reason: `invalid number '${text}'` };
  const whole = match[1] ?? '';
  let fraction = match[2] ?? '';
  let note: string | undefined;
  let roundUp = false;
  if (fraction.length > places) {
    note = `number '${text}' has too many decimal places`;
    roundUp = (fraction[places] ?? '0') >= '5';
    fraction = fraction.slice(0, places);
  }
  const value = Number((whole === '' ? '0' : whole) + fraction.padEnd(places, '0')) + (roundUp ? 1 : 0);
  if (!Number.isSafeInteger(value)) return { ok: false, reason: `number '${text}' outside unsigned decimal range` };
  if (value < min || value > max) {
    const scale = 10 ** places;
    const show = (n: number): string => `${Math.floor(n / scale)}.${String(n % scale).padStart(places, '0')}`;
    return { ok: false, reason: `number '${text}' outside range [${show(min)}, ${show(max)}]` };
  }
  return note ? { ok: true, value, note } : { ok: true, value };
}

/** keepalived's on/true/yes and off/false/no; undefined for anything else. */
export function readBoolean(text: string): boolean | undefined {
  if (text === 'true' || text === 'on' || text === 'yes') return true;
  if (text === 'false' || text === 'off' || text === 'no') return false;
  return undefined;
}

/** keepalived's TIMER_HZ: its times are microseconds. */
export const MICROSECONDS_PER_SECOND = 1_000_000;
export const UINT_MAX = 4294967295;

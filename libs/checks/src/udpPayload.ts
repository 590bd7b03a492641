// UDP_CHECK's data: keepalived's hex strings (`payload`, `require_reply`),
// its default payload, and how a reply is compared. Pure.

/** Bytes from a hex string; `mask` marks wildcard nibbles (x or X) with 1 bits. */
export interface HexBytes {
  readonly data: Uint8Array;
  readonly mask?: Uint8Array;
}

const nibble = (c: string, wildcards: boolean): number | 'wild' | undefined => {
  if (/^[0-9a-fA-F]$/.test(c)) return Number.parseInt(c, 16);
  if (wildcards && (c === 'x' || c === 'X')) return 'wild';
  return undefined;
};

/**
 * keepalived's read_hex_str: pairs of hex digits, optionally separated by
 * spaces or tabs; a lone digit before a space or the end is one byte ("1 2"
 * is 01 02). With `wildcards`, x or X matches any nibble (require_reply).
 * Undefined when the text is empty or holds anything else.
 */
export function parseHexString(text: string, options: { readonly wildcards?: boolean } = {}): HexBytes | undefined {
  const wildcards = options.wildcards === true;
  const data: number[] = [];
  const mask: number[] = [];
  let masked = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    const high = nibble(c, wildcards);
    if (high === undefined) return undefined;
    i++;
    let value = high === 'wild' ? 0 : high;
    let maskValue = high === 'wild' ? 0x0f : 0;
    const next = text[i];
    if (next !== undefined && next !== ' ' && next !== '\t') {
      const low = nibble(next, wildcards);
      if (low === undefined) return undefined;
      i++;
      value = (value << 4) | (low === 'wild' ? 0 : low);
      maskValue = (maskValue << 4) | (low === 'wild' ? 0x0f : 0);
    }
    if (maskValue) masked = true;
    data.push(value);
    mask.push(maskValue);
  }
  if (data.length === 0) return undefined;
  return masked ? { data: Uint8Array.from(data), mask: Uint8Array.from(mask) } : { data: Uint8Array.from(data) };
}

/**
 * What keepalived sends without a `payload` (layer4.c set_buf): 32 bytes of
 * "keepalived check - " repeated, so the datagram is never empty.
 */
export const UDP_DEFAULT_PAYLOAD: Uint8Array = (() => {
  const text = 'keepalived check - ';
  return Uint8Array.from(Buffer.from(text.repeat(Math.ceil(32 / text.length)).slice(0, 32), 'latin1'));
})();

/** keepalived's defaults for min_reply_length and max_reply_length. */
export const UDP_MIN_REPLY_LENGTH = 0;
export const UDP_MAX_REPLY_LENGTH = 255;

export interface ExpectedReply extends HexBytes {
  readonly minLength?: number;
  readonly maxLength?: number;
}

/**
 * Why `reply` does not match, or undefined when it does (check_udp_reply):
 * its length must be within [minLength, maxLength], and its first bytes,
 * as many as both have, equal to the expected data outside the wildcards.
 */
export function replyMismatch(reply: Uint8Array, expected: ExpectedReply): string | undefined {
  const min = expected.minLength ?? UDP_MIN_REPLY_LENGTH;
  const max = expected.maxLength ?? UDP_MAX_REPLY_LENGTH;
  if (reply.length < min || reply.length > max) return `reply is ${reply.length} bytes, not ${min} to ${max}`;
  const length = Math.min(reply.length, expected.data.length);
  for (let i = 0; i < length; i++) {
    const ignore = expected.mask?.[i] ?? 0;
    if (((reply[i]! ^ expected.data[i]!) & ~ignore & 0xff) !== 0) {
      return `reply differs at byte ${i}: 0x${hex(reply[i]!)}, want 0x${hex(expected.data[i]!)}${ignore ? ` (mask 0x${hex(ignore)})` : ''}`;
    }
  }
  return undefined;
}

const hex = (byte: number): string => byte.toString(16).padStart(2, '0');

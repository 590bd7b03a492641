// Flag values that need more than a number: payloads, status code ranges,
// users. Each returns the value or throws a usage error naming the flag.

import { usageError } from '@keepalived-ts/cli';
import { parseHexString, type HexBytes } from '@keepalived-ts/checks';
import type { Accounts } from '@keepalived-ts/config';

/**
 * --payload and --reply: keepalived's hex (pairs of hex digits, spaces
 * allowed; x wildcards in --reply) when the value is only that, otherwise
 * the text's UTF-8 bytes. So "cafe" is two bytes, "hello" five.
 */
export function parseDataArgument(flag: string, text: string, wildcards: boolean): HexBytes {
  if (text === '') throw usageError(`--${flag} is empty`);
  const hexLike = wildcards ? /^[\s0-9a-fA-FxX]+$/ : /^[\s0-9a-fA-F]+$/;
  if (hexLike.test(text) && /[0-9a-fA-F]/.test(text)) {
    const hex = parseHexString(text, { wildcards });
    if (hex) return hex;
  }
  return { data: Uint8Array.from(Buffer.from(text, 'utf8')) };
}

/** --status 200, 200-299, 200,301-302: keepalived's status_code list, as ranges. */
export function parseStatusCodes(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const match = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    const low = match ? Number(match[1]) : NaN;
    const high = match?.[2] !== undefined ? Number(match[2]) : low;
    if (!match || low < 100 || high > 599 || low > high) throw usageError(`--status ${JSON.stringify(text)}: give codes or ranges from 100 to 599, e.g. 200 or 200-299,301`);
    ranges.push([low, high]);
  }
  return ranges;
}

/** --digest: an MD5 as 32 hex digits, as genhash prints it. */
export function parseDigest(text: string): string {
  if (!/^[0-9a-fA-F]{32}$/.test(text)) throw usageError(`--digest ${JSON.stringify(text)}: give the MD5 as 32 hex digits (genhash prints it)`);
  return text.toLowerCase();
}

/** --user USER[:GROUP], names or numbers, as keepalived's script_user USER [GROUP]. */
export function parseUser(text: string, accounts: Accounts): { uid: number; gid: number } {
  const [userText = '', groupText, extra] = text.split(':');
  if (userText === '' || extra !== undefined || groupText === '') throw usageError(`--user ${JSON.stringify(text)}: give USER or USER:GROUP`);
  const user = /^\d+$/.test(userText) ? undefined : accounts.users.get(userText);
  if (!user && !/^\d+$/.test(userText)) throw usageError(`--user: no such user ${JSON.stringify(userText)}`);
  const uid = user ? user.uid : Number(userText);
  let gid = user ? user.gid : uid;
  if (groupText !== undefined) {
    const group = /^\d+$/.test(groupText) ? Number(groupText) : accounts.groups.get(groupText);
    if (group === undefined) throw usageError(`--user: no such group ${JSON.stringify(groupText)}`);
    gid = group;
  }
  return { uid, gid };
}

// Addresses as glibc prints and reads them, so that listings match ipvsadm's.

import { parseIPv4, parseIPv6 } from '@keepalived-ts/vrrp';
import { AF_INET, AF_INET6 } from './constants.js';
import type { Af } from './types.js';

/** glibc's inet_ntop(AF_INET6): longest zero run (2+ words, first on a tie) as '::', and the IPv4-compatible/mapped forms. */
export function inetNtop6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) [bestBase, bestLen] = [curBase, curLen];
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) [bestBase, bestLen] = [curBase, curLen];
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 7 && words[7] !== 0x0001) || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

export function formatAddr(af: Af, bytes: Uint8Array): string {
  return af === AF_INET6 ? inetNtop6(bytes.subarray(0, 16)) : `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** The address's bytes (4 or 16); throws on text that is not an address of `af`. */
export function addrBytes(af: Af, address: string): Buffer {
  const bytes = af === AF_INET6 ? parseIPv6(address) : parseIPv4(address);
  if (!bytes) throw new TypeError(`${JSON.stringify(address)} is not an IPv${af === AF_INET ? 4 : 6} address`);
  return bytes;
}

/** inet_aton's forms: a, a.b, a.b.c, a.b.c.d, each part decimal, octal (0) or hex (0x). */
export function inetAton(text: string): Buffer | undefined {
  const parts = text.split('.');
  if (parts.length < 1 || parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const part of parts) {
    let n: number;
    if (/^0[xX][0-9a-fA-F]*$/.test(part)) n = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]*$/.test(part)) n = parseInt(part, 8);
    else if (/^[1-9][0-9]*$/.test(part)) n = parseInt(part, 10);
    else return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 2 ** (8 * (4 - nums.length))) return undefined;
  let value = last;
  nums.forEach((n, i) => (value += n * 2 ** (8 * (3 - i))));
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The IPv4 netmask value (network-order bytes as a big-endian number) as a dotted quad. */
export const formatMask = (mask: number): string => `${(mask >>> 24) & 255}.${(mask >>> 16) & 255}.${(mask >>> 8) & 255}.${mask & 255}`;

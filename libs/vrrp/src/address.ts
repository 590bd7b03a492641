// IPv4 and IPv6 addresses as bytes and as the text tcpdump prints (RFC 5952
// form for IPv6). Shared by every lib that meets an address on the wire.

import { isIPv4, isIPv6 } from 'node:net';

export type AddressFamily = 4 | 6;

export function familyOf(text: string): AddressFamily | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return undefined;
}

export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

export function formatIPv6(buf: Uint8Array, offset = 0): string {
  const words = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < 8; i++) words[i] = (buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!;
  // RFC 5952: compress the longest run of two or more zero words, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  // An IPv4-mapped address keeps its dotted tail, as inet_ntop prints it.
  if (bestStart === 0 && bestLength === 5 && words[5] === 0xffff) return `::ffff:${formatIPv4(buf, offset + 12)}`;
  // A plain loop: this runs for every IPv6 packet vrrpdump prints.
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) { text += i === 0 ? '::' : ':'; i += bestLength - 1; continue; }
    text += words[i]!.toString(16);
    if (i < 7) text += ':';
  }
  return text;
}

export function formatAddress(buf: Uint8Array, family: AddressFamily, offset = 0): string {
  return family === 4 ? formatIPv4(buf, offset) : formatIPv6(buf, offset);
}

/** Parses a dotted quad; undefined when it is not one. */
export function parseIPv4(text: string): Buffer | undefined {
  if (!isIPv4(text)) return undefined;
  return Buffer.from(text.split('.').map(Number));
}

/** Parses any IPv6 text form, including an embedded IPv4 tail; undefined when it is not one. */
export function parseIPv6(text: string): Buffer | undefined {
  if (!isIPv6(text)) return undefined;
  let body = text.split('%')[0]!;
  // An embedded IPv4 tail becomes its two words, so one parser serves both forms.
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIPv4(tail);
    if (!v4) return undefined;
    body = `${body.slice(0, lastColon + 1)}${v4.readUInt16BE(0).toString(16)}:${v4.readUInt16BE(2).toString(16)}`;
  }
  const parseWords = (part: string): number[] => (part === '' ? [] : part.split(':').map((w) => parseInt(w, 16)));
  const gap = body.indexOf('::');
  let words: number[];
  if (gap >= 0) {
    const head = parseWords(body.slice(0, gap));
    const rest = parseWords(body.slice(gap + 2));
    words = [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
  } else {
    words = parseWords(body);
  }
  if (words.length !== 8) return undefined;
  const out = Buffer.alloc(16);
  words.forEach((w, i) => out.writeUInt16BE(w, 2 * i));
  return out;
}

export function parseAddress(text: string): { family: AddressFamily; bytes: Buffer } | undefined {
  const v4 = parseIPv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIPv6(text);
  if (v6) return { family: 6, bytes: v6 };
  return undefined;
}

export const addressLength = (family: AddressFamily): 4 | 16 => (family === 4 ? 4 : 16);

// DNS messages (RFC 1035 section 4): the query DNS_CHECK sends and the
// parse of the reply. Pure: bytes in and out; a malformed reply is a reason,
// never an exception.

import { formatIPv4, formatIPv6 } from '@keepalived-ts/vrrp';

/** The record types keepalived's DNS_CHECK accepts for `type` (check_dns.c DNS_TYPE[]). */
export const DNS_TYPES = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  RRSIG: 46,
  DNSKEY: 48,
} as const;
export type DnsTypeName = keyof typeof DNS_TYPES;

/** keepalived's defaults: `type SOA`, `name .` (check_dns.h). */
export const DNS_DEFAULT_TYPE: DnsTypeName = 'SOA';
export const DNS_DEFAULT_NAME = '.';

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'] as const;
// Types that are not queried but are worth naming when they come back.
const OTHER_TYPE_NAMES: Readonly<Record<number, string>> = { 12: 'PTR', 33: 'SRV', 41: 'OPT', 43: 'DS', 47: 'NSEC', 257: 'CAA' };
const CLASS_IN = 1;
const HEADER_LENGTH = 12;
const MAX_NAME_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;
// A name compressed into more jumps than this is a loop (a name has at most 127 labels).
const MAX_POINTER_JUMPS = 127;

export function dnsTypeCode(name: string): number | undefined {
  const upper = name.toUpperCase();
  return Object.hasOwn(DNS_TYPES, upper) ? DNS_TYPES[upper as DnsTypeName] : undefined;
}

/** "A", "AAAA", or RFC 3597's "TYPE65" for a type without a name here. */
export function dnsTypeName(code: number): string {
  for (const [name, value] of Object.entries(DNS_TYPES)) if (value === code) return name;
  return OTHER_TYPE_NAMES[code] ?? `TYPE${code}`;
}

export const rcodeName = (rcode: number): string => RCODE_NAMES[rcode] ?? `RCODE${rcode}`;

/** Why `name` cannot be queried (empty label, label over 63 bytes, name over 255), or undefined. */
export function dnsNameError(name: string): string | undefined {
  if (name === '.') return undefined;
  if (name === '') return 'empty name (the root is ".")';
  const labels = (name.endsWith('.') ? name.slice(0, -1) : name).split('.');
  let length = 1;
  for (const label of labels) {
    const bytes = Buffer.byteLength(label);
    if (bytes === 0) return `${JSON.stringify(name)} has an empty label`;
    if (bytes > MAX_LABEL_LENGTH) return `label ${JSON.stringify(label)} is longer than ${MAX_LABEL_LENGTH} bytes`;
    length += bytes + 1;
  }
  if (length > MAX_NAME_LENGTH) return `${JSON.stringify(name)} is longer than ${MAX_NAME_LENGTH} bytes`;
  return undefined;
}

export interface DnsQuery {
  readonly id: number;
  readonly name: string;
  readonly type: number;
  /** RD; keepalived always sets it. Default true. */
  readonly recursionDesired?: boolean;
}

/** A one-question query of class IN, as keepalived's dns_make_query builds it. */
export function encodeDnsQuery(query: DnsQuery): Uint8Array {
  const problem = dnsNameError(query.name);
  if (problem) throw new RangeError(`DNS name: ${problem}`);
  if (!Number.isInteger(query.id) || query.id < 0 || query.id > 0xffff) throw new RangeError(`DNS id ${query.id} is not 16 bits`);
  if (!Number.isInteger(query.type) || query.type < 1 || query.type > 0xffff) throw new RangeError(`DNS type ${query.type} is not 1-65535`);
  const labels = query.name === '.' ? [] : (query.name.endsWith('.') ? query.name.slice(0, -1) : query.name).split('.');
  const nameBytes = labels.reduce((sum, label) => sum + 1 + Buffer.byteLength(label), 1);
  const out = Buffer.alloc(HEADER_LENGTH + nameBytes + 4);
  out.writeUInt16BE(query.id, 0);
  out.writeUInt16BE(query.recursionDesired === false ? 0 : 0x0100, 2);
  out.writeUInt16BE(1, 4);
  let offset = HEADER_LENGTH;
  for (const label of labels) {
    const written = out.write(label, offset + 1, 'utf8');
    out[offset] = written;
    offset += 1 + written;
  }
  out[offset++] = 0;
  out.writeUInt16BE(query.type, offset);
  out.writeUInt16BE(CLASS_IN, offset + 2);
  return out;
}

export interface DnsQuestion {
  readonly name: string;
  readonly type: number;
  readonly class: number;
}

export interface DnsRecord {
  readonly name: string;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  /** The data in zone-file form: "192.0.2.1", "10 mail.example.", "\"text\"". */
  readonly data: string;
}

export interface DnsMessage {
  readonly id: number;
  /** QR: a response rather than a query. */
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  readonly rcode: number;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authorities: readonly DnsRecord[];
  readonly additionals: readonly DnsRecord[];
}

export type DnsDecodeResult = { readonly ok: true; readonly message: DnsMessage } | { readonly ok: false; readonly reason: string };

class Malformed extends Error {}

/** The id and flags alone, for replies too broken to parse further; undefined under 12 bytes. */
export function decodeDnsHeader(bytes: Uint8Array): { id: number; response: boolean; rcode: number } | undefined {
  if (bytes.length < HEADER_LENGTH) return undefined;
  const flags = (bytes[2]! << 8) | bytes[3]!;
  return { id: (bytes[0]! << 8) | bytes[1]!, response: (flags & 0x8000) !== 0, rcode: flags & 0x0f };
}

export function decodeDnsMessage(bytes: Uint8Array): DnsDecodeResult {
  if (bytes.length < HEADER_LENGTH) return { ok: false, reason: `DNS message is undersized (${bytes.length} < ${HEADER_LENGTH})` };
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.readUInt16BE(2);
  const counts = [view.readUInt16BE(4), view.readUInt16BE(6), view.readUInt16BE(8), view.readUInt16BE(10)] as const;
  let offset = HEADER_LENGTH;
  try {
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < counts[0]; i++) {
      const name = readName(view, offset);
      offset = name.next;
      need(view, offset, 4, 'question');
      questions.push({ name: name.text, type: view.readUInt16BE(offset), class: view.readUInt16BE(offset + 2) });
      offset += 4;
    }
    const sections: DnsRecord[][] = [[], [], []];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) {
        const name = readName(view, offset);
        offset = name.next;
        need(view, offset, 10, 'record header');
        const type = view.readUInt16BE(offset);
        const rdLength = view.readUInt16BE(offset + 8);
        need(view, offset + 10, rdLength, `${dnsTypeName(type)} record data`);
        sections[s]!.push({
          name: name.text,
          type,
          class: view.readUInt16BE(offset + 2),
          ttl: view.readUInt32BE(offset + 4),
          data: recordData(view, type, offset + 10, rdLength),
        });
        offset += 10 + rdLength;
      }
    }
    return {
      ok: true,
      message: {
        id: view.readUInt16BE(0),
        response: (flags & 0x8000) !== 0,
        opcode: (flags >> 11) & 0x0f,
        authoritative: (flags & 0x0400) !== 0,
        truncated: (flags & 0x0200) !== 0,
        recursionDesired: (flags & 0x0100) !== 0,
        recursionAvailable: (flags & 0x0080) !== 0,
        rcode: flags & 0x0f,
        questions,
        answers: sections[0]!,
        authorities: sections[1]!,
        additionals: sections[2]!,
      },
    };
  } catch (error) {
    if (error instanceof Malformed) return { ok: false, reason: error.message };
    throw error;
  }
}

function need(view: Buffer, offset: number, length: number, what: string): void {
  if (offset + length > view.length) throw new Malformed(`DNS message ends inside a ${what} (byte ${offset} + ${length} > ${view.length})`);
}

/** A possibly compressed name (RFC 1035 section 4.1.4) and the offset after it where it began. */
function readName(view: Buffer, start: number): { text: string; next: number } {
  const labels: string[] = [];
  let offset = start;
  let next: number | undefined;
  let jumps = 0;
  let length = 1;
  for (;;) {
    need(view, offset, 1, 'name');
    const byte = view[offset]!;
    if (byte === 0) {
      next ??= offset + 1;
      break;
    }
    const kind = byte & 0xc0;
    if (kind === 0xc0) {
      need(view, offset, 2, 'name pointer');
      if (++jumps > MAX_POINTER_JUMPS) throw new Malformed('DNS name compression loops');
      next ??= offset + 2;
      offset = ((byte & 0x3f) << 8) | view[offset + 1]!;
      continue;
    }
    if (kind !== 0) throw new Malformed(`DNS name has a label of unknown type 0x${kind.toString(16)}`);
    need(view, offset + 1, byte, 'label');
    length += byte + 1;
    if (length > MAX_NAME_LENGTH) throw new Malformed(`DNS name is longer than ${MAX_NAME_LENGTH} bytes`);
    labels.push(view.toString('latin1', offset + 1, offset + 1 + byte));
    offset += 1 + byte;
  }
  return { text: labels.length === 0 ? '.' : labels.join('.'), next };
}

function recordData(view: Buffer, type: number, start: number, length: number): string {
  const end = start + length;
  const nameAt = (offset: number): { text: string; next: number } => {
    const name = readName(view, offset);
    if (name.next > end) throw new Malformed(`${dnsTypeName(type)} record data overruns its length`);
    return name;
  };
  const fqdn = (text: string): string => (text === '.' ? '.' : `${text}.`);
  switch (type) {
    case DNS_TYPES.A:
      if (length !== 4) throw new Malformed(`A record data is ${length} bytes, not 4`);
      return formatIPv4(view, start);
    case DNS_TYPES.AAAA:
      if (length !== 16) throw new Malformed(`AAAA record data is ${length} bytes, not 16`);
      return formatIPv6(view, start);
    case DNS_TYPES.NS:
    case DNS_TYPES.CNAME:
    case 12: // PTR
      return fqdn(nameAt(start).text);
    case DNS_TYPES.MX: {
      if (length < 3) throw new Malformed('MX record data is too short');
      return `${view.readUInt16BE(start)} ${fqdn(nameAt(start + 2).text)}`;
    }
    case DNS_TYPES.SOA: {
      const mname = nameAt(start);
      const rname = nameAt(mname.next);
      if (rname.next + 20 > end) throw new Malformed('SOA record data is too short');
      const numbers = [0, 4, 8, 12, 16].map((at) => view.readUInt32BE(rname.next + at));
      return `${fqdn(mname.text)} ${fqdn(rname.text)} ${numbers.join(' ')}`;
    }
    case DNS_TYPES.TXT: {
      const strings: string[] = [];
      for (let offset = start; offset < end; ) {
        const size = view[offset]!;
        if (offset + 1 + size > end) throw new Malformed('TXT record string overruns its length');
        strings.push(JSON.stringify(view.toString('latin1', offset + 1, offset + 1 + size)));
        offset += 1 + size;
      }
      return strings.join(' ');
    }
    default:
      // RFC 3597's generic form.
      return `\\# ${length}${length ? ' ' + view.toString('hex', start, end) : ''}`;
  }
}

// IPVS generic netlink attributes as declarative tables (linux/ip_vs.h): each
// entry names the kernel constant's number and its wire type once, and the
// one encoder and the one decoder below read the same tables. libs/netlink's
// codec has no u64 and no network-order u16 (ports), which IPVS needs, hence
// this codec; the socket and the errno handling are libs/netlink's.

import { endianness } from 'node:os';

const LE = endianness() === 'LE';
const NLA_HEADER = 4;
const NLA_TYPE_MASK = 0x3fff;
const NLA_F_NESTED = 0x8000;
const align4 = (n: number): number => (n + 3) & ~3;

export type Kind = 'u8' | 'u16' | 'u32' | 'u64' | 'be16' | 'string' | 'bytes' | 'flags';
export type AttrDef =
  | { readonly type: number; readonly kind: Kind }
  | { readonly type: number; readonly kind: 'nested'; readonly table: AttrTable };
export type AttrTable = { readonly [name: string]: AttrDef };

/** struct ip_vs_flags: the flags to set and the mask of those that count. */
export interface FlagsValue {
  readonly flags: number;
  readonly mask: number;
}

type ValueOf<D extends AttrDef> = D extends { readonly kind: 'u8' | 'u16' | 'u32' | 'be16' }
  ? number
  : D extends { readonly kind: 'u64' }
    ? bigint
    : D extends { readonly kind: 'string' }
      ? string
      : D extends { readonly kind: 'bytes' }
        ? Buffer
        : D extends { readonly kind: 'flags' }
          ? FlagsValue
          : D extends { readonly kind: 'nested'; readonly table: infer T extends AttrTable }
            ? AttrValues<T>
            : never;

export type AttrValues<T extends AttrTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

// --- Tables (include/uapi/linux/ip_vs.h) -------------------------------------

/** IPVS_STATS_ATTR_*: in IPVS_*_ATTR_STATS the counters are u32 and the byte counts u64. */
export const IPVS_STATS_ATTR = {
  conns: { type: 1, kind: 'u32' },
  inpkts: { type: 2, kind: 'u32' },
  outpkts: { type: 3, kind: 'u32' },
  inbytes: { type: 4, kind: 'u64' },
  outbytes: { type: 5, kind: 'u64' },
  cps: { type: 6, kind: 'u32' },
  inpps: { type: 7, kind: 'u32' },
  outpps: { type: 8, kind: 'u32' },
  inbps: { type: 9, kind: 'u32' },
  outbps: { type: 10, kind: 'u32' },
} as const satisfies AttrTable;

/** The same numbers in IPVS_*_ATTR_STATS64 (Linux 4.1+), every one u64. */
export const IPVS_STATS64_ATTR = {
  conns: { type: 1, kind: 'u64' },
  inpkts: { type: 2, kind: 'u64' },
  outpkts: { type: 3, kind: 'u64' },
  inbytes: { type: 4, kind: 'u64' },
  outbytes: { type: 5, kind: 'u64' },
  cps: { type: 6, kind: 'u64' },
  inpps: { type: 7, kind: 'u64' },
  outpps: { type: 8, kind: 'u64' },
  inbps: { type: 9, kind: 'u64' },
  outbps: { type: 10, kind: 'u64' },
} as const satisfies AttrTable;

/** IPVS_SVC_ATTR_*. */
export const IPVS_SVC_ATTR = {
  af: { type: 1, kind: 'u16' },
  protocol: { type: 2, kind: 'u16' },
  /** union nf_inet_addr: 16 bytes from the kernel, 4 or 16 to it. */
  addr: { type: 3, kind: 'bytes' },
  port: { type: 4, kind: 'be16' },
  fwmark: { type: 5, kind: 'u32' },
  schedName: { type: 6, kind: 'string' },
  flags: { type: 7, kind: 'flags' },
  timeout: { type: 8, kind: 'u32' },
  /** IPv4: the mask's 4 bytes in network order; IPv6: the prefix length, host order. */
  netmask: { type: 9, kind: 'bytes' },
  stats: { type: 10, kind: 'nested', table: IPVS_STATS_ATTR },
  peName: { type: 11, kind: 'string' },
  stats64: { type: 12, kind: 'nested', table: IPVS_STATS64_ATTR },
} as const satisfies AttrTable;

/** IPVS_DEST_ATTR_*. */
export const IPVS_DEST_ATTR = {
  addr: { type: 1, kind: 'bytes' },
  port: { type: 2, kind: 'be16' },
  fwdMethod: { type: 3, kind: 'u32' },
  weight: { type: 4, kind: 'u32' },
  uThresh: { type: 5, kind: 'u32' },
  lThresh: { type: 6, kind: 'u32' },
  activeConns: { type: 7, kind: 'u32' },
  inactConns: { type: 8, kind: 'u32' },
  persistConns: { type: 9, kind: 'u32' },
  stats: { type: 10, kind: 'nested', table: IPVS_STATS_ATTR },
  addrFamily: { type: 11, kind: 'u16' },
  stats64: { type: 12, kind: 'nested', table: IPVS_STATS64_ATTR },
  tunType: { type: 13, kind: 'u8' },
  tunPort: { type: 14, kind: 'be16' },
  tunFlags: { type: 15, kind: 'u16' },
} as const satisfies AttrTable;

/** IPVS_DAEMON_ATTR_*. */
export const IPVS_DAEMON_ATTR = {
  state: { type: 1, kind: 'u32' },
  mcastIfn: { type: 2, kind: 'string' },
  syncId: { type: 3, kind: 'u32' },
  syncMaxlen: { type: 4, kind: 'u16' },
  mcastGroup: { type: 5, kind: 'bytes' },
  mcastGroup6: { type: 6, kind: 'bytes' },
  mcastPort: { type: 7, kind: 'u16' },
  mcastTtl: { type: 8, kind: 'u8' },
} as const satisfies AttrTable;

/** IPVS_CMD_ATTR_*: the top level of every IPVS message. */
export const IPVS_CMD_ATTR = {
  service: { type: 1, kind: 'nested', table: IPVS_SVC_ATTR },
  dest: { type: 2, kind: 'nested', table: IPVS_DEST_ATTR },
  daemon: { type: 3, kind: 'nested', table: IPVS_DAEMON_ATTR },
  timeoutTcp: { type: 4, kind: 'u32' },
  timeoutTcpFin: { type: 5, kind: 'u32' },
  timeoutUdp: { type: 6, kind: 'u32' },
} as const satisfies AttrTable;

/** IPVS_INFO_ATTR_*: the reply to IPVS_CMD_GET_INFO. */
export const IPVS_INFO_ATTR = {
  version: { type: 1, kind: 'u32' },
  connTabSize: { type: 2, kind: 'u32' },
} as const satisfies AttrTable;

// --- Codec -------------------------------------------------------------------

const SIZES: Record<Exclude<Kind, 'string' | 'bytes'>, number> = { u8: 1, u16: 2, be16: 2, u32: 4, u64: 8, flags: 8 };

function encodeValue(def: AttrDef, value: unknown): Buffer {
  switch (def.kind) {
    case 'string':
      return Buffer.from(`${value as string}\0`, 'utf8');
    case 'bytes':
      return Buffer.from(value as Uint8Array);
    case 'nested':
      return Buffer.concat(encodeAttrs(def.table, value as AttrValues<AttrTable>));
    default: {
      const buf = Buffer.alloc(SIZES[def.kind]);
      const n = value as number;
      switch (def.kind) {
        case 'u8':
          buf.writeUInt8(n);
          break;
        case 'u16':
          if (LE) buf.writeUInt16LE(n);
          else buf.writeUInt16BE(n);
          break;
        case 'be16':
          buf.writeUInt16BE(n);
          break;
        case 'u32':
          if (LE) buf.writeUInt32LE(n >>> 0);
          else buf.writeUInt32BE(n >>> 0);
          break;
        case 'u64':
          if (LE) buf.writeBigUInt64LE(value as bigint);
          else buf.writeBigUInt64BE(value as bigint);
          break;
        case 'flags': {
          const f = value as FlagsValue;
          if (LE) {
            buf.writeUInt32LE(f.flags >>> 0, 0);
            buf.writeUInt32LE(f.mask >>> 0, 4);
          } else {
            buf.writeUInt32BE(f.flags >>> 0, 0);
            buf.writeUInt32BE(f.mask >>> 0, 4);
          }
          break;
        }
      }
      return buf;
    }
  }
}

/** One buffer per attribute present in `values`, padded to 4 bytes, in the table's order. */
export function encodeAttrs<T extends AttrTable>(table: T, values: AttrValues<T>): Buffer[] {
  const out: Buffer[] = [];
  for (const [name, def] of Object.entries(table)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const payload = encodeValue(def, value);
    const attr = Buffer.alloc(align4(NLA_HEADER + payload.length));
    const type = def.kind === 'nested' ? def.type | NLA_F_NESTED : def.type;
    if (LE) {
      attr.writeUInt16LE(NLA_HEADER + payload.length, 0);
      attr.writeUInt16LE(type, 2);
    } else {
      attr.writeUInt16BE(NLA_HEADER + payload.length, 0);
      attr.writeUInt16BE(type, 2);
    }
    payload.copy(attr, NLA_HEADER);
    out.push(attr);
  }
  return out;
}

function decodeValue(def: AttrDef, p: Buffer): unknown {
  switch (def.kind) {
    case 'string': {
      const end = p.indexOf(0);
      return p.toString('utf8', 0, end < 0 ? p.length : end);
    }
    case 'bytes':
      return Buffer.from(p);
    case 'nested':
      return decodeAttrs(def.table, p);
    default:
      if (p.length < SIZES[def.kind]) return undefined;
      switch (def.kind) {
        case 'u8':
          return p.readUInt8(0);
        case 'u16':
          return LE ? p.readUInt16LE(0) : p.readUInt16BE(0);
        case 'be16':
          return p.readUInt16BE(0);
        case 'u32':
          return LE ? p.readUInt32LE(0) : p.readUInt32BE(0);
        case 'u64':
          return LE ? p.readBigUInt64LE(0) : p.readBigUInt64BE(0);
        case 'flags':
          return LE ? { flags: p.readUInt32LE(0), mask: p.readUInt32LE(4) } : { flags: p.readUInt32BE(0), mask: p.readUInt32BE(4) };
      }
  }
}

/** Reads the attributes of `table` from `buf`; others are skipped, and a malformed tail ends the walk. */
export function decodeAttrs<T extends AttrTable>(table: T, buf: Buffer): AttrValues<T> {
  const byType = new Map<number, [string, AttrDef]>();
  for (const [name, def] of Object.entries(table)) byType.set(def.type, [name, def]);
  const out: Record<string, unknown> = {};
  let offset = 0;
  while (offset + NLA_HEADER <= buf.length) {
    const length = LE ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset);
    if (length < NLA_HEADER || offset + length > buf.length) break;
    const type = (LE ? buf.readUInt16LE(offset + 2) : buf.readUInt16BE(offset + 2)) & NLA_TYPE_MASK;
    const entry = byType.get(type);
    if (entry) {
      const value = decodeValue(entry[1], buf.subarray(offset + NLA_HEADER, offset + length));
      if (value !== undefined) out[entry[0]] = value;
    }
    offset += align4(length);
  }
  return out as AttrValues<T>;
}

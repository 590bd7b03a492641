// Netlink structs and attributes as declarative tables: each table names the
// kernel constant and the wire type once, and one encoder and one decoder read
// it (node_netlink's approach). Netlink uses host byte order throughout.

import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';

/** Attribute header: u16 length (header included), u16 type. */
const NLA_HEADER = 4;
/** The top two bits of nla_type are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER). */
const NLA_TYPE_MASK = 0x3fff;

const align4 = (length: number): number => (length + 3) & ~3;

export type AttributeKind = 'u8' | 'u16' | 'u32' | 'string' | 'bytes' | 'nested';

export type AttributeDef =
  | { readonly type: number; readonly kind: 'u8' | 'u16' | 'u32' | 'string' | 'bytes' }
  | { readonly type: number; readonly kind: 'nested'; readonly table: AttributeTable };

export type AttributeTable = { readonly [name: string]: AttributeDef };

type ValueOf<D extends AttributeDef> = D extends { readonly kind: 'u8' | 'u16' | 'u32' }
  ? number
  : D extends { readonly kind: 'string' }
    ? string
    : D extends { readonly kind: 'bytes' }
      ? Buffer
      : D extends { readonly kind: 'nested'; readonly table: infer T extends AttributeTable }
        ? AttributeValues<T>
        : never;

/** The values of a table's attributes, each optional, keyed by name. */
export type AttributeValues<T extends AttributeTable> = { -readonly [K in keyof T]?: ValueOf<T[K]> };

// --- Tables -----------------------------------------------------------------

/** IFA_* (linux/if_addr.h). */
export const IFA = {
  /** The prefix address; the peer on point-to-point links. */
  address: { type: 1, kind: 'bytes' },
  /** The local address; IPv6 sends only IFA_ADDRESS. */
  local: { type: 2, kind: 'bytes' },
  /** IPv4 only; must start with the interface name (`eth1:1`). */
  label: { type: 3, kind: 'string' },
  broadcast: { type: 4, kind: 'bytes' },
  /** u32 extension of ifa_flags; when present the kernel ignores ifa_flags. */
  flags: { type: 8, kind: 'u32' },
  /**
   * Who added the address (Linux 5.18+). The netlink package's typed
   * attributes stop at IFA_TARGET_NETNSID (10) and its parser drops unknown
   * ones, which is why addresses are decoded here and not by the package.
   */
  proto: { type: 11, kind: 'u8' },
} as const satisfies AttributeTable;

/** IFLA_MACVLAN_* (linux/if_link.h). */
export const IFLA_MACVLAN = {
  mode: { type: 1, kind: 'u32' },
} as const satisfies AttributeTable;

/** IFLA_INFO_* inside IFLA_LINKINFO. The DATA table depends on the kind; only macvlan's is needed. */
export const IFLA_INFO = {
  kind: { type: 1, kind: 'string' },
  data: { type: 2, kind: 'nested', table: IFLA_MACVLAN },
} as const satisfies AttributeTable;

/** IFLA_* (linux/if_link.h): the ones this library reads or writes. */
export const IFLA = {
  address: { type: 1, kind: 'bytes' },
  ifname: { type: 3, kind: 'string' },
  mtu: { type: 4, kind: 'u32' },
  /** The lower device (macvlan, vlan) or the peer (veth). */
  link: { type: 5, kind: 'u32' },
  linkinfo: { type: 18, kind: 'nested', table: IFLA_INFO },
  extMask: { type: 29, kind: 'u32' },
  /** Present when IFLA_LINK is an index in another network namespace. */
  linkNetnsid: { type: 37, kind: 'u32' },
} as const satisfies AttributeTable;

// --- Structs ----------------------------------------------------------------

export type FieldKind = 'u8' | 'u16' | 'u32' | 's32';
export type StructDef = { readonly size: number; readonly fields: { readonly [name: string]: { readonly offset: number; readonly kind: FieldKind } } };
export type StructValues<S extends StructDef> = { -readonly [K in keyof S['fields']]: number };

/** struct ifaddrmsg. */
export const IFADDRMSG = {
  size: 8,
  fields: {
    family: { offset: 0, kind: 'u8' },
    prefixLength: { offset: 1, kind: 'u8' },
    flags: { offset: 2, kind: 'u8' },
    scope: { offset: 3, kind: 'u8' },
    index: { offset: 4, kind: 'u32' },
  },
} as const satisfies StructDef;

/** struct ifinfomsg. */
export const IFINFOMSG = {
  size: 16,
  fields: {
    family: { offset: 0, kind: 'u8' },
    type: { offset: 2, kind: 'u16' },
    index: { offset: 4, kind: 's32' },
    flags: { offset: 8, kind: 'u32' },
    change: { offset: 12, kind: 'u32' },
  },
} as const satisfies StructDef;

// --- Encoding and decoding --------------------------------------------------

function writeInt(buf: Buffer, kind: FieldKind, value: number, offset: number): void {
  switch (kind) {
    case 'u8':
      buf.writeUInt8(value, offset);
      return;
    case 'u16':
      if (LITTLE_ENDIAN) buf.writeUInt16LE(value, offset);
      else buf.writeUInt16BE(value, offset);
      return;
    case 'u32':
      if (LITTLE_ENDIAN) buf.writeUInt32LE(value, offset);
      else buf.writeUInt32BE(value, offset);
      return;
    case 's32':
      if (LITTLE_ENDIAN) buf.writeInt32LE(value, offset);
      else buf.writeInt32BE(value, offset);
      return;
  }
}

function readInt(buf: Buffer, kind: FieldKind, offset: number): number {
  switch (kind) {
    case 'u8':
      return buf.readUInt8(offset);
    case 'u16':
      return LITTLE_ENDIAN ? buf.readUInt16LE(offset) : buf.readUInt16BE(offset);
    case 'u32':
      return LITTLE_ENDIAN ? buf.readUInt32LE(offset) : buf.readUInt32BE(offset);
    case 's32':
      return LITTLE_ENDIAN ? buf.readInt32LE(offset) : buf.readInt32BE(offset);
  }
}

export function encodeStruct<S extends StructDef>(def: S, values: Partial<StructValues<S>>): Buffer {
  const buf = Buffer.alloc(def.size);
  for (const [name, field] of Object.entries(def.fields)) {
    const value = (values as Record<string, number | undefined>)[name];
    if (value !== undefined) writeInt(buf, field.kind, value, field.offset);
  }
  return buf;
}

/** Throws a RangeError when `buf` is shorter than the struct (a truncated message). */
export function decodeStruct<S extends StructDef>(def: S, buf: Buffer): StructValues<S> {
  if (buf.length < def.size) throw new RangeError(`netlink message too short: ${buf.length} < ${def.size} bytes`);
  const out: Record<string, number> = {};
  for (const [name, field] of Object.entries(def.fields)) out[name] = readInt(buf, field.kind, field.offset);
  return out as StructValues<S>;
}

function encodeValue(def: AttributeDef, value: unknown): Buffer {
  switch (def.kind) {
    case 'u8':
    case 'u16':
    case 'u32': {
      const buf = Buffer.alloc(def.kind === 'u8' ? 1 : def.kind === 'u16' ? 2 : 4);
      writeInt(buf, def.kind, value as number, 0);
      return buf;
    }
    case 'string':
      // NUL-terminated, as the kernel's NLA_STRING/NLA_NUL_STRING policies expect.
      return Buffer.from(`${value as string}\0`, 'utf8');
    case 'bytes':
      return Buffer.from(value as Uint8Array);
    case 'nested':
      return Buffer.concat(encodeAttributes(def.table, value as AttributeValues<AttributeTable>));
  }
}

/** One buffer per attribute, each padded to 4 bytes, in the table's order. */
export function encodeAttributes<T extends AttributeTable>(table: T, values: AttributeValues<T>): Buffer[] {
  const out: Buffer[] = [];
  for (const [name, def] of Object.entries(table)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const payload = encodeValue(def, value);
    const attr = Buffer.alloc(align4(NLA_HEADER + payload.length));
    writeInt(attr, 'u16', NLA_HEADER + payload.length, 0);
    writeInt(attr, 'u16', def.type, 2);
    payload.copy(attr, NLA_HEADER);
    out.push(attr);
  }
  return out;
}

function decodeValue(def: AttributeDef, payload: Buffer): unknown {
  switch (def.kind) {
    case 'u8':
    case 'u16':
    case 'u32': {
      const size = def.kind === 'u8' ? 1 : def.kind === 'u16' ? 2 : 4;
      return payload.length < size ? undefined : readInt(payload, def.kind, 0);
    }
    case 'string': {
      const end = payload.indexOf(0);
      return payload.toString('utf8', 0, end < 0 ? payload.length : end);
    }
    case 'bytes':
      return Buffer.from(payload);
    case 'nested':
      return decodeAttributes(def.table, payload);
  }
}

/**
 * Reads the attributes of `table` from `buf`; attributes not in the table are
 * skipped, and a malformed tail (a length running past the end) ends the walk.
 */
export function decodeAttributes<T extends AttributeTable>(table: T, buf: Buffer): AttributeValues<T> {
  const byType = new Map<number, [string, AttributeDef]>();
  for (const [name, def] of Object.entries(table)) byType.set(def.type, [name, def]);
  const out: Record<string, unknown> = {};
  let offset = 0;
  while (offset + NLA_HEADER <= buf.length) {
    const length = readInt(buf, 'u16', offset);
    if (length < NLA_HEADER || offset + length > buf.length) break;
    const entry = byType.get(readInt(buf, 'u16', offset + 2) & NLA_TYPE_MASK);
    if (entry) {
      const value = decodeValue(entry[1], buf.subarray(offset + NLA_HEADER, offset + length));
      if (value !== undefined) out[entry[0]] = value;
    }
    offset += align4(length);
  }
  return out as AttributeValues<T>;
}

// The VRRP header, declared once: the decoder and the encoder both read this
// table, so a field's place cannot differ between them.
//
//  0                   1                   2                   3
//  |Version| Type  | Virtual Rtr ID|   Priority    |Count IPvX Addr|
//  v2: |   Auth Type   |   Adver Int   |          Checksum         |
//  v3: |(rsvd) |     Max Adver Int     |          Checksum         |

export type HeaderFieldName = 'version' | 'type' | 'vrid' | 'priority' | 'count' | 'authType' | 'interval' | 'checksum';

export interface HeaderField {
  readonly name: HeaderFieldName;
  readonly offset: number;
  readonly bytes: 1 | 2;
  readonly shift: number;
  readonly mask: number;
  /** Versions whose header has this field; the v2 and v3 intervals differ in width and unit. */
  readonly versions: readonly (2 | 3)[];
}

export const HEADER_FIELDS: readonly HeaderField[] = [
  { name: 'version', offset: 0, bytes: 1, shift: 4, mask: 0x0f, versions: [2, 3] },
  { name: 'type', offset: 0, bytes: 1, shift: 0, mask: 0x0f, versions: [2, 3] },
  { name: 'vrid', offset: 1, bytes: 1, shift: 0, mask: 0xff, versions: [2, 3] },
  { name: 'priority', offset: 2, bytes: 1, shift: 0, mask: 0xff, versions: [2, 3] },
  { name: 'count', offset: 3, bytes: 1, shift: 0, mask: 0xff, versions: [2, 3] },
  { name: 'authType', offset: 4, bytes: 1, shift: 0, mask: 0xff, versions: [2] },
  // v2: seconds in one octet (RFC 3768 5.3.7); v3: centiseconds in 12 bits (RFC 5798 5.2.7).
  { name: 'interval', offset: 5, bytes: 1, shift: 0, mask: 0xff, versions: [2] },
  { name: 'interval', offset: 4, bytes: 2, shift: 0, mask: 0x0fff, versions: [3] },
  { name: 'checksum', offset: 6, bytes: 2, shift: 0, mask: 0xffff, versions: [2, 3] },
];

const fieldsOf = (version: 2 | 3): ReadonlyMap<HeaderFieldName, HeaderField> =>
  new Map(HEADER_FIELDS.filter((f) => f.versions.includes(version)).map((f) => [f.name, f]));

export const FIELDS_BY_VERSION: Readonly<Record<2 | 3, ReadonlyMap<HeaderFieldName, HeaderField>>> = {
  2: fieldsOf(2),
  3: fieldsOf(3),
};

export function readField(buf: Uint8Array, field: HeaderField): number {
  const raw = field.bytes === 1 ? buf[field.offset]! : (buf[field.offset]! << 8) | buf[field.offset + 1]!;
  return (raw >>> field.shift) & field.mask;
}

/** ORs the value into place: the encoder starts from a zeroed header. */
export function writeField(buf: Uint8Array, field: HeaderField, value: number): void {
  const placed = (value & field.mask) << field.shift;
  if (field.bytes === 1) {
    buf[field.offset] = buf[field.offset]! | placed;
  } else {
    buf[field.offset] = buf[field.offset]! | (placed >>> 8);
    buf[field.offset + 1] = buf[field.offset + 1]! | (placed & 0xff);
  }
}

export function fieldOf(version: 2 | 3, name: HeaderFieldName): HeaderField {
  const field = FIELDS_BY_VERSION[version].get(name);
  if (!field) throw new Error(`VRRPv${version} has no ${name} field`);
  return field;
}

// `virtual_server_group NAME { ... }` (keepalived 2.2.7 check_data.c
// alloc_vsg_entry, check_parser.c vsg_handler): each line is an address with
// an optional port, an address range (`10.0.0.2-5`, `10.0.0.250-10.0.1.4`,
// `10.0.1.0/30`) or `fwmark N [inet|inet6]`. A virtual_server naming the
// group stands for every one of them in IPVS.

import { familyOf, type AddressFamily } from '@keepalived-ts/vrrp';
import type { BuildContext } from './environment.js';
import type { ConfigNode } from './parser.js';
import { readUnsigned, UINT_MAX } from './values.js';
import type { VirtualServerGroup, VirtualServerGroupEntry } from './virtualServerModel.js';

/** More addresses than this in one range is taken for a typo, not a service list. */
export const MAX_RANGE_ADDRESSES = 1024;

export function readVirtualServerGroup(node: ConfigNode, context: BuildContext): VirtualServerGroup | undefined {
  const { diagnostics } = context;
  const name = node.args[0];
  if (name === undefined) {
    diagnostics.warn(node.location, 'virtual_server_group must have a name - skipping');
    return undefined;
  }
  const entries: VirtualServerGroupEntry[] = [];
  for (const line of node.children ?? []) {
    if (line.children !== undefined) diagnostics.warn(line.location, `unexpected block after '${line.keyword}' in virtual_server_group - ignored`);
    const entry = readEntry(line, context);
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) {
    diagnostics.warn(node.location, `virtual server group ${name} has no entries - removing`);
    return undefined;
  }
  const families = new Set(entries.flatMap((entry) => (entry.kind === 'address' ? [entry.family] : [])));
  const familylessMark = entries.some((entry) => entry.kind === 'fwmark' && entry.family === undefined);
  if (families.size > 1 && familylessMark) {
    diagnostics.warn(node.location, `virtual server group ${name} cannot have IPv4, IPv6 and fwmark without family - removing`);
    return undefined;
  }
  return { name, entries, location: node.location };
}

function readEntry(line: ConfigNode, context: BuildContext): VirtualServerGroupEntry | undefined {
  const { diagnostics } = context;
  if (line.keyword === 'fwmark') {
    const read = readUnsigned(line.args[0] ?? '', 1, UINT_MAX);
    if (!read.ok) {
      diagnostics.warn(line.location, `${read.reason}: virtual server group fwmark '${line.args[0] ?? ''}' invalid - skipping`);
      return undefined;
    }
    const familyWord = line.args[1];
    if (familyWord !== undefined && familyWord !== 'inet' && familyWord !== 'inet6') {
      diagnostics.warn(line.location, `unknown virtual server group fwmark address family ${familyWord} - skipping`);
      return undefined;
    }
    return { kind: 'fwmark', fwmark: read.value, family: familyWord === undefined ? undefined : familyWord === 'inet' ? 4 : 6, location: line.location };
  }
  const portText = line.args[0];
  const port = portText === undefined ? 0 : readUnsigned(portText, 0, 65535);
  const range = expandRange(line.keyword);
  if (range === undefined || (typeof port !== 'number' && !port.ok)) {
    diagnostics.warn(line.location, `Invalid virtual server group IP address ${line.keyword} /port/${portText ?? ''} - skipping`);
    return undefined;
  }
  if (typeof range === 'string') {
    diagnostics.warn(line.location, `${range} - ${line.keyword} - skipping`);
    return undefined;
  }
  return { kind: 'address', family: range.family, addresses: range.addresses, port: typeof port === 'number' ? port : port.value, location: line.location };
}

/** The addresses a group line covers; a string says why the range is refused; undefined when it is not an address at all. */
export function expandRange(text: string): { family: AddressFamily; addresses: string[] } | string | undefined {
  const slash = /^([^/]+)\/(\d+)$/.exec(text);
  if (slash) {
    const family = familyOf(slash[1]!);
    const prefix = Number(slash[2]);
    if (family === undefined || prefix > (family === 4 ? 32 : 128)) return undefined;
    const bits = BigInt((family === 4 ? 32 : 128) - prefix);
    const first = (toNumber(slash[1]!, family) >> bits) << bits;
    return span(family, first, first + (1n << bits) - 1n);
  }
  const dash = text.indexOf('-');
  if (dash < 0) {
    const family = familyOf(text);
    return family === undefined ? undefined : { family, addresses: [text] };
  }
  const startText = text.slice(0, dash);
  const endText = text.slice(dash + 1);
  const family = familyOf(startText);
  if (family === undefined) return undefined;
  const start = toNumber(startText, family);
  let end: bigint;
  if (familyOf(endText) === family) {
    end = toNumber(endText, family);
  } else {
    // The short form replaces the last byte (IPv4) or the last 16-bit group (IPv6).
    const short = family === 4 ? /^\d{1,3}$/.test(endText) && Number(endText) <= 255 : /^[0-9a-fA-F]{1,4}$/.test(endText);
    if (!short) return 'End address of range exceeds limit for address family';
    const width = family === 4 ? 8n : 16n;
    end = ((start >> width) << width) | BigInt(family === 4 ? Number(endText) : Number.parseInt(endText, 16));
  }
  if (end <= start) return 'Address range end is not greater than address range start';
  return span(family, start, end);
}

function span(family: AddressFamily, first: bigint, last: bigint): { family: AddressFamily; addresses: string[] } | string {
  if (last - first + 1n > BigInt(MAX_RANGE_ADDRESSES)) return `Address range of more than ${MAX_RANGE_ADDRESSES} addresses`;
  const addresses: string[] = [];
  for (let value = first; value <= last; value++) addresses.push(fromNumber(value, family));
  return { family, addresses };
}

function toNumber(address: string, family: AddressFamily): bigint {
  if (family === 4) return address.split('.').reduce((sum, octet) => (sum << 8n) | BigInt(Number(octet)), 0n);
  const [head = '', tail] = address.split('::');
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return all.reduce((sum, group) => (sum << 16n) | BigInt(Number.parseInt(group, 16)), 0n);
}

function fromNumber(value: bigint, family: AddressFamily): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((shift) => Number((value >> shift) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups becomes ::.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

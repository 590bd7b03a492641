// rtnetlink payloads (header struct + attributes) for addresses and links:
// built from the public specs, decoded into the public info objects. Pure:
// byte buffers in and out, so the wire format is testable without a socket.

import { formatAddress, parseAddress, parseIPv4, type AddressFamily } from '@keepalived-ts/vrrp';
import {
  decodeAttributes,
  decodeStruct,
  encodeAttributes,
  encodeStruct,
  IFA,
  IFADDRMSG,
  IFINFOMSG,
  IFLA,
} from './attributes.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  IFA_F,
  IFF,
  IFNAMSIZ,
  MACVLAN_MODES,
  OWNER_PROTO,
  RTEXT_FILTER_SKIP_STATS,
  SCOPES,
  type MacvlanMode,
} from './constants.js';
import { NetlinkError } from './errors.js';
import { formatMac, parseMac } from './mac.js';
import type { AddressInfo, AddressSpec, LinkInfo, MacvlanSpec } from './types.js';

const familyCode = (family: AddressFamily): number => (family === 4 ? AF_INET : AF_INET6);

/** `add 10.0.0.100/24 on eth1`: the object of an address request, for messages. */
export const describeAddress = (verb: 'add' | 'delete', spec: Pick<AddressSpec, 'ifname' | 'address' | 'prefixLength'>): string =>
  `${verb} ${spec.address}/${spec.prefixLength} ${verb === 'add' ? 'on' : 'from'} ${spec.ifname}`;

/** Throws EINVAL unless `name` could be an interface name (1-15 bytes, no '/', ':' or white space). */
export function checkInterfaceName(name: string, operation: string, action: string): void {
  if (name.length === 0 || Buffer.byteLength(name) >= IFNAMSIZ || /[\s/:]/.test(name)) {
    throw new NetlinkError('EINVAL', operation, action, `${JSON.stringify(name)} is not an interface name (1-${IFNAMSIZ - 1} characters, no '/', ':' or spaces)`);
  }
}

interface CheckedAddress {
  readonly family: AddressFamily;
  readonly bytes: Buffer;
}

function checkAddress(spec: Pick<AddressSpec, 'address' | 'prefixLength'>, operation: string, action: string): CheckedAddress {
  const parsed = parseAddress(spec.address);
  if (!parsed) throw new NetlinkError('EINVAL', operation, action, `${JSON.stringify(spec.address)} is not an IP address`);
  const maxPrefix = parsed.family === 4 ? 32 : 128;
  if (!Number.isInteger(spec.prefixLength) || spec.prefixLength < 0 || spec.prefixLength > maxPrefix) {
    throw new NetlinkError('EINVAL', operation, action, `prefix length ${spec.prefixLength} is not in 0-${maxPrefix}`);
  }
  return parsed;
}

/** The prefix's host part set to all ones ('+') or all zeros ('-'), as `ip addr ... brd +|-`. */
function computedBroadcast(address: Buffer, prefixLength: number, allOnes: boolean): Buffer {
  const hostMask = prefixLength === 0 ? 0xffffffff : (2 ** (32 - prefixLength) - 1) >>> 0;
  const value = address.readUInt32BE(0);
  const out = Buffer.alloc(4);
  out.writeUInt32BE(allOnes ? (value | hostMask) >>> 0 : (value & ~hostMask) >>> 0, 0);
  return out;
}

/**
 * Checks `spec` at once (EINVAL for what the kernel would refuse or misread,
 * before any interface is looked up) and returns the RTM_NEWADDR payload
 * encoder for the interface's index.
 */
export function buildAddAddress(spec: AddressSpec): (ifindex: number) => Buffer[] {
  const operation = 'addAddress';
  const action = describeAddress('add', spec);
  const fail = (reason: string): never => {
    throw new NetlinkError('EINVAL', operation, action, reason);
  };
  const { family, bytes } = checkAddress(spec, operation, action);

  if (family === 6 && spec.label !== undefined) fail('labels are for IPv4 addresses only');
  if (spec.label !== undefined) {
    // The kernel accepts any label, but ifconfig-era tools (and keepalived's
    // documentation) take `eth1:1` to belong to eth1; iproute2 refuses others.
    if (!spec.label.startsWith(spec.ifname)) fail(`label ${JSON.stringify(spec.label)} must start with the interface name ${JSON.stringify(spec.ifname)}`);
    if (Buffer.byteLength(spec.label) >= IFNAMSIZ) fail(`label ${JSON.stringify(spec.label)} is longer than ${IFNAMSIZ - 1} characters`);
  }

  let broadcast: Buffer | undefined;
  if (spec.broadcast !== undefined) {
    if (family === 6) fail('broadcast addresses are for IPv4 only');
    broadcast =
      spec.broadcast === '+' || spec.broadcast === '-'
        ? computedBroadcast(bytes, spec.prefixLength, spec.broadcast === '+')
        : parseIPv4(spec.broadcast) ?? fail(`broadcast ${JSON.stringify(spec.broadcast)} is not an IPv4 address`);
  }

  const scope = typeof spec.scope === 'string' ? SCOPES[spec.scope] : spec.scope ?? SCOPES.global;
  if (scope === undefined || !Number.isInteger(scope) || scope < 0 || scope > 255) fail(`scope ${String(spec.scope)} is not a scope name or 0-255`);
  // IPv6 derives the scope from the address; the kernel ignores ifa_scope.
  if (family === 6 && scope !== SCOPES.global) fail('a scope can only be set on IPv4 addresses');

  const proto = spec.proto ?? OWNER_PROTO;
  if (!Number.isInteger(proto) || proto < 0 || proto > 255) fail(`proto ${proto} is not in 0-255`);

  const flags = family === 6 && (spec.noDad ?? true) ? IFA_F.NODAD : 0;
  return (ifindex) => [
    // NODAD fits in the u8 ifa_flags too, for kernels that predate IFA_FLAGS.
    encodeStruct(IFADDRMSG, { family: familyCode(family), prefixLength: spec.prefixLength, flags: flags & 0xff, scope, index: ifindex }),
    ...encodeAttributes(IFA, {
      address: bytes,
      local: bytes,
      label: spec.label,
      broadcast,
      flags: flags === 0 ? undefined : flags,
      // 0 is IFAPROT_UNSPEC: sending it would be a no-op, so leave it out.
      proto: proto === 0 ? undefined : proto,
    }),
  ];
}

/**
 * RTM_DELADDR payload. IFA_ADDRESS is sent with IFA_LOCAL so that, for IPv4,
 * the kernel matches the prefix length too and removes this address, not
 * the first one with the same local address (keepalived PR #155).
 */
export function buildDeleteAddress(spec: Pick<AddressSpec, 'ifname' | 'address' | 'prefixLength'>): (ifindex: number) => Buffer[] {
  const { family, bytes } = checkAddress(spec, 'deleteAddress', describeAddress('delete', spec));
  return (ifindex) => [
    encodeStruct(IFADDRMSG, { family: familyCode(family), prefixLength: spec.prefixLength, index: ifindex }),
    ...encodeAttributes(IFA, { address: bytes, local: bytes }),
  ];
}

/** RTM_GETADDR dump request; the family in the header restricts the dump. */
export function buildAddressDump(family?: AddressFamily): Buffer[] {
  return [encodeStruct(IFADDRMSG, { family: family === undefined ? AF_UNSPEC : familyCode(family) })];
}

/** An address as the kernel reports it, before its interface's name is known. */
export type DecodedAddress = Omit<AddressInfo, 'ifname'>;

/** The address with its interface's name, in AddressInfo's field order. */
export function withName(decoded: DecodedAddress, ifname: string): AddressInfo {
  const { ifindex, ...rest } = decoded;
  return { ifindex, ifname, ...rest };
}

/** Decodes an RTM_NEWADDR/RTM_DELADDR payload; undefined for families other than IPv4 and IPv6. */
export function decodeAddress(payload: Buffer): DecodedAddress | undefined {
  const header = decodeStruct(IFADDRMSG, payload);
  const family = header.family === AF_INET ? 4 : header.family === AF_INET6 ? 6 : undefined;
  if (family === undefined) return undefined;
  const attrs = decodeAttributes(IFA, payload.subarray(IFADDRMSG.size));
  const length = family === 4 ? 4 : 16;
  const local = attrs.local ?? attrs.address;
  if (!local || local.length !== length) return undefined;
  return {
    ifindex: header.index,
    family,
    address: formatAddress(local, family),
    prefixLength: header.prefixLength,
    ...(attrs.label !== undefined && { label: attrs.label }),
    ...(attrs.broadcast?.length === 4 && { broadcast: formatAddress(attrs.broadcast, 4) }),
    scope: header.scope,
    ...(attrs.proto !== undefined && { proto: attrs.proto }),
    flags: attrs.flags ?? header.flags,
  };
}

/** RTM_GETLINK for one link, by name (index 0) or by index; statistics left out. */
export function buildGetLink(link: { readonly name: string } | { readonly index: number }): Buffer[] {
  return 'name' in link
    ? [encodeStruct(IFINFOMSG, { family: AF_UNSPEC }), ...encodeAttributes(IFLA, { ifname: link.name, extMask: RTEXT_FILTER_SKIP_STATS })]
    : [encodeStruct(IFINFOMSG, { family: AF_UNSPEC, index: link.index }), ...encodeAttributes(IFLA, { extMask: RTEXT_FILTER_SKIP_STATS })];
}

export function buildLinkDump(): Buffer[] {
  return [encodeStruct(IFINFOMSG, { family: AF_UNSPEC }), ...encodeAttributes(IFLA, { extMask: RTEXT_FILTER_SKIP_STATS })];
}

export function buildSetLinkUp(index: number, up: boolean): Buffer[] {
  return [encodeStruct(IFINFOMSG, { family: AF_UNSPEC, index, flags: up ? IFF.UP : 0, change: IFF.UP })];
}

export function buildDeleteLink(index: number): Buffer[] {
  return [encodeStruct(IFINFOMSG, { family: AF_UNSPEC, index })];
}

/** Checks `spec` at once (EINVAL for a bad name, MAC or mode) and returns the RTM_NEWLINK encoder for the parent's index. */
export function buildCreateMacvlan(spec: MacvlanSpec): (parentIndex: number) => Buffer[] {
  const operation = 'createMacvlan';
  const action = `create macvlan ${spec.name} on ${spec.parent}`;
  checkInterfaceName(spec.name, operation, action);
  const mac = parseMac(spec.mac);
  if (!mac) throw new NetlinkError('EINVAL', operation, action, `${JSON.stringify(spec.mac)} is not a MAC address`);
  if ((mac[0]! & 1) === 1) throw new NetlinkError('EINVAL', operation, action, `${spec.mac} is a multicast MAC address`);
  const mode = MACVLAN_MODES[spec.mode ?? 'private'];
  if (mode === undefined) throw new NetlinkError('EINVAL', operation, action, `${String(spec.mode)} is not a macvlan mode`);
  return (parentIndex) => [
    encodeStruct(IFINFOMSG, { family: AF_UNSPEC }),
    ...encodeAttributes(IFLA, { address: mac, ifname: spec.name, link: parentIndex, linkinfo: { kind: 'macvlan', data: { mode } } }),
  ];
}

const macvlanModeNames = new Map<number, MacvlanMode>(
  (Object.entries(MACVLAN_MODES) as [MacvlanMode, number][]).map(([name, value]) => [value, name]),
);

/**
 * Decodes an RTM_NEWLINK/RTM_DELLINK payload. `family` is AF_UNSPEC for the
 * link itself; bridges also send AF_BRIDGE messages about their ports.
 */
export function decodeLink(payload: Buffer): { readonly family: number; readonly link: LinkInfo } {
  const header = decodeStruct(IFINFOMSG, payload);
  const attrs = decodeAttributes(IFLA, payload.subarray(IFINFOMSG.size));
  const kind = attrs.linkinfo?.kind;
  const macvlanMode = kind === 'macvlan' && attrs.linkinfo?.data?.mode !== undefined ? macvlanModeNames.get(attrs.linkinfo.data.mode) : undefined;
  // IFLA_LINK of a veth is its peer, and with IFLA_LINK_NETNSID an index in
  // another namespace: neither is a parent in this namespace.
  const parentIndex =
    attrs.link !== undefined && attrs.link !== 0 && attrs.link !== header.index && kind !== 'veth' && attrs.linkNetnsid === undefined
      ? attrs.link
      : undefined;
  const link: LinkInfo = {
    index: header.index,
    name: attrs.ifname ?? '',
    mac: attrs.address ? formatMac(attrs.address) : '',
    up: (header.flags & IFF.UP) !== 0,
    running: (header.flags & IFF.RUNNING) !== 0,
    mtu: attrs.mtu ?? 0,
    ...(kind !== undefined && { kind }),
    ...(parentIndex !== undefined && { parentIndex }),
    ...(macvlanMode !== undefined && { macvlanMode }),
  };
  return { family: header.family, link };
}

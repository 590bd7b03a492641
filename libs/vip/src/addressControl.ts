// What vipctl does to the kernel's addresses, with the checks that make it
// safe to type by hand: the interface must exist, an address bound elsewhere
// is not added twice, and an address without our mark (IFA_PROTO =
// OWNER_PROTO) is never removed unless the caller says it is ours anyway.
// Every operation is idempotent and says what it found.

import { release } from 'node:os';
import { IFA_F, KEEPALIVED_PROTO, NetlinkError, OWNER_PROTO, SCOPES, type AddressInfo, type AddressSpec, type Rtnetlink } from '@keepalived-ts/netlink';
import { VipError } from './errors.js';
import { cidrText, prefixForAdd, type VipAddress } from './vipAddress.js';

/** Whether the kernel keeps IFA_PROTO on addresses (Linux 5.18, commit 47f0bd503210); older ones drop the mark silently. */
export function kernelKeepsMarks(kernelRelease: string = release()): boolean {
  const match = /^(\d+)\.(\d+)/.exec(kernelRelease);
  if (!match) return true;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 5 || (major === 5 && minor >= 18);
}

export const carriesOurMark = (address: AddressInfo): boolean => address.proto === OWNER_PROTO;

/**
 * Who marked an address: `ours` (vipctl, vrrpd), `keepalived` (2.3.2 and
 * later), `kernel` (IFAPROT_KERNEL_LO/RA/LL, 1-3), `none` (added by hand, or a
 * kernel that keeps no marks), or the raw number.
 */
export type AddressOwner = 'ours' | 'keepalived' | 'kernel' | 'none' | number;

export function ownerOf(address: AddressInfo): AddressOwner {
  const proto = address.proto;
  if (proto === undefined || proto === 0) return 'none';
  if (proto === OWNER_PROTO) return 'ours';
  if (proto === KEEPALIVED_PROTO) return 'keepalived';
  if (proto <= 3) return 'kernel';
  return proto;
}

/** `scope` as ip(8) and keepalived.conf write it: a name (nowhere too) or 0-255. */
export function parseScope(text: string): number | undefined {
  if (text === 'nowhere') return 255;
  if (Object.hasOwn(SCOPES, text)) return SCOPES[text as keyof typeof SCOPES];
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 255 ? value : undefined;
}

/** Throws VipError no-such-device for a missing interface, or a name that cannot be one. */
export async function requireLink(rtnl: Rtnetlink, dev: string): Promise<void> {
  let found;
  try {
    found = await rtnl.getLink(dev);
  } catch (error) {
    // The library checks the name before asking the kernel; no interface can have such a name.
    if (error instanceof NetlinkError && error.errno === 'EINVAL') throw new VipError(`${JSON.stringify(dev)}: no such device (not an interface name)`, 'no-such-device', { cause: error });
    throw error;
  }
  if (!found) throw new VipError(`${dev}: no such device`, 'no-such-device');
}

export interface AddRequest {
  readonly vip: VipAddress;
  readonly dev: string;
  readonly label?: string;
  /** An IPv4 address, or `+` / `-` as ip(8) takes them. */
  readonly broadcast?: string;
  /** A scope name or number (see parseScope). */
  readonly scope?: string;
  /** Add even when the address is already on another interface. */
  readonly force?: boolean;
}

export interface AddOutcome {
  readonly result: 'added' | 'present';
  /** ADDR/PREFIX. */
  readonly address: string;
  readonly dev: string;
  /** Whether the address on the interface now carries our mark (false for one that was there unmarked). */
  readonly owned: boolean;
}

function where(addresses: readonly AddressInfo[]): string {
  return addresses.map((a) => `${cidrText(a.address, a.prefixLength)} on ${a.ifname || `interface ${a.ifindex}`}`).join(', ');
}

export async function addVip(rtnl: Rtnetlink, request: AddRequest): Promise<AddOutcome> {
  const { vip, dev } = request;
  const prefixLength = prefixForAdd(vip);
  const address = cidrText(vip.address, prefixLength);
  let scope: number | undefined;
  if (request.scope !== undefined) {
    scope = parseScope(request.scope);
    if (scope === undefined) throw new VipError(`scope ${JSON.stringify(request.scope)}: not host, link, site, global, nowhere or 0-255`, 'invalid-address');
  }
  await requireLink(rtnl, dev);
  const bound = await rtnl.findAddress(vip.address);
  const here = bound.find((a) => a.ifname === dev && a.prefixLength === prefixLength);
  if (here) return { result: 'present', address, dev, owned: carriesOurMark(here) };
  // The kernel would take the same address on two interfaces; ARP replies for it would then come from both.
  if (bound.length > 0 && request.force !== true) {
    throw new VipError(`${vip.address} is already bound: ${where(bound)} (--force adds it anyway)`, 'bound-elsewhere');
  }
  const spec: AddressSpec = {
    ifname: dev,
    address: vip.address,
    prefixLength,
    ...(request.label !== undefined && { label: request.label }),
    ...(request.broadcast !== undefined && { broadcast: request.broadcast }),
    ...(scope !== undefined && { scope }),
    proto: OWNER_PROTO,
  };
  if ((await rtnl.addAddress(spec)) === 'added') return { result: 'added', address, dev, owned: true };
  // EEXIST: added meanwhile, or (IPv6) the interface has it with another prefix length.
  const now = (await rtnl.listAddresses({ ifname: dev, family: vip.family })).filter((a) => a.address === vip.address);
  const same = now.find((a) => a.prefixLength === prefixLength);
  if (same) return { result: 'present', address, dev, owned: carriesOurMark(same) };
  throw new VipError(`${vip.address} is already bound: ${where(now)}`, 'bound-elsewhere');
}

export interface DeleteRequest {
  /** Without a prefix length, every prefix length of that address on `dev`. */
  readonly vip: VipAddress;
  readonly dev: string;
  /** Which addresses may be removed; default: those carrying our mark. */
  readonly isOurs?: (address: AddressInfo) => boolean;
}

export interface DeleteOutcome {
  /** `not-ours`: there, but refused by isOurs and left in place. */
  readonly result: 'deleted' | 'absent' | 'not-ours';
  /** ADDR/PREFIX, or ADDR when absent and asked without a prefix length. */
  readonly address: string;
  readonly dev: string;
  /** The address as found, for deleted and not-ours. */
  readonly found?: AddressInfo;
}

export async function deleteVip(rtnl: Rtnetlink, request: DeleteRequest): Promise<DeleteOutcome[]> {
  const { vip, dev } = request;
  const isOurs = request.isOurs ?? carriesOurMark;
  await requireLink(rtnl, dev);
  const present = (await rtnl.listAddresses({ ifname: dev, family: vip.family })).filter(
    (a) => a.address === vip.address && (vip.prefixLength === undefined || a.prefixLength === vip.prefixLength),
  );
  if (present.length === 0) {
    return [{ result: 'absent', address: vip.prefixLength === undefined ? vip.address : cidrText(vip.address, vip.prefixLength), dev }];
  }
  const outcomes: DeleteOutcome[] = [];
  for (const found of present) {
    const address = cidrText(found.address, found.prefixLength);
    if (!isOurs(found)) {
      outcomes.push({ result: 'not-ours', address, dev, found });
      continue;
    }
    const result = await rtnl.deleteAddress({ ifname: dev, address: found.address, prefixLength: found.prefixLength });
    outcomes.push({ result, address, dev, found });
  }
  return outcomes;
}

/** Why an address was refused, for the one-line error of `vipctl del`. */
export function notOursMessage(outcome: DeleteOutcome, kernelRelease: string = release()): string {
  const owner = outcome.found ? ownerOf(outcome.found) : 'none';
  const by = owner === 'none' ? 'it carries no mark (added by hand, by DHCP or another program)' : `its mark is ${typeof owner === 'number' ? `protocol ${owner}` : owner}`;
  const base = `${outcome.address} on ${outcome.dev} is not ours: ${by}; --force removes it anyway`;
  return kernelKeepsMarks(kernelRelease)
    ? base
    : `${base} (this kernel, ${kernelRelease}, keeps no address marks: IFA_PROTO needs Linux 5.18, so no address can be told to be ours)`;
}

/** The addresses of `dev` (or all), grouped by interface as `ip addr` shows them (the kernel dumps IPv4 first, then IPv6). */
export async function listVips(rtnl: Rtnetlink, dev?: string): Promise<AddressInfo[]> {
  if (dev !== undefined) await requireLink(rtnl, dev);
  const addresses = await rtnl.listAddresses(dev === undefined ? {} : { ifname: dev });
  // Array.prototype.sort is stable: within an interface the kernel's order stays.
  return addresses.sort((a, b) => a.ifindex - b.ifindex);
}

/**
 * Where `vip` is bound and usable: on `dev` when given, else on any interface;
 * with the prefix length when given. An IPv6 address whose duplicate address
 * detection failed is not usable, so it does not count.
 */
export async function checkVip(rtnl: Rtnetlink, vip: VipAddress, dev?: string): Promise<AddressInfo[]> {
  if (dev !== undefined) await requireLink(rtnl, dev);
  return (await rtnl.findAddress(vip.address)).filter(
    (a) => (dev === undefined || a.ifname === dev) && (vip.prefixLength === undefined || a.prefixLength === vip.prefixLength) && (a.flags & IFA_F.DADFAILED) === 0,
  );
}

/**
 * Removes every address carrying our mark (of `dev`, or everywhere). On a
 * kernel that keeps no marks none can be told to be ours: that is refused
 * (not-ours) rather than reported as nothing to do.
 */
export async function flushOwned(rtnl: Rtnetlink, dev?: string, kernelRelease: string = release()): Promise<DeleteOutcome[]> {
  if (!kernelKeepsMarks(kernelRelease)) {
    throw new VipError(`this kernel (${kernelRelease}) keeps no address marks (IFA_PROTO needs Linux 5.18): no address can be told to be ours; nothing removed`, 'not-ours');
  }
  const owned = (await listVips(rtnl, dev)).filter(carriesOurMark);
  const outcomes: DeleteOutcome[] = [];
  for (const found of owned) {
    const result = await rtnl.deleteAddress({ ifname: found.ifname, address: found.address, prefixLength: found.prefixLength });
    outcomes.push({ result, address: cidrText(found.address, found.prefixLength), dev: found.ifname, found });
  }
  return outcomes;
}

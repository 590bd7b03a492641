// The failures an operator meets with vipctl and garp, each with its own exit
// status so that a script can tell them apart (vipctl(8), garp(8) list them).
// Whatever the kernel, libpcap or our own checks said is mapped here once.

import { NetlinkError } from '@keepalived-ts/netlink';
// Loads nothing native: the announcer loads pcap when one is opened.
import { LinkError } from '@keepalived-ts/wire/announceSender';

/** Exit statuses shared by vipctl and garp. */
export const VipExit = {
  ok: 0,
  /** vipctl check: the address is not bound; any other failure. */
  failure: 1,
  usage: 2,
  noSuchDevice: 3,
  /** Not root, or no CAP_NET_ADMIN (addresses) / CAP_NET_RAW (announcements). */
  notPermitted: 4,
  /** An address, prefix length, label, broadcast, scope or MAC that does not parse or that the kernel refused. */
  invalidAddress: 5,
  /** The address is already on another interface (or on this one with another prefix length). */
  boundElsewhere: 6,
  /** The address does not carry our mark: refused without --force. */
  notOurs: 7,
  /** vipctl apply: the event stream ended. */
  streamEnded: 8,
} as const;

export type VipErrorKind = 'failure' | 'no-such-device' | 'not-permitted' | 'invalid-address' | 'bound-elsewhere' | 'not-ours';

const EXIT_OF_KIND: Readonly<Record<VipErrorKind, number>> = {
  failure: VipExit.failure,
  'no-such-device': VipExit.noSuchDevice,
  'not-permitted': VipExit.notPermitted,
  'invalid-address': VipExit.invalidAddress,
  'bound-elsewhere': VipExit.boundElsewhere,
  'not-ours': VipExit.notOurs,
};

export class VipError extends Error {
  override readonly name = 'VipError';
  constructor(
    message: string,
    readonly kind: VipErrorKind,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
  }

  get exitStatus(): number {
    return EXIT_OF_KIND[this.kind];
  }
}

/** `error` as a VipError when it is one people meet (the kernel's or libpcap's); undefined for anything else, which is a bug. */
export function toVipError(error: unknown): VipError | undefined {
  if (error instanceof VipError) return error;
  if (error instanceof NetlinkError) {
    switch (error.errno) {
      case 'ENODEV':
        return new VipError(error.message, 'no-such-device', { cause: error });
      case 'EPERM':
        return new VipError(`${error.message}: needs root or CAP_NET_ADMIN`, 'not-permitted', { cause: error });
      case 'EACCES':
        // Not a privilege: rtnetlink says EPERM for that. Linux refuses an IPv6 address this way where IPv6 is disabled.
        return new VipError(`${error.message}: is IPv6 disabled on that interface (net.ipv6.conf.IF.disable_ipv6)?`, 'failure', { cause: error });
      case 'EINVAL':
        return new VipError(error.message, 'invalid-address', { cause: error });
      default:
        return new VipError(error.message, 'failure', { cause: error });
    }
  }
  if (error instanceof LinkError) {
    const kind = error.kind;
    if (kind === 'no-such-device') return new VipError(error.message, 'no-such-device', { cause: error });
    if (kind === 'permission') return new VipError(error.message, 'not-permitted', { cause: error });
    return new VipError(error.message, 'failure', { cause: error });
  }
  return undefined;
}

import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';

/**
 * A request the kernel refused (or this library refused before asking it).
 * `errno` is the errno name ('ENODEV', 'EPERM', 'EEXIST', 'EADDRNOTAVAIL',
 * 'EINVAL', ...), `operation` the method that failed ('addAddress'), and the
 * message names the operation and its object the way an operator reads it:
 * `add 10.0.0.100/24 on eth9: no such device (ENODEV)`.
 */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  constructor(
    readonly errno: string,
    readonly operation: string,
    /** What was being done, e.g. `add 10.0.0.100/24 on eth9`. */
    readonly action: string,
    /** Why, when the errno's own text would not say it (our own validation). */
    readonly reason?: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`${action}: ${reason ?? describeErrno(errno)} (${errno})`, options);
  }
}

const errnoNames = new Map<number, string>(Object.entries(constants.errno).map(([name, value]) => [value, name]));

/** libuv's lower-case strerror text ('no such device'), or the name itself. */
export function describeErrno(errno: string): string {
  const value = (constants.errno as Record<string, number | undefined>)[errno];
  if (value !== undefined) {
    const entry = getSystemErrorMap().get(-value);
    if (entry) return entry[1];
  }
  return errno;
}

export function errnoName(value: number): string {
  return errnoNames.get(Math.abs(value)) ?? `errno ${Math.abs(value)}`;
}

/**
 * The errno name of whatever the netlink package threw: its NLMSG_ERROR
 * rejections carry the name only in the text ("Request rejected: ENODEV", or
 * the bare number when Node does not know it), socket errors carry it in
 * `.code`, and its request timeout is a plain Error.
 */
export function errnoOf(error: unknown): string {
  if (error instanceof NetlinkError) return error.errno;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
    const rejected = /Request rejected: (E[A-Z0-9]+|-?\d+)/.exec(error.message);
    if (rejected?.[1]) return /^-?\d+$/.test(rejected[1]) ? errnoName(Number(rejected[1])) : rejected[1];
    if (/Timeout has been reached/.test(error.message)) return 'ETIMEDOUT';
  }
  return 'EIO';
}

/** `error` as a NetlinkError of `operation`; one raised deeper down (a closed socket) is re-labelled. */
export function toNetlinkError(error: unknown, operation: string, action: string): NetlinkError {
  if (error instanceof NetlinkError) {
    return error.operation === operation ? error : new NetlinkError(error.errno, operation, action, error.reason, { cause: error });
  }
  const errno = errnoOf(error);
  const reason = errno === 'EIO' && error instanceof Error ? error.message : undefined;
  return new NetlinkError(errno, operation, action, reason, { cause: error });
}

// The native boundary: the only file that touches the `netlink` package. It
// uses the package for the socket and the framing (sequence numbers, ACKs,
// multipart dumps) and hands raw payloads up; payloads are built and read by
// attributes.ts/messages.ts, because the package's rtnetlink parser drops
// attributes it does not know (IFA_PROTO among them).

import { createRequire } from 'node:module';
import type * as NetlinkPackage from 'netlink';
import { NetlinkError } from './errors.js';

type Netlink = typeof NetlinkPackage;
type NetlinkSocket = NetlinkPackage.NetlinkSocket;
/**
 * The package's typings declare recvBufferSize and sendBufferSize required,
 * though its code treats every option as optional.
 */
type SocketOptions = Parameters<Netlink['createNetlink']>[1];

/** NETLINK_ROUTE (linux/netlink.h). */
const NETLINK_ROUTE = 0;

/** Every request is bounded; the kernel answers rtnetlink requests in microseconds. */
export const REQUEST_TIMEOUT_MS = 5_000;

/** Room for bursts of notifications (a link going down takes its addresses and routes with it). */
const EVENT_RECV_BUFFER_BYTES = 1 << 20;

let loaded: Netlink | undefined;

/**
 * Loads the native module on first use, so that importing this library (for
 * its types, or a tool's --help) costs nothing.
 */
export function loadNetlink(): Netlink {
  loaded ??= createRequire(import.meta.url)('netlink') as Netlink;
  return loaded;
}

export interface RawMessage {
  readonly type: number;
  readonly payload: Buffer;
}

/**
 * A socket for requests, one at a time: the kernel refuses a second dump on a
 * socket while one is running (EBUSY), and keeping requests apart from
 * notifications (see EventChannel) means every reply is the answer to the
 * request it follows. It holds the event loop only while a request is pending.
 */
export class CommandChannel {
  private socket: NetlinkSocket | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles the request in flight early: on close() or on its timeout. */
  private abortCurrent: ((error: Error) => void) | undefined;
  private closed = false;

  constructor(private readonly netlink: Netlink) {}

  /**
   * Sends `payload` as a message of `type` (REQUEST|ACK and `flags`) and
   * resolves with the reply's messages: none for a plain ACK, every part of a
   * dump. Rejects with the package's error for an NLMSG_ERROR reply.
   */
  request(type: number, payload: readonly Buffer[], flags = 0): Promise<RawMessage[]> {
    const run = (): Promise<RawMessage[]> => {
      if (this.closed) return Promise.reject(new NetlinkError('EBADF', 'request', 'rtnetlink request', 'rtnetlink is closed'));
      const socket = this.openSocket();
      return new Promise<RawMessage[]>((resolve, reject) => {
        // The package's own timeout is a referenced timer that would keep the
        // process alive after close(), and it never settles a request whose
        // socket was closed: so the timeout and the abort are done here.
        const timer = setTimeout(() => {
          // A late reply must not be taken for the next request's: start afresh.
          this.dropSocket();
          finish(Object.assign(new Error(`no reply from the kernel within ${REQUEST_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' }));
        }, REQUEST_TIMEOUT_MS);
        timer.unref();
        const finish = (error: Error | undefined, messages?: RawMessage[]): void => {
          if (this.abortCurrent !== abort) return;
          this.abortCurrent = undefined;
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(messages ?? []);
        };
        const abort = (error: Error): void => finish(error);
        this.abortCurrent = abort;
        socket.request(type, [...payload], { flags }).then(
          ([messages]) => finish(undefined, messages.map((message) => ({ type: message.type, payload: message.data }))),
          (error: unknown) => finish(error instanceof Error ? error : new Error(String(error))),
        );
      });
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dropSocket();
    this.abortCurrent?.(new NetlinkError('EBADF', 'request', 'rtnetlink request', 'rtnetlink was closed meanwhile'));
  }

  private openSocket(): NetlinkSocket {
    if (!this.socket) {
      const socket = this.netlink.createNetlink(NETLINK_ROUTE, { ref: false } as SocketOptions);
      // A send error with no callback would be emitted as 'error' and, unheard, crash the process.
      socket.on('error', () => undefined);
      this.socket = socket;
    }
    return this.socket;
  }

  private dropSocket(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}

/**
 * A socket subscribed to multicast groups, used for nothing else: a reply to
 * our own request would otherwise be taken for a notification, and a
 * notification caused by our request (it carries our sequence number) for
 * the reply. Referenced, so that the process lives while someone listens.
 */
export class EventChannel {
  private readonly socket: NetlinkSocket;
  private closed = false;

  constructor(
    netlink: Netlink,
    groups: readonly number[],
    onMessage: (message: RawMessage) => void,
    onError: (error: Error) => void,
  ) {
    this.socket = netlink.createNetlink(NETLINK_ROUTE, { ref: true, recvBufferSize: EVENT_RECV_BUFFER_BYTES } as SocketOptions);
    this.socket.on('message', (messages) => {
      for (const message of messages) onMessage({ type: message.type, payload: message.data });
    });
    this.socket.on('error', onError);
    for (const group of groups) this.socket.addMembership(group);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

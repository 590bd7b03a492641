// The ICMP sockets PING_CHECK sends through. keepalived uses unprivileged
// ICMP datagram sockets (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), allowed
// by net.ipv4.ping_group_range); Node has no way to open one, so this uses
// raw ICMP sockets from the `raw-socket` package, which need root or
// CAP_NET_RAW. A raw ICMP socket receives every ICMP message of the host,
// so all checks of one process share one socket per family (thousands of
// checks, two sockets), and replies are told apart by identifier (one per
// process) and sequence number (one per echo in flight).
//
// keepalived's PING_CHECK neither binds its socket nor honours bindto, and
// raw-socket cannot bind: the kernel picks the source address.
//
// raw-socket is native: it is loaded on the first ping only.

import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import { encodeEchoRequest, parseIcmpMessage } from './pingPacket.js';

export type EchoOutcome =
  | { readonly kind: 'reply'; readonly from: string }
  | { readonly kind: 'unreachable'; readonly detail: string }
  | { readonly kind: 'error'; readonly detail: string };

export interface EchoSocketLease {
  /** Sends one echo request; `onOutcome` is called at most once, never after `cancel()`. */
  echo(target: string, onOutcome: (outcome: EchoOutcome) => void): { cancel(): void };
  /** Gives the lease back; the last one closes the socket, so a one-shot process can exit. */
  release(): void;
}

/** The socket could not be opened (most often: no CAP_NET_RAW). */
export class PingSocketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PingSocketError';
  }
}

interface RawSocket {
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'close', listener: () => void): void;
  send(buffer: Buffer, offset: number, length: number, address: string, callback: (error: Error | null, bytes: number) => void): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  readonly AddressFamily: { readonly IPv4: number; readonly IPv6: number };
  readonly Protocol: { readonly ICMP: number; readonly ICMPv6: number };
}

let rawSocketModule: RawSocketModule | undefined;
const loadRawSocket = (): RawSocketModule => (rawSocketModule ??= createRequire(import.meta.url)('raw-socket') as RawSocketModule);

// raw-socket reports errno only as strerror text.
const UNREACHABLE_SEND_ERRORS = /No route to host|Network is unreachable|Network is down|Host is down/;

class EchoSocket {
  private readonly pending = new Map<number, (outcome: EchoOutcome) => void>();
  private readonly identifier = randomInt(1, 0x10000);
  private nextSequence = randomInt(0, 0x10000);
  users = 0;
  closed = false;

  constructor(
    private readonly family: 4 | 6,
    private readonly raw: RawSocket,
    private readonly onClose: () => void,
  ) {
    raw.on('message', (buffer, source) => this.receive(buffer, source));
    raw.on('error', (error) => this.shutDown(`ICMP socket failed: ${error.message}`));
    raw.on('close', () => this.shutDown('ICMP socket closed'));
  }

  echo(target: string, onOutcome: (outcome: EchoOutcome) => void): { cancel(): void } {
    const sequence = this.allocateSequence();
    if (sequence === undefined) {
      onOutcome({ kind: 'error', detail: 'too many echo requests in flight' });
      return { cancel: () => undefined };
    }
    this.pending.set(sequence, onOutcome);
    const request = Buffer.from(encodeEchoRequest({ family: this.family, identifier: this.identifier, sequence }));
    this.raw.send(request, 0, request.length, target, (error) => {
      if (!error) return;
      const settle = this.pending.get(sequence);
      if (!settle) return;
      this.pending.delete(sequence);
      if (UNREACHABLE_SEND_ERRORS.test(error.message)) settle({ kind: 'unreachable', detail: error.message.toLowerCase() });
      else settle({ kind: 'error', detail: `cannot send: ${error.message}${/Invalid argument/.test(error.message) ? ' (a blackhole route?)' : ''}` });
    });
    return { cancel: () => void this.pending.delete(sequence) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.raw.close();
  }

  private allocateSequence(): number | undefined {
    for (let tries = 0; tries < 0x10000; tries++) {
      const sequence = this.nextSequence;
      this.nextSequence = (this.nextSequence + 1) & 0xffff;
      if (!this.pending.has(sequence)) return sequence;
    }
    return undefined;
  }

  private receive(buffer: Buffer, source: string): void {
    const event = parseIcmpMessage(this.family, buffer);
    if (event.kind !== 'echo-reply' && event.kind !== 'error') return;
    if (event.identifier !== this.identifier) return;
    const settle = this.pending.get(event.sequence);
    if (!settle) return;
    this.pending.delete(event.sequence);
    if (event.kind === 'echo-reply') {
      settle({ kind: 'reply', from: source });
      return;
    }
    const detail = `${event.detail} (ICMP from ${source})`;
    settle(event.unreachable ? { kind: 'unreachable', detail } : { kind: 'error', detail });
  }

  private shutDown(detail: string): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    this.closed = true;
    this.onClose();
    for (const settle of waiting) settle({ kind: 'error', detail });
  }
}

const shared = new Map<4 | 6, EchoSocket>();

/** A share of this process's ICMP socket for `family`, opened on first use. Throws PingSocketError. */
export function leaseEchoSocket(family: 4 | 6): EchoSocketLease {
  let socket = shared.get(family);
  if (!socket || socket.closed) {
    const raw = loadRawSocket();
    let rawSocket: RawSocket;
    try {
      rawSocket = raw.createSocket({
        protocol: family === 4 ? raw.Protocol.ICMP : raw.Protocol.ICMPv6,
        addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = /not permitted/i.test(message) ? ' (raw ICMP sockets need root or CAP_NET_RAW)' : '';
      throw new PingSocketError(`cannot open an ICMP${family === 6 ? 'v6' : ''} socket: ${message}${hint}`);
    }
    const created: EchoSocket = new EchoSocket(family, rawSocket, () => {
      if (shared.get(family) === created) shared.delete(family);
    });
    socket = created;
    shared.set(family, socket);
  }
  const leased = socket;
  leased.users += 1;
  let released = false;
  return {
    echo: (target, onOutcome) => leased.echo(target, onOutcome),
    release: () => {
      if (released) return;
      released = true;
      leased.users -= 1;
      if (leased.users === 0) {
        if (shared.get(family) === leased) shared.delete(family);
        leased.close();
      }
    },
  };
}

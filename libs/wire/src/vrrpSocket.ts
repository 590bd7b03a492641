// The VRRP socket: sends our adverts and hands over received ones, on one
// interface, one family, one multicast group or set of unicast peers.
//
// IPv4: one raw socket (protocol 112) both ways. IP_HDRINCL: we write the IP
// header as keepalived does (TOS 0xc0, TTL 255, no DF, its id counter), and
// what the socket reads starts with the IP header, so the TTL is known.
//
// IPv6: a raw socket sends (the kernel writes the IP header: hop limits and
// traffic class are socket options); the checksum is ours, over the RFC 8200
// pseudo-header with our link-local source. raw-socket reads with recvfrom(),
// which cannot return the hop limit (that needs recvmsg() and IPV6_HOPLIMIT
// ancillary data), so IPv6 adverts are received through a pcap capture of the
// interface (`ip6 proto 112`), which sees the whole IPv6 header.
//
// Neither path drops an advert for its TTL/hop limit (RFC 5798 section
// 7.1): `ttl` is reported, and decodeAdvert judges it.
//
// A separate entry point (`@keepalived-ts/wire/vrrpSocket`): raw-socket and
// pcap are native modules, loaded on the first open.

import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import {
  encodeAdvert,
  formatAddress,
  IPPROTO_VRRP,
  parseAddress,
  VRRP_MULTICAST_IPV4,
  VRRP_MULTICAST_IPV6,
  VRRP_TTL,
  type AdvertInput,
} from '@keepalived-ts/vrrp';
import { interfaceMac, openLinkSession, readInterfaceAttribute, type LinkFrameRecord, type LinkSession } from './announceSender.js';
import { decodeIPv4, decodeIPv6, type IpHeader } from './ipHeader.js';
import { decodeLinkFrame, EtherType, parseMac } from './linkLayer.js';
import {
  encodeInterfaceName,
  encodeIntOption,
  encodeIpMreqn,
  encodeIpv6Mreq,
  IpOption,
  Ipv6Option,
  IPPROTO_IP,
  IPPROTO_IPV6,
  SocketOption,
  SOL_SOCKET,
} from './rawSocketOptions.js';
import { encodeVrrpIpPacket } from './vrrpPacket.js';

export interface VrrpSocketOptions {
  readonly family: 4 | 6;
  readonly ifname: string;
  /** The IPv4 primary address, or the IPv6 link-local address, adverts are sent from. */
  readonly sourceAddress: string;
  /** Default 224.0.0.18 / ff02::12. Ignored with unicastPeers. */
  readonly multicastGroup?: string;
  /** When set: send each advert to each peer, and accept adverts only from them. */
  readonly unicastPeers?: readonly string[];
  /**
   * The MAC our own frames carry, to recognise them in the IPv6 capture;
   * default the interface's (/sys/class/net/IF/address).
   */
  readonly sourceMac?: string;
  /**
   * Called when sending fails, when the kernel sends from another address
   * than sourceAddress (IPv6), or when the receive socket fails (it is then
   * closed: reopen). Errors are counted in counters.errors either way.
   */
  readonly onError?: (error: VrrpSocketError) => void;
}

export interface ReceivedVrrpPacket {
  readonly source: string;
  readonly destination: string;
  /** The IPv4 TTL or IPv6 hop limit: always known. RFC 5798 wants 255; the caller decides. */
  readonly ttl: number;
  /** The VRRP message, copied (the IP payload as the IP header bounds it). */
  readonly message: Buffer;
  readonly ipHeader: IpHeader;
}

export interface VrrpSocketCounters {
  /** Adverts handed to the kernel (one per peer with unicastPeers). */
  sent: number;
  /** Packets given to onPacket. */
  received: number;
  /** Packets not given to onPacket, by reason: own, not-a-peer, not-for-us, malformed, truncated. */
  dropped: Record<string, number>;
  /** Failures, by errno of a failed send (ENETDOWN, ...), or `source-mismatch`, or `receive`. */
  errors: Record<string, number>;
}

export interface VrrpSocket {
  readonly family: 4 | 6;
  readonly ifname: string;
  readonly sourceAddress: string;
  /**
   * Builds the advert's packet and sends it now (to the group, or to each
   * unicast peer): when send() returns, the kernel has it, so close() may
   * follow at once. IPv4 ids count from 1 per socket, as keepalived's do.
   * Failures are counted and reported to onError, not thrown; only sending
   * on a closed socket throws.
   */
  send(advert: AdvertInput): void;
  readonly counters: VrrpSocketCounters;
  /** Closes the sockets; the process can then exit on its own (see announceSender's WAKE_ETHERTYPE). */
  close(): void;
}

export class VrrpSocketError extends Error {
  constructor(message: string, readonly kind: 'open' | 'send' | 'source-mismatch' | 'receive', readonly errno?: string) {
    super(message);
    this.name = 'VrrpSocketError';
  }
}

interface RawSocketWrap {
  send(buffer: Buffer, offset: number, length: number, address: string, callback: (bytes: number) => void): void;
  recv(buffer: Buffer, callback: (buffer: Buffer, bytes: number, source: string) => void): void;
  on(event: 'recvReady', listener: () => void): void;
  removeAllListeners(event: 'recvReady'): void;
}
interface RawSocket {
  readonly wrap: RawSocketWrap;
  readonly buffer: Buffer;
  emit(event: 'message', buffer: Buffer, source: string): boolean;
  emit(event: 'error', error: Error): boolean;
  on(event: 'message', listener: (buffer: Buffer, source: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  setOption(level: number, option: number, value: Buffer, length: number): void;
  pauseRecv(): void;
  close(): void;
}
interface RawSocketModule {
  createSocket(options: { protocol: number; addressFamily: number; bufferSize?: number }): RawSocket;
  readonly AddressFamily: { readonly IPv4: number; readonly IPv6: number };
}

const RECEIVE_BUFFER_BYTES = 4 << 20;

/** At most this many datagrams per readiness event, so one busy socket cannot starve the loop. */
const MAX_READS_PER_EVENT = 1024;

/**
 * raw-socket reads one datagram per readiness event, so after a stall (a busy
 * machine, a paused process) adverts queued in the socket are read one loop
 * turn at a time while expired master-down timers fire first: a backup would
 * take over from a master whose adverts are waiting to be read. Reading until
 * the socket is empty (EAGAIN: it is non-blocking) puts every queued advert
 * before the next timer.
 */
function drainOnReadiness(socket: RawSocket): void {
  socket.wrap.removeAllListeners('recvReady');
  socket.wrap.on('recvReady', () => {
    for (let reads = 0; reads < MAX_READS_PER_EVENT; reads++) {
      let got = false;
      try {
        socket.wrap.recv(socket.buffer, (buffer, bytes, source) => {
          got = true;
          socket.emit('message', buffer.subarray(0, bytes), source);
        });
      } catch (error) {
        // EAGAIN ends the drain; anything else is the socket's error, as raw-socket would report it.
        if (!/temporarily unavailable|EAGAIN|would block/i.test((error as Error).message)) socket.emit('error', error as Error);
        return;
      }
      if (!got) return;
    }
  });
}

let rawSocketModule: RawSocketModule | undefined;
const loadRawSocket = (): RawSocketModule => (rawSocketModule ??= createRequire(import.meta.url)('raw-socket') as RawSocketModule);

// keepalived: "kernel will fill in ID if left to 0, so we overflow to 1" (vrrp_build_ip4):
// ++id is sent, and after 65535 the counter restarts at 1, so the next id is 2.
export class Ipv4IdCounter {
  private last = 0;
  next(): number {
    this.last = (this.last + 1) & 0xffff;
    const id = this.last;
    if (this.last === 65535) this.last = 1;
    return id;
  }
}

function canonicalAddress(text: string, family: 4 | 6, what: string): string {
  const parsed = parseAddress(text);
  if (!parsed || parsed.family !== family) throw new VrrpSocketError(`${what} ${JSON.stringify(text)} is not an IPv${family} address`, 'open');
  return formatAddress(parsed.bytes, family);
}

const isLinkLocalScope = (bytes: Uint8Array): boolean =>
  (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) || (bytes[0] === 0xff && (bytes[1]! & 0x0f) <= 2);

/** The address text raw-socket and dgram need: link-local ones carry their zone. */
const withZone = (address: string, ifname: string): string =>
  isLinkLocalScope(parseAddress(address)!.bytes) ? `${address}%${ifname}` : address;

/**
 * Which source the kernel picks for `destination` out of `ifname`. raw-socket
 * has neither bind() nor sendmsg() (keepalived pins the source with an
 * IPV6_PKTINFO control message; the sticky IPV6_PKTINFO socket option is not
 * used by raw sockets for the source), so the kernel's own source selection
 * decides, and our checksum is only right if it agrees. A connected UDP socket
 * shows that choice without sending anything.
 */
async function kernelSourceAddress(destination: string, ifname: string): Promise<string> {
  const socket = dgram.createSocket({ type: 'udp6' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: '::', port: 0 }, () => resolve());
    });
    if (parseAddress(destination)!.bytes[0] === 0xff) socket.setMulticastInterface(`::%${ifname}`);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, withZone(destination, ifname), () => resolve());
    });
    return canonicalAddress(socket.address().address.split('%')[0]!, 6, 'kernel source');
  } finally {
    socket.close();
  }
}

function errnoOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const known: Readonly<Record<string, string>> = {
    'Network is down': 'ENETDOWN',
    'Network is unreachable': 'ENETUNREACH',
    'No such device': 'ENODEV',
    'Resource temporarily unavailable': 'EAGAIN',
    'Operation not permitted': 'EPERM',
    'No buffer space available': 'ENOBUFS',
    'Cannot assign requested address': 'EADDRNOTAVAIL',
    'Invalid argument': 'EINVAL',
  };
  return known[message] ?? message;
}

export async function openVrrpSocket(options: VrrpSocketOptions, onPacket: (packet: ReceivedVrrpPacket) => void): Promise<VrrpSocket> {
  const { family, ifname } = options;
  if (family !== 4 && family !== 6) throw new VrrpSocketError(`address family ${String(family)} is neither 4 nor 6`, 'open');
  const sourceAddress = canonicalAddress(options.sourceAddress, family, 'source address');
  const unicast = options.unicastPeers !== undefined && options.unicastPeers.length > 0;
  const peers = unicast ? options.unicastPeers!.map((peer) => canonicalAddress(peer, family, 'unicast peer')) : [];
  const group = canonicalAddress(options.multicastGroup ?? (family === 4 ? VRRP_MULTICAST_IPV4 : VRRP_MULTICAST_IPV6), family, 'multicast group');
  if (!unicast && parseAddress(group)!.bytes[0]! < (family === 4 ? 224 : 0xff)) throw new VrrpSocketError(`${group} is not a multicast group`, 'open');
  const destinations = unicast ? peers : [group];
  let ifindex: number;
  try {
    ifindex = Number.parseInt(readInterfaceAttribute(ifname, 'ifindex'), 10);
  } catch (error) {
    throw new VrrpSocketError(error instanceof Error ? error.message : String(error), 'open');
  }

  if (family === 6) {
    for (const destination of destinations) {
      let chosen: string;
      try {
        chosen = await kernelSourceAddress(destination, ifname);
      } catch (error) {
        throw new VrrpSocketError(`${ifname}: no IPv6 route to ${destination} (${error instanceof Error ? error.message : String(error)})`, 'open');
      }
      if (chosen !== sourceAddress) {
        throw new VrrpSocketError(
          `${ifname}: the kernel sends to ${destination} from ${chosen}, not ${sourceAddress}; ` +
            `use ${chosen} as the source address, or leave ${sourceAddress} the only link-local address of ${ifname}`,
          'open',
        );
      }
    }
  }

  const counters: VrrpSocketCounters = { sent: 0, received: 0, dropped: {}, errors: {} };
  const count = (table: Record<string, number>, key: string): void => {
    table[key] = (table[key] ?? 0) + 1;
  };
  const report = (error: VrrpSocketError): void => {
    count(counters.errors, error.kind === 'send' ? (error.errno ?? 'send') : error.kind);
    options.onError?.(error);
  };
  const peerSet = new Set(peers);
  const deliver = (header: IpHeader, packet: Buffer, payloadOffset: number, payloadEnd: number): void => {
    counters.received += 1;
    const ttl = header.family === 4 ? header.ttl : header.hopLimit;
    const received: ReceivedVrrpPacket = {
      source: formatAddress(header.source, header.family),
      destination: formatAddress(header.destination, header.family),
      ttl,
      message: packet.subarray(payloadOffset, payloadEnd),
      ipHeader: header,
    };
    try {
      onPacket(received);
    } catch (error) {
      // Not ours to swallow, and not the socket's error: rethrow outside the native callback.
      process.nextTick(() => {
        throw error;
      });
    }
  };

  const raw = loadRawSocket();
  let socket: RawSocket;
  try {
    socket = raw.createSocket({ protocol: IPPROTO_VRRP, addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6, bufferSize: 65536 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new VrrpSocketError(`${ifname}: cannot open a raw IPv${family} socket: ${message}${/not permitted/i.test(message) ? ' (needs root or CAP_NET_RAW)' : ''}`, 'open');
  }
  if (typeof socket.wrap?.send !== 'function') {
    socket.close();
    throw new VrrpSocketError('raw-socket has no wrap.send(): not the raw-socket 1.8 this module was written for', 'open');
  }
  // raw-socket emits 'error' for a failed read and then closes the socket.
  socket.on('error', (error) => report(new VrrpSocketError(`${ifname}: VRRP socket failed: ${error.message}`, 'receive', errnoOf(error))));

  const set = (level: number, name: number, value: Buffer, what: string): void => {
    try {
      socket.setOption(level, name, value, value.length);
    } catch (error) {
      throw new VrrpSocketError(`${ifname}: cannot set ${what}: ${error instanceof Error ? error.message : String(error)}`, 'open');
    }
  };

  let link: LinkSession | undefined;
  let sendPacket: (advert: AdvertInput) => void;
  try {
    set(SOL_SOCKET, SocketOption.SO_BINDTODEVICE, encodeInterfaceName(ifname), 'SO_BINDTODEVICE');
    if (family === 4) {
      // Room for a burst of every instance's adverts (a stalled process, a busy machine): the
      // default buffer holds about 144 of them, and a dropped advert can look like a dead master.
      try {
        socket.setOption(SOL_SOCKET, SocketOption.SO_RCVBUFFORCE, encodeIntOption(RECEIVE_BUFFER_BYTES), 4);
      } catch {
        set(SOL_SOCKET, SocketOption.SO_RCVBUF, encodeIntOption(RECEIVE_BUFFER_BYTES), 'SO_RCVBUF');
      }
      set(IPPROTO_IP, IpOption.IP_HDRINCL, encodeIntOption(1), 'IP_HDRINCL');
      // Only the groups joined here, not every group some other socket joined.
      set(IPPROTO_IP, IpOption.IP_MULTICAST_ALL, encodeIntOption(0), 'IP_MULTICAST_ALL');
      set(IPPROTO_IP, IpOption.IP_MULTICAST_IF, encodeIpMreqn(undefined, ifindex), 'IP_MULTICAST_IF');
      set(IPPROTO_IP, IpOption.IP_MULTICAST_LOOP, encodeIntOption(0), 'IP_MULTICAST_LOOP');
      // The header carries TOS 0xc0 anyway (IP_HDRINCL); keepalived sets the option too.
      set(IPPROTO_IP, IpOption.IP_TOS, encodeIntOption(0xc0), 'IP_TOS');
      if (!unicast) set(IPPROTO_IP, IpOption.IP_ADD_MEMBERSHIP, encodeIpMreqn(parseAddress(group)!.bytes, ifindex), `IP_ADD_MEMBERSHIP ${group}`);
      sendPacket = ipv4Sender(socket, sourceAddress, destinations, counters, report, ifname);
      drainOnReadiness(socket);
      socket.on('message', (buffer) => {
        // One copy, viewed by both the header and the message: raw-socket reuses its buffer.
        const packet = Buffer.from(buffer);
        const decoded = decodeIPv4(packet, 0);
        if (!decoded.ok || decoded.packet.header.protocol !== IPPROTO_VRRP) return count(counters.dropped, 'malformed');
        const { header, payloadOffset, payloadLength } = decoded.packet;
        const source = formatAddress(header.source, 4);
        if (source === sourceAddress) return count(counters.dropped, 'own');
        if (unicast && !peerSet.has(source)) return count(counters.dropped, 'not-a-peer');
        if (payloadOffset + payloadLength > packet.length) return count(counters.dropped, 'truncated');
        deliver(header, packet, payloadOffset, payloadOffset + payloadLength);
      });
    } else {
      set(IPPROTO_IPV6, Ipv6Option.IPV6_MULTICAST_IF, encodeIntOption(ifindex), 'IPV6_MULTICAST_IF');
      set(IPPROTO_IPV6, Ipv6Option.IPV6_MULTICAST_HOPS, encodeIntOption(VRRP_TTL), 'IPV6_MULTICAST_HOPS');
      set(IPPROTO_IPV6, Ipv6Option.IPV6_UNICAST_HOPS, encodeIntOption(VRRP_TTL), 'IPV6_UNICAST_HOPS');
      set(IPPROTO_IPV6, Ipv6Option.IPV6_MULTICAST_LOOP, encodeIntOption(0), 'IPV6_MULTICAST_LOOP');
      // keepalived's class 0xc0 (DSCP CS6, network control).
      set(IPPROTO_IPV6, Ipv6Option.IPV6_TCLASS, encodeIntOption(0xc0), 'IPV6_TCLASS');
      // Joined although the capture receives: the NIC's multicast filter and
      // MLD-snooping switches must let ff02::12 through to us.
      if (!unicast) set(IPPROTO_IPV6, Ipv6Option.IPV6_ADD_MEMBERSHIP, encodeIpv6Mreq(parseAddress(group)!.bytes, ifindex), `IPV6_ADD_MEMBERSHIP ${group}`);
      // This socket is never read: no buffer worth the name, and no polling.
      set(SOL_SOCKET, SocketOption.SO_RCVBUF, encodeIntOption(0), 'SO_RCVBUF');
      socket.pauseRecv();
      const ourMac = options.sourceMac === undefined ? interfaceMac(ifname) : parseMac(options.sourceMac);
      if (!ourMac) throw new VrrpSocketError(`source MAC ${JSON.stringify(options.sourceMac)} is not a MAC address`, 'open');
      const sender = ipv6Sender(socket, sourceAddress, destinations, counters, report, ifname);
      sendPacket = sender.send;
      link = openLinkSession(ifname, {
        filter: 'ip6 proto 112',
        onFrame: (frame) =>
          receiveIpv6Frame(frame, { ourMac, sourceAddress, group, unicast, peerSet, ifname }, {
            drop: (reason) => count(counters.dropped, reason),
            deliver,
            ownFrame: (source, message) => {
              if (sender.wasSent(message) && source !== sourceAddress) {
                report(new VrrpSocketError(`${ifname}: the kernel sent our advert from ${source}, not ${sourceAddress}: peers will find its checksum bad`, 'source-mismatch'));
              }
            },
          }),
      });
    }
  } catch (error) {
    socket.close();
    link?.close();
    // LinkError messages already start with the interface name.
    throw error instanceof VrrpSocketError ? error : new VrrpSocketError(error instanceof Error ? error.message : String(error), 'open');
  }

  let closed = false;
  return {
    family,
    ifname,
    sourceAddress,
    counters,
    send(advert) {
      if (closed) throw new VrrpSocketError(`${ifname}: the VRRP socket is closed`, 'send');
      sendPacket(advert);
    },
    close() {
      if (closed) return;
      closed = true;
      socket.close();
      link?.close();
    },
  };
}

type Report = (error: VrrpSocketError) => void;

/**
 * Sends now. raw-socket's own send() queues until the socket polls writable,
 * so an advert sent just before close() (the priority-0 one) would be lost;
 * its native wrap.send() is a plain sendto() that calls back at once.
 */
function sendNow(socket: RawSocket, packet: Buffer, address: string, counters: VrrpSocketCounters, report: Report, ifname: string, shown: string): void {
  try {
    socket.wrap.send(packet, 0, packet.length, address, () => undefined);
    counters.sent += 1;
  } catch (error) {
    const errno = errnoOf(error);
    report(new VrrpSocketError(`${ifname}: cannot send an advert to ${shown}: ${error instanceof Error ? error.message : String(error)}`, 'send', errno));
  }
}

function ipv4Sender(socket: RawSocket, source: string, destinations: readonly string[], counters: VrrpSocketCounters, report: Report, ifname: string) {
  const ids = new Ipv4IdCounter();
  return (advert: AdvertInput): void => {
    for (const destination of destinations) {
      // As keepalived: every packet built takes the next id, one per unicast peer.
      const packet = encodeVrrpIpPacket({ advert, source, destination, id: ids.next() });
      sendNow(socket, packet, destination, counters, report, ifname, destination);
    }
  };
}

function ipv6Sender(socket: RawSocket, source: string, destinations: readonly string[], counters: VrrpSocketCounters, report: Report, ifname: string) {
  const sourceBytes = parseAddress(source)!.bytes;
  // The last message sent to each destination, to know our own frames in the capture.
  const recent: Buffer[] = [];
  return {
    send(advert: AdvertInput): void {
      recent.length = 0;
      for (const destination of destinations) {
        const message = encodeAdvert(advert, { family: 6, source: sourceBytes, destination: parseAddress(destination)!.bytes });
        recent.push(message);
        sendNow(socket, message, withZone(destination, ifname), counters, report, ifname, destination);
      }
    },
    wasSent: (message: Uint8Array): boolean => recent.some((sent) => sent.equals(message)),
  };
}

interface Ipv6ReceiveContext {
  readonly ourMac: Uint8Array;
  readonly sourceAddress: string;
  readonly group: string;
  readonly unicast: boolean;
  readonly peerSet: ReadonlySet<string>;
  readonly ifname: string;
}

interface Ipv6ReceiveActions {
  drop(reason: string): void;
  deliver(header: IpHeader, packet: Buffer, payloadOffset: number, payloadEnd: number): void;
  /** A frame we sent ourselves, seen leaving: its source and VRRP message. */
  ownFrame(source: string, message: Uint8Array): void;
}

const sameMac = (frame: Uint8Array, offset: number, mac: Uint8Array): boolean =>
  frame.length >= offset + 6 && mac.every((octet, i) => frame[offset + i] === octet);

function receiveIpv6Frame(frame: LinkFrameRecord, context: Ipv6ReceiveContext, actions: Ipv6ReceiveActions): void {
  const { data } = frame;
  const link = decodeLinkFrame(data, frame.linkType);
  if (!link || link.etherType !== EtherType.ipv6) return actions.drop('malformed');
  // One copy of the IPv6 packet, viewed by both the header and the message: libpcap reuses its buffer.
  const packet = Buffer.from(data.subarray(link.payloadOffset));
  const decoded = decodeIPv6(packet, 0);
  if (!decoded.ok || decoded.packet.header.protocol !== IPPROTO_VRRP) return actions.drop('malformed');
  const { header, payloadOffset, payloadLength } = decoded.packet;
  const end = payloadOffset + payloadLength;
  if (end > packet.length) return actions.drop('truncated');
  const source = formatAddress(header.source, 6);
  // The capture sees frames leaving too: ours are no adverts received, only a check on the kernel.
  if (sameMac(data, 6, context.ourMac)) return actions.ownFrame(source, packet.subarray(payloadOffset, end));
  if (source === context.sourceAddress) return actions.drop('own');
  // What the kernel would deliver to a socket: to the group (if joined), or to this host's MAC.
  const toOurMac = sameMac(data, 0, context.ourMac);
  const toGroup = !context.unicast && formatAddress(header.destination, 6) === context.group;
  if (!toOurMac && !toGroup) return actions.drop('not-for-us');
  if (context.unicast && !context.peerSet.has(source)) return actions.drop('not-a-peer');
  actions.deliver(header, packet, payloadOffset, end);
}

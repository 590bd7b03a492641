// Announcing addresses after a failover: gratuitous ARP and unsolicited
// neighbour advertisements (announceFrames.ts), injected as whole Ethernet
// frames through libpcap (the `pcap` package), as keepalived writes them to a
// PF_PACKET socket. Also the pcap session underneath, which vrrpSocket.ts
// uses to receive IPv6 adverts with their hop limit.
//
// A separate entry point (`@keepalived-ts/wire/announceSender`): it loads the
// native module, lazily, on the first open.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encodeGratuitousArp, encodeUnsolicitedNeighbourAdvert } from './announceFrames.js';
import { formatMac, LinkType, parseMac, type LinkTypeCode } from './linkLayer.js';

interface PcapPacket { readonly buf: Buffer; readonly header: Buffer }
interface PcapSession {
  readonly link_type: string;
  on(event: 'packet', listener: (packet: PcapPacket) => void): void;
  inject(frame: Buffer): void;
  close(): void;
}
interface PcapModule {
  createSession(device: string, options: Record<string, unknown>): PcapSession;
  warningHandler: (message: string) => void;
}

let pcapModule: PcapModule | undefined;
function loadPcap(): PcapModule {
  if (!pcapModule) {
    pcapModule = createRequire(import.meta.url)('pcap') as PcapModule;
    // libpcap's warnings (no IPv4 address on the interface) are noise here.
    pcapModule.warningHandler = () => undefined;
  }
  return pcapModule;
}

export class LinkError extends Error {
  constructor(message: string, readonly kind: 'no-such-device' | 'permission' | 'link-type' | 'inject' | 'other') {
    super(message);
    this.name = 'LinkError';
  }
}

/** Reads a file of /sys/class/net/IF (the current network namespace's, under `ip netns exec`). */
export function readInterfaceAttribute(ifname: string, attribute: 'address' | 'ifindex'): string {
  if (ifname === '' || ifname.includes('/') || ifname === '.' || ifname === '..') throw new LinkError(`${JSON.stringify(ifname)}: not an interface name`, 'no-such-device');
  try {
    return readFileSync(`/sys/class/net/${ifname}/${attribute}`, 'utf8').trim();
  } catch {
    throw new LinkError(`${ifname}: no such interface`, 'no-such-device');
  }
}

export function interfaceMac(ifname: string): Buffer {
  const text = readInterfaceAttribute(ifname, 'address');
  const mac = parseMac(text);
  if (!mac) throw new LinkError(`${ifname}: not an Ethernet interface (link-layer address ${JSON.stringify(text)})`, 'link-type');
  return mac;
}

/** One frame as libpcap captured it; `data` is valid only during the callback (libpcap's buffer is reused). */
export interface LinkFrameRecord {
  readonly data: Uint8Array;
  readonly linkType: LinkTypeCode;
  /** The frame's length on the wire; more than data.length when the snapshot cut it. */
  readonly originalLength: number;
}

export interface LinkSessionOptions {
  /** A libpcap filter for the frames to capture; none captured when absent (inject only). */
  readonly filter?: string;
  readonly onFrame?: (frame: LinkFrameRecord) => void;
}

/** A libpcap handle on one Ethernet interface: captures (with a filter) and injects frames. */
export interface LinkSession {
  readonly ifname: string;
  /** The interface's own MAC. */
  readonly mac: Buffer;
  inject(frame: Uint8Array): void;
  /** Ends capture and releases the handle, so that the process can exit (see WAKE_ETHERTYPE). */
  close(): void;
}

/**
 * pcap 3.1's close() only calls pcap_breakloop(): its uv_poll on the capture
 * socket stays active, holding the event loop, until the next captured frame
 * makes it dispatch, see the break and stop polling. On an idle link that
 * frame never comes. So close() makes one: every session's filter also
 * matches a frame of the IEEE 802 local experimental EtherType 0x88b5 from
 * and to the interface's own MAC. Linux never shows a PF_PACKET socket the
 * frames it sends itself, so a second, short-lived session sends it, and the
 * closing session sends one back to release that one. The two 60-octet
 * frames do go out on the link, addressed to our own MAC, and any receiver
 * drops them (a switch filters them at our port). If the link is down or
 * gone at close() (nothing can be sent), the handle stays until a frame
 * arrives, and a process that wants to end now must call process.exit().
 */
export const WAKE_ETHERTYPE = 0x88b5;
const WAKE_PAYLOAD = Buffer.from('keepalived-ts: pcap close', 'latin1');

function wakeFilter(mac: Buffer): string {
  const text = formatMac(mac);
  return `(ether proto ${WAKE_ETHERTYPE} and ether src ${text} and ether dst ${text})`;
}

function wakeFrame(mac: Buffer): Buffer {
  const frame = Buffer.alloc(60);
  mac.copy(frame, 0);
  mac.copy(frame, 6);
  frame.writeUInt16BE(WAKE_ETHERTYPE, 12);
  WAKE_PAYLOAD.copy(frame, 14);
  return frame;
}

function isWakeFrame(data: Uint8Array, mac: Buffer): boolean {
  return data.length >= 14 && ((data[12]! << 8) | data[13]!) === WAKE_ETHERTYPE && mac.equals(data.subarray(6, 12));
}

function openPcap(ifname: string, filter: string, snapLength: number, bufferBytes: number): PcapSession {
  try {
    // buffer_timeout 0 asks for immediate mode: each frame is handed over as it comes.
    return loadPcap().createSession(ifname, { filter, buffer_timeout: 0, promiscuous: false, snap_length: snapLength, buffer_size: bufferBytes });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/No such device|doesn't exist/i.test(message)) throw new LinkError(`${ifname}: no such interface`, 'no-such-device');
    if (/permission|not permitted/i.test(message)) throw new LinkError(`${ifname}: permission denied (needs root or CAP_NET_RAW)`, 'permission');
    throw new LinkError(`${ifname}: ${message}`, 'other');
  }
}

export function openLinkSession(ifname: string, options: LinkSessionOptions = {}): LinkSession {
  const mac = interfaceMac(ifname);
  const wake = wakeFilter(mac);
  const filter = options.filter === undefined ? wake : `(${options.filter}) or ${wake}`;
  const session = openPcap(ifname, filter, 65535, 1 << 20);
  if (session.link_type !== 'LINKTYPE_ETHERNET') {
    session.close();
    throw new LinkError(`${ifname}: link type ${session.link_type} is not Ethernet`, 'link-type');
  }
  const onFrame = options.onFrame;
  session.on('packet', (packet) => {
    // packet.buf is the whole snapshot buffer: the captured length is in the header.
    const capturedLength = packet.header.readUInt32LE(8);
    const data = packet.buf.subarray(0, capturedLength);
    if (isWakeFrame(data, mac)) return;
    onFrame?.({ data, linkType: LinkType.ethernet, originalLength: packet.header.readUInt32LE(12) });
  });
  let closed = false;
  return {
    ifname,
    mac,
    inject(frame) {
      if (closed) throw new LinkError(`${ifname}: the link session is closed`, 'inject');
      try {
        session.inject(Buffer.isBuffer(frame) ? frame : Buffer.from(frame));
      } catch (error) {
        throw new LinkError(`${ifname}: cannot send a frame (${error instanceof Error ? error.message : String(error)}; is the link up?)`, 'inject');
      }
    },
    close() {
      if (closed) return;
      closed = true;
      let helper: PcapSession | undefined;
      try {
        helper = openPcap(ifname, wake, 64, 64 * 1024);
      } catch {
        // The interface is gone or we lost the right to capture: nothing to wake.
      }
      session.close();
      if (!helper) return;
      helper.close();
      const frame = wakeFrame(mac);
      for (const sender of [helper, session]) {
        try {
          sender.inject(frame);
        } catch {
          // Link down: see WAKE_ETHERTYPE.
        }
      }
    },
  };
}

export interface ArpOptions {
  /** The MAC to announce; default the interface's own. */
  readonly mac?: string;
  /** Send ARP replies (as `arping -A`) rather than keepalived's requests. */
  readonly reply?: boolean;
}

export interface NeighbourAdvertOptions {
  readonly mac?: string;
  /** Set the router flag (keepalived does when the interface forwards IPv6). */
  readonly router?: boolean;
}

export interface AnnouncerCounters {
  arp: number;
  neighbourAdverts: number;
}

export interface Announcer {
  readonly ifname: string;
  /** The interface's MAC, "aa:bb:cc:dd:ee:ff". */
  readonly mac: string;
  /** Frames sent so far. */
  readonly counters: AnnouncerCounters;
  /** Sends `count` gratuitous ARPs for `ip` back to back, as keepalived does. Throws LinkError when the link refuses. */
  arp(ip: string, count: number, options?: ArpOptions): void;
  /** Sends `count` unsolicited neighbour advertisements for `ip` back to back. */
  neighbourAdvert(ip: string, count: number, options?: NeighbourAdvertOptions): void;
  close(): void;
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0 || count > 1000) throw new RangeError(`announcement count ${count} is out of range [0, 1000]`);
}

export async function openAnnouncer(ifname: string): Promise<Announcer> {
  const link = openLinkSession(ifname);
  const ownMac = formatMac(link.mac);
  const counters: AnnouncerCounters = { arp: 0, neighbourAdverts: 0 };
  const burst = (frame: Buffer, count: number, counter: keyof AnnouncerCounters): void => {
    for (let i = 0; i < count; i++) {
      link.inject(frame);
      counters[counter] += 1;
    }
  };
  return {
    ifname,
    mac: ownMac,
    counters,
    arp(ip, count, options = {}) {
      checkCount(count);
      const frame = encodeGratuitousArp({ mac: options.mac ?? link.mac, ip, kind: options.reply ? 'reply' : 'request' });
      burst(frame, count, 'arp');
    },
    neighbourAdvert(ip, count, options = {}) {
      checkCount(count);
      const frame = encodeUnsolicitedNeighbourAdvert({ mac: options.mac ?? link.mac, ip, router: options.router ?? false });
      burst(frame, count, 'neighbourAdverts');
    },
    close: () => link.close(),
  };
}

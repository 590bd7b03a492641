// Live capture through libpcap (the `pcap` package). A separate entry point,
// loaded only by tools that capture, so `--help` never loads the native module.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LinkType, type LinkTypeCode } from './linkLayer.js';

/** VRRP over IPv4 and IPv6, and with --arp the announcements after a failover. */
export const VRRP_FILTER = 'ip proto 112 or ip6 proto 112';
export const VRRP_AND_ANNOUNCE_FILTER = `${VRRP_FILTER} or arp or (icmp6 and ip6[40] == 136)`;

export interface CapturedRecord {
  readonly seconds: number;
  readonly micros: number;
  readonly capturedLength: number;
  readonly originalLength: number;
  /** Valid only during the callback: libpcap's buffer is reused. */
  readonly data: Uint8Array;
}

export interface LiveCapture {
  readonly linkType: LinkTypeCode;
  close(): void;
}

interface PcapPacket { readonly buf: Buffer; readonly header: Buffer }
interface PcapSession {
  readonly link_type: string;
  on(event: 'packet', listener: (packet: PcapPacket) => void): void;
  close(): void;
}
interface PcapModule {
  createSession(device: string, options: Record<string, unknown>): PcapSession;
  warningHandler: (message: string) => void;
}

const LINK_TYPES: Readonly<Record<string, LinkTypeCode>> = {
  LINKTYPE_ETHERNET: LinkType.ethernet,
  LINKTYPE_RAW: LinkType.raw,
  LINKTYPE_LINUX_SLL: LinkType.linuxSll,
};

export class CaptureError extends Error {
  constructor(message: string, readonly kind: 'no-such-device' | 'permission' | 'link-type' | 'other') {
    super(message);
    this.name = 'CaptureError';
  }
}

function classify(device: string, message: string): CaptureError {
  if (/No such device|doesn't exist|not found/i.test(message)) return new CaptureError(`${device}: no such interface`, 'no-such-device');
  if (/permission|not permitted|socket: Operation/i.test(message)) {
    return new CaptureError(`${device}: permission denied (capturing needs root or CAP_NET_RAW)`, 'permission');
  }
  return new CaptureError(`${device}: ${message}`, 'other');
}

export function openLiveCapture(device: string, filter: string, onRecord: (record: CapturedRecord) => void): LiveCapture {
  // libpcap's own message for a missing device is a warning and a vague error; say it plainly.
  if (device !== 'any' && (device.includes('/') || !existsSync(`/sys/class/net/${device}`))) throw new CaptureError(`${device}: no such interface`, 'no-such-device');
  const pcap = createRequire(import.meta.url)('pcap') as PcapModule;
  pcap.warningHandler = () => undefined;
  let session: PcapSession;
  try {
    // A short buffer timeout keeps the live view live; immediate mode is not exposed.
    session = pcap.createSession(device, { filter, buffer_timeout: 10, promiscuous: false, snap_length: 65535 });
  } catch (error) {
    throw classify(device, error instanceof Error ? error.message : String(error));
  }
  const linkType = LINK_TYPES[session.link_type];
  if (linkType === undefined) {
    session.close();
    throw new CaptureError(`${device}: link type ${session.link_type} is not supported`, 'link-type');
  }
  session.on('packet', (packet) => {
    const header = packet.header;
    const capturedLength = header.readUInt32LE(8);
    onRecord({
      seconds: header.readUInt32LE(0),
      micros: header.readUInt32LE(4),
      capturedLength,
      originalLength: header.readUInt32LE(12),
      data: packet.buf.subarray(0, capturedLength),
    });
  });
  return { linkType, close: () => session.close() };
}

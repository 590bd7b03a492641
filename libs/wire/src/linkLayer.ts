// The link layers a capture hands us, as pcap's LINKTYPE numbers: Ethernet
// from an interface, Linux cooked (v1 and v2) from `-i any`, raw IP.

export const LinkType = { ethernet: 1, raw: 101, linuxSll: 113, ipv4: 228, ipv6: 229, linuxSll2: 276 } as const;
export type LinkTypeCode = (typeof LinkType)[keyof typeof LinkType];

export const EtherType = { ipv4: 0x0800, arp: 0x0806, vlan: 0x8100, ipv6: 0x86dd } as const;

export interface LinkFrame {
  readonly etherType: number;
  readonly payloadOffset: number;
  /** The sender's link-layer address where the frame carries one. */
  readonly sourceMac: Uint8Array | undefined;
}

// The MAC is a view made only when asked for: most frames are never asked.
class DecodedLinkFrame implements LinkFrame {
  constructor(
    readonly etherType: number,
    readonly payloadOffset: number,
    private readonly frame: Uint8Array,
    private readonly macOffset: number,
    private readonly macLength: number,
  ) {}

  get sourceMac(): Uint8Array | undefined {
    return this.macLength === 0 ? undefined : this.frame.subarray(this.macOffset, this.macOffset + this.macLength);
  }
}

export const isSupportedLinkType = (code: number): code is LinkTypeCode =>
  (Object.values(LinkType) as number[]).includes(code);

/** Undefined when the frame is too short for its link header. */
export function decodeLinkFrame(frame: Uint8Array, linkType: LinkTypeCode, end = frame.length): LinkFrame | undefined {
  switch (linkType) {
    case LinkType.ethernet: {
      if (end < 14) return undefined;
      let offset = 12;
      let etherType = (frame[offset]! << 8) | frame[offset + 1]!;
      // One 802.1Q tag is common on trunk ports; step over it.
      if (etherType === EtherType.vlan && end >= 18) {
        offset += 4;
        etherType = (frame[offset]! << 8) | frame[offset + 1]!;
      }
      return new DecodedLinkFrame(etherType, offset + 2, frame, 6, 6);
    }
    case LinkType.linuxSll: {
      if (end < 16) return undefined;
      const addressLength = (frame[4]! << 8) | frame[5]!;
      return new DecodedLinkFrame((frame[14]! << 8) | frame[15]!, 16, frame, 6, Math.min(addressLength, 8));
    }
    case LinkType.linuxSll2: {
      if (end < 20) return undefined;
      const addressLength = frame[11]!;
      return new DecodedLinkFrame((frame[0]! << 8) | frame[1]!, 20, frame, 12, Math.min(addressLength, 8));
    }
    case LinkType.raw:
    case LinkType.ipv4:
    case LinkType.ipv6: {
      if (end < 1) return undefined;
      const version = frame[0]! >> 4;
      return new DecodedLinkFrame(version === 6 ? EtherType.ipv6 : EtherType.ipv4, 0, frame, 0, 0);
    }
  }
}

export function formatMac(mac: Uint8Array): string {
  let out = '';
  for (let i = 0; i < mac.length; i++) out += (i ? ':' : '') + mac[i]!.toString(16).padStart(2, '0');
  return out;
}

export function parseMac(text: string): Buffer | undefined {
  const parts = text.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function encodeEthernetHeader(destination: Uint8Array, source: Uint8Array, etherType: number): Buffer {
  const out = Buffer.alloc(14);
  out.set(destination, 0);
  out.set(source, 6);
  out.writeUInt16BE(etherType, 12);
  return out;
}

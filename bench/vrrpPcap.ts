// Writes a pcap of VRRP adverts made by our encoder: v2 and v3, IPv4 and
// IPv6, a few VRIDs and masters, one advert per millisecond of capture time.
// Shared by the benchmark and by the test that has tcpdump judge our encoder.

import { PcapWriter, encodeVrrpFrame, LinkType, type VrrpPacketInput } from '@keepalived-ts/wire';

const MAC = Buffer.from([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]);

/** The distinct packets the file cycles through. */
export function samplePackets(): VrrpPacketInput[] {
  return [
    { source: '10.77.0.2', destination: '224.0.0.18', id: 1, advert: { version: 2, vrid: 51, priority: 102, intervalSeconds: 1, authData: 'secret', addresses: ['10.77.0.100'] } },
    { source: '10.77.0.3', destination: '224.0.0.18', id: 7, advert: { version: 2, vrid: 52, priority: 100, intervalSeconds: 1, addresses: ['10.77.0.101', '10.77.0.102', '10.77.0.103'] } },
    { source: '10.77.0.2', destination: '224.0.0.18', id: 9, advert: { version: 3, vrid: 53, priority: 150, intervalCentiseconds: 100, addresses: ['10.77.0.104'] } },
    { source: '10.77.0.2', destination: '10.77.0.3', id: 11, advert: { version: 2, vrid: 54, priority: 255, intervalSeconds: 2, authData: 'pw', addresses: ['10.77.0.105'] } },
    { source: 'fe80::2', destination: 'ff02::12', advert: { version: 3, vrid: 55, priority: 100, intervalCentiseconds: 10, addresses: ['fd77::100'] } },
    { source: 'fe80::3', destination: 'ff02::12', advert: { version: 3, vrid: 56, priority: 200, intervalCentiseconds: 100, addresses: ['fd77::101', 'fd77::102'] } },
  ];
}

export function writeVrrpPcap(path: string, count: number, startSeconds = 1795000000): void {
  const frames = samplePackets().map((input) => encodeVrrpFrame({ ...input, sourceMac: MAC }));
  const writer = new PcapWriter(path, LinkType.ethernet);
  try {
    for (let i = 0; i < count; i++) {
      const frame = frames[i % frames.length]!;
      writer.write(startSeconds + Math.floor(i / 1000), (i % 1000) * 1000, frame);
    }
  } finally {
    writer.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, count] = process.argv.slice(2);
  if (!path) throw new Error('usage: vrrpPcap.ts FILE [COUNT]');
  writeVrrpPcap(path, Number(count ?? 1000000));
}

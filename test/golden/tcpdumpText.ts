// A parser for what tcpdump 4.99 (Debian 12) prints about VRRP packets with
// `-nn`, `-nn -v` or `-nn -vv` (-v and -vv print the same for VRRP). It lets
// the golden tests judge captures by tcpdump's reading rather than our codec's,
// and it records tcpdump's exact formats for vrrpdump, which must read alike.
// Samples of each format: test/golden/samples/<case>.txt.

/** The network-layer header fields tcpdump prints; all but the family and addresses need -v. */
export interface TcpdumpIpFields {
  readonly family: 'IP' | 'IP6';
  readonly src: string;
  readonly dst: string;
  /** IPv4 "tos 0xc0" or IPv6 "class 0xc0" (traffic class). */
  readonly tos: number | undefined;
  /** IPv4 "ttl N" or IPv6 "hlim N". */
  readonly ttl: number | undefined;
  /** IPv4 only. */
  readonly id: number | undefined;
  /** IPv4 only: the fragment offset. */
  readonly offset: number | undefined;
  /** IPv4 only, as printed: "none", "DF", "+", ... */
  readonly flags: string | undefined;
  /** IPv6 only: "flowlabel 0x..." when not zero. */
  readonly flowLabel: number | undefined;
  /** IPv4 total length, or IPv6 payload length. */
  readonly length: number | undefined;
}

export interface TcpdumpVrrpFields {
  readonly version: number;
  /** "Advertisement", or tcpdump's "unknown type (N)". */
  readonly type: string;
  readonly vrid: number | undefined;
  readonly prio: number | undefined;
  /** VRRPv2 only: "none", "simple", "ah". */
  readonly authtype: string | undefined;
  /** The advert interval as printed: a number and its unit, "s" (v2) or "cs" (v3). */
  readonly intvl: number | undefined;
  readonly intvlUnit: 's' | 'cs' | undefined;
  /** The interval in centiseconds, whatever the unit. */
  readonly intervalCs: number | undefined;
  /** The VRRP length (header and addresses, and v2 auth data). */
  readonly length: number | undefined;
  /** The addresses as tcpdump prints them (-v): dotted quads, or IPv6 text for VRRPv3 over IPv6. */
  readonly addrs: readonly string[] | undefined;
  /** The count tcpdump prints after "addrs" (only when more than one). */
  readonly addrCount: number | undefined;
  /** The simple-password text between the quotes (-v, authtype simple). */
  readonly auth: string | undefined;
  /** Set when tcpdump printed "(bad vrrp cksum XXXX)" (-v); the value is the checksum field it shows. */
  readonly badChecksum: string | undefined;
  /** The "(ttl N)" note tcpdump adds (without -v too) when the IP TTL is not 255. */
  readonly ttlNote: number | undefined;
}

export interface TcpdumpVrrpRecord {
  /** The packet's output, its lines joined by "\n", exactly as printed. */
  readonly raw: string;
  /** The time stamp as printed ("15:13:00.956627"), if any. */
  readonly timestamp: string | undefined;
  readonly ip: TcpdumpIpFields;
  readonly vrrp: TcpdumpVrrpFields;
}

// A packet starts on a line that does not begin with white space; with -v,
// IPv4 packets continue on a second, indented line.
const CONTINUATION = /^\s/;
const TIMESTAMP = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?|\d\d:\d\d:\d\d(?:\.\d+)?|\d+\.\d+)\s+/;

/** Splits tcpdump output into one string per packet (continuation lines kept, joined by "\n"). */
export function splitTcpdumpPackets(text: string): string[] {
  const packets: string[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (CONTINUATION.test(line) && packets.length > 0) packets[packets.length - 1] += `\n${line}`;
    else packets.push(line);
  }
  return packets;
}

/**
 * Parses tcpdump's text for VRRP packets; packets of other protocols, and
 * lines such as "reading from file ...", are skipped.
 */
export function parseTcpdumpVrrp(text: string): TcpdumpVrrpRecord[] {
  const records: TcpdumpVrrpRecord[] = [];
  for (const packet of splitTcpdumpPackets(text)) {
    const record = parsePacket(packet);
    if (record) records.push(record);
  }
  return records;
}

const num = (value: string | undefined, radix = 10): number | undefined =>
  value === undefined ? undefined : Number.parseInt(value, radix);

function parsePacket(raw: string): TcpdumpVrrpRecord | undefined {
  // Lines joined with one space read like the single line tcpdump prints without -v.
  const flat = raw.replace(/\n\s+/g, ' ');
  const vrrpAt = flat.search(/: VRRPv\d+, /);
  if (vrrpAt < 0) return undefined;
  const ipPart = flat.slice(0, vrrpAt);
  const vrrpPart = flat.slice(vrrpAt + 2);

  const timestamp = TIMESTAMP.exec(ipPart)?.[1];
  const afterTime = timestamp === undefined ? ipPart : ipPart.slice(ipPart.indexOf(timestamp) + timestamp.length).trimStart();
  const family = /^IP6\b/.test(afterTime) ? 'IP6' : /^IP\b/.test(afterTime) ? 'IP' : undefined;
  if (family === undefined) return undefined;

  // The addresses are the last "A > B" before the VRRP text.
  const addresses = /(\S+) > (\S+)$/.exec(afterTime);
  if (!addresses?.[1] || !addresses[2]) return undefined;
  // The parenthesised -v header details, if present.
  const details = /^IP6? \((.*)\) \S+ > \S+$/.exec(afterTime)?.[1] ?? '';

  const field = (pattern: RegExp): string | undefined => pattern.exec(details)?.[1];
  const ip: TcpdumpIpFields = {
    family,
    src: addresses[1],
    dst: addresses[2],
    tos: num(field(/\b(?:tos|class) 0x([0-9a-f]+)/), 16),
    ttl: num(field(/\b(?:ttl|hlim) (\d+)/)),
    id: num(field(/\bid (\d+)/)),
    offset: num(field(/\boffset (\d+)/)),
    flags: field(/\bflags \[([^\]]*)\]/),
    flowLabel: num(field(/\bflowlabel 0x([0-9a-f]+)/), 16),
    length: num(field(family === 'IP' ? /\blength (\d+)/ : /\bpayload length: (\d+)/)),
  };

  const head = /^VRRPv(\d+), ([^,]+(?:\(\d+\))?)/.exec(vrrpPart);
  const vfield = (pattern: RegExp): string | undefined => pattern.exec(vrrpPart)?.[1];
  const intvl = /, intvl (\d+)(cs|s),/.exec(vrrpPart);
  const intvlValue = num(intvl?.[1]);
  const intvlUnit = intvl?.[2] === 's' || intvl?.[2] === 'cs' ? intvl[2] : undefined;
  const addrs = /, addrs(?:\((\d+)\))?: ?([^ ]*)/.exec(vrrpPart);
  const vrrp: TcpdumpVrrpFields = {
    version: num(head?.[1]) ?? 0,
    type: head?.[2] ?? '',
    vrid: num(vfield(/, vrid (\d+)/)),
    prio: num(vfield(/, prio (\d+)/)),
    authtype: vfield(/, authtype (\S+?),/),
    intvl: intvlValue,
    intvlUnit,
    intervalCs: intvlValue === undefined ? undefined : intvlUnit === 's' ? intvlValue * 100 : intvlValue,
    length: num(vfield(/, length (\d+)/)),
    addrs: addrs ? (addrs[2] ?? '').split(',').filter((addr) => addr !== '') : undefined,
    addrCount: num(addrs?.[1]),
    auth: vfield(/ auth "((?:[^"\\]|\\.)*)"/),
    badChecksum: vfield(/\(bad vrrp cksum ([0-9a-f]+)\)/),
    ttlNote: num(vfield(/, \(ttl (\d+)\)/)),
  };
  return { raw, timestamp, ip, vrrp };
}

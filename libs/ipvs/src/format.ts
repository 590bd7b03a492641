// ipvsadm 1.31's text formats: the listing (-L, --stats, --rate,
// --thresholds, --persistent-conn, --exact), the rules (-S), the connection
// table (-c), in its order (glibc's merge sort with libipvs's comparators).
// Pure: names come in through a resolver the caller filled beforehand.

import { addrBytes, formatMask } from './address.js';
import { AF_INET, AF_INET6, FWD, FWD_MASK, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP, SVC_F, SVC_F_SCHED_MASK, TUN_FLAG, TUN_TYPE } from './constants.js';
import type { Af, Dest, Info, Service } from './types.js';

export interface Format {
  readonly numeric?: boolean;
  readonly rule?: boolean;
  readonly stats?: boolean;
  readonly rate?: boolean;
  readonly thresholds?: boolean;
  readonly persistentConn?: boolean;
  readonly noSort?: boolean;
  readonly exact?: boolean;
  readonly tunInfo?: boolean;
}

/** What getservbyport and gethostbyaddr answered; undefined: no name. */
export interface NameResolver {
  host(af: Af, address: string): string | undefined;
  service(port: number, protocol: number): string | undefined;
}

export const NO_NAMES: NameResolver = { host: () => undefined, service: () => undefined };

export interface ServiceEntry {
  readonly service: Service;
  readonly dests: readonly Dest[];
}

// --- Order -------------------------------------------------------------------

/** glibc 2.36's qsort (msort_with_tmp): a stable top-down merge sort; the order for a non-transitive comparator matters. */
export function glibcSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const b = [...items];
  const tmp: T[] = new Array<T>(b.length);
  const sort = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = Math.floor(n / 2);
    const n2 = n - n1;
    sort(lo, n1);
    sort(lo + n1, n2);
    let i = lo;
    let j = lo + n1;
    let k = 0;
    let r1 = n1;
    let r2 = n2;
    while (r1 > 0 && r2 > 0) {
      if (cmp(b[i]!, b[j]!) <= 0) {
        tmp[k++] = b[i++]!;
        r1--;
      } else {
        tmp[k++] = b[j++]!;
        r2--;
      }
    }
    while (r1 > 0) {
      tmp[k++] = b[i++]!;
      r1--;
    }
    for (let m = 0; m < k; m++) b[lo + m] = tmp[m]!;
  };
  sort(0, b.length);
  return b;
}

/** C's `int r = (unsigned) a - (unsigned) b`. */
const diff32 = (a: number, b: number): number => (a - b) | 0;

function cmpAddr(af: Af, a: string, b: string): number {
  const x = addrBytes(af, a);
  const y = addrBytes(af, b);
  if (af === AF_INET6) {
    let r = 0;
    for (let i = 0; r === 0 && i < 16; i += 4) r = diff32(x.readUInt32BE(i), y.readUInt32BE(i));
    return r;
  }
  return diff32(x.readUInt32BE(0), y.readUInt32BE(0));
}

/** libipvs's ipvs_cmp_services. */
export function cmpServices(s1: Service, s2: Service): number {
  let r = diff32(s1.fwmark, s2.fwmark);
  if (r !== 0) return r;
  r = s1.af - s2.af;
  if (r !== 0) return r;
  r = s1.protocol - s2.protocol;
  if (r !== 0) return r;
  r = cmpAddr(s1.af, s1.address, s2.address);
  if (r !== 0) return r;
  return s1.port - s2.port;
}

/** libipvs's ipvs_cmp_dests. */
export function cmpDests(d1: Dest, d2: Dest): number {
  const r = d1.af === d2.af ? cmpAddr(d1.af, d1.address, d2.address) : d1.af - d2.af;
  if (r !== 0) return r;
  return d1.port - d2.port;
}

// --- Pieces ------------------------------------------------------------------

export const protocolName = (p: number): string => (p === IPPROTO_TCP ? 'TCP' : p === IPPROTO_UDP ? 'UDP' : p === IPPROTO_SCTP ? 'SCTP' : 'TCP');
const protocolSwitch = (p: number): string => (p === IPPROTO_TCP ? '-t' : p === IPPROTO_UDP ? '-u' : p === IPPROTO_SCTP ? '--sctp-service' : '-t');

export function fwdName(fwd: number): string {
  switch (fwd & FWD_MASK) {
    case FWD.MASQ:
      return 'Masq';
    case FWD.LOCALNODE:
      return 'Local';
    case FWD.TUNNEL:
      return 'Tunnel';
    case FWD.DROUTE:
      return 'Route';
    default:
      return '(null)';
  }
}

function fwdSwitch(fwd: number): string {
  switch (fwd & FWD_MASK) {
    case FWD.MASQ:
      return '-m';
    case FWD.TUNNEL:
      return '-i';
    default:
      return '-g';
  }
}

/** The -b words of a scheduler's flags. */
export function schedFlagNames(scheduler: string, flags: number): string[] {
  const names = scheduler === 'sh' || scheduler === 'mh' ? [`${scheduler}-fallback`, `${scheduler}-port`, 'flag-3'] : ['flag-1', 'flag-2', 'flag-3'];
  const out: string[] = [];
  if (flags & SVC_F.SCHED1) out.push(names[0]!);
  if (flags & SVC_F.SCHED2) out.push(names[1]!);
  if (flags & SVC_F.SCHED3) out.push(names[2]!);
  return out;
}

/** addrport_to_anyname: `10.0.0.1:80`, `[::1]:80`, or with names unless numeric. */
export function addrPort(af: Af, address: string, port: number, protocol: number, format: Format, names: NameResolver): string {
  if (format.numeric) return af === AF_INET6 ? `[${address}]:${port}` : `${address}:${port}`;
  const host = names.host(af, address);
  const service = names.service(port, protocol) ?? String(port);
  if (host !== undefined) return `${host}:${service}`;
  return af === AF_INET6 ? `[${address}]:${service}` : `${address}:${service}`;
}

/** print_largenum. */
export function largeNum(i: bigint, exact: boolean | undefined): string {
  if (exact) {
    const s = i.toString();
    return s.padStart(s.length <= 8 ? 9 : s.length + 1);
  }
  if (i < 100000000n) return i.toString().padStart(9);
  if (i < 1000000000n) return `${(i / 1000n).toString().padStart(8)}K`;
  if (i < 100000000000n) return `${(i / 1000000n).toString().padStart(8)}M`;
  if (i < 100000000000000n) return `${(i / 1000000000n).toString().padStart(8)}G`;
  return `${(i / 1000000000000n).toString().padStart(8)}T`;
}

const padEnd = (s: string, n: number): string => s.padEnd(n);
const padStart = (s: string, n: number): string => s.padStart(n);

// --- Listing -----------------------------------------------------------------

export function formatTitle(format: Format): string {
  const head = padEnd('Prot LocalAddress:Port', 33);
  if (format.stats) return `${head} ${['Conns', 'InPkts', 'OutPkts', 'InBytes', 'OutBytes'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (format.rate) return `${head} ${['CPS', 'InPPS', 'OutPPS', 'InBPS', 'OutBPS'].map((s) => padStart(s, 8)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (format.thresholds) return `${head} ${['Uthreshold', 'Lthreshold', 'ActiveConn', 'InActConn'].map((s) => padEnd(s, 10)).join(' ')}\n  -> RemoteAddress:Port\n`;
  if (format.persistentConn) return `${head} ${padEnd('Weight', 9)} ${padEnd('PersistConn', 11)} ${padEnd('ActiveConn', 10)} ${padEnd('InActConn', 10)}\n  -> RemoteAddress:Port\n`;
  if (format.tunInfo) return `Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo\n`;
  if (format.rule) return '';
  return 'Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n';
}

function statsColumns(s: Service['stats'], rate: boolean | undefined, exact: boolean | undefined): string {
  const values = rate ? [s.cps, s.inpps, s.outpps, s.inbps, s.outbps] : [s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes];
  return values.map((v) => largeNum(v, exact)).join('');
}

function tunnelWords(d: Dest): string {
  if ((d.fwd & FWD_MASK) !== FWD.TUNNEL) return '';
  const type = (Object.keys(TUN_TYPE) as (keyof typeof TUN_TYPE)[]).find((k) => TUN_TYPE[k] === d.tunType) ?? 'ipip';
  let out = ` --tun-type ${type}`;
  if (d.tunType === TUN_TYPE.gue) out += ` --tun-port ${d.tunPort}`;
  if (d.tunType === TUN_TYPE.gue || d.tunType === TUN_TYPE.gre) {
    out += d.tunFlags & TUN_FLAG.REMCSUM ? ' --tun-remcsum' : d.tunFlags & TUN_FLAG.CSUM ? ' --tun-csum' : ' --tun-nocsum';
  }
  return out;
}

/** One service and its destinations, as print_service_entry prints them. */
export function formatServiceEntry(entry: ServiceEntry, format: Format, names: NameResolver): string {
  const se = entry.service;
  let svcName: string;
  if (se.fwmark) {
    if (format.rule) svcName = se.af === AF_INET6 ? `-f ${se.fwmark} -6` : `-f ${se.fwmark}`;
    else svcName = se.af === AF_INET6 ? `FWM  ${se.fwmark} IPv6` : `FWM  ${se.fwmark}`;
  } else {
    const vname = addrPort(se.af, se.address, se.port, se.protocol, format, names);
    if (format.rule) svcName = `${protocolSwitch(se.protocol)} ${vname}`;
    else {
      svcName = `${protocolName(se.protocol).padEnd(4)} ${vname}`;
      if (se.af !== AF_INET6) svcName = svcName.slice(0, 33);
    }
  }
  let out = '';
  const persistent = (se.flags & SVC_F.PERSISTENT) !== 0;
  const mask = (): string | undefined =>
    se.af === AF_INET ? (se.netmask >>> 0 !== 0xffffffff ? formatMask(se.netmask) : undefined) : se.netmask !== 128 ? String(se.netmask) : undefined;
  if (format.rule) {
    out += `-A ${svcName} -s ${se.scheduler}`;
    if (persistent) {
      out += ` -p ${se.timeout}`;
      const m = mask();
      if (m !== undefined) out += ` -M ${m}`;
    }
    // After -p/-M (seen from ipvsadm 1.31); its place relative to --pe and -o is not yet checked.
    if (se.flags & SVC_F_SCHED_MASK) out += ` -b ${schedFlagNames(se.scheduler, se.flags).join(',')}`;
    if (se.pe) out += ` --pe ${se.pe}`;
    if (se.flags & SVC_F.ONEPACKET) out += ' -o';
  } else if (format.stats || format.rate) {
    out += padEnd(svcName, 33) + statsColumns(se.stats, format.rate, format.exact);
  } else {
    out += `${svcName} ${se.scheduler}`;
    if (se.flags & SVC_F_SCHED_MASK) out += ` (${schedFlagNames(se.scheduler, se.flags).join(',')})`;
    if (persistent) {
      out += ` persistent ${se.timeout}`;
      const m = mask();
      if (m !== undefined) out += ` mask ${m}`;
      if (se.pe) out += ` pe ${se.pe}`;
    }
    if (se.flags & SVC_F.ONEPACKET) out += ' ops';
  }
  out += '\n';

  const dests = format.noSort ? entry.dests : glibcSort(entry.dests, cmpDests);
  for (const e of dests) {
    let dname = addrPort(e.af, e.address, e.port, se.protocol, format, names);
    if (!format.rule && se.af !== AF_INET6) dname = dname.slice(0, 28);
    if (format.rule) {
      out += `-a ${svcName} -r ${dname} ${fwdSwitch(e.fwd)} -w ${e.weight}${tunnelWords(e)}\n`;
    } else if (format.stats || format.rate) {
      out += `  -> ${padEnd(dname, 28)}${statsColumns(e.stats, format.rate, format.exact)}\n`;
    } else if (format.thresholds) {
      out += `  -> ${padEnd(dname, 28)} ${[e.uThreshold, e.lThreshold, e.activeConns, e.inactConns].map((n) => padEnd(String(n), 10)).join(' ')}\n`;
    } else if (format.persistentConn) {
      out += `  -> ${padEnd(dname, 28)} ${padEnd(String(e.weight), 9)} ${padEnd(String(e.persistConns), 11)} ${padEnd(String(e.activeConns), 10)} ${padEnd(String(e.inactConns), 10)}\n`;
    } else {
      out += `  -> ${padEnd(dname, 28)} ${padEnd(fwdName(e.fwd), 7)} ${padEnd(String(e.weight), 6)} ${padEnd(String(e.activeConns), 10)} ${padEnd(String(e.inactConns), 10)}\n`;
    }
  }
  return out;
}

export const formatVersionLine = (info: Info): string =>
  `IP Virtual Server version ${(info.version >> 16) & 0xff}.${(info.version >> 8) & 0xff}.${info.version & 0xff} (size=${info.size})\n`;

/** list_all: the whole table (`info` undefined for -S, which prints no version line). */
export function formatListing(info: Info | undefined, entries: readonly ServiceEntry[], format: Format, names: NameResolver = NO_NAMES): string {
  let out = !format.rule && info ? formatVersionLine(info) : '';
  const sorted = format.noSort ? entries : glibcSort(entries, (a, b) => cmpServices(a.service, b.service));
  out += formatTitle(format);
  for (const entry of sorted) out += formatServiceEntry(entry, format, names);
  return out;
}

// --- Connections (-c) --------------------------------------------------------

/** One line of /proc/net/ip_vs_conn, parsed as print_conn's sscanf reads it. */
export interface ConnLine {
  readonly protocol: string;
  readonly af: Af;
  readonly client: string;
  readonly cport: number;
  readonly virtual: string;
  readonly vport: number;
  readonly dest: string;
  readonly dport: number;
  readonly state: string;
  readonly expires: number;
  readonly peName?: string;
  readonly peData?: string;
}

function hexToIPv4(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  return formatMask(n);
}

export function parseConnLine(line: string): ConnLine | undefined {
  const f = line.trim().split(/\s+/);
  if (f.length < 9) return undefined;
  const [protocol, c, cp, v, vp, d, dp, state, exp, peName, peData] = f as [string, string, string, string, string, string, string, string, string, string?, string?];
  const v6 = c.includes(':');
  return {
    protocol,
    af: v6 ? AF_INET6 : AF_INET,
    client: v6 ? c : hexToIPv4(c),
    cport: parseInt(cp, 16),
    virtual: v6 ? v : hexToIPv4(v),
    vport: parseInt(vp, 16),
    dest: v6 ? d : hexToIPv4(d),
    dport: parseInt(dp, 16),
    state,
    expires: parseInt(exp, 10),
    ...(peName !== undefined ? { peName } : {}),
    ...(peData !== undefined ? { peData } : {}),
  };
}

const protoNumber = (p: string): number => (p === 'TCP' ? IPPROTO_TCP : p === 'UDP' ? IPPROTO_UDP : p === 'SCTP' ? IPPROTO_SCTP : 0);

/** list_conn: the heading and one line per connection of /proc/net/ip_vs_conn (its first line is a heading). */
export function formatConnections(procText: string, format: Format, names: NameResolver = NO_NAMES): string {
  let out = 'IPVS connection entries\n';
  out += `pro expire ${padEnd('state', 11)} ${padEnd('source', 18)} ${padEnd('virtual', 18)} destination\n`;
  const lines = procText.split('\n').slice(1);
  for (const line of lines) {
    const c = parseConnLine(line);
    if (!c) continue;
    const proto = protoNumber(c.protocol);
    const name = (addr: string, port: number): string => addrPort(c.af, addr, port, proto, format, names);
    const expire = `${String(Math.floor(c.expires / 60)).padStart(2, '0')}:${String(c.expires % 60).padStart(2, '0')}`;
    out += `${padEnd(c.protocol, 3)} ${padEnd(expire, 6)} ${padEnd(c.state, 11)} ${padEnd(name(c.client, c.cport), 18)} ${padEnd(name(c.virtual, c.vport), 18)} ${name(c.dest, c.dport)}`;
    if (format.persistentConn && c.peName !== undefined) out += ` ${c.peName} ${c.peData ?? ''}`;
    out += '\n';
  }
  return out;
}

// --- JSON --------------------------------------------------------------------

const statsJson = (s: Service['stats']): Record<string, number | string> =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()]));

/** The table as one JSON-ready object (bigints as numbers, or strings beyond 2^53). */
export function listingJson(info: Info | undefined, entries: readonly ServiceEntry[], format: Format): unknown {
  const sorted = format.noSort ? entries : glibcSort(entries, (a, b) => cmpServices(a.service, b.service));
  return {
    ...(info ? { version: `${(info.version >> 16) & 0xff}.${(info.version >> 8) & 0xff}.${info.version & 0xff}`, size: info.size } : {}),
    services: sorted.map(({ service, dests }) => ({
      ...(service.fwmark ? { fwmark: service.fwmark } : { protocol: protocolName(service.protocol).toLowerCase(), address: service.address, port: service.port }),
      family: service.af === AF_INET6 ? 'inet6' : 'inet',
      scheduler: service.scheduler,
      schedFlags: schedFlagNames(service.scheduler, service.flags),
      persistent: service.flags & SVC_F.PERSISTENT ? service.timeout : null,
      netmask: service.af === AF_INET ? formatMask(service.netmask) : service.netmask,
      ops: (service.flags & SVC_F.ONEPACKET) !== 0,
      pe: service.pe || null,
      stats: statsJson(service.stats),
      dests: (format.noSort ? dests : glibcSort(dests, cmpDests)).map((d) => ({
        address: d.address,
        port: d.port,
        family: d.af === AF_INET6 ? 'inet6' : 'inet',
        forward: fwdName(d.fwd).toLowerCase(),
        weight: d.weight,
        upperThreshold: d.uThreshold,
        lowerThreshold: d.lThreshold,
        activeConns: d.activeConns,
        inactiveConns: d.inactConns,
        persistentConns: d.persistConns,
        ...((d.fwd & FWD_MASK) === FWD.TUNNEL ? { tunnel: { type: d.tunType, port: d.tunPort, flags: d.tunFlags } } : {}),
        stats: statsJson(d.stats),
      })),
    })),
  };
}

// IPVS message payloads (the attributes after the genl header): built from
// the model and decoded into it. Pure: byte buffers in and out.

import { addrBytes, formatAddr } from './address.js';
import { decodeAttrs, encodeAttrs, IPVS_CMD_ATTR, IPVS_INFO_ATTR, IPVS_SVC_ATTR, IPVS_DEST_ATTR, type AttrValues } from './attributes.js';
import { AF_INET, AF_INET6 } from './constants.js';
import type { Af, DaemonSpec, Dest, DestSpec, Info, Service, ServiceKey, ServiceSpec, Stats, Timeouts } from './types.js';

type SvcAttrs = AttrValues<typeof IPVS_SVC_ATTR>;
type DestAttrs = AttrValues<typeof IPVS_DEST_ATTR>;

/** The attributes that name a service (fwmark, or protocol + address + port). */
function serviceKeyAttrs(key: ServiceKey): SvcAttrs {
  return key.fwmark
    ? { af: key.af, fwmark: key.fwmark }
    : { af: key.af, protocol: key.protocol, addr: addrBytes(key.af, key.address), port: key.port };
}

function netmaskBytes(af: Af, netmask: number): Buffer {
  const buf = Buffer.alloc(4);
  if (af === AF_INET) buf.writeUInt32BE(netmask >>> 0);
  else buf.writeUInt32LE(netmask >>> 0);
  return buf;
}

export function buildServiceKey(key: ServiceKey): Buffer[] {
  return encodeAttrs(IPVS_CMD_ATTR, { service: serviceKeyAttrs(key) });
}

/** NEW_SERVICE/SET_SERVICE: the kernel wants the full entry. */
export function buildService(svc: ServiceSpec): Buffer[] {
  return encodeAttrs(IPVS_CMD_ATTR, {
    service: {
      ...serviceKeyAttrs(svc),
      schedName: svc.scheduler,
      ...(svc.pe ? { peName: svc.pe } : {}),
      flags: { flags: svc.flags, mask: 0xffffffff },
      timeout: svc.timeout,
      netmask: netmaskBytes(svc.af, svc.netmask),
    },
  });
}

/** NEW_DEST/SET_DEST (full entry), or DEL_DEST (`full` false: address and port only). */
export function buildDest(key: ServiceKey, dest: DestSpec, full = true): Buffer[] {
  const d: DestAttrs = { addr: addrBytes(dest.af, dest.address), port: dest.port, addrFamily: dest.af };
  if (full) {
    Object.assign(d, {
      fwdMethod: dest.fwd,
      weight: dest.weight,
      uThresh: dest.uThreshold,
      lThresh: dest.lThreshold,
      tunType: dest.tunType,
      tunPort: dest.tunPort,
      tunFlags: dest.tunFlags,
    } satisfies DestAttrs);
  }
  return encodeAttrs(IPVS_CMD_ATTR, { service: serviceKeyAttrs(key), dest: d });
}

export function buildTimeouts(t: Timeouts): Buffer[] {
  return encodeAttrs(IPVS_CMD_ATTR, { timeoutTcp: t.tcp, timeoutTcpFin: t.tcpFin, timeoutUdp: t.udp });
}

export function buildDaemon(d: DaemonSpec, full = true): Buffer[] {
  return encodeAttrs(IPVS_CMD_ATTR, { daemon: full ? { state: d.state, mcastIfn: d.mcastIfn, syncId: d.syncId } : { state: d.state } });
}

const ZERO_STATS: Stats = { conns: 0n, inpkts: 0n, outpkts: 0n, inbytes: 0n, outbytes: 0n, cps: 0n, inpps: 0n, outpps: 0n, inbps: 0n, outbps: 0n };

function toStats(s64: AttrValues<typeof IPVS_SVC_ATTR>['stats64'], s32: AttrValues<typeof IPVS_SVC_ATTR>['stats']): Stats {
  if (s64) return { ...ZERO_STATS, ...s64 };
  if (!s32) return ZERO_STATS;
  const big = (n: number | bigint | undefined): bigint => BigInt(n ?? 0);
  return {
    conns: big(s32.conns),
    inpkts: big(s32.inpkts),
    outpkts: big(s32.outpkts),
    inbytes: big(s32.inbytes),
    outbytes: big(s32.outbytes),
    cps: big(s32.cps),
    inpps: big(s32.inpps),
    outpps: big(s32.outpps),
    inbps: big(s32.inbps),
    outbps: big(s32.outbps),
  };
}

const toAf = (n: number | undefined): Af => (n === AF_INET6 ? AF_INET6 : AF_INET);

/** A GET_SERVICE reply's payload; undefined when it carries no service. */
export function decodeService(payload: Buffer): Service | undefined {
  const s = decodeAttrs(IPVS_CMD_ATTR, payload).service;
  if (!s) return undefined;
  const af = toAf(s.af);
  const nm = s.netmask;
  return {
    af,
    protocol: s.protocol ?? 0,
    address: formatAddr(af, s.addr ?? Buffer.alloc(16)),
    port: s.port ?? 0,
    fwmark: s.fwmark ?? 0,
    scheduler: s.schedName ?? '',
    flags: s.flags?.flags ?? 0,
    timeout: s.timeout ?? 0,
    netmask: nm && nm.length >= 4 ? (af === AF_INET ? nm.readUInt32BE(0) : nm.readUInt32LE(0)) : af === AF_INET ? 0xffffffff : 128,
    pe: s.peName ?? '',
    stats: toStats(s.stats64, s.stats),
  };
}

/** A GET_DEST reply's payload; `svcAf` is the family when the kernel predates IPVS_DEST_ATTR_ADDR_FAMILY. */
export function decodeDest(payload: Buffer, svcAf: Af): Dest | undefined {
  const d = decodeAttrs(IPVS_CMD_ATTR, payload).dest;
  if (!d) return undefined;
  const af = d.addrFamily === undefined ? svcAf : toAf(d.addrFamily);
  return {
    af,
    address: formatAddr(af, d.addr ?? Buffer.alloc(16)),
    port: d.port ?? 0,
    fwd: d.fwdMethod ?? 0,
    weight: d.weight ?? 0,
    uThreshold: d.uThresh ?? 0,
    lThreshold: d.lThresh ?? 0,
    tunType: d.tunType ?? 0,
    tunPort: d.tunPort ?? 0,
    tunFlags: d.tunFlags ?? 0,
    activeConns: d.activeConns ?? 0,
    inactConns: d.inactConns ?? 0,
    persistConns: d.persistConns ?? 0,
    stats: toStats(d.stats64, d.stats),
  };
}

export function decodeInfo(payload: Buffer): Info {
  const i = decodeAttrs(IPVS_INFO_ATTR, payload);
  return { version: i.version ?? 0, size: i.connTabSize ?? 0 };
}

export function decodeTimeouts(payload: Buffer): Timeouts {
  const t = decodeAttrs(IPVS_CMD_ATTR, payload);
  return { tcp: t.timeoutTcp ?? 0, tcpFin: t.timeoutTcpFin ?? 0, udp: t.timeoutUdp ?? 0 };
}

export function decodeDaemon(payload: Buffer): DaemonSpec | undefined {
  const d = decodeAttrs(IPVS_CMD_ATTR, payload).daemon;
  if (!d) return undefined;
  return { state: d.state ?? 0, mcastIfn: d.mcastIfn ?? '', syncId: d.syncId ?? 0 };
}

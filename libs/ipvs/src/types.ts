// The IPVS objects as this library hands them out: plain data, JSON-friendly
// except the 64-bit counters (bigint).

/** 2 (AF_INET) or 10 (AF_INET6). */
export type Af = 2 | 10;

/** A virtual service's identity: a fwmark (protocol and address ignored), or protocol, address and port. */
export interface ServiceKey {
  readonly af: Af;
  /** IPPROTO_TCP, _UDP or _SCTP; ipvsadm sends TCP for fwmark services. */
  readonly protocol: number;
  /** inet_ntop form; '0.0.0.0' or '::' for fwmark services. */
  readonly address: string;
  readonly port: number;
  /** 0 unless a fwmark service. */
  readonly fwmark: number;
}

export interface Stats {
  readonly conns: bigint;
  readonly inpkts: bigint;
  readonly outpkts: bigint;
  readonly inbytes: bigint;
  readonly outbytes: bigint;
  readonly cps: bigint;
  readonly inpps: bigint;
  readonly outpps: bigint;
  readonly inbps: bigint;
  readonly outbps: bigint;
}

export interface ServiceSpec extends ServiceKey {
  readonly scheduler: string;
  /** IP_VS_SVC_F_* (PERSISTENT, ONEPACKET, SCHED1-3). */
  readonly flags: number;
  /** Persistence timeout, seconds. */
  readonly timeout: number;
  /** IPv4: the mask as a dotted quad's 32-bit value (0xffffffff for /32); IPv6: the prefix length. */
  readonly netmask: number;
  /** Persistence engine ('sip'), '' for none. */
  readonly pe: string;
}

export interface Service extends ServiceSpec {
  readonly stats: Stats;
}

export interface DestSpec {
  readonly af: Af;
  readonly address: string;
  readonly port: number;
  /** IP_VS_CONN_F_* forwarding method: 0 masq, 1 local, 2 tunnel, 3 route. */
  readonly fwd: number;
  readonly weight: number;
  readonly uThreshold: number;
  readonly lThreshold: number;
  /** IP_VS_CONN_F_TUNNEL_TYPE_*: 0 ipip, 1 gue, 2 gre. */
  readonly tunType: number;
  readonly tunPort: number;
  /** IP_VS_TUNNEL_ENCAP_FLAG_*. */
  readonly tunFlags: number;
}

export interface Dest extends DestSpec {
  readonly activeConns: number;
  readonly inactConns: number;
  readonly persistConns: number;
  readonly stats: Stats;
}

export interface Timeouts {
  readonly tcp: number;
  readonly tcpFin: number;
  readonly udp: number;
}

export interface DaemonSpec {
  /** 1 master, 2 backup. */
  readonly state: number;
  readonly mcastIfn: string;
  readonly syncId: number;
}

export interface Info {
  /** IP_VS_VERSION_CODE, e.g. 0x010201. */
  readonly version: number;
  /** The connection hash table's size. */
  readonly size: number;
}

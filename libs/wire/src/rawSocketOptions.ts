// Linux socket option numbers and the option structs the VRRP socket sets
// through raw-socket's setOption(level, name, buffer, length). raw-socket
// exports only a handful of these constants (SO_BINDTODEVICE, IP_HDRINCL,
// IP_TOS, IP_TTL, IPV6_UNICAST_HOPS), so the rest come from the kernel's
// uapi headers: <asm-generic/socket.h>, <linux/in.h>, <linux/in6.h>.
// Pure: no native module is loaded here.

export const SOL_SOCKET = 1;
export const IPPROTO_IP = 0;
export const IPPROTO_IPV6 = 41;

/** Level SOL_SOCKET (<asm-generic/socket.h>). */
export const SocketOption = {
  SO_RCVBUF: 8,
  SO_BINDTODEVICE: 25,
  /** SO_RCVBUF beyond net.core.rmem_max; needs CAP_NET_ADMIN. */
  SO_RCVBUFFORCE: 33,
} as const;

/** Level IPPROTO_IP (<linux/in.h>). */
export const IpOption = {
  IP_TOS: 1,
  IP_TTL: 2,
  IP_HDRINCL: 3,
  IP_MULTICAST_IF: 32,
  IP_MULTICAST_TTL: 33,
  IP_MULTICAST_LOOP: 34,
  IP_ADD_MEMBERSHIP: 35,
  IP_DROP_MEMBERSHIP: 36,
  IP_MULTICAST_ALL: 49,
} as const;

/** Level IPPROTO_IPV6 (<linux/in6.h>). */
export const Ipv6Option = {
  IPV6_CHECKSUM: 7,
  IPV6_UNICAST_HOPS: 16,
  IPV6_MULTICAST_IF: 17,
  IPV6_MULTICAST_HOPS: 18,
  IPV6_MULTICAST_LOOP: 19,
  IPV6_ADD_MEMBERSHIP: 20,
  IPV6_DROP_MEMBERSHIP: 21,
  IPV6_MULTICAST_ALL: 29,
  IPV6_PKTINFO: 50,
  IPV6_TCLASS: 67,
} as const;

// The structs hold C ints in host byte order and addresses in network order.
const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeHostInt(out: Buffer, value: number, offset: number): void {
  if (isLittleEndianHost) out.writeInt32LE(value, offset);
  else out.writeInt32BE(value, offset);
}

/** An int option value (what setsockopt reads for most options). */
export function encodeIntOption(value: number): Buffer {
  const out = Buffer.alloc(4);
  writeHostInt(out, value, 0);
  return out;
}

/**
 * struct ip_mreqn { in_addr imr_multiaddr; in_addr imr_address; int imr_ifindex; }:
 * IP_ADD_MEMBERSHIP and IP_MULTICAST_IF by interface index, as keepalived
 * does, so that an interface without an IPv4 address of its own still works.
 */
export function encodeIpMreqn(group: Uint8Array | undefined, ifindex: number): Buffer {
  const out = Buffer.alloc(12);
  if (group) out.set(group.subarray(0, 4), 0);
  writeHostInt(out, ifindex, 8);
  return out;
}

/** struct ipv6_mreq { in6_addr ipv6mr_multiaddr; int ipv6mr_interface; }. */
export function encodeIpv6Mreq(group: Uint8Array, ifindex: number): Buffer {
  const out = Buffer.alloc(20);
  out.set(group.subarray(0, 16), 0);
  writeHostInt(out, ifindex, 16);
  return out;
}

/** SO_BINDTODEVICE takes the interface name, NUL-terminated (keepalived passes strlen + 1). */
export function encodeInterfaceName(ifname: string): Buffer {
  return Buffer.from(`${ifname}\0`, 'latin1');
}

// Kernel constants for rtnetlink (linux/rtnetlink.h, if_addr.h, if_link.h,
// if.h, netlink.h), named as in the headers so that they can be grepped.

/**
 * The IFA_PROTO value that marks the addresses this toolkit adds, so that
 * vrrpd and vipctl can tell their VIPs from addresses an operator added by
 * hand (`ip addr add` leaves IFA_PROTO unset, i.e. 0) and never remove those.
 *
 * 112 (0x70) is the IP protocol number of VRRP, easy to recognise in
 * `ip -j addr` (`"protocol": "0x70"` with iproute2 6.3 and later). It avoids:
 * - 0..3, which the kernel defines (IFAPROT_UNSPEC, IFAPROT_KERNEL_LO,
 *   IFAPROT_KERNEL_RA, IFAPROT_KERNEL_LL);
 * - 18, which keepalived sets on the addresses it adds since 2.3.2 (it reuses
 *   RTPROT_KEEPALIVED and registers it as "keepalived" in
 *   /etc/iproute2/rt_addrprotos.d), so that a keepalived and a keepalived-ts
 *   on one host do not take each other's addresses for their own;
 * - every RTPROT_* value in use for routes (0-4, 8-18, 42, 84, 99, 186-192)
 *   and OVN-Kubernetes' 85, since address protocols are often numbered after
 *   route protocols.
 * The kernel keeps and reports IFA_PROTO from Linux 5.18; older kernels
 * ignore it, and then `proto` reads back as undefined.
 */
export const OWNER_PROTO = 112;

/** keepalived's mark (RTPROT_KEEPALIVED), for recognising its addresses. */
export const KEEPALIVED_PROTO = 18;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;

/** rtnetlink message types (linux/rtnetlink.h). */
export const RTM = {
  NEWLINK: 16,
  DELLINK: 17,
  GETLINK: 18,
  SETLINK: 19,
  NEWADDR: 20,
  DELADDR: 21,
  GETADDR: 22,
} as const;

/** nlmsg_flags beyond REQUEST and ACK, which the netlink package sets itself. */
export const NLM_F = {
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
} as const;

/** Multicast groups (enum rtnetlink_groups). */
export const RTNLGRP = {
  LINK: 1,
  IPV4_IFADDR: 5,
  IPV6_IFADDR: 9,
} as const;

/** net_device flags (linux/if.h). */
export const IFF = {
  UP: 0x1,
  RUNNING: 0x40,
  LOWER_UP: 0x10000,
} as const;

/** ifa_flags / IFA_FLAGS bits (linux/if_addr.h). */
export const IFA_F = {
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/** Address scopes (enum rt_scope_t), as `ip addr ... scope NAME` names them. */
export const SCOPES = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
} as const;
export type ScopeName = keyof typeof SCOPES;

/** IFLA_MACVLAN_MODE values (linux/if_link.h, enum macvlan_mode). */
export const MACVLAN_MODES = {
  private: 1,
  vepa: 2,
  bridge: 4,
  passthru: 8,
} as const;
export type MacvlanMode = keyof typeof MACVLAN_MODES;

/** IFLA_EXT_MASK bit that leaves the (large) statistics out of link replies. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** Interface names are at most IFNAMSIZ - 1 characters; labels share the limit. */
export const IFNAMSIZ = 16;

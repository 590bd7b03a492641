// IPVS constants (include/uapi/linux/ip_vs.h, netinet/in.h, sys/socket.h).

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;

/** IPVS_CMD_*. */
export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_SCTP = 132;

/** IP_VS_SVC_F_*. */
export const SVC_F = {
  PERSISTENT: 0x0001,
  HASHED: 0x0002,
  ONEPACKET: 0x0004,
  SCHED1: 0x0008,
  SCHED2: 0x0010,
  SCHED3: 0x0020,
} as const;
export const SVC_F_SCHED_MASK = SVC_F.SCHED1 | SVC_F.SCHED2 | SVC_F.SCHED3;

/** IP_VS_CONN_F_* forwarding methods (the low 3 bits of IPVS_DEST_ATTR_FWD_METHOD). */
export const FWD = { MASQ: 0, LOCALNODE: 1, TUNNEL: 2, DROUTE: 3 } as const;
export const FWD_MASK = 0x7;

/** IP_VS_CONN_F_TUNNEL_TYPE_*. */
export const TUN_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
export type TunnelType = keyof typeof TUN_TYPE;
/** IP_VS_TUNNEL_ENCAP_FLAG_*. */
export const TUN_FLAG = { NOCSUM: 0, CSUM: 1, REMCSUM: 2 } as const;

/** IP_VS_STATE_*. */
export const DAEMON_STATE = { MASTER: 1, BACKUP: 2 } as const;

/** ipvsadm's defaults. */
export const DEFAULT_SCHEDULER = 'wlc';
export const DEFAULT_PERSISTENT_TIMEOUT = 360;

// @keepalived-ts/ipvs: IPVS over generic netlink (Ipvs), its attribute
// tables, and ipvsadm 1.31's text formats. Importing it loads nothing native;
// Ipvs.open() does.

export * from './constants.js';
export type * from './types.js';
export { IPVS_CMD_ATTR, IPVS_DAEMON_ATTR, IPVS_DEST_ATTR, IPVS_INFO_ATTR, IPVS_STATS64_ATTR, IPVS_STATS_ATTR, IPVS_SVC_ATTR, decodeAttrs, encodeAttrs } from './attributes.js';
export type { AttrDef, AttrTable, AttrValues, FlagsValue } from './attributes.js';
export { addrBytes, formatAddr, formatMask, inetAton, inetNtop6 } from './address.js';
export { parseIPv6 } from '@keepalived-ts/vrrp';
export { IpvsError, ipvsStrerror, type IpvsOperation } from './errors.js';
export * from './messages.js';
export * from './format.js';
export { Ipvs } from './client.js';

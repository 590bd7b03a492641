// @keepalived-ts/netlink: rtnetlink for vrrpd and vipctl (virtual IPs marked
// with IFA_PROTO, links, use_vmac macvlans, change events). Importing it
// loads nothing native; openRtnetlink() does.

export { KEEPALIVED_PROTO, MACVLAN_MODES, OWNER_PROTO, SCOPES, IFA_F, type MacvlanMode, type ScopeName } from './constants.js';
export { NetlinkError } from './errors.js';
export { formatMac, parseMac } from './mac.js';
export { openRtnetlink } from './rtnetlink.js';
export type { AddressInfo, AddressSpec, LinkInfo, MacvlanSpec, NetlinkEvent, Rtnetlink } from './types.js';
export { macvlanName, VMAC_MODE, vmacAddress } from './vmac.js';
// Generic netlink plumbing for libs/ipvs: the lazily loaded package and the errno of its errors.
export { loadNetlink } from './socket.js';
export { errnoName, errnoOf } from './errors.js';

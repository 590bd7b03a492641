// @keepalived-ts/vip: what vipctl and garp share. Importing it loads nothing
// native: the caller opens rtnetlink (@keepalived-ts/netlink) and announcers
// (@keepalived-ts/wire/announceSender) and hands them in.
export * from './addressControl.js';
export * from './announce.js';
export * from './errors.js';
export * from './eventApplier.js';
export * from './transitionEvent.js';
export * from './vipAddress.js';

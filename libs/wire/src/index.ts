// Pure frame codecs and file formats. Live capture and sockets load native
// modules, so they are separate entry points (`@keepalived-ts/wire/capture`).
export * from './announce.js';
export * from './announceFrames.js';
export * from './capturedFrame.js';
export * from './ipHeader.js';
export * from './linkLayer.js';
export * from './pcapFile.js';
export * from './vrrpPacket.js';

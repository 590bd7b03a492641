export * from './address.js';
export * from './advert.js';
export * from './checksum.js';
export * from './constants.js';
export * from './decode.js';
export * from './encode.js';
export { HEADER_FIELDS, type HeaderField, type HeaderFieldName } from './headerFields.js';

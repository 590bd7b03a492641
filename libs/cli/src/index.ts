export * from './colour.js';
export * from './errors.js';
export * from './flags.js';

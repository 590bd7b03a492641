export * from './checkResult.js';
export * from './retry.js';

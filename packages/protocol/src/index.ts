export * from './claims.js';
export * from './errors.js';
export * from './metadata.js';
export * from './tokens.js';

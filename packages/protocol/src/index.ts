export * from './claims.js';
export * from './config-env.js';
export * from './envelopes.js';
export * from './errors.js';
export * from './metadata.js';
export * from './passkeys.js';
export * from './tokens.js';

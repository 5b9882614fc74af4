export type { Dialect } from './migrations/index.js';
export type { Client, ClientPatch } from './repositories/clients.js';
export { ClientRepository } from './repositories/clients.js';
export { RevokedTokenRepository } from './repositories/revoked-tokens.js';
export type { NewSigningKey, SigningKey, SigningKeyStatus } from './repositories/signing-keys.js';
export { SigningKeyRepository } from './repositories/signing-keys.js';
export type { Database } from './schema.js';
export { isPostgresUrl, openStore, type Store, type StoreOptions } from './store.js';

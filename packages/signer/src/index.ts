export type { SignerDatabase } from './store/database.js';
export { openSignerStore, type SignerStore, signerMigrations } from './store/signer-store.js';

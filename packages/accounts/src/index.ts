export { type Accounts, type AccountsOptions, createAccounts } from './accounts.js';
export { type ClientJson, clientJson } from './admin/clients.js';
export { type Config, ConfigError, loadConfig, type SigningAlg } from './config.js';
export type { AccountsContext } from './context.js';
export { metadata } from './endpoints/discovery.js';
export { DEMO_CLIENT_ID, ensureDemoClient, ensureSignerClient, SIGNER_CLIENT_ID } from './local-clients.js';
export { SIGNER_SCOPES, USER_SCOPES } from './scopes.js';
export { openStore, type Store } from './store/accounts-store.js';

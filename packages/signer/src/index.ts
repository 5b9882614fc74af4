export { buildSignerApp, type SignerRoutes } from './app.js';
export {
  type AccessTokenCheck,
  CLOCK_LEEWAY_SECONDS,
  checkAccessToken,
  invalidToken,
  type VerifiedAccessToken,
  verifyAccessToken,
} from './auth/access-token.js';
export { authenticate, BEARER_CHALLENGE, bearerToken, requireScope } from './auth/bearer.js';
export type { Caller } from './auth/caller.js';
export { DiscoveryError, discoverIssuer, type IssuerMetadata } from './auth/discovery.js';
export { type KeyPresence, VERIFIED_TOKENS_MAX, VerifiedTokens } from './auth/verified-tokens.js';
export { ConfigError, loadSignerConfig, type SignerConfig } from './config.js';
export type { SignerContext } from './context.js';
export {
  ARCHIVE_RENEWAL_MARGIN,
  type RenewalReport,
  renewArchiveTimestamps,
} from './pki/archive-renewal.js';
export { CertificateAuthority, type Revoked } from './pki/authority.js';
export { REVOCATION_REASONS, type RevocationReason } from './pki/revocation.js';
export { createSigner, loadSignerMasterKey, type Signer, type SignerOverrides } from './signer.js';
export { SIGNING_PAGE_SCOPE, signingCallbackUrl } from './signing-page/routes.js';
export type { SignerDatabase } from './store/database.js';
export { openSignerStore, type SignerStore, signerMigrations } from './store/signer-store.js';

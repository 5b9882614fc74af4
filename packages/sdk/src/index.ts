/**
 * Signet SDK: what an integrator installs. A token cache for the Signer API
 * (`client_credentials`), PKCE and authorization helpers for identifying the signer with OpenID
 * Connect, id_token verification, and a typed Signer API client. Runs on `fetch` and WebCrypto
 * only: Node 20, browsers and edge runtimes. See docs/sdk.md.
 *
 * It is also Signet's one OpenID Connect relying-party core (decision 0017): discovery,
 * authorization requests, callbacks and code exchange on oauth4webapi; every JWT Signet
 * verifies goes through {@link verifyJwt} (jose) and the one algorithm list {@link JWS_ALGORITHMS}.
 */
export {
  ACR_FACE,
  type AuthorizationCallbackOptions,
  type AuthorizationUrlOptions,
  authorizationCode,
  authorizationUrl,
  type CodeExchangeResult,
  DOCUMENTED_SCOPE,
  type ExchangeCodeOptions,
  exchangeCode,
  type ServerInput,
} from './authorization.js';
export { DISCOVERY_MAX_AGE_SECONDS, type DiscoverOptions, discover } from './discovery.js';
export { SdkError, type SdkErrorCode, type SdkErrorDetails } from './errors.js';
export type { FetchLike } from './http.js';
export {
  type IdTokenClaims,
  type VerifyIdTokenOptions,
  verifyIdToken,
  verifyIdTokenJwt,
} from './id-token.js';
export {
  JWKS_COOLDOWN_SECONDS,
  JWKS_MAX_AGE_SECONDS,
  RemoteJwks,
  type RemoteJwksOptions,
  sharedJwks,
} from './jwks.js';
export { type CompactJws, JWS_ALGORITHMS, type JwsAlg, parseCompactJws } from './jws.js';
export {
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  type KeySource,
  type VerifiedJwt,
  type VerifyJwtOptions,
  verifyJwt,
} from './jwt.js';
export { codeChallengeFor, createPkce, type Pkce, randomNonce, randomState } from './pkce.js';
export { type RefreshResult, type RefreshTokensOptions, refreshTokens } from './refresh.js';
export {
  encodeBase64,
  type ListEnvelopesOptions,
  SignerApiError,
  SignerClient,
  type SignerClientConfig,
} from './signer-client.js';
export type {
  AuditTrail,
  CreateEnvelopeRequest,
  Envelope,
  EnvelopeList,
  EnvelopeStatus,
  ListEnvelopesQuery,
  ResentInvitation,
  SignerErrorCode,
  VerifyResponse,
} from './signer-types.js';
export {
  ClientCredentials,
  type ClientCredentialsConfig,
  createTokenProvider,
  DEFAULT_REFRESH_SKEW_SECONDS,
  DEFAULT_RETRY_COOLDOWN_SECONDS,
  type TokenProvider,
} from './token-provider.js';
export { type ClientAuthMethod, clientSecretBasic } from './token-request.js';
export {
  type AuthorizationServerMetadata,
  type CredentialClaim,
  isLoopback,
  type TokenResponse,
  type UserClaims,
} from './wire.js';

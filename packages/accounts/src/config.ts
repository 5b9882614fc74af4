import { resolve } from 'node:path';
import {
  ConfigError,
  type Env,
  envBool,
  envDecimal,
  envInt,
  envIssuer,
  envLogLevel,
  envMasterKey,
  envSignerAudience,
  envString,
} from '@signet/protocol';
import { defaultPoolSize } from './face/pool.js';

/** Signing algorithms Signet can issue JWTs with. */
export type SigningAlg = 'ES256' | 'RS256';

/**
 * The whole configuration of the accounts service, read once at start from `SIGNET_*`
 * environment variables. Every field documents its variable and default.
 */
export interface Config {
  /** `SIGNET_ISSUER`: the issuer identifier, an https URL (http allowed for localhost). Default `http://localhost:4444`. */
  issuer: string;
  /** `SIGNET_HOST`: address of the public listener. Default `127.0.0.1`. */
  host: string;
  /** `SIGNET_PORT`: port of the public listener. Default 4444. */
  port: number;
  /** `SIGNET_ADMIN_HOST`: address of the admin listener. Default `127.0.0.1` (never public unless you say so). */
  adminHost: string;
  /** `SIGNET_ADMIN_PORT`: port of the admin listener. Default 4445. */
  adminPort: number;
  /** `SIGNET_ADMIN_TOKEN`: bearer token for the admin API. Unset: generated on first start into `<dataDir>/admin-token` (mode 0600). */
  adminToken: string | undefined;
  /** `SIGNET_DATA_DIR`: where the SQLite database and generated secrets live. Default `./.signet`. */
  dataDir: string;
  /** `SIGNET_DATABASE_URL`: unset for SQLite at `<dataDir>/signet.db`; `postgres://…` for PostgreSQL. */
  databaseUrl: string;
  /** `SIGNET_SIGNER_AUDIENCE`: the Signer API's audience. Default `http://localhost:4446`. */
  signerAudience: string;
  /** `SIGNET_ACCESS_TOKEN_TTL`: access token lifetime in seconds. Default 3600 (the documented 60 minutes). */
  accessTokenTtl: number;
  /** `SIGNET_AUTHORIZATION_CODE_TTL`: authorization code lifetime in seconds. Default 60. */
  authorizationCodeTtl: number;
  /** `SIGNET_ID_TOKEN_TTL`: id_token lifetime in seconds. Default 3600. */
  idTokenTtl: number;
  /** `SIGNET_REFRESH_TOKEN_TTL`: refresh token lifetime in seconds. Default 2592000 (30 days). */
  refreshTokenTtl: number;
  /** `SIGNET_SESSION_TTL`: how long a sign-in lasts in the browser, in seconds. Default 28800 (8 hours). */
  sessionTtl: number;
  /** `SIGNET_SIGNING_ALG`: `ES256` (default) or `RS256`, for newly generated keys. */
  signingAlg: SigningAlg;
  /**
   * `SIGNET_MASTER_KEY`: 32 bytes, base64url, that seal private keys and key client-secret
   * hashes. Unset: generated on first start into `<dataDir>/master-key` (mode 0600). Every
   * node of a cluster must share it.
   */
  masterKey: string | undefined;
  /** `SIGNET_DEMO_CLIENT`: create and print a demo client at start. Default true. */
  demoClient: boolean;
  /** `SIGNET_LOG_LEVEL`: `fatal`…`trace` or `silent`. Default `info`. */
  logLevel: string;
  /** `SIGNET_ACCESS_LOG`: one log line per request (method, route, status, ms, request id). Default true. */
  accessLog: boolean;
  /**
   * `SIGNET_METRICS_TOKEN`: a bearer token that opens only `GET /metrics` on the admin listener,
   * for the Prometheus scraper (the admin token opens it too). Unset: only the admin token does.
   */
  metricsToken: string | undefined;
  /**
   * `SIGNET_FACE_THRESHOLD`: largest euclidean distance between embeddings that still counts as
   * the enrolled person (0 < t < 2). Default 0.5 (measured on the face fixtures: same person 0.16–0.47,
   * look-alikes from 0.55).
   */
  faceThreshold: number;
  /** `SIGNET_FACE_POOL_SIZE`: face-check worker threads. Default `defaultPoolSize()`: one per core but one. */
  facePoolSize: number;
  /** `SIGNET_FACE_MAX_ATTEMPTS`: face checks allowed per sign-in before it ends in `unmet_authentication_requirements`. Default 3. */
  faceMaxAttempts: number;
  /**
   * `SIGNET_FACE_ENROLMENT_TTL`: how long a face enrolment link (`POST
   * /admin/users/{id}/face-enrolment-links`) works, in seconds. Default 86400 (24 hours); 60 to
   * 2592000 (30 days).
   */
  faceEnrolmentTtl: number;
  /**
   * `SIGNET_FACE_ALLOW_PASSWORD`: whether a password and a face may reach `urn:acr:face` (the
   * weaker level: a password and one photo of the person pass it). Default false: `urn:acr:face`
   * needs a passkey and the face (issue 10).
   */
  faceAllowPassword: boolean;
  /** `SIGNET_SUPPORT_EMAIL`: the address people write to when signing in does not work, shown on `/help`. Unset: none. */
  supportEmail: string | undefined;
  /** `SIGNET_SUPPORT_URL`: the operator's support page (http or https), linked from `/help`. Unset: none. */
  supportUrl: string | undefined;
}

/** The shortest admin token accepted, configured or read from its file. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

export { ConfigError };

/** Reads and validates the configuration; throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(envString(env, 'SIGNET_DATA_DIR', './.signet'));
  const issuer = envIssuer(env);
  const databaseUrl = env.SIGNET_DATABASE_URL?.trim() || resolve(dataDir, 'signet.db');
  const masterKey = envMasterKey(env, 'SIGNET_MASTER_KEY');
  const adminToken = env.SIGNET_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('SIGNET_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const metricsToken = envMetricsToken(env);
  const signingAlg = envString(env, 'SIGNET_SIGNING_ALG', 'ES256');
  if (signingAlg !== 'ES256' && signingAlg !== 'RS256') {
    throw new ConfigError('SIGNET_SIGNING_ALG', `must be ES256 or RS256, got "${signingAlg}"`);
  }
  const signerAudience = envSignerAudience(env);
  const logLevel = envLogLevel(env);
  const host = envString(env, 'SIGNET_HOST', '127.0.0.1');
  const port = envInt(env, 'SIGNET_PORT', 4444, 0, 65535);
  const adminHost = envString(env, 'SIGNET_ADMIN_HOST', '127.0.0.1');
  const adminPort = envInt(env, 'SIGNET_ADMIN_PORT', 4445, 0, 65535);
  // Port 0 asks the OS for a free port, so only fixed ports can clash.
  if (port !== 0 && port === adminPort && (host === adminHost || isWildcard(host) || isWildcard(adminHost))) {
    throw new ConfigError(
      'SIGNET_ADMIN_PORT',
      `must differ from SIGNET_PORT (${port}): the admin API needs its own listener`,
    );
  }
  return {
    issuer,
    host,
    port,
    adminHost,
    adminPort,
    adminToken,
    dataDir,
    databaseUrl,
    signerAudience,
    accessTokenTtl: envInt(env, 'SIGNET_ACCESS_TOKEN_TTL', 3600, 1, 86_400),
    authorizationCodeTtl: envInt(env, 'SIGNET_AUTHORIZATION_CODE_TTL', 60, 1, 600),
    idTokenTtl: envInt(env, 'SIGNET_ID_TOKEN_TTL', 3600, 1, 86_400),
    refreshTokenTtl: envInt(env, 'SIGNET_REFRESH_TOKEN_TTL', 2_592_000, 60, 31_536_000),
    sessionTtl: envInt(env, 'SIGNET_SESSION_TTL', 28_800, 60, 2_592_000),
    signingAlg,
    masterKey,
    demoClient: envBool(env, 'SIGNET_DEMO_CLIENT', true),
    logLevel,
    accessLog: envBool(env, 'SIGNET_ACCESS_LOG', true),
    metricsToken,
    faceThreshold: envDecimal(env, 'SIGNET_FACE_THRESHOLD', 0.5, 0, 2),
    facePoolSize: envInt(env, 'SIGNET_FACE_POOL_SIZE', defaultPoolSize(), 1, 64),
    faceMaxAttempts: envInt(env, 'SIGNET_FACE_MAX_ATTEMPTS', 3, 1, 20),
    faceEnrolmentTtl: envInt(env, 'SIGNET_FACE_ENROLMENT_TTL', 86_400, 60, 2_592_000),
    faceAllowPassword: envBool(env, 'SIGNET_FACE_ALLOW_PASSWORD', false),
    ...envSupport(env),
  };
}

/** `SIGNET_METRICS_TOKEN`, shared by accounts and the Signer: unset, or at least 16 characters. */
export function envMetricsToken(env: Env): string | undefined {
  const token = env.SIGNET_METRICS_TOKEN?.trim() || undefined;
  if (token !== undefined && token.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('SIGNET_METRICS_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  return token;
}

/** `SIGNET_SUPPORT_EMAIL` (one address) and `SIGNET_SUPPORT_URL` (an http or https URL), each optional. */
function envSupport(env: Env): Pick<Config, 'supportEmail' | 'supportUrl'> {
  const supportEmail = env.SIGNET_SUPPORT_EMAIL?.trim() || undefined;
  if (supportEmail !== undefined && !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(supportEmail)) {
    throw new ConfigError('SIGNET_SUPPORT_EMAIL', `must be one email address, got "${supportEmail}"`);
  }
  const supportUrl = env.SIGNET_SUPPORT_URL?.trim() || undefined;
  if (supportUrl !== undefined && !/^https?:$/.test(URL.parse(supportUrl)?.protocol ?? '')) {
    throw new ConfigError('SIGNET_SUPPORT_URL', `must be an http or https URL, got "${supportUrl}"`);
  }
  return { supportEmail, supportUrl };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

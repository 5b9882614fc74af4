import { resolve } from 'node:path';
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
  /**
   * `SIGNET_FACE_THRESHOLD`: largest euclidean distance between embeddings that still counts as
   * the enrolled person (0 < t < 2). Default 0.5 (issue 4's measurements: same person 0.16–0.47,
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
}

/** A configuration problem, naming the variable at fault. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** The shortest admin token accepted, configured or read from its file. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the configuration; throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(str(env, 'SIGNET_DATA_DIR', './.signet'));
  const issuer = url(env, 'SIGNET_ISSUER', 'http://localhost:4444');
  if (issuer.endsWith('/')) throw new ConfigError('SIGNET_ISSUER', 'must not end with "/"');
  const parsedIssuer = new URL(issuer);
  if (parsedIssuer.search || parsedIssuer.hash) {
    throw new ConfigError('SIGNET_ISSUER', 'must not carry a query or fragment (RFC 8414 §2)');
  }
  if (parsedIssuer.protocol === 'http:' && !isLoopback(parsedIssuer.hostname)) {
    throw new ConfigError('SIGNET_ISSUER', 'must use https unless the host is localhost');
  }
  const databaseUrl = env.SIGNET_DATABASE_URL?.trim() || resolve(dataDir, 'signet.db');
  const masterKey = env.SIGNET_MASTER_KEY?.trim() || undefined;
  if (masterKey !== undefined && Buffer.from(masterKey, 'base64url').length < 32) {
    throw new ConfigError(
      'SIGNET_MASTER_KEY',
      'must be at least 32 bytes, base64url-encoded (try: openssl rand -base64 32)',
    );
  }
  const adminToken = env.SIGNET_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError('SIGNET_ADMIN_TOKEN', `must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters`);
  }
  const signingAlg = str(env, 'SIGNET_SIGNING_ALG', 'ES256');
  if (signingAlg !== 'ES256' && signingAlg !== 'RS256') {
    throw new ConfigError('SIGNET_SIGNING_ALG', `must be ES256 or RS256, got "${signingAlg}"`);
  }
  const signerAudience = str(env, 'SIGNET_SIGNER_AUDIENCE', 'http://localhost:4446');
  // Token requests carry audiences space-delimited, so one with a space could never be asked for.
  if (/\s/.test(signerAudience)) {
    throw new ConfigError(
      'SIGNET_SIGNER_AUDIENCE',
      `must be a single audience without spaces, got "${signerAudience}"`,
    );
  }
  const logLevel = str(env, 'SIGNET_LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('SIGNET_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const host = str(env, 'SIGNET_HOST', '127.0.0.1');
  const port = int(env, 'SIGNET_PORT', 4444, 0, 65535);
  const adminHost = str(env, 'SIGNET_ADMIN_HOST', '127.0.0.1');
  const adminPort = int(env, 'SIGNET_ADMIN_PORT', 4445, 0, 65535);
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
    accessTokenTtl: int(env, 'SIGNET_ACCESS_TOKEN_TTL', 3600, 1, 86_400),
    authorizationCodeTtl: int(env, 'SIGNET_AUTHORIZATION_CODE_TTL', 60, 1, 600),
    idTokenTtl: int(env, 'SIGNET_ID_TOKEN_TTL', 3600, 1, 86_400),
    refreshTokenTtl: int(env, 'SIGNET_REFRESH_TOKEN_TTL', 2_592_000, 60, 31_536_000),
    sessionTtl: int(env, 'SIGNET_SESSION_TTL', 28_800, 60, 2_592_000),
    signingAlg,
    masterKey,
    demoClient: bool(env, 'SIGNET_DEMO_CLIENT', true),
    logLevel,
    faceThreshold: decimal(env, 'SIGNET_FACE_THRESHOLD', 0.5, 0, 2),
    facePoolSize: int(env, 'SIGNET_FACE_POOL_SIZE', defaultPoolSize(), 1, 64),
    faceMaxAttempts: int(env, 'SIGNET_FACE_MAX_ATTEMPTS', 3, 1, 20),
    faceEnrolmentTtl: int(env, 'SIGNET_FACE_ENROLMENT_TTL', 86_400, 60, 2_592_000),
  };
}

/** A decimal number strictly between `min` and `max`. */
function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `must be a decimal number, got "${raw}"`);
  const n = Number(raw);
  if (!(n > min && n < max)) throw new ConfigError(name, `must be greater than ${min} and less than ${max}, got ${n}`);
  return n;
}

function str(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim();
  return v ? v : fallback;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string): string {
  const v = str(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(v);
  } catch {
    throw new ConfigError(name, `must be an absolute URL, got "${v}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${v}"`);
  }
  return v;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host.endsWith('.localhost');
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

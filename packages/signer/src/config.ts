import { resolve } from 'node:path';

/**
 * The Signer's configuration, read once at start from `SIGNET_*` variables by
 * {@link loadSignerConfig}. Every field documents its variable and default.
 */
export interface SignerConfig {
  /** `SIGNET_ISSUER`: the accounts issuer the Signer trusts, found via discovery. Default `http://localhost:4444`. */
  issuer: string;
  /** `SIGNET_SIGNER_AUDIENCE`: this API's audience; access tokens must carry it in `aud`. Default `http://localhost:4446`. */
  audience: string;
  /** `SIGNET_SIGNER_PUBLIC_URL`: the URL people and integrators reach the Signer at (signing links, callback). Default `http://localhost:4446`. */
  publicUrl: string;
  /** `SIGNET_SIGNER_HOST`. Default `127.0.0.1`. */
  host: string;
  /** `SIGNET_SIGNER_PORT`. Default 4446. */
  port: number;
  /** `SIGNET_DATA_DIR`: where the SQLite database and generated secrets live. Default `./.signet`. */
  dataDir: string;
  /** `SIGNET_SIGNER_DATABASE_URL`: unset for SQLite at `<dataDir>/signer.db`; `postgres://…` for PostgreSQL. */
  databaseUrl: string;
  /** `SIGNET_SIGNER_MASTER_KEY`: 32 bytes base64url. Unset: generated into `<dataDir>/signer-master-key` (0600). */
  masterKey: string | undefined;
  /** `SIGNET_SIGNER_MAX_DOCUMENT_BYTES`: largest PDF accepted. Default 20 MB (20971520). */
  maxDocumentBytes: number;
  /** `SIGNET_SIGNER_REQUIRED_ACR`: the `acr` an id_token must carry to identify a signer. Default `urn:acr:face`. */
  requiredAcr: string;
  /** `SIGNET_SIGNER_AUTH_MAX_AGE`: how old an id_token's `auth_time` may be, in seconds. Default 900 (15 minutes). */
  authMaxAge: number;
  /** `SIGNET_SIGNER_CLIENT_ID` / `SIGNET_SIGNER_CLIENT_SECRET`: the Signer's own OIDC client at accounts, for the signing page. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /**
   * `SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS`: `deny` or `allow` webhooks (client webhook URLs and
   * envelope `callbackUrl`s) to private network addresses: loopback, RFC 1918, link-local (cloud
   * metadata at 169.254.169.254), CGNAT, IPv6 unique-local and link-local, and the like. Integrators
   * choose these URLs, so `deny` keeps them from making the Signer post into the operator's own
   * network (SSRF). Default: `allow` when `SIGNET_SIGNER_PUBLIC_URL`'s host is localhost,
   * 127.0.0.1 or ::1 (a developer's machine, whose receivers are local too), `deny` otherwise.
   *
   * @example SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS=allow // receivers on the operator's own network
   */
  webhookPrivateNetworks: 'allow' | 'deny';
  /** `SIGNET_LOG_LEVEL`. Default `info`. */
  logLevel: string;
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

/** Bytes of a Signer master key. */
export const SIGNER_MASTER_KEY_BYTES = 32;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads and validates the Signer's configuration; throws {@link ConfigError} on the first bad
 * variable. `SIGNET_ISSUER`, `SIGNET_DATA_DIR` and `SIGNET_LOG_LEVEL` are shared with accounts,
 * so `signet start` runs both from one environment.
 *
 * @example
 * const config = loadSignerConfig({ SIGNET_ISSUER: 'https://accounts.example.com', SIGNET_SIGNER_PORT: '8446' });
 */
export function loadSignerConfig(env: Env = process.env): SignerConfig {
  const dataDir = resolve(str(env, 'SIGNET_DATA_DIR', './.signet'));
  const issuer = httpUrl(env, 'SIGNET_ISSUER', 'http://localhost:4444');
  if (issuer.endsWith('/')) throw new ConfigError('SIGNET_ISSUER', 'must not end with "/"');
  const parsedIssuer = new URL(issuer);
  if (parsedIssuer.search || parsedIssuer.hash) {
    throw new ConfigError('SIGNET_ISSUER', 'must not carry a query or fragment (RFC 8414 §2)');
  }
  if (parsedIssuer.protocol === 'http:' && !isLoopback(parsedIssuer.hostname)) {
    throw new ConfigError('SIGNET_ISSUER', 'must use https unless the host is localhost');
  }
  const audience = str(env, 'SIGNET_SIGNER_AUDIENCE', 'http://localhost:4446');
  // Token requests carry audiences space-delimited, so one with a space could never be asked for.
  if (/\s/.test(audience)) {
    throw new ConfigError('SIGNET_SIGNER_AUDIENCE', `must be a single audience without spaces, got "${audience}"`);
  }
  const publicUrl = httpUrl(env, 'SIGNET_SIGNER_PUBLIC_URL', 'http://localhost:4446').replace(/\/+$/, '');
  const webhookPrivateNetworks = str(
    env,
    'SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS',
    isLoopback(new URL(publicUrl).hostname) ? 'allow' : 'deny',
  );
  if (webhookPrivateNetworks !== 'allow' && webhookPrivateNetworks !== 'deny') {
    throw new ConfigError(
      'SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS',
      `must be "deny" or "allow", got "${webhookPrivateNetworks}"`,
    );
  }
  const masterKey = env.SIGNET_SIGNER_MASTER_KEY?.trim() || undefined;
  if (masterKey !== undefined && Buffer.from(masterKey, 'base64url').length < SIGNER_MASTER_KEY_BYTES) {
    throw new ConfigError(
      'SIGNET_SIGNER_MASTER_KEY',
      'must be at least 32 bytes, base64url-encoded (try: openssl rand -base64 32)',
    );
  }
  const clientId = env.SIGNET_SIGNER_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.SIGNET_SIGNER_CLIENT_SECRET?.trim() || undefined;
  if (clientId && !clientSecret) {
    throw new ConfigError('SIGNET_SIGNER_CLIENT_SECRET', 'is required when SIGNET_SIGNER_CLIENT_ID is set');
  }
  if (clientSecret && !clientId) {
    throw new ConfigError('SIGNET_SIGNER_CLIENT_ID', 'is required when SIGNET_SIGNER_CLIENT_SECRET is set');
  }
  const logLevel = str(env, 'SIGNET_LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('SIGNET_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    issuer,
    audience,
    publicUrl,
    host: str(env, 'SIGNET_SIGNER_HOST', '127.0.0.1'),
    port: int(env, 'SIGNET_SIGNER_PORT', 4446, 0, 65535),
    dataDir,
    databaseUrl: env.SIGNET_SIGNER_DATABASE_URL?.trim() || resolve(dataDir, 'signer.db'),
    masterKey,
    maxDocumentBytes: int(env, 'SIGNET_SIGNER_MAX_DOCUMENT_BYTES', 20 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    requiredAcr: str(env, 'SIGNET_SIGNER_REQUIRED_ACR', 'urn:acr:face'),
    authMaxAge: int(env, 'SIGNET_SIGNER_AUTH_MAX_AGE', 900, 1, 86_400),
    clientId,
    clientSecret,
    webhookPrivateNetworks,
    logLevel,
  };
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

function httpUrl(env: Env, name: string, fallback: string): string {
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

/** True for hosts that never leave the machine, where plain http is acceptable. */
export function isLoopback(host: string): boolean {
  return (
    host === 'localhost' || host === '127.0.0.1' || host === '[::1]' || host === '::1' || host.endsWith('.localhost')
  );
}

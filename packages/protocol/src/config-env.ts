/**
 * Reading `SIGNET_*` variables, shared by accounts and the Signer so the variables both read
 * (`SIGNET_ISSUER`, `SIGNET_SIGNER_AUDIENCE`, `SIGNET_LOG_LEVEL`, …) are checked the same way and
 * fail with the same message. Pure functions over an environment record: no I/O.
 */

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

/** Environment variables, as `process.env`. */
export type Env = Record<string, string | undefined>;

/** Log levels the services accept (`SIGNET_LOG_LEVEL`). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** The trimmed value, or `fallback` when unset or blank. */
export function envString(env: Env, name: string, fallback: string): string {
  const v = env[name]?.trim();
  return v ? v : fallback;
}

/** A whole number between `min` and `max` inclusive. */
export function envInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A decimal number strictly between `min` and `max`. */
export function envDecimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(name, `must be a decimal number, got "${raw}"`);
  const n = Number(raw);
  if (!(n > min && n < max)) throw new ConfigError(name, `must be greater than ${min} and less than ${max}, got ${n}`);
  return n;
}

/** `1/true/yes/on` or `0/false/no/off`, any case. */
export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** An absolute http(s) URL, as given. */
export function envHttpUrl(env: Env, name: string, fallback: string): string {
  const v = envString(env, name, fallback);
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

/**
 * `SIGNET_ISSUER` (default `http://localhost:4444`): an issuer identifier per RFC 8414 §2 —
 * https (http only on loopback), no query or fragment, no trailing slash.
 */
export function envIssuer(env: Env): string {
  const issuer = envHttpUrl(env, 'SIGNET_ISSUER', 'http://localhost:4444');
  if (issuer.endsWith('/')) throw new ConfigError('SIGNET_ISSUER', 'must not end with "/"');
  const parsed = new URL(issuer);
  if (parsed.search || parsed.hash) {
    throw new ConfigError('SIGNET_ISSUER', 'must not carry a query or fragment (RFC 8414 §2)');
  }
  if (parsed.protocol === 'http:' && !isLoopback(parsed.hostname)) {
    throw new ConfigError('SIGNET_ISSUER', 'must use https unless the host is localhost');
  }
  return issuer;
}

/** `SIGNET_SIGNER_AUDIENCE` (default `http://localhost:4446`): one audience, no whitespace. */
export function envSignerAudience(env: Env): string {
  const audience = envString(env, 'SIGNET_SIGNER_AUDIENCE', 'http://localhost:4446');
  // Token requests carry audiences space-delimited, so one with a space could never be asked for.
  if (/\s/.test(audience)) {
    throw new ConfigError('SIGNET_SIGNER_AUDIENCE', `must be a single audience without spaces, got "${audience}"`);
  }
  return audience;
}

/** `SIGNET_LOG_LEVEL` (default `info`): one of {@link LOG_LEVELS}. */
export function envLogLevel(env: Env): string {
  const logLevel = envString(env, 'SIGNET_LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError('SIGNET_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return logLevel;
}

/** A configured master key (at least 32 bytes, base64url), or undefined when unset. */
export function envMasterKey(env: Env, name: string): string | undefined {
  const masterKey = env[name]?.trim() || undefined;
  if (masterKey !== undefined && Buffer.from(masterKey, 'base64url').length < 32) {
    throw new ConfigError(name, 'must be at least 32 bytes, base64url-encoded (try: openssl rand -base64 32)');
  }
  return masterKey;
}

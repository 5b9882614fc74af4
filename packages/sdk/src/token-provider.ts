import { discover } from './discovery.js';
import { SdkError } from './errors.js';
import { defaultFetch, type FetchLike, systemNow } from './http.js';
import { type ClientAuthMethod, requestToken } from './token-request.js';

/**
 * Seconds before `expires_in` runs out that a cached token is renewed, by default.
 *
 * @example
 * createTokenProvider({ ...config, refreshSkewSeconds: DEFAULT_REFRESH_SKEW_SECONDS * 2 });
 */
export const DEFAULT_REFRESH_SKEW_SECONDS = 60;

/**
 * Seconds a failed renewal is not retried while the previous token is still valid, by default.
 *
 * @example
 * createTokenProvider({ ...config, retryCooldownSeconds: DEFAULT_RETRY_COOLDOWN_SECONDS });
 */
export const DEFAULT_RETRY_COOLDOWN_SECONDS = 5;

/**
 * Anything that hands out a bearer token for an API, such as {@link ClientCredentials}.
 *
 * @example
 * const tokens: TokenProvider = createTokenProvider(config);
 * const res = await fetch(url, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
 */
export interface TokenProvider {
  /** A valid access token, from the cache when possible. */
  getToken(): Promise<string>;
  /**
   * Drops the cached token, e.g. after the resource server answered 401 `invalid_token`. With
   * `token`, drops it only if it is still the cached one, so a caller holding a stale token
   * does not throw away a fresh token another caller just got.
   */
  invalidate(token?: string): void;
}

/**
 * Configuration of {@link ClientCredentials} / {@link createTokenProvider}.
 *
 * @example
 * const config: ClientCredentialsConfig = {
 *   issuer: 'http://localhost:4444', clientId, clientSecret, audience: 'http://localhost:4446',
 * };
 */
export interface ClientCredentialsConfig {
  /** The issuer, exactly as its discovery document names it. Example: `'http://localhost:4444'`. */
  issuer: string;
  /** Example: `process.env.SIGNET_CLIENT_ID`. */
  clientId: string;
  /** Example: `process.env.SIGNET_CLIENT_SECRET`. Never logged. */
  clientSecret: string;
  /** The API the token is for (`audience`); several are sent repeated. Example: `'http://localhost:4446'`. */
  audience: string | string[];
  /** Space-separated scopes. Default: none sent, so the server grants the client's default scopes. Example: `'envelopes:read'`. */
  scope?: string;
  /** Default: `'client_secret_basic'`, what the documented flow uses. */
  authMethod?: ClientAuthMethod;
  /**
   * Renew this many seconds before the token expires, so a token is never sent as it expires.
   * Capped at half the token's lifetime. Default: {@link DEFAULT_REFRESH_SKEW_SECONDS} (60).
   */
  refreshSkewSeconds?: number;
  /**
   * After a failed renewal, while the previous token is still valid, keep serving it for this
   * many seconds before trying again. Default: {@link DEFAULT_RETRY_COOLDOWN_SECONDS} (5).
   */
  retryCooldownSeconds?: number;
  /** The token endpoint. Default: the `token_endpoint` of the issuer's discovery document. */
  tokenEndpoint?: string;
  /** Default: the global `fetch`. Example: a wrapper that counts requests. */
  fetch?: FetchLike;
  /** The clock in epoch seconds (fractions allowed). Default: `Date.now() / 1000`. */
  now?: () => number;
}

interface CachedToken {
  token: string;
  /** When the token stops being valid. */
  expiresAt: number;
  /** When it is renewed: `expiresAt` minus the skew. */
  renewAt: number;
}

/**
 * Gets access tokens with `grant_type=client_credentials` (RFC 6749 §4.4) and caches the one
 * token until shortly before it expires. Owner of the cache: this object, one token per
 * instance (one audience and scope). Concurrent callers share one request (single flight); a
 * failed renewal is never cached, the next call tries again, and while the previous token is
 * still valid it keeps being served.
 *
 * @example
 * const tokens = new ClientCredentials({
 *   issuer: 'http://localhost:4444',
 *   clientId: process.env.SIGNET_CLIENT_ID!,
 *   clientSecret: process.env.SIGNET_CLIENT_SECRET!,
 *   audience: 'http://localhost:4446',
 * });
 * const accessToken = await tokens.getToken(); // one request for the next ~59 minutes
 */
export class ClientCredentials implements TokenProvider {
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private readonly skew: number;
  private readonly cooldown: number;
  private cached: CachedToken | undefined;
  private inFlight: Promise<string> | undefined;
  private failedAt: number | undefined;

  constructor(private readonly config: ClientCredentialsConfig) {
    for (const field of ['issuer', 'clientId', 'clientSecret'] as const) {
      if (typeof config[field] !== 'string' || config[field] === '') {
        throw new SdkError('invalid_argument', `${field} is required`);
      }
    }
    const audiences = [config.audience].flat();
    if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) {
      throw new SdkError('invalid_argument', 'audience is required');
    }
    this.skew = nonNegative('refreshSkewSeconds', config.refreshSkewSeconds, DEFAULT_REFRESH_SKEW_SECONDS);
    this.cooldown = nonNegative('retryCooldownSeconds', config.retryCooldownSeconds, DEFAULT_RETRY_COOLDOWN_SECONDS);
    this.fetch = config.fetch ?? defaultFetch;
    this.now = config.now ?? systemNow;
  }

  /**
   * {@inheritDoc TokenProvider.getToken}
   *
   * @example
   * const res = await fetch(url, { headers: { authorization: `Bearer ${await tokens.getToken()}` } });
   */
  async getToken(): Promise<string> {
    const now = this.now();
    const cached = this.cached;
    if (cached && now < cached.renewAt) return cached.token;
    if (cached && now < cached.expiresAt && this.failedAt !== undefined && now - this.failedAt < this.cooldown) {
      return cached.token;
    }
    if (!this.inFlight) {
      // Promise reactions run later, so `flight` is assigned before its finally clears it.
      const flight = this.renew().finally(() => {
        if (this.inFlight === flight) this.inFlight = undefined;
      });
      this.inFlight = flight;
    }
    try {
      return await this.inFlight;
    } catch (error) {
      const previous = this.cached;
      if (previous && this.now() < previous.expiresAt) return previous.token;
      throw error;
    }
  }

  /**
   * {@inheritDoc TokenProvider.invalidate}
   *
   * @example
   * if (res.status === 401) tokens.invalidate(token); // the next getToken() asks for a new one
   */
  invalidate(token?: string): void {
    if (token === undefined || this.cached?.token === token) this.cached = undefined;
  }

  private async renew(): Promise<string> {
    try {
      const sentAt = this.now();
      const tokenEndpoint =
        this.config.tokenEndpoint ??
        (await discover(this.config.issuer, { fetch: this.fetch, now: this.now })).token_endpoint;
      const params: [string, string][] = [['grant_type', 'client_credentials']];
      for (const audience of [this.config.audience].flat()) params.push(['audience', audience]);
      if (this.config.scope) params.push(['scope', this.config.scope]);
      const answer = await requestToken(
        this.fetch,
        tokenEndpoint,
        {
          clientId: this.config.clientId,
          clientSecret: this.config.clientSecret,
          authMethod: this.config.authMethod ?? 'client_secret_basic',
        },
        params,
      );
      // Without expires_in the lifetime is unknown, so the token is used once and not cached.
      const lifetime = answer.expires_in ?? 0;
      const expiresAt = sentAt + lifetime;
      this.cached = { token: answer.access_token, expiresAt, renewAt: expiresAt - Math.min(this.skew, lifetime / 2) };
      this.failedAt = undefined;
      return answer.access_token;
    } catch (error) {
      this.failedAt = this.now();
      throw error;
    }
  }
}

/**
 * Same as `new ClientCredentials(config)`.
 *
 * @example
 * const tokens = createTokenProvider({ issuer, clientId, clientSecret, audience: 'http://localhost:4446' });
 */
export const createTokenProvider = (config: ClientCredentialsConfig): ClientCredentials =>
  new ClientCredentials(config);

function nonNegative(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SdkError('invalid_argument', `${field} must be a non-negative number of seconds`);
  }
  return value;
}

import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey, type LocalJWKSet } from 'jose';

/** How long fetched keys are used before they are fetched again, and how often an unknown `kid` may refetch. */
export interface IssuerKeysOptions {
  /** The issuer's `jwks_uri` (from discovery). */
  jwksUri: string;
  /** Current time in epoch seconds. */
  now: () => number;
  /** Injected for tests that count fetches. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Seconds fetched keys stay fresh. Default 600. */
  ttl?: number;
  /** Seconds between two refetches caused by an unknown `kid`. Default 30 (as jose's `createRemoteJWKSet`). */
  cooldown?: number;
}

const FETCH_TIMEOUT_MS = 5000;

/**
 * The Signer's cache of the issuer's JWKS (ARCHITECTURE lesson 7: a TTL, a cooldown and an
 * owner). Keys are fetched on first use and again after `ttl`; a token whose `kid` is not in the
 * cache triggers one refetch, but at most one per `cooldown`, so a flood of made-up `kid`s cannot
 * turn the Signer into a load generator against the issuer. Concurrent callers share one fetch.
 * The clock is injected, so tests drive expiry and cooldown without sleeping.
 */
export class IssuerKeys {
  private keys: LocalJWKSet | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<LocalJWKSet> | undefined;
  private readonly ttl: number;
  private readonly cooldown: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: IssuerKeysOptions) {
    this.ttl = options.ttl ?? 600;
    this.cooldown = options.cooldown ?? 30;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The key resolver for `jwtVerify`. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const now = this.options.now();
    let keys = this.keys;
    if (!keys && now - this.fetchedAt < this.cooldown) {
      // The last fetch failed moments ago: do not hammer an issuer that is down.
      throw new JwksUnavailableError(new Error('the last fetch failed; retrying after the cooldown'));
    }
    if (!keys || now - this.fetchedAt >= this.ttl) keys = await this.refresh(keys);
    try {
      return await keys(header, token);
    } catch (error) {
      // A kid we have never seen: perhaps the issuer rotated since we fetched. Ask once.
      if (!(error instanceof errors.JWKSNoMatchingKey) || now - this.fetchedAt < this.cooldown) throw error;
      return (await this.refresh(keys))(header, token);
    }
  };

  /** When the keys were last fetched (epoch seconds), or undefined before the first fetch. */
  get lastFetchedAt(): number | undefined {
    return Number.isFinite(this.fetchedAt) ? this.fetchedAt : undefined;
  }

  /**
   * Fetches the keys, sharing a fetch already in flight. When the issuer cannot be reached and
   * keys are cached, the cached keys keep serving (an outage of accounts must not stop the API).
   */
  private refresh(stale: LocalJWKSet | undefined): Promise<LocalJWKSet> {
    this.inFlight ??= this.fetchKeys()
      .then((jwks) => {
        this.keys = createLocalJWKSet(jwks);
        return this.keys;
      })
      .catch((error: unknown) => {
        if (stale) return stale;
        throw new JwksUnavailableError(error);
      })
      .finally(() => {
        // Failed fetches count too: the cooldown also spaces out retries against a failing issuer.
        this.fetchedAt = this.options.now();
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async fetchKeys(): Promise<JSONWebKeySet> {
    const res = await this.fetchImpl(this.options.jwksUri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`${this.options.jwksUri} answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body?.keys)) throw new Error(`${this.options.jwksUri} is not a JWK Set`);
    return body as JSONWebKeySet;
  }
}

/** The issuer's keys could not be fetched and none are cached: the Signer cannot check any token. */
export class JwksUnavailableError extends Error {
  override readonly name = 'JwksUnavailableError';
  constructor(cause: unknown) {
    super(`the issuer's keys are unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

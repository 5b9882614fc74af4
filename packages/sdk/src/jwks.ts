import {
  type CryptoKey,
  createRemoteJWKSet,
  customFetch,
  type ExportedJWKSCache,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWKSCacheInput,
  type JWSHeaderParameters,
  jwksCache,
  type RemoteJWKSet,
} from 'jose';
import { SdkError } from './errors.js';
import { defaultFetch, type FetchLike, responseError, send, systemNow } from './http.js';

/**
 * Seconds a fetched key set is reused, by default (10 minutes, as jose's `createRemoteJWKSet`).
 *
 * @example
 * const jwks = new RemoteJwks(metadata.jwks_uri, { maxAgeSeconds: JWKS_MAX_AGE_SECONDS / 2 });
 */
export const JWKS_MAX_AGE_SECONDS = 600;

/**
 * Seconds between refetches caused by an unknown `kid`, by default (30, as jose).
 *
 * @example
 * const jwks = new RemoteJwks(metadata.jwks_uri, { cooldownSeconds: JWKS_COOLDOWN_SECONDS * 2 });
 */
export const JWKS_COOLDOWN_SECONDS = 30;

/**
 * Options of {@link RemoteJwks}.
 *
 * @example
 * const options: RemoteJwksOptions = { fetch: loggingFetch, maxAgeSeconds: 300 };
 */
export interface RemoteJwksOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** The clock in epoch seconds, which the TTL and the cooldown run on. Default: `Date.now() / 1000`. */
  now?: () => number;
  /** Seconds the key set is reused before it is fetched again. Default: {@link JWKS_MAX_AGE_SECONDS} (600). */
  maxAgeSeconds?: number;
  /**
   * A token with a `kid` not in the set (the issuer rotated keys) triggers a refetch, at most
   * once per this many seconds, so a flood of forged `kid`s cannot hammer the issuer.
   * Default: {@link JWKS_COOLDOWN_SECONDS} (30).
   */
  cooldownSeconds?: number;
}

/**
 * An issuer's JSON Web Key Set fetched from its `jwks_uri` (RFC 7517 §5) by jose's
 * `createRemoteJWKSet`, kept for `maxAgeSeconds` and refetched on an unknown `kid` at most once
 * per `cooldownSeconds`. jose fetches (5 s timeout, no redirects, concurrent callers share one
 * request), selects the key by `kid`, `alg`, `use` and `key_ops`, and caches the imported keys.
 * When a refetch fails, the keys fetched before keep serving; while none were ever fetched, a
 * failed fetch is not retried within `cooldownSeconds`. Owner: whoever creates it; one key set
 * per instance.
 *
 * @example
 * const jwks = new RemoteJwks('http://localhost:4444/.well-known/jwks.json');
 * await exchangeCode({ ..., jwks });
 * // or with jose directly:
 * await jwtVerify(token, jwks.getKey, { algorithms: ['ES256'] });
 */
export class RemoteJwks {
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private readonly maxAge: number;
  private readonly cooldown: number;
  private readonly keySet: RemoteJWKSet;
  /**
   * jose's cache of the key set (its `jwksCache` option): jose puts each fetched set here as it
   * starts using it, so {@link hasFreshKey} reads the same set without `jwks()`'s deep copy.
   */
  private readonly published: JWKSCacheInput = {};
  /** The `kid`s of the set in {@link published}, computed once per set. */
  private kids: { of: JSONWebKeySet; ids: ReadonlySet<string> } | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** Why the last fetch failed, while no key set has been fetched (its answer, or the network). */
  private lastError: unknown;
  /** How many times the set has been fetched (for metrics). */
  fetchCount = 0;

  constructor(
    /** The `jwks_uri`. */
    readonly uri: string,
    options: RemoteJwksOptions = {},
  ) {
    this.fetch = options.fetch ?? defaultFetch;
    this.now = options.now ?? systemNow;
    this.maxAge = options.maxAgeSeconds ?? JWKS_MAX_AGE_SECONDS;
    this.cooldown = options.cooldownSeconds ?? JWKS_COOLDOWN_SECONDS;
    // jose times its cache with Date.now(), which cannot follow an injected `now`: it is told
    // never to refetch on its own, and `resolve` calls its reload() when our clock says so.
    this.keySet = createRemoteJWKSet(parseUri(uri), {
      cacheMaxAge: Number.POSITIVE_INFINITY,
      cooldownDuration: Number.POSITIVE_INFINITY,
      [customFetch]: (url, init) => this.fetchKeySet(url, init),
      [jwksCache]: this.published,
    });
  }

  /**
   * The key that verifies a JWS with this header, in the shape of jose's `JWTVerifyGetKey`.
   * Throws `SdkError` `jwks_no_matching_key` when no key matches, even after a refetch;
   * `request_failed`, `response_error` or `invalid_response` when the set cannot be had; and
   * jose's `JWKSMultipleMatchingKeys` (iterable over the candidates) when several keys fit a
   * header without `kid`.
   *
   * @example
   * const { payload } = await jwtVerify(token, jwks.getKey, { issuer, audience, algorithms: ['ES256'] });
   */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    try {
      return await this.resolve(header, token);
    } catch (error) {
      throw this.sdkErrorOf(error, header);
    }
  };

  /**
   * Resolves once a key set is held, fetching one if none was; rejects (as `getKey` would) when
   * none can be had, without asking again within `cooldownSeconds` of a failed fetch. Keys
   * fetched before keep it resolved while the issuer is down. For readiness checks: a relying
   * party without keys cannot verify anything.
   *
   * @example
   * app.get('/health/ready', async () => { await jwks.loaded(); return { ready: true }; });
   */
  async loaded(): Promise<void> {
    if (this.keySet.fresh) return;
    try {
      if (this.lastError !== undefined && this.now() - this.fetchedAt < this.cooldown) throw this.lastError;
      await this.keySet.reload();
    } catch (error) {
      throw this.sdkErrorOf(error, {});
    }
  }

  /**
   * Whether the key set held now is younger than `maxAgeSeconds` and publishes a key with this
   * `kid`. Synchronous, and fetches nothing: for caches of verified tokens, which must forget a
   * token once the key that signed it leaves the set. False once the set is stale, so the caller
   * verifies afresh and `getKey` refetches.
   *
   * @example
   * const cached = verified.get(tokenHash);
   * if (cached && jwks.hasFreshKey(cached.kid)) return cached.claims; // else verify the token again
   */
  hasFreshKey(kid: string): boolean {
    if (!this.keySet.fresh || this.now() - this.fetchedAt >= this.maxAge) return false;
    // Asked on every cached bearer check: a Set per key set, not a deep copy of it per call.
    const set = (this.published as Partial<ExportedJWKSCache>).jwks;
    if (!set) return false;
    if (this.kids?.of !== set) {
      this.kids = { of: set, ids: new Set(set.keys.flatMap((key) => (typeof key.kid === 'string' ? [key.kid] : []))) };
    }
    return this.kids.ids.has(kid);
  }

  private async resolve(header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    // With an infinite cacheMaxAge, jose's `fresh` only says "a set has been fetched".
    if (!this.keySet.fresh && this.lastError !== undefined && this.now() - this.fetchedAt < this.cooldown) {
      // No keys yet and the last fetch failed moments ago: do not hammer an issuer that is down.
      throw this.lastError;
    }
    if (this.keySet.fresh && this.now() - this.fetchedAt >= this.maxAge) {
      // An issuer that cannot be reached must not stop its relying parties: the keys it published
      // last keep serving until a fetch succeeds (the failed fetch counts, so retries are spaced).
      await this.keySet.reload().catch(() => undefined);
    }
    try {
      return await this.keySet(header, token);
    } catch (error) {
      // A kid we have never seen: perhaps the issuer rotated since. Ask again, at most once per cooldown.
      if (!(error instanceof errors.JWKSNoMatchingKey) || this.now() - this.fetchedAt < this.cooldown) throw error;
    }
    await this.keySet.reload();
    return this.keySet(header, token);
  }

  private async fetchKeySet(url: string, init: RequestInit): Promise<Response> {
    // Counted as a fetch even when it fails, so the cooldown also spaces out failing retries.
    this.fetchedAt = this.now();
    this.fetchCount++;
    this.lastError = undefined;
    try {
      const res = await send(this.fetch, url, init);
      if (!res.ok) throw await responseError(res, 'jwks');
      return res;
    } catch (error) {
      this.lastError = error;
      throw error;
    }
  }

  private sdkErrorOf(error: unknown, header: JWSHeaderParameters): unknown {
    if (error instanceof SdkError || error instanceof errors.JWKSMultipleMatchingKeys) return error;
    if (error instanceof errors.JWKSNoMatchingKey) {
      return new SdkError(
        'jwks_no_matching_key',
        `no key in ${this.uri} matches kid "${String(header.kid ?? '')}" and alg ${String(header.alg)}`,
      );
    }
    if (error instanceof errors.JWKSTimeout) {
      return new SdkError('request_failed', `GET ${this.uri} timed out`, { cause: error });
    }
    // A body that is not a JWK Set, a key that cannot be imported, a 2xx other than 200.
    const reason = error instanceof Error ? error.message : String(error);
    return new SdkError('invalid_response', `jwks: ${reason}`, { cause: error });
  }
}

function parseUri(uri: string): URL {
  try {
    return new URL(uri);
  } catch (cause) {
    throw new SdkError('invalid_argument', `the jwks_uri "${uri}" is not an absolute URL`, { cause });
  }
}

// Owner: this module, for callers that pass no `jwks`: one RemoteJwks per (fetch, jwks_uri).
const shared = new WeakMap<FetchLike, Map<string, RemoteJwks>>();

/**
 * The module's shared {@link RemoteJwks} for `uri` and `fetch`, created on first use with
 * `options`. Pass your own `RemoteJwks` instead to own the cache and its clock.
 *
 * @example
 * const claims = await verifyIdToken(idToken, { issuer, clientId, jwks: sharedJwks(metadata.jwks_uri) });
 */
export function sharedJwks(uri: string, options: RemoteJwksOptions = {}): RemoteJwks {
  const fetch = options.fetch ?? defaultFetch;
  let byUri = shared.get(fetch);
  if (!byUri) {
    byUri = new Map();
    shared.set(fetch, byUri);
  }
  let jwks = byUri.get(uri);
  if (!jwks) {
    jwks = new RemoteJwks(uri, { ...options, fetch });
    byUri.set(uri, jwks);
  }
  return jwks;
}

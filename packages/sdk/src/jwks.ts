// Types only (erased at runtime): the WebCrypto shapes, which Node's lib declares and the DOM lib would too.
import type { webcrypto } from 'node:crypto';
import { decodeBase64url } from './encoding.js';
import { SdkError } from './errors.js';
import { defaultFetch, type FetchLike, isRecord, readJsonObject, responseError, send, systemNow } from './http.js';

/** The JWS algorithms the SDK verifies: what Signet signs with (`SIGNET_SIGNING_ALG`). */
export type JwsAlg = 'ES256' | 'RS256';

/** Seconds a fetched key set is reused, by default (10 minutes, as jose's `createRemoteJWKSet`). */
export const JWKS_MAX_AGE_SECONDS = 600;

/** Seconds between refetches caused by an unknown `kid`, by default (30, as jose). */
export const JWKS_COOLDOWN_SECONDS = 30;

/** Options of {@link RemoteJwks}. */
export interface RemoteJwksOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
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

type Jwk = Record<string, unknown>;

const ALGORITHMS: Record<
  JwsAlg,
  { kty: string; import: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams }
> = {
  ES256: { kty: 'EC', import: { name: 'ECDSA', namedCurve: 'P-256' } },
  RS256: { kty: 'RSA', import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
};

/** The smallest RSA modulus accepted, in bytes (2048 bits, RFC 7518 §3.3). */
const MIN_RSA_MODULUS_BYTES = 256;

/**
 * An issuer's JSON Web Key Set fetched from its `jwks_uri` (RFC 7517 §5), kept for
 * `maxAgeSeconds` and refetched on an unknown `kid` at most once per `cooldownSeconds`.
 * Owner: whoever creates it; one key set per instance. Imported keys are cached with the set.
 *
 * @example
 * const jwks = new RemoteJwks('http://localhost:4444/.well-known/jwks.json');
 * await exchangeCode({ ..., jwks });
 */
export class RemoteJwks {
  private readonly fetch: FetchLike;
  private readonly now: () => number;
  private readonly maxAge: number;
  private readonly cooldown: number;
  private keys: Jwk[] | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly imported = new Map<Jwk, Promise<webcrypto.CryptoKey>>();
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
  }

  /**
   * The verification keys that may have signed a JWS with this header: same `kid` (when
   * given), key type and curve of `alg`, and no `use`/`alg`/`key_ops` that forbids it.
   * Throws `jwks_no_matching_key` when none does, even after a refetch.
   */
  async keysFor(alg: JwsAlg, kid: string | undefined): Promise<webcrypto.CryptoKey[]> {
    if (!this.keys || this.now() - this.fetchedAt >= this.maxAge) await this.reload();
    let candidates = this.match(alg, kid);
    if (candidates.length === 0 && this.now() - this.fetchedAt >= this.cooldown) {
      await this.reload();
      candidates = this.match(alg, kid);
    }
    if (candidates.length === 0) {
      throw new SdkError('jwks_no_matching_key', `no key in ${this.uri} matches kid "${kid ?? ''}" and alg ${alg}`);
    }
    return Promise.all(candidates.map((jwk) => this.importKey(alg, jwk)));
  }

  private match(alg: JwsAlg, kid: string | undefined): Jwk[] {
    const { kty } = ALGORITHMS[alg];
    return (this.keys ?? []).filter(
      (k) =>
        k.kty === kty &&
        (kid === undefined || k.kid === kid) &&
        (k.use === undefined || k.use === 'sig') &&
        (k.alg === undefined || k.alg === alg) &&
        (k.key_ops === undefined || (Array.isArray(k.key_ops) && k.key_ops.includes('verify'))) &&
        (alg !== 'ES256' || k.crv === 'P-256'),
    );
  }

  private importKey(alg: JwsAlg, jwk: Jwk): Promise<webcrypto.CryptoKey> {
    let key = this.imported.get(jwk);
    if (!key) {
      key = importVerificationKey(alg, jwk);
      this.imported.set(jwk, key);
    }
    return key;
  }

  private reload(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    // Counted as a fetch even when it fails, so the cooldown also spaces out failing retries.
    this.fetchedAt = this.now();
    this.fetchCount++;
    const res = await send(this.fetch, this.uri, { method: 'GET', headers: { accept: 'application/json' } });
    if (!res.ok) throw await responseError(res, 'jwks');
    const body = await readJsonObject(res, 'jwks');
    if (!Array.isArray(body.keys)) throw new SdkError('invalid_response', 'jwks: keys is not an array');
    this.keys = body.keys.filter(isRecord);
    this.imported.clear();
  }
}

async function importVerificationKey(alg: JwsAlg, jwk: Jwk): Promise<webcrypto.CryptoKey> {
  const { import: params } = ALGORITHMS[alg];
  const material: webcrypto.JsonWebKey =
    alg === 'ES256'
      ? { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) }
      : { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) };
  if (alg === 'RS256' && (decodeBase64url(String(jwk.n))?.length ?? 0) < MIN_RSA_MODULUS_BYTES) {
    throw new SdkError('jwt_invalid', 'the RSA key is shorter than 2048 bits');
  }
  try {
    return await globalThis.crypto.subtle.importKey('jwk', material, params, false, ['verify']);
  } catch (cause) {
    throw new SdkError('invalid_response', `jwks: key "${String(jwk.kid)}" cannot be imported`, { cause });
  }
}

// Owner: this module, for callers that pass no `jwks`: one RemoteJwks per (fetch, jwks_uri).
const shared = new WeakMap<FetchLike, Map<string, RemoteJwks>>();

/**
 * The module's shared {@link RemoteJwks} for `uri` and `fetch`, created on first use with
 * `options`. Pass your own `RemoteJwks` instead to own the cache and its clock.
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

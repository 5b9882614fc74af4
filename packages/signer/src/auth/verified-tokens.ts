import { hash } from 'node:crypto';
import { setBounded } from '@signet/store';
import { type AccessTokenCheck, checkAccessToken } from './access-token.js';
import type { Caller } from './caller.js';

/** Most verified access tokens remembered by default: about 3 MB. */
export const VERIFIED_TOKENS_MAX = 10_000;

/** A key source that can say, without fetching, whether it still publishes a key (the SDK's `RemoteJwks`). */
export interface KeyPresence {
  /** True while the key set held is fresh and contains a key with this `kid`. */
  hasFreshKey(kid: string): boolean;
}

interface Entry {
  caller: Caller;
  expiresAt: number;
  keyId: string;
}

/**
 * The bearer check with a bounded cache of verified access tokens, so a token that an integrator
 * reuses for its whole lifetime (as the documentation tells them to) costs one signature check,
 * not one per call. Owned by one app; per process.
 *
 * An entry is served only while the context clock is before the token's `exp` (the leeway after
 * `exp` is left to a full verification, which then refuses the token) and while the issuer's
 * fresh key set still publishes the token's `kid`: a key removed from the JWKS takes its tokens
 * with it, and a stale key set sends the request through full verification, which refetches it.
 * Entries are keyed by the SHA-256 of the exact token text, so a token spelt differently is
 * verified on its own, and the cache holds no usable tokens. Least recently used entries go
 * first beyond `maxEntries`. Tokens without a `kid`, or checked against keys that cannot answer
 * {@link KeyPresence}, are never cached.
 */
export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly keys: KeyPresence | undefined;

  constructor(
    private readonly check: AccessTokenCheck,
    private readonly maxEntries = VERIFIED_TOKENS_MAX,
  ) {
    const keys = check.issuerKeys as Partial<KeyPresence>;
    this.keys = typeof keys.hasFreshKey === 'function' ? (keys as KeyPresence) : undefined;
  }

  /** The caller of a valid access token; a 401 `invalid_token` (or 503 without keys) as {@link checkAccessToken}. */
  async verify(token: string): Promise<Caller> {
    const hit = this.cached(token);
    if (hit) return hit;
    const { caller, expiresAt, keyId } = await checkAccessToken(token, this.check);
    if (this.keys && keyId !== undefined && this.check.now() < expiresAt) {
      this.remember(cacheKey(token), { caller, expiresAt, keyId });
    }
    return caller;
  }

  /**
   * The caller of a token verified before and still served from the cache (before its `exp`, its
   * key still published), synchronously; undefined when it must be verified in full.
   */
  cached(token: string): Caller | undefined {
    const keys = this.keys;
    if (!keys || this.entries.size === 0) return undefined;
    const key = cacheKey(token);
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    if (!(this.check.now() < hit.expiresAt && keys.hasFreshKey(hit.keyId))) return undefined;
    this.entries.set(key, hit);
    return hit.caller;
  }

  /** How many tokens are remembered. */
  get size(): number {
    return this.entries.size;
  }

  private remember(key: string, entry: Entry): void {
    // Shared by every request presenting the token: nobody may change it.
    Object.freeze(entry.caller.scope);
    setBounded(this.entries, key, { ...entry, caller: Object.freeze(entry.caller) }, this.maxEntries);
  }
}

/** The cache key of a token: SHA-256 of its exact text (one-shot `crypto.hash`, no hash object per request). */
const cacheKey = (token: string): string => hash('sha256', token, 'base64url');

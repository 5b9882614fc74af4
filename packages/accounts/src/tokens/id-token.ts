import { createHash, randomUUID } from 'node:crypto';
import { SCOPE_CLAIMS } from '@signet/protocol';
import { compactVerify } from 'jose';
import type { Keyring } from '../keys/keyring.js';
import type { User } from '../people/repository.js';

/** How the person authenticated, as recorded in their grant. */
export interface Authentication {
  authTime: number;
  acr: string;
  amr: string[];
}

/**
 * The claims a set of granted scopes releases about a person (OpenID Connect Core §5.4),
 * always with `sub`. Used by the id_token and by userinfo.
 */
export function scopedClaims(user: User, scope: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  const source: Record<string, unknown> = { ...user.claims, updated_at: user.updatedAt };
  for (const s of scope) {
    for (const name of SCOPE_CLAIMS[s] ?? []) {
      if (source[name] !== undefined) claims[name] = source[name];
    }
  }
  return claims;
}

/** `at_hash`: the left half of the SHA-256 of the access token, base64url (OpenID Connect Core §3.1.3.6). */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/** Issues OpenID Connect id_tokens (OpenID Connect Core §2). */
export class IdTokens {
  constructor(
    private readonly keyring: Keyring,
    private readonly issuer: string,
    /** Lifetime in seconds. */
    private readonly ttl: number,
    private readonly now: () => number,
  ) {}

  /** Signs an id_token for `user`, issued to `clientId`, carrying the claims of `scope`. */
  async issue(input: {
    user: User;
    clientId: string;
    scope: readonly string[];
    authentication: Authentication;
    nonce?: string | null;
    accessToken?: string;
  }): Promise<string> {
    const iat = this.now();
    const payload: Record<string, unknown> = {
      ...scopedClaims(input.user, input.scope),
      iss: this.issuer,
      sub: input.user.id,
      aud: input.clientId,
      azp: input.clientId,
      iat,
      exp: iat + this.ttl,
      // Unique per token (RFC 7519 §4.1.7), so each id_token can be told apart; the sign-in it
      // stands for is `(iss, sub, auth_time)`, which a relying party keys single use on.
      jti: randomUUID(),
      auth_time: input.authentication.authTime,
      acr: input.authentication.acr,
      amr: input.authentication.amr,
      ...(input.nonce ? { nonce: input.nonce } : {}),
      ...(input.accessToken ? { at_hash: atHash(input.accessToken) } : {}),
    };
    return this.keyring.signJwt({ typ: ID_TOKEN_TYP }, payload);
  }

  /**
   * The subject of an `id_token_hint` (OpenID Connect Core §3.1.2.1): an id_token this issuer
   * signed with a key it still publishes, whose `aud` includes `clientId`. Expiry is not checked,
   * as the specification allows an expired hint. Undefined for anything else (an access token,
   * another issuer's or another client's id_token, a forgery).
   */
  async hintSubject(token: string, clientId: string): Promise<string | undefined> {
    let verified: Awaited<ReturnType<typeof compactVerify>>;
    try {
      verified = await compactVerify(token, this.keyring.verificationKeys(), { algorithms: ['ES256', 'RS256'] });
    } catch {
      return undefined;
    }
    if (verified.protectedHeader.typ !== ID_TOKEN_TYP) return undefined;
    let claims: Record<string, unknown> | null;
    try {
      claims = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown> | null;
    } catch {
      return undefined;
    }
    if (typeof claims !== 'object' || claims === null) return undefined;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== this.issuer || !aud.includes(clientId) || typeof claims.sub !== 'string') return undefined;
    return claims.sub;
  }
}

/** The `typ` header of Signet's id_tokens; its access tokens carry `at+jwt` (RFC 9068), so one never passes for the other. */
const ID_TOKEN_TYP = 'JWT';

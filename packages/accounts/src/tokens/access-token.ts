import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYP, type AccessTokenClaims } from '@signet/protocol';
import { jwtVerify } from 'jose';
import type { Keyring } from '../keys/keyring.js';

/** What an access token is issued for. */
export interface AccessTokenGrant {
  subject: string;
  clientId: string;
  audience: string[];
  scope: string | undefined;
}

/** Issues and verifies RFC 9068 JWT access tokens. */
export class AccessTokens {
  constructor(
    private readonly keyring: Keyring,
    private readonly issuer: string,
    private readonly ttl: number,
    private readonly now: () => number,
  ) {}

  /** Signs an access token; returns it with its lifetime in seconds. */
  async issue(grant: AccessTokenGrant): Promise<{ token: string; expiresIn: number; claims: AccessTokenClaims }> {
    const iat = this.now();
    const claims: AccessTokenClaims = {
      iss: this.issuer,
      sub: grant.subject,
      aud: grant.audience.length === 1 ? (grant.audience[0] as string) : grant.audience,
      client_id: grant.clientId,
      iat,
      exp: iat + this.ttl,
      jti: randomUUID(),
      ...(grant.scope ? { scope: grant.scope } : {}),
    };
    const token = await this.keyring.signJwt({ typ: ACCESS_TOKEN_TYP }, { ...claims });
    return { token, expiresIn: this.ttl, claims };
  }

  /**
   * Verifies a token this issuer signed: signature against the published keys, `typ`,
   * `iss` and expiry (against the injected clock). Returns undefined for anything else.
   */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.keyring.verificationKeys(), {
        issuer: this.issuer,
        typ: ACCESS_TOKEN_TYP,
        algorithms: ['ES256', 'RS256'],
        currentDate: new Date(this.now() * 1000),
        requiredClaims: ['exp', 'iat', 'jti', 'client_id', 'sub', 'aud'],
      });
      return payload as unknown as AccessTokenClaims;
    } catch {
      return undefined;
    }
  }
}

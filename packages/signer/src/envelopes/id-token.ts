import { createHash } from 'node:crypto';
import { errors, jwtVerify } from 'jose';
import type { SignerContext } from '../context.js';
import { type IdentityClaims, identityFromClaims, type SignerIdentity } from '../pki/identity.js';
import { invalidIdToken } from './errors.js';

/** A person identified by a verified id_token. */
export interface IdentifiedPerson {
  identity: SignerIdentity;
  /** What makes the token single-use: `iss` + `jti`, or a hash of the token without a `jti`. */
  tokenKey: string;
  /** The token's `exp` (epoch seconds): until then its `tokenKey` must be remembered. */
  expiresAt: number;
  authTime: number;
  acr: string;
}

/** Algorithms an issuer may sign id_tokens with (never `none` or a shared-secret HMAC). */
const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'EdDSA'];

/** Seconds of clock difference tolerated on `exp`/`nbf`/`iat` and `auth_time`. */
const CLOCK_TOLERANCE = 30;

/**
 * Verifies a person's id_token (OpenID Connect Core §3.1.3.7) for the calling client and returns
 * who it identifies. Refused with 422 `invalid_id_token` naming `field` when it does not verify
 * against the issuer's keys, is not an id_token (`typ` other than `JWT`), is not issued to this
 * client (`aud`, and `azp` when present or when `aud` lists several), has expired, lacks the
 * required `acr`, or its `auth_time` is missing or older than `config.authMaxAge`. Single use is
 * enforced when the envelope is stored (a unique key on `tokenKey`).
 */
export async function verifyPersonIdToken(
  context: Pick<SignerContext, 'issuerKeys' | 'issuer' | 'config' | 'now'>,
  clientId: string,
  token: string,
  field: string,
): Promise<IdentifiedPerson> {
  const now = context.now();
  let payload: IdentityClaims & Record<string, unknown>;
  try {
    const verified = await jwtVerify(token, context.issuerKeys, {
      issuer: context.issuer,
      audience: clientId,
      algorithms: ALGORITHMS,
      currentDate: new Date(now * 1000),
      clockTolerance: CLOCK_TOLERANCE,
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    // An access token (typ at+jwt, RFC 9068) or any other JWT type is not an id_token.
    const typ = verified.protectedHeader.typ;
    if (typ !== undefined && typ.toLowerCase() !== 'jwt') {
      throw invalidIdToken(field, 'malformed', `typ '${typ}' is not an id_token's`);
    }
    payload = verified.payload as IdentityClaims & Record<string, unknown>;
  } catch (error) {
    throw rejection(error, field);
  }
  checkAuthorizedParty(payload, clientId, field);
  const acr = checkAcr(payload, context.config.requiredAcr, field);
  const authTime = checkAuthTime(payload, now, context.config.authMaxAge, field);
  return {
    identity: identityFromClaims(payload),
    tokenKey: tokenKeyOf(payload, token),
    expiresAt: Number(payload.exp),
    authTime,
    acr,
  };
}

/** OpenID Connect Core §2: with several audiences, `azp` must be present; when present it must be this client. */
function checkAuthorizedParty(payload: Record<string, unknown>, clientId: string, field: string): void {
  const multiple = Array.isArray(payload.aud) && payload.aud.length > 1;
  if (payload.azp === undefined && !multiple) return;
  if (payload.azp !== clientId) {
    throw invalidIdToken(field, 'audience', 'the id_token was issued to another client (azp)');
  }
}

function checkAcr(payload: Record<string, unknown>, required: string, field: string): string {
  if (payload.acr !== required) {
    const shown = typeof payload.acr === 'string' ? `'${payload.acr.slice(0, 100)}'` : 'missing';
    throw invalidIdToken(field, 'acr', `acr ${shown} is not the required '${required}'`);
  }
  return required;
}

function checkAuthTime(payload: Record<string, unknown>, now: number, maxAge: number, field: string): number {
  const authTime = payload.auth_time;
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
    throw invalidIdToken(field, 'auth_time', 'auth_time is missing');
  }
  if (authTime > now + CLOCK_TOLERANCE) throw invalidIdToken(field, 'auth_time', 'auth_time is in the future');
  if (now - authTime > maxAge) {
    throw invalidIdToken(field, 'auth_time', `auth_time is older than ${maxAge} seconds`);
  }
  return authTime;
}

function tokenKeyOf(payload: Record<string, unknown>, token: string): string {
  if (typeof payload.jti === 'string' && payload.jti.length > 0) {
    return `jti:${createHash('sha256').update(`${payload.iss}\n${payload.jti}`).digest('base64url')}`;
  }
  return `jwt:${createHash('sha256').update(token).digest('base64url')}`;
}

function rejection(error: unknown, field: string): Error {
  if (!(error instanceof errors.JOSEError)) return error as Error;
  if (error instanceof errors.JWTExpired) return invalidIdToken(field, 'expired', 'the id_token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return invalidIdToken(field, 'issuer', 'the id_token is not from the trusted issuer');
      case 'aud':
        return invalidIdToken(field, 'audience', 'the id_token was issued to another client (aud)');
      case 'nbf':
      case 'iat':
        return invalidIdToken(field, 'expired', `the id_token is not valid yet (${error.claim})`);
      default:
        return invalidIdToken(field, 'malformed', `claim ${error.claim} is missing or invalid`);
    }
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys
  ) {
    return invalidIdToken(field, 'signature', 'the id_token is not signed by the trusted issuer');
  }
  if (error instanceof errors.JWKSTimeout) return error;
  return invalidIdToken(field, 'malformed', 'the id_token is not a valid signed JWT');
}

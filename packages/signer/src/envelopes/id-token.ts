import { createHash } from 'node:crypto';
import { SdkError, verifyIdTokenJwt } from '@signet/sdk';
import type { SignerContext } from '../context.js';
import { type IdentityClaims, identityFromClaims, type SignerIdentity } from '../pki/identity.js';
import { invalidIdToken } from './errors.js';

/** A person identified by a verified id_token. */
export interface IdentifiedPerson {
  identity: SignerIdentity;
  /**
   * What makes the face verification single-use: the sign-in it stands for, `(iss, sub,
   * auth_time)`, hashed. Every id_token of one sign-in (re-spelt, or minted again by a refresh)
   * has the same key, so one sign-in identifies one person of one envelope.
   */
  signInKey: string;
  /** The sign-in, in clear: `iss`, `sub`, `auth_time` (unique together in `used_id_tokens`). */
  issuer: string;
  subject: string;
  /** The token's `exp` (epoch seconds). */
  expiresAt: number;
  authTime: number;
  acr: string;
  /** The token's `amr` (RFC 8176): how the person authenticated, for the audit trail. */
  amr: string[];
}

/** Seconds of clock difference tolerated on `exp`/`nbf`/`iat` and `auth_time`. */
const CLOCK_TOLERANCE = 30;

/**
 * Verifies a person's id_token for the calling client and returns who it identifies. The SDK
 * verifies what any relying party checks (strict compact JWS, the SDK's algorithm list, signature
 * against the issuer's keys, `iss`, `aud` containing this client, `azp` when present or when
 * `aud` lists several, `exp`, `iat`, `sub`); the Signer adds its own rules: an id_token's `typ`,
 * the required `acr`, at least one of the required `amr` values (`config.requiredAmr`, when set), and
 * an `auth_time` within `config.authMaxAge`. Refused with 422
 * `invalid_id_token` naming `field`. Single use is enforced when the envelope is stored (a unique
 * key on the sign-in, `signInKey`).
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
    const verified = await verifyIdTokenJwt(token, {
      issuer: context.issuer,
      clientId,
      jwks: context.issuerKeys,
      now: () => now,
      clockToleranceSeconds: CLOCK_TOLERANCE,
    });
    payload = verified.claims as IdentityClaims & Record<string, unknown>;
    // An access token (typ at+jwt, RFC 9068) or any other JWT type is not an id_token.
    const typ = verified.protectedHeader.typ;
    if (typ !== undefined && typ.toLowerCase() !== 'jwt') {
      throw invalidIdToken(field, 'malformed', `typ '${typ}' is not an id_token's`);
    }
  } catch (error) {
    throw rejection(error, field);
  }
  const acr = checkAcr(payload, context.config.requiredAcr, field);
  const amr = checkAmr(payload, context.config.requiredAmr, field);
  const authTime = checkAuthTime(payload, now, context.config.authMaxAge, field);
  return {
    identity: identityFromClaims(payload),
    signInKey: signInKey(context.issuer, payload.sub, authTime),
    issuer: context.issuer,
    subject: payload.sub,
    expiresAt: Number(payload.exp),
    authTime,
    acr,
    amr,
  };
}

/**
 * `amr` (RFC 8176) must name at least one of `required` (`SIGNET_SIGNER_REQUIRED_AMR`, e.g. `hwk`
 * or `swk`: a possession factor); with none required, any `amr` passes. Returns the token's
 * methods (strings only), for the audit trail.
 */
export function checkAmr(payload: Record<string, unknown>, required: readonly string[], field: string): string[] {
  const amr = Array.isArray(payload.amr)
    ? payload.amr.filter((m): m is string => typeof m === 'string').slice(0, 16)
    : [];
  if (required.length > 0 && !amr.some((m) => required.includes(m))) {
    const shown = amr.length > 0 ? `[${amr.map((m) => m.slice(0, 20)).join(', ')}]` : 'missing';
    throw invalidIdToken(field, 'amr', `amr ${shown} has none of the required ${required.join(' | ')}`);
  }
  return amr;
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

/** The key of one sign-in at the issuer: `(iss, sub, auth_time)`, whatever the token's spelling or `jti`. */
export function signInKey(issuer: string, subject: string, authTime: number): string {
  return `sign-in:${createHash('sha256')
    .update(JSON.stringify([issuer, subject, authTime]))
    .digest('base64url')}`;
}

function rejection(error: unknown, field: string): Error {
  if (!(error instanceof SdkError)) return error as Error;
  switch (error.code) {
    case 'jwt_claim_invalid':
      switch (error.claim) {
        case 'exp':
          return invalidIdToken(field, 'expired', 'the id_token has expired');
        case 'iss':
          return invalidIdToken(field, 'issuer', 'the id_token is not from the trusted issuer');
        case 'aud':
          return invalidIdToken(field, 'audience', 'the id_token was issued to another client (aud)');
        case 'azp':
          return invalidIdToken(field, 'audience', 'the id_token was issued to another client (azp)');
        case 'nbf':
        case 'iat':
          return invalidIdToken(field, 'expired', `the id_token is not valid yet (${error.claim})`);
        default:
          return invalidIdToken(field, 'malformed', `claim ${error.claim} is missing or invalid`);
      }
    case 'jwt_signature_invalid':
    case 'jwks_no_matching_key':
      return invalidIdToken(field, 'signature', 'the id_token is not signed by the trusted issuer');
    case 'jwt_invalid':
      return invalidIdToken(field, 'malformed', 'the id_token is not a valid signed JWT');
    default:
      // The issuer's keys could not be had: not the token's fault.
      return error;
  }
}

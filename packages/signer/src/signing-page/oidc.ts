import { randomBytes } from 'node:crypto';
import { type KeySource, SdkError, verifyIdTokenJwt } from '@signet/sdk';
import { safeEqual } from '@signet/store';
import type { IdentityClaims } from '../pki/identity.js';

/** Why a sign-in at the issuer could not identify the invited person; logged, never shown raw. */
export class SignInError extends Error {
  constructor(
    /** A stable code for logs and tests, e.g. `state`, `nonce`, `acr`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/** A random URL-safe value with 256 bits of entropy (state, nonce, PKCE verifier, session ids). */
export const randomValue = (): string => randomBytes(32).toString('base64url');

/**
 * A failure of the SDK (callback, code exchange, id_token verification) as the sign-in code
 * the page logs: `iss`, `authorization`, `code`, `token`, `nonce`, `azp` or `id_token`.
 */
export function signInErrorOf(error: unknown): unknown {
  if (!(error instanceof SdkError)) return error;
  switch (error.code) {
    case 'issuer_mismatch':
      return new SignInError('iss', error.message);
    case 'state_mismatch':
      return new SignInError('state', error.message);
    case 'authorization_error':
      return new SignInError('authorization', `the issuer answered ${String(error.error).slice(0, 64)}`);
    case 'response_error':
    case 'invalid_response':
    case 'request_failed':
      return new SignInError('token', error.message);
    case 'jwt_claim_invalid':
      if (error.claim === 'nonce' || error.claim === 'azp') return new SignInError(error.claim, error.message);
      return new SignInError('id_token', `id_token refused: ${error.claim ?? 'claim'}`);
    default:
      return new SignInError('id_token', `id_token refused: ${error.code}`);
  }
}

/** A person the issuer vouched for in a verified id_token. */
export interface VerifiedIdentity {
  issuer: string;
  /** The `sub` claim. */
  subject: string;
  /** `name`, or given and family name (as the certificate will state it), or the email. */
  name: string;
  email: string;
  acr: string;
  /** `auth_time`, epoch seconds. */
  authTime: number;
  /** The id_token itself, kept as evidence. */
  idToken: string;
  /** The claims a signing certificate is issued from (see `identityFromClaims`). */
  claims: IdentityClaims;
}

/** What {@link verifyIdToken} checks against. */
export interface IdTokenExpectations {
  issuerKeys: KeySource;
  issuer: string;
  clientId: string;
  nonce: string;
  requiredAcr: string;
  /** `SIGNET_SIGNER_REQUIRED_AMR`: at least one of these must be in `amr` (none: no rule). */
  requiredAmr?: readonly string[];
  /** How old `auth_time` may be, in seconds. */
  authMaxAge: number;
  /** Current time in epoch seconds. */
  now: number;
}

const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Verifies an id_token: the SDK checks what any relying party checks (OpenID Connect Core
 * §3.1.3.7: strict compact JWS, the SDK's algorithm list, signature by the issuer's keys, `iss`,
 * `aud` = our client, `azp`, `exp`/`iat`, `nonce`); the signing page adds its own rules: an
 * id_token's `typ`, the required `acr`, a fresh `auth_time`, and a verified email
 * (`email_verified: true`).
 */
export async function verifyIdToken(idToken: string, expected: IdTokenExpectations): Promise<VerifiedIdentity> {
  let payload: Record<string, unknown> & { sub: string };
  let typ: string | undefined;
  try {
    const verified = await verifyIdTokenJwt(idToken, {
      issuer: expected.issuer,
      clientId: expected.clientId,
      jwks: expected.issuerKeys,
      nonce: expected.nonce,
      now: () => expected.now,
      clockToleranceSeconds: CLOCK_TOLERANCE_SECONDS,
    });
    payload = verified.claims;
    typ = verified.protectedHeader.typ;
  } catch (error) {
    throw signInErrorOf(error);
  }
  // An RFC 9068 access token (typ at+jwt) from the same issuer is never an id_token.
  if (typ !== undefined && typ.toUpperCase() !== 'JWT') throw new SignInError('id_token', 'not an id_token');
  if (payload.acr !== expected.requiredAcr) throw new SignInError('acr', `acr is not ${expected.requiredAcr}`);
  const required = expected.requiredAmr ?? [];
  const amr = Array.isArray(payload.amr) ? payload.amr : [];
  if (required.length > 0 && !amr.some((m) => typeof m === 'string' && required.includes(m))) {
    throw new SignInError('amr', `amr has none of ${required.join(' | ')}`);
  }
  const authTime = payload.auth_time;
  if (typeof authTime !== 'number' || authTime > expected.now + CLOCK_TOLERANCE_SECONDS) {
    throw new SignInError('auth_time', 'auth_time is missing or in the future');
  }
  if (expected.now - authTime > expected.authMaxAge) {
    throw new SignInError('auth_time', `auth_time is older than ${expected.authMaxAge} seconds`);
  }
  const email = payload.email;
  if (typeof email !== 'string' || email === '') throw new SignInError('email', 'the id_token has no email');
  // Only an address the issuer verified can stand for the person the invitation was sent to.
  if (payload.email_verified !== true) throw new SignInError('email', 'the email is not verified');
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const claims: IdentityClaims = { iss: expected.issuer, sub: String(payload.sub), email };
  for (const name of ['name', 'given_name', 'family_name'] as const) {
    const value = text(payload[name]);
    if (value) claims[name] = value;
  }
  if (typeof payload.credential === 'object' && payload.credential !== null) {
    claims.credential = payload.credential as NonNullable<IdentityClaims['credential']>;
  }
  return {
    issuer: expected.issuer,
    subject: claims.sub,
    name: claims.name || [claims.given_name, claims.family_name].filter(Boolean).join(' ') || email,
    email,
    acr: expected.requiredAcr,
    authTime,
    idToken,
    claims,
  };
}

/**
 * Whether the signed-in person is the invited one: their email equals the invited email,
 * ignoring case. RFC 5321 lets a mailbox's local part be case-sensitive, but no mainstream
 * provider treats it so and integrators type addresses in any case; a case-sensitive match
 * would lock real people out, a case-insensitive one lets no one else in.
 */
export function isInvitedPerson(identity: Pick<VerifiedIdentity, 'email'>, invitedEmail: string): boolean {
  return safeEqual(identity.email.trim().toLowerCase(), invitedEmail.trim().toLowerCase());
}

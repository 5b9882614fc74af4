import { ACCESS_TOKEN_TYP, OAuthError } from '@signet/protocol';
import { type KeySource, SdkError, verifyJwt } from '@signet/sdk';
import { errors } from 'jose';
import type { Caller } from './caller.js';

/** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. */
export const CLOCK_LEEWAY_SECONDS = 30;

/** What verifying an access token checks against. */
export interface AccessTokenCheck {
  /** The issuer, exactly as discovery confirmed it. */
  issuer: string;
  /** This API's audience; `aud` must contain it. */
  audience: string;
  /** The issuer's keys. */
  issuerKeys: KeySource;
  /** Current time in epoch seconds. */
  now: () => number;
}

/** A verified access token: its caller, and what a cache of verified tokens must keep checking. */
export interface VerifiedAccessToken {
  /** Who the token was issued to. */
  caller: Caller;
  /** Its `exp`, in epoch seconds. */
  expiresAt: number;
  /** The `kid` of the key that signed it, when the header names one. */
  keyId: string | undefined;
}

/**
 * Verifies an RFC 9068 JWT access token locally and returns its caller: signature against the
 * issuer's keys with an allowed algorithm, `typ: at+jwt` (so an id_token is refused), `iss`,
 * `aud` containing this API's audience, `exp`/`nbf` with {@link CLOCK_LEEWAY_SECONDS}, and the
 * `client_id` that owns what the call touches. Any failure is a 401 `invalid_token`
 * (RFC 6750 §3.1) whose description says which check failed.
 */
export async function verifyAccessToken(token: string, check: AccessTokenCheck): Promise<Caller> {
  return (await checkAccessToken(token, check)).caller;
}

/** {@link verifyAccessToken}, also returning the token's `exp` and `kid`. */
export async function checkAccessToken(token: string, check: AccessTokenCheck): Promise<VerifiedAccessToken> {
  let payload: Record<string, unknown>;
  let keyId: unknown;
  try {
    // The SDK's one verification: strict compact JWS, the one algorithm list, signature, iss, aud, exp, typ.
    ({
      payload,
      protectedHeader: { kid: keyId },
    } = await verifyJwt(token, {
      issuer: check.issuer,
      audience: check.audience,
      keys: check.issuerKeys,
      typ: ACCESS_TOKEN_TYP,
      clockToleranceSeconds: CLOCK_LEEWAY_SECONDS,
      now: check.now,
      requiredClaims: ['exp', 'iat', 'sub', 'client_id'],
    }));
  } catch (error) {
    if (keysUnavailable(error)) {
      throw new OAuthError('temporarily_unavailable', 'the issuer keys are unavailable; try again shortly', 503, {
        'retry-after': '5',
      });
    }
    throw invalidToken(describe(error));
  }
  const clientId = payload.client_id;
  if (typeof clientId !== 'string' || clientId === '') throw invalidToken('the access token has no client_id');
  const scope = payload.scope;
  if (scope !== undefined && typeof scope !== 'string') throw invalidToken('the access token scope is malformed');
  const jti = payload.jti;
  return {
    caller: {
      clientId,
      scope: [...new Set((scope ?? '').split(' ').filter(Boolean))],
      tokenId: typeof jti === 'string' ? jti : undefined,
    },
    // jose checked that exp is a number.
    expiresAt: payload.exp as number,
    keyId: typeof keyId === 'string' ? keyId : undefined,
  };
}

/**
 * 401 `invalid_token` with its RFC 6750 §3 challenge. The description is one of the fixed
 * strings below, so it never needs escaping inside the quoted header value.
 */
export function invalidToken(description: string): OAuthError {
  return new OAuthError('invalid_token', description, 401, {
    'www-authenticate': `Bearer realm="signet", error="invalid_token", error_description="${description}"`,
  });
}

/** The issuer's key set could not be fetched and none is cached: no token can be checked now. */
const keysUnavailable = (error: unknown): boolean =>
  error instanceof SdkError && ['request_failed', 'response_error', 'invalid_response'].includes(error.code);

function describe(error: unknown): string {
  if (!(error instanceof SdkError)) return 'the access token is malformed';
  switch (error.code) {
    case 'jwt_claim_invalid':
      switch (error.claim) {
        case 'exp':
          return 'the access token has expired';
        case 'iss':
          return 'the access token was not issued by the trusted issuer';
        case 'aud':
          return 'the access token is not meant for this API (aud)';
        case 'typ':
          return 'the token is not an access token (typ must be at+jwt)';
        case 'nbf':
          return 'the access token is not yet valid';
        case 'iat':
          return 'the access token was issued in the future';
        default:
          return `the access token lacks a valid ${error.claim} claim`;
      }
    case 'jwks_no_matching_key':
      return 'the access token was signed by an unknown key';
    case 'jwt_signature_invalid':
      return 'the access token signature is invalid';
    default:
      if (error.cause instanceof errors.JOSEAlgNotAllowed) return 'the access token algorithm is not allowed';
      if (error.cause instanceof errors.JWKSMultipleMatchingKeys) return 'the access token key is ambiguous';
      return 'the access token is malformed';
  }
}

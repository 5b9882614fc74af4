import type { UserClaims } from '@signet/protocol';
import {
  type CryptoKey,
  decodeProtectedHeader,
  errors,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
  type JWTVerifyOptions,
  jwtVerify,
} from 'jose';
import { encodeBase64url, sha256 } from './encoding.js';
import { claimInvalid, SdkError } from './errors.js';
import { systemNow } from './http.js';
import type { JwsAlg, RemoteJwks } from './jwks.js';

/** Seconds of clock difference tolerated on `exp`, `iat` and `auth_time`, by default. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

/** The verified claims of an id_token (OpenID Connect Core §2, §5.1), `credential` included. */
export type IdTokenClaims = UserClaims & {
  iss: string;
  /** The person: stable, never reassigned. Use it to identify the signer. */
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  auth_time?: number;
  nonce?: string;
  /** How the person authenticated, e.g. `urn:acr:face`. */
  acr?: string;
  /** Methods used, e.g. `["pwd", "face"]`. */
  amr?: string[];
  azp?: string;
  at_hash?: string;
  [claim: string]: unknown;
};

/** What {@link verifyIdToken} checks an id_token against. */
export interface VerifyIdTokenOptions {
  /** The expected `iss`, exactly. */
  issuer: string;
  /** Your client id; `aud` must contain it (and `azp`, when present, equal it). */
  clientId: string;
  /** The issuer's keys. Example: `new RemoteJwks(metadata.jwks_uri)`. */
  jwks: RemoteJwks;
  /** The `nonce` sent in the authorization request; the token must carry the same. Default: not checked. */
  nonce?: string;
  /** Accepted `acr` values, e.g. `['urn:acr:face']` after `acr_values=urn:acr:face`. Default: not checked. */
  acrValues?: string[];
  /** The `max_age` sent: `auth_time` must be at most this many seconds ago. Default: not checked. */
  maxAge?: number;
  /** The access token issued with the id_token, checked against `at_hash` when present. */
  accessToken?: string;
  /** Accepted algorithms. Default: `['ES256', 'RS256']`; `none` and HMAC are never accepted. */
  algorithms?: JwsAlg[];
  /** Seconds of clock skew tolerated. Default: {@link DEFAULT_CLOCK_TOLERANCE_SECONDS} (30). */
  clockToleranceSeconds?: number;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
}

/** The algorithms the SDK ever accepts; `algorithms` can only narrow them (never `none` or HMAC). */
const ACCEPTED_ALGORITHMS: readonly JwsAlg[] = ['ES256', 'RS256'];

/** The smallest RSA modulus accepted, in bits (RFC 7518 §3.3). */
const MIN_RSA_MODULUS_BITS = 2048;

/**
 * Verifies an id_token as OpenID Connect Core §3.1.3.7 asks: the JWS signature against the
 * issuer's JWKS (ES256 or RS256 only) and `iss`, `aud`, `exp` with jose's `jwtVerify`, then
 * `sub`, `azp`, `iat`, and when asked `nonce`, `acr`, `auth_time` and `at_hash`. Returns the
 * claims; throws an `SdkError` with code `jwt_invalid`, `jwt_signature_invalid`,
 * `jwt_claim_invalid` (naming the claim) or `jwks_no_matching_key`.
 *
 * @example
 * const claims = await verifyIdToken(idToken, { issuer, clientId, jwks, nonce });
 * claims.sub; // the signer
 */
export async function verifyIdToken(idToken: string, options: VerifyIdTokenOptions): Promise<IdTokenClaims> {
  const algorithms = (options.algorithms ?? ACCEPTED_ALGORITHMS).filter((alg) => ACCEPTED_ALGORITHMS.includes(alg));
  let payload: JWTPayload;
  try {
    payload = await verifyJwt(idToken, options, algorithms);
  } catch (error) {
    throw sdkErrorOf(error, idToken, algorithms);
  }
  await checkClaims(payload, options);
  return payload as IdTokenClaims;
}

/** jose checks the JWS (alg allow-list, signature) and `iss`, `aud`, `exp`, `nbf`; the SDK the header and key. */
async function verifyJwt(idToken: string, options: VerifyIdTokenOptions, algorithms: JwsAlg[]): Promise<JWTPayload> {
  const verifyOptions: JWTVerifyOptions = {
    algorithms,
    issuer: options.issuer,
    audience: options.clientId,
    requiredClaims: ['sub', 'exp', 'iat'],
    currentDate: new Date((options.now ?? systemNow)() * 1000),
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
  };
  const getKey: JWTVerifyGetKey = async (header, token) => {
    checkHeader(header);
    return checkKeyStrength(await options.jwks.getKey(header, token));
  };
  try {
    return (await jwtVerify(idToken, getKey, verifyOptions)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    // Without a `kid` several published keys may fit (RFC 7515 §4.1.4): try each, as jose documents.
    for await (const key of error) {
      try {
        return (await jwtVerify(idToken, checkKeyStrength(key), verifyOptions)).payload;
      } catch (attempt) {
        if (!(attempt instanceof errors.JWSSignatureVerificationFailed)) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function checkHeader(header: JWSHeaderParameters): void {
  // RFC 7515 §4.1.11: the SDK understands no extension (jose would let `b64` through), so any `crit` is refused.
  if (header.crit !== undefined) throw new SdkError('jwt_invalid', 'the token has critical header extensions');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new SdkError('jwt_invalid', 'the header kid is not a string');
  }
}

/** jose refuses short RSA keys too, with a TypeError; this gives callers the stable code. */
function checkKeyStrength(key: CryptoKey): CryptoKey {
  const { modulusLength } = key.algorithm as { modulusLength?: number };
  if (modulusLength !== undefined && modulusLength < MIN_RSA_MODULUS_BITS) {
    throw new SdkError('jwt_invalid', `the RSA key is shorter than ${MIN_RSA_MODULUS_BITS} bits`);
  }
  return key;
}

/** jose's errors as the SDK's stable codes; SdkErrors (from the key lookup) pass unchanged. */
function sdkErrorOf(error: unknown, idToken: string, algorithms: readonly JwsAlg[]): unknown {
  if (error instanceof SdkError) return error;
  if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) {
    return new SdkError('jwt_claim_invalid', error.message, { claim: error.claim, cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new SdkError(
      'jwt_invalid',
      `alg "${headerAlg(idToken)}" is not accepted (accepted: ${algorithms.join(', ')})`,
      {
        cause: error,
      },
    );
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new SdkError('jwt_signature_invalid', 'the signature does not verify', { cause: error });
  }
  if (error instanceof errors.JOSEError) return new SdkError('jwt_invalid', error.message, { cause: error });
  return error;
}

function headerAlg(idToken: string): string {
  try {
    return String(decodeProtectedHeader(idToken).alg);
  } catch {
    return 'undefined';
  }
}

/** The checks of OpenID Connect Core §3.1.3.7 that jose does not make, on claims jose has verified. */
async function checkClaims(claims: JWTPayload, options: VerifyIdTokenOptions): Promise<void> {
  const now = (options.now ?? systemNow)();
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (typeof claims.sub !== 'string' || claims.sub === '') throw claimInvalid('sub', 'sub is missing');
  // jose checked that aud contains this client.
  if (Array.isArray(claims.aud) && claims.aud.length > 1 && claims.azp === undefined) {
    throw claimInvalid('azp', 'azp is required when there are several audiences');
  }
  if (claims.azp !== undefined && claims.azp !== options.clientId) throw claimInvalid('azp', 'azp is another client');
  // jose checked that iat is present and a number, but not that it is in the past (without maxTokenAge).
  if ((claims.iat as number) > now + tolerance) throw claimInvalid('iat', 'the token is issued in the future');
  if (options.nonce !== undefined && claims.nonce !== options.nonce) {
    throw claimInvalid('nonce', 'nonce does not match the one sent');
  }
  if (options.acrValues && !(typeof claims.acr === 'string' && options.acrValues.includes(claims.acr))) {
    throw claimInvalid('acr', `acr "${String(claims.acr)}" is not one of ${options.acrValues.join(', ')}`);
  }
  if (options.maxAge !== undefined) {
    if (typeof claims.auth_time !== 'number') throw claimInvalid('auth_time', 'auth_time is missing');
    if (now > claims.auth_time + options.maxAge + tolerance) {
      throw claimInvalid('auth_time', 'the person authenticated longer ago than max_age');
    }
  }
  if (options.accessToken !== undefined && claims.at_hash !== undefined) {
    // OpenID Connect Core §3.1.3.6: the left half of the hash used by alg (SHA-256 for ES256/RS256).
    const expected = encodeBase64url((await sha256(options.accessToken)).subarray(0, 16));
    if (claims.at_hash !== expected) throw claimInvalid('at_hash', 'at_hash does not match the access token');
  }
}

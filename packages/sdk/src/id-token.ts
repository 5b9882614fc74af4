import type { JWSHeaderParameters, JWTPayload } from 'jose';
import { encodeBase64url, sha256, utf8 } from './encoding.js';
import { claimInvalid } from './errors.js';
import { systemNow } from './http.js';
import type { JwsAlg } from './jws.js';
import { DEFAULT_CLOCK_TOLERANCE_SECONDS, type KeySource, verifyJwt } from './jwt.js';
import type { UserClaims } from './wire.js';

export { DEFAULT_CLOCK_TOLERANCE_SECONDS };

/**
 * The verified claims of an id_token (OpenID Connect Core §2, §5.1), `credential` included.
 *
 * @example
 * const claims: IdTokenClaims = await verifyIdToken(idToken, options);
 * claims.sub; // the person
 */
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

/**
 * What {@link verifyIdToken} checks an id_token against.
 *
 * @example
 * const options: VerifyIdTokenOptions = { issuer, clientId, jwks: new RemoteJwks(metadata.jwks_uri), nonce };
 */
export interface VerifyIdTokenOptions {
  /** The expected `iss`, exactly. */
  issuer: string;
  /** Your client id; `aud` must contain it (and `azp`, when present, equal it). */
  clientId: string;
  /** The issuer's keys. Example: `new RemoteJwks(metadata.jwks_uri)`, or jose's `createLocalJWKSet(jwks)`. */
  jwks: KeySource;
  /** The `nonce` sent in the authorization request; the token must carry the same. Default: not checked. */
  nonce?: string;
  /** Accepted `acr` values, e.g. `['urn:acr:face']` after `acr_values=urn:acr:face`. Default: not checked. */
  acrValues?: string[];
  /** The `max_age` sent: `auth_time` must be at most this many seconds ago. Default: not checked. */
  maxAge?: number;
  /** The access token issued with the id_token, checked against `at_hash` when present. */
  accessToken?: string;
  /** Accepted algorithms, a subset of `JWS_ALGORITHMS`. Default: all of them; `none` and HMAC are never accepted. */
  algorithms?: readonly JwsAlg[];
  /** Seconds of clock skew tolerated. Default: {@link DEFAULT_CLOCK_TOLERANCE_SECONDS} (30). */
  clockToleranceSeconds?: number;
  /** The clock in epoch seconds. Default: `Date.now() / 1000`. */
  now?: () => number;
}

/**
 * Verifies an id_token as OpenID Connect Core §3.1.3.7 asks: the JWS signature against the
 * issuer's keys (one of `JWS_ALGORITHMS`) and `iss`, `aud`, `exp` with {@link verifyJwt},
 * then `sub`, `azp`, `iat`, and when asked `nonce`, `acr`, `auth_time` and `at_hash`. Returns the
 * claims; throws an `SdkError` with code `jwt_invalid`, `jwt_signature_invalid`,
 * `jwt_claim_invalid` (naming the claim) or `jwks_no_matching_key`.
 *
 * @example
 * const claims = await verifyIdToken(idToken, { issuer, clientId, jwks, nonce });
 * claims.sub; // the signer
 */
export async function verifyIdToken(idToken: string, options: VerifyIdTokenOptions): Promise<IdTokenClaims> {
  return (await verifyIdTokenJwt(idToken, options)).claims;
}

/**
 * {@link verifyIdToken}, also returning the protected header (for callers with rules on `typ`).
 *
 * @example
 * const { claims, protectedHeader } = await verifyIdTokenJwt(idToken, options);
 * if (protectedHeader.typ !== undefined && protectedHeader.typ !== 'JWT') throw new Error('not an id_token');
 */
export async function verifyIdTokenJwt(
  idToken: string,
  options: VerifyIdTokenOptions,
): Promise<{ claims: IdTokenClaims; protectedHeader: JWSHeaderParameters }> {
  const { payload, protectedHeader } = await verifyJwt(idToken, {
    issuer: options.issuer,
    audience: options.clientId,
    keys: options.jwks,
    requiredClaims: ['sub', 'exp', 'iat'],
    ...(options.algorithms !== undefined ? { algorithms: options.algorithms } : {}),
    ...(options.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: options.clockToleranceSeconds } : {}),
    ...(options.now !== undefined ? { now: options.now } : {}),
  });
  await checkClaims(payload, protectedHeader, options);
  return { claims: payload as IdTokenClaims, protectedHeader };
}

/** The checks of OpenID Connect Core §3.1.3.7 that jose does not make, on claims jose has verified. */
async function checkClaims(
  claims: JWTPayload,
  header: JWSHeaderParameters,
  options: VerifyIdTokenOptions,
): Promise<void> {
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
    // OpenID Connect Core §3.1.3.6: the left half of the hash used by alg.
    const digest = await hashFor(String(header.alg), options.accessToken);
    const expected = encodeBase64url(digest.subarray(0, digest.length / 2));
    if (claims.at_hash !== expected) throw claimInvalid('at_hash', 'at_hash does not match the access token');
  }
}

/** The hash of `alg` (SHA-256 for ES256/RS256/PS256, …; SHA-512 for EdDSA with Ed25519) over `text`. */
async function hashFor(alg: string, text: string): Promise<Uint8Array> {
  if (alg.endsWith('256')) return sha256(text);
  const name = alg.endsWith('384') ? 'SHA-384' : 'SHA-512';
  return new Uint8Array(await globalThis.crypto.subtle.digest(name, utf8(text)));
}

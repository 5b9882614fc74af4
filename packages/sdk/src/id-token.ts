// Types only (erased at runtime).
import type { webcrypto } from 'node:crypto';
import type { UserClaims } from '@signet/protocol';
import { decodeBase64url, encodeBase64url, sha256, utf8 } from './encoding.js';
import { claimInvalid, SdkError } from './errors.js';
import { isRecord, systemNow } from './http.js';
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

const VERIFY_PARAMS: Record<JwsAlg, webcrypto.AlgorithmIdentifier | webcrypto.EcdsaParams> = {
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
};

/**
 * Verifies an id_token as OpenID Connect Core §3.1.3.7 asks: the JWS signature against the
 * issuer's JWKS (ES256 or RS256 only), then `iss`, `aud`, `azp`, `exp`, `iat`, and when asked
 * `nonce`, `acr`, `auth_time` and `at_hash`. Returns the claims; throws an `SdkError` with code
 * `jwt_invalid`, `jwt_signature_invalid`, `jwt_claim_invalid` (naming the claim) or
 * `jwks_no_matching_key`.
 *
 * @example
 * const claims = await verifyIdToken(idToken, { issuer, clientId, jwks, nonce });
 * claims.sub; // the signer
 */
export async function verifyIdToken(idToken: string, options: VerifyIdTokenOptions): Promise<IdTokenClaims> {
  const { payload } = await verifyJws(idToken, options.jwks, options.algorithms ?? ['ES256', 'RS256']);
  await checkClaims(payload, options);
  return payload as IdTokenClaims;
}

/** Checks the JWS compact serialization's signature; returns header and payload only if it verifies. */
async function verifyJws(
  token: string,
  jwks: RemoteJwks,
  algorithms: readonly JwsAlg[],
): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3) throw new SdkError('jwt_invalid', 'the token is not a JWS compact serialization');
  const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
  const header = decodeJson(encodedHeader, 'header');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new SdkError('jwt_invalid', `alg "${String(alg)}" is not accepted (accepted: ${algorithms.join(', ')})`);
  }
  // RFC 7515 §4.1.11: extensions the verifier does not understand must be rejected.
  if (header.crit !== undefined) throw new SdkError('jwt_invalid', 'the token has critical header extensions');
  if (header.kid !== undefined && typeof header.kid !== 'string') {
    throw new SdkError('jwt_invalid', 'the header kid is not a string');
  }
  const signature = decodeBase64url(encodedSignature);
  if (!signature || signature.length === 0 || (alg === 'ES256' && signature.length !== 64)) {
    throw new SdkError('jwt_signature_invalid', 'the signature is malformed');
  }
  const keys = await jwks.keysFor(alg as JwsAlg, header.kid);
  const signed = utf8(`${encodedHeader}.${encodedPayload}`);
  const params = VERIFY_PARAMS[alg as JwsAlg];
  for (const key of keys) {
    if (await globalThis.crypto.subtle.verify(params, key, new Uint8Array(signature), signed)) {
      return { header, payload: decodeJson(encodedPayload, 'payload') };
    }
  }
  throw new SdkError('jwt_signature_invalid', 'the signature does not verify');
}

async function checkClaims(claims: Record<string, unknown>, options: VerifyIdTokenOptions): Promise<void> {
  const now = (options.now ?? systemNow)();
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  if (claims.iss !== options.issuer) throw claimInvalid('iss', `iss "${String(claims.iss)}" is not the issuer`);
  if (typeof claims.sub !== 'string' || claims.sub === '') throw claimInvalid('sub', 'sub is missing');
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(options.clientId)) throw claimInvalid('aud', 'aud does not contain this client');
  if (audiences.length > 1 && claims.azp === undefined) {
    throw claimInvalid('azp', 'azp is required when there are several audiences');
  }
  if (claims.azp !== undefined && claims.azp !== options.clientId) throw claimInvalid('azp', 'azp is another client');
  if (typeof claims.exp !== 'number') throw claimInvalid('exp', 'exp is missing');
  if (now >= claims.exp + tolerance) throw claimInvalid('exp', 'the token has expired');
  if (typeof claims.iat !== 'number') throw claimInvalid('iat', 'iat is missing');
  if (claims.iat > now + tolerance) throw claimInvalid('iat', 'the token is issued in the future');
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

function decodeJson(part: string, what: string): Record<string, unknown> {
  const bytes = decodeBase64url(part);
  let value: unknown;
  try {
    value = bytes ? JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) : undefined;
  } catch {
    value = undefined;
  }
  if (!isRecord(value)) throw new SdkError('jwt_invalid', `the token ${what} is not a base64url JSON object`);
  return value;
}

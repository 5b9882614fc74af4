import { decodeBase64url, encodeBase64url } from './encoding.js';
import { SdkError } from './errors.js';

/**
 * The JWS algorithms Signet ever verifies, everywhere it verifies a JWT (the SDK's id_tokens,
 * the Signer's access tokens, envelope id_tokens and signing-page id_tokens): asymmetric only, so
 * `none` and the HMAC family (whose "key" would be public JWKS material) can never verify. A
 * verifier may narrow this list, never widen it. RFC 7518 §3.1, RFC 8037 §3.1.
 *
 * @example
 * import { JWS_ALGORITHMS } from '@signet/sdk';
 * JWS_ALGORITHMS.includes('ES256'); // true
 * JWS_ALGORITHMS.includes('HS256' as JwsAlg); // false
 */
export const JWS_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;

/**
 * One of {@link JWS_ALGORITHMS}. Signet's own issuer signs with `ES256` or `RS256` (`SIGNET_SIGNING_ALG`).
 *
 * @example
 * const algorithms: JwsAlg[] = ['ES256', 'RS256'];
 */
export type JwsAlg = (typeof JWS_ALGORITHMS)[number];

/**
 * The three segments of a compact JWS, each exactly as it was sent.
 *
 * @example
 * const { header, payload }: CompactJws = parseCompactJws(token);
 */
export interface CompactJws {
  protectedHeader: string;
  payload: string;
  signature: string;
}

/**
 * Splits a compact JWS (RFC 7515 §7.1) strictly: exactly three segments, each canonical
 * base64url (RFC 7515 §2, RFC 4648 §5): only `A–Z a–z 0–9 - _`, no padding, no whitespace, and
 * the unused low bits of the last character zero, so one byte string has one spelling. A
 * decoder that tolerates the other spellings (padding, a trailing newline, flipped low bits)
 * would accept many texts for one token; anything that keys on the text would then count one
 * token many times. The signature may be empty (so `alg: none` is refused by the algorithm
 * check, with its own message). Throws `SdkError` `jwt_invalid`.
 *
 * @example
 * parseCompactJws(`${idToken}\n`); // throws jwt_invalid: not canonical
 */
export function parseCompactJws(token: string): CompactJws {
  if (typeof token !== 'string') throw new SdkError('jwt_invalid', 'the token is not a string');
  const segments = token.split('.');
  if (segments.length !== 3) {
    throw new SdkError('jwt_invalid', `a compact JWS has three segments, this one has ${segments.length}`);
  }
  const [protectedHeader, payload, signature] = segments as [string, string, string];
  for (const [name, segment, mayBeEmpty] of [
    ['header', protectedHeader, false],
    ['payload', payload, false],
    ['signature', signature, true],
  ] as const) {
    if (segment === '' && mayBeEmpty) continue;
    if (!isCanonicalBase64url(segment)) throw new SdkError('jwt_invalid', `the ${name} is not canonical base64url`);
  }
  return { protectedHeader, payload, signature };
}

/** Whether `text` is the one base64url spelling (unpadded, unused bits zero) of a non-empty byte string. */
function isCanonicalBase64url(text: string): boolean {
  if (text === '') return false;
  const bytes = decodeBase64url(text);
  return bytes !== undefined && encodeBase64url(bytes) === text;
}

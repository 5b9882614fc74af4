import { encodeBase64url, randomBase64url, sha256 } from './encoding.js';
import { SdkError } from './errors.js';

/**
 * A PKCE pair (RFC 7636): keep `codeVerifier` secret until the code exchange; send the challenge.
 *
 * @example
 * const { codeVerifier, codeChallenge }: Pkce = await createPkce();
 */
export interface Pkce {
  /** 43 to 128 unreserved characters (RFC 7636 §4.1); sent only to the token endpoint. */
  codeVerifier: string;
  /** `BASE64URL(SHA256(codeVerifier))` (§4.2); sent in the authorization request. */
  codeChallenge: string;
  /** Always `S256`; Signet accepts nothing else. */
  method: 'S256';
}

// RFC 7636 §4.1: code-verifier = 43*128unreserved.
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * A fresh PKCE pair: 32 random bytes as a 43-character verifier and its S256 challenge.
 *
 * @example
 * const { codeVerifier, codeChallenge } = await createPkce();
 * // store codeVerifier in the user's session; put codeChallenge in authorizationUrl()
 */
export async function createPkce(): Promise<Pkce> {
  const codeVerifier = randomBase64url(32);
  return { codeVerifier, codeChallenge: await codeChallengeFor(codeVerifier), method: 'S256' };
}

/**
 * The S256 challenge of a verifier (RFC 7636 §4.2). Throws `invalid_argument` if the verifier
 * is not 43 to 128 unreserved characters.
 *
 * @example
 * await codeChallengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'); // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 */
export async function codeChallengeFor(codeVerifier: string): Promise<string> {
  if (!VERIFIER.test(codeVerifier)) {
    throw new SdkError('invalid_argument', 'codeVerifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)');
  }
  return encodeBase64url(await sha256(codeVerifier));
}

/**
 * A random `state` for the authorization request: 20 bytes, base64url (27 characters), enough
 * to be unguessable (RFC 6749 §10.12).
 *
 * @example
 * const state = randomState(); // store it with the session and pass it as expectedState
 */
export const randomState = (): string => randomBase64url(20);

/**
 * A random `nonce` binding the id_token to this request (OpenID Connect Core §3.1.2.1): 20
 * bytes, base64url.
 *
 * @example
 * const nonce = randomNonce(); // store it with the session and pass it to exchangeCode
 */
export const randomNonce = (): string => randomBase64url(20);

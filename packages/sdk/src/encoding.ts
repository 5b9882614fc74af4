/**
 * base64url and friends on plain Web APIs (`atob`, `btoa`, `TextEncoder`), so the SDK runs in
 * Node 20, browsers and edge runtimes without `Buffer`.
 */

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 §5) of bytes. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Bytes of a base64url string without padding; `undefined` if it is not strict base64url. */
export function decodeBase64url(text: string): Uint8Array | undefined {
  // A length of 1 mod 4 cannot come from any byte string.
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** SHA-256 of an ASCII/UTF-8 string, base64url (the PKCE S256 and `at_hash` building block). */
export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', utf8(text)));
}

/** `n` random bytes from the platform's CSPRNG, base64url. */
export function randomBase64url(n: number): string {
  return encodeBase64url(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * The `application/x-www-form-urlencoded` form of one value, as RFC 6749 §2.3.1 requires for
 * the client id and secret inside HTTP Basic (space becomes `+`, `:` `%` `+` are escaped).
 */
export const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

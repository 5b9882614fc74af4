import { createHmac, hkdfSync } from 'node:crypto';
import type {} from '@fastify/cookie';
import { safeEqual, seal, unseal } from '@signet/store';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Where the signing page's cookies are sent: its own paths only. */
export const COOKIE_PATH = '/sign';

/** How long a sign-in at the issuer may take, password and face step included. */
export const AUTHORIZATION_REQUEST_TTL_SECONDS = 15 * 60;

const secure = (publicUrl: string) => publicUrl.startsWith('https:');
// `__Secure-` (not `__Host-`, which demands Path=/) under https, so no http page can plant them.
const cookieName = (publicUrl: string, name: string) => (secure(publicUrl) ? `__Secure-${name}` : name);

/** The in-flight authorization request's cookie. */
export const authorizationCookieName = (publicUrl: string): string => cookieName(publicUrl, 'signet_sign_request');

/** The signing session's cookie. */
export const sessionCookieName = (publicUrl: string): string => cookieName(publicUrl, 'signet_sign_session');

/**
 * HttpOnly, SameSite=Lax (the issuer's redirect back to the callback is a top-level GET, which
 * Lax lets carry the cookie), Secure under https, scoped to {@link COOKIE_PATH}.
 */
export const cookieOptions = (publicUrl: string, maxAge: number) => ({
  path: COOKIE_PATH,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: secure(publicUrl),
  maxAge,
});

/** Keys the signing page derives from the Signer's master key (HKDF-SHA256, one per purpose). */
export interface SigningPageKeys {
  /** Seals the authorization request cookie (AES-256-GCM). */
  requestSeal: Buffer;
  /** Derives each session's CSRF token (HMAC-SHA256). */
  csrf: Buffer;
  /** Seals the signing link's token in the session row (AES-256-GCM). */
  tokenSeal: Buffer;
}

/** Derives the signing page's keys. */
export function deriveKeys(masterKey: Buffer): SigningPageKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), info, 32));
  return {
    requestSeal: derive('signet signer signing-page request-cookie v1'),
    csrf: derive('signet signer signing-page csrf v1'),
    tokenSeal: derive('signet signer signing-page session-token v1'),
  };
}

/** What the browser carries between `/sign/:token` and `/sign/callback`, sealed. */
export interface PendingAuthorization {
  /** The signing link's token: the callback looks the invitation up again. */
  token: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  /** The language the person started in. */
  locale: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const REQUEST_CONTEXT = 'signing-page authorization request';

/** Seals the pending authorization into its cookie (AES-GCM: neither readable nor forgeable). */
export function setPendingAuthorization(
  reply: FastifyReply,
  publicUrl: string,
  key: Buffer,
  pending: PendingAuthorization,
): void {
  reply.setCookie(
    authorizationCookieName(publicUrl),
    seal(key, JSON.stringify(pending), REQUEST_CONTEXT),
    cookieOptions(publicUrl, AUTHORIZATION_REQUEST_TTL_SECONDS),
  );
}

/** The pending authorization of this browser, if its cookie opens and has not expired. */
export function readPendingAuthorization(
  request: FastifyRequest,
  publicUrl: string,
  key: Buffer,
  now: number,
): PendingAuthorization | undefined {
  const value = request.cookies[authorizationCookieName(publicUrl)];
  if (!value || value.length > 4096) return undefined;
  try {
    const pending = JSON.parse(unseal(key, value, REQUEST_CONTEXT)) as PendingAuthorization;
    return pending.expiresAt > now ? pending : undefined;
  } catch {
    return undefined;
  }
}

/** Ends the pending authorization: a callback URL works once. */
export function clearPendingAuthorization(reply: FastifyReply, publicUrl: string): void {
  reply.clearCookie(authorizationCookieName(publicUrl), { path: COOKIE_PATH });
}

/** The CSRF token of a session: an HMAC of its cookie value, so nothing is stored and nothing can be planted. */
export const csrfToken = (key: Buffer, sessionValue: string): string =>
  createHmac('sha256', key).update(`csrf:${sessionValue}`).digest('base64url');

/** Whether `token` is the session's CSRF token (constant time). */
export const checkCsrf = (key: Buffer, sessionValue: string, token: unknown): boolean =>
  typeof token === 'string' && token.length > 0 && safeEqual(token, csrfToken(key, sessionValue));

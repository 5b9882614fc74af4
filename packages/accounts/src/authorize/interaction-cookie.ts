import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { hashOpaqueToken, newOpaqueToken } from '../crypto/opaque-token.js';
import { cookieOptions } from '../sessions/session-cookie.js';

/** The interaction cookie's name; `__Secure-` under https. */
const cookieName = (issuer: string) => (issuer.startsWith('https:') ? '__Secure-signet_ix' : 'signet_ix');

/** Where an interaction's pages live. The binding cookie is scoped to this path, one per interaction. */
export const interactionPath = (id: string): string => `/interaction/${id}`;

/**
 * Binds a new interaction to this browser: a random value in a cookie scoped to the
 * interaction's path; the interaction keeps its hash. Returns that hash.
 */
export function bindInteraction(reply: FastifyReply, issuer: string, id: string, ttl: number): string {
  const value = newOpaqueToken();
  reply.setCookie(cookieName(issuer), value, cookieOptions(issuer, interactionPath(id), ttl));
  return hashOpaqueToken(value);
}

/** Whether this request comes from the browser the interaction was bound to. */
export function isBoundBrowser(request: FastifyRequest, issuer: string, browserHash: string): boolean {
  const value = request.cookies[cookieName(issuer)];
  if (!value) return false;
  const a = Buffer.from(hashOpaqueToken(value));
  const b = Buffer.from(browserHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

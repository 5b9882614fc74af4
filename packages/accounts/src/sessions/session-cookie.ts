import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken, newOpaqueToken } from '../crypto/opaque-token.js';
import type { Authentication } from '../tokens/id-token.js';
import type { Session } from './repository.js';

const secure = (issuer: string) => issuer.startsWith('https:');

/** The session cookie's name: `__Host-` prefixed under https so no subdomain can set it. */
export const sessionCookieName = (issuer: string): string =>
  secure(issuer) ? '__Host-signet_session' : 'signet_session';

/** Cookie attributes shared by Signet's cookies: HttpOnly, SameSite=Lax, Secure under https. */
export const cookieOptions = (issuer: string, path = '/', maxAge?: number) => ({
  path,
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: secure(issuer),
  ...(maxAge !== undefined ? { maxAge } : {}),
});

/** The signed-in session of this browser, if its cookie names a live one. */
export async function currentSession(ctx: AccountsContext, request: FastifyRequest): Promise<Session | undefined> {
  const value = request.cookies[sessionCookieName(ctx.config.issuer)];
  if (!value || value.length > 128) return undefined;
  return ctx.store.sessions.get(hashOpaqueToken(value), ctx.now());
}

/**
 * Starts a session after an active authentication and sets its cookie. Any session the
 * browser had is ended first, so a session id never survives a sign-in (no fixation).
 */
export async function startSession(
  ctx: AccountsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  authentication: Authentication,
): Promise<Session> {
  const previous = request.cookies[sessionCookieName(ctx.config.issuer)];
  if (previous && previous.length <= 128) await ctx.store.sessions.delete(hashOpaqueToken(previous));
  const value = newOpaqueToken();
  const now = ctx.now();
  const session: Session = {
    idHash: hashOpaqueToken(value),
    userId,
    ...authentication,
    createdAt: now,
    expiresAt: now + ctx.config.sessionTtl,
  };
  await ctx.store.sessions.create(session);
  reply.setCookie(
    sessionCookieName(ctx.config.issuer),
    value,
    cookieOptions(ctx.config.issuer, '/', ctx.config.sessionTtl),
  );
  return session;
}

/** Ends this browser's session, if any, and clears its cookie. */
export async function endSession(ctx: AccountsContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const name = sessionCookieName(ctx.config.issuer);
  const value = request.cookies[name];
  if (value) await ctx.store.sessions.delete(hashOpaqueToken(value));
  reply.clearCookie(name, cookieOptions(ctx.config.issuer));
}

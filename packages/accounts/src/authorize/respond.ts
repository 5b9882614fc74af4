import type { OAuthError } from '@signet/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { type ErrorReason, reasonOf } from '../pages/error-reasons.js';
import { chosenLocale, pickLocale } from '../pages/locale.js';
import { sendPage } from '../pages/render.js';

/**
 * Sends the person back to the client with an error (RFC 6749 §4.1.2.1), with `iss` as
 * RFC 9207 requires and `state` when the request carried one.
 */
export function redirectWithError(
  ctx: AccountsContext,
  reply: FastifyReply,
  redirectUri: string,
  error: OAuthError,
  state: string | undefined,
): FastifyReply {
  return redirect(reply, redirectUri, {
    error: error.code,
    error_description: error.message,
    ...(state !== undefined ? { state } : {}),
    iss: ctx.config.issuer,
  });
}

/** Sends the person back to the client with the authorization code (303, RFC 9700 §4.11). */
export function redirectWithCode(
  ctx: AccountsContext,
  reply: FastifyReply,
  redirectUri: string,
  code: string,
  state: string,
): FastifyReply {
  return redirect(reply, redirectUri, { code, state, iss: ctx.config.issuer });
}

function redirect(reply: FastifyReply, redirectUri: string, params: Record<string, string>): FastifyReply {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return reply.code(303).header('location', url.href).header('cache-control', 'no-store').send();
}

/**
 * Shows an error page instead of redirecting: for errors found before the client and its
 * redirect URI are trusted (RFC 6749 §4.1.2.1), and for broken interactions. The page says
 * `reason` (else the one marked on the error, else one by its code) in the person's language;
 * the error's developer description is logged, not shown.
 */
export function showErrorPage(
  request: FastifyRequest,
  reply: FastifyReply,
  error: OAuthError,
  uiLocales: readonly string[] = [],
  reason: ErrorReason = reasonOf(error),
): FastifyReply {
  const locale = chosenLocale(request) ?? pickLocale(uiLocales, request.headers['accept-language']);
  request.log.info(
    { event: 'error_page', error: error.code, reason, error_description: error.message },
    'error page shown',
  );
  return sendPage(
    reply,
    locale,
    { view: 'error', data: { error: error.code, reason } },
    { status: error.status >= 400 && error.status < 500 ? error.status : 400 },
  );
}

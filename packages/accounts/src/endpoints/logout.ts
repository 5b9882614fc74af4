import { createHmac } from 'node:crypto';
import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { compactVerify, createLocalJWKSet } from 'jose';
import { showErrorPage } from '../authorize/respond.js';
import type { Client } from '../clients/repository.js';
import type { AccountsContext } from '../context.js';
import { type FormParams, formBody, queryParams, single } from '../http/form.js';
import { withReason } from '../pages/error-reasons.js';
import { chosenLocale, pickLocale } from '../pages/locale.js';
import { sendPage } from '../pages/render.js';
import { splitScope } from '../scopes.js';
import { currentSession, endSession } from '../sessions/session-cookie.js';

const CONFIRM_PATH = '/oauth2/sessions/logout/confirm';

/** The sign-out confirmation's CSRF token: bound to the session it would end, so no cookie can be planted. */
const sessionCsrf = (key: Buffer, sessionIdHash: string) =>
  createHmac('sha256', key).update(`logout:${sessionIdHash}`).digest('base64url');

interface LogoutRequest {
  client: Client | undefined;
  hintSubject: string | undefined;
  postLogoutRedirectUri: string | undefined;
  state: string | undefined;
  uiLocales: string[];
}

/**
 * RP-Initiated Logout 1.0 at `/oauth2/sessions/logout`. The person confirms (CSRF-protected)
 * unless a valid `id_token_hint` names the signed-in person; then the session ends and the
 * browser goes to the registered `post_logout_redirect_uri`, or sees a signed-out page.
 */
export function logoutEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  /** Reads and checks the logout request; unknown or unregistered values are errors, never redirects. */
  async function readRequest(params: FormParams): Promise<LogoutRequest> {
    const hint = single(params, 'id_token_hint');
    const clientIdParam = single(params, 'client_id');
    const postLogoutRedirectUri = single(params, 'post_logout_redirect_uri');
    let hintSubject: string | undefined;
    let hintClient: string | undefined;
    if (hint !== undefined) {
      const claims = await verifyHint(hint);
      if (!claims)
        throw withReason(
          new OAuthError('invalid_request', 'id_token_hint is not an id_token issued by this server'),
          'logout_hint',
        );
      hintSubject = claims.sub;
      hintClient = claims.aud;
    }
    if (clientIdParam !== undefined && hintClient !== undefined && clientIdParam !== hintClient) {
      throw withReason(new OAuthError('invalid_request', 'client_id does not match the id_token_hint'), 'logout_hint');
    }
    const clientId = clientIdParam ?? hintClient;
    const client = clientId ? await ctx.store.clients.get(clientId) : undefined;
    if (postLogoutRedirectUri !== undefined) {
      if (!client)
        throw withReason(
          new OAuthError('invalid_request', 'post_logout_redirect_uri needs id_token_hint or client_id'),
          'logout_redirect',
        );
      if (!client.postLogoutRedirectUris.includes(postLogoutRedirectUri)) {
        throw withReason(
          new OAuthError('invalid_request', 'post_logout_redirect_uri is not registered for this client'),
          'logout_redirect',
        );
      }
    }
    return {
      client,
      hintSubject,
      postLogoutRedirectUri,
      state: single(params, 'state'),
      uiLocales: splitScope(single(params, 'ui_locales')),
    };
  }

  /** Verifies the hint's signature and issuer; an expired id_token is still a valid hint. */
  async function verifyHint(token: string): Promise<{ sub: string; aud: string } | undefined> {
    try {
      const { payload, protectedHeader } = await compactVerify(token, createLocalJWKSet(ctx.keyring.publicJwks()), {
        algorithms: ['ES256', 'RS256'],
      });
      if (protectedHeader.typ === 'at+jwt') return undefined;
      const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: unknown; sub?: unknown; aud?: unknown };
      if (claims.iss !== ctx.config.issuer || typeof claims.sub !== 'string') return undefined;
      const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
      return typeof aud === 'string' ? { sub: claims.sub, aud } : undefined;
    } catch {
      return undefined;
    }
  }

  async function finish(request: FastifyRequest, reply: FastifyReply, req: LogoutRequest) {
    await endSession(ctx, request, reply);
    if (req.postLogoutRedirectUri) {
      const url = new URL(req.postLogoutRedirectUri);
      if (req.state !== undefined) url.searchParams.set('state', req.state);
      return reply.code(303).header('location', url.href).header('cache-control', 'no-store').send();
    }
    const locale = chosenLocale(request) ?? pickLocale(req.uiLocales, request.headers['accept-language']);
    return sendPage(reply, locale, {
      view: 'logged-out',
      data: req.client ? { clientName: req.client.clientName } : {},
    });
  }

  async function handle(request: FastifyRequest, reply: FastifyReply, params: FormParams) {
    let req: LogoutRequest;
    try {
      req = await readRequest(params);
    } catch (error) {
      if (error instanceof OAuthError) return showErrorPage(request, reply, error);
      throw error;
    }
    const session = await currentSession(ctx, request);
    if (!session || (req.hintSubject !== undefined && req.hintSubject === session.userId)) {
      return finish(request, reply, req);
    }
    const csrf = sessionCsrf(ctx.keys.csrf, session.idHash);
    const hidden: Record<string, string> = {};
    if (req.client) hidden.client_id = req.client.clientId;
    if (req.postLogoutRedirectUri) hidden.post_logout_redirect_uri = req.postLogoutRedirectUri;
    if (req.state !== undefined) hidden.state = req.state;
    if (req.uiLocales.length) hidden.ui_locales = req.uiLocales.join(' ');
    const locale = chosenLocale(request) ?? pickLocale(req.uiLocales, request.headers['accept-language']);
    const origins = req.postLogoutRedirectUri ? [new URL(req.postLogoutRedirectUri).origin] : [];
    return sendPage(
      reply,
      locale,
      {
        view: 'logout',
        data: { action: CONFIRM_PATH, csrf, hidden, ...(req.client ? { clientName: req.client.clientName } : {}) },
      },
      { formActionOrigins: origins },
    );
  }

  app.get('/oauth2/sessions/logout', async (request, reply) => {
    return handle(request, reply, queryParams(request.url));
  });
  app.post('/oauth2/sessions/logout', async (request, reply) => handle(request, reply, formBody(request.body)));

  app.post(CONFIRM_PATH, async (request, reply) => {
    const params = formBody(request.body);
    const csrf = single(params, 'csrf');
    const session = await currentSession(ctx, request);
    const expected = session ? sessionCsrf(ctx.keys.csrf, session.idHash) : undefined;
    if (!csrf || !expected || !safeEqual(csrf, expected)) {
      return showErrorPage(
        request,
        reply,
        new OAuthError('invalid_request', 'the sign-out form expired; try again', 403),
        [],
        'form_expired',
      );
    }
    let req: LogoutRequest;
    try {
      req = await readRequest(params);
    } catch (error) {
      if (error instanceof OAuthError) return showErrorPage(request, reply, error);
      throw error;
    }
    return finish(request, reply, req);
  });
}

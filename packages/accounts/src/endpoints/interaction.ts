import { createHash } from 'node:crypto';
import { OAuthError } from '@signet/protocol';
import type { Client, Interaction } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath, isBoundBrowser } from '../authorize/interaction-cookie.js';
import { afterLogin, type Login } from '../authorize/proceed.js';
import type { AuthorizationRequest } from '../authorize/request.js';
import { redirectWithError, showErrorPage } from '../authorize/respond.js';
import type { AccountsContext } from '../context.js';
import { safeEqual } from '../crypto/safe-equal.js';
import { formBody, single } from '../http/form.js';
import { pickLocale } from '../pages/locale.js';
import { type LoginView, sendPage } from '../pages/render.js';
import { ACR_PASSWORD } from '../people/acr.js';
import { verifyPassword } from '../people/passwords.js';
import { startSession } from '../sessions/session-cookie.js';

/** Failed sign-ins allowed per account, and per address, in {@link THROTTLE_WINDOW} seconds. */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failed sign-ins allowed per client address in {@link THROTTLE_WINDOW} seconds. */
export const ADDRESS_FAILURE_LIMIT = 20;
/** The throttling window, in seconds. */
export const THROTTLE_WINDOW = 15 * 60;

interface Loaded {
  interaction: Interaction;
  client: Client;
  req: AuthorizationRequest;
}

/** The login and consent pages of an interaction: `/interaction/:id`, `…/login`, `…/consent`. */
export function interactionEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const locale = (request: FastifyRequest, req?: AuthorizationRequest) =>
    pickLocale(req?.uiLocales ?? [], request.headers['accept-language']);

  /** Loads a live interaction that belongs to this browser, or answers with an error page. */
  async function load(
    request: FastifyRequest<{ Params: { id: string } }>,
    reply: FastifyReply,
  ): Promise<Loaded | undefined> {
    const interaction = await ctx.store.interactions.get(request.params.id, ctx.now());
    if (!interaction || !isBoundBrowser(request, ctx.config.issuer, interaction.browserHash)) {
      showErrorPage(
        request,
        reply,
        new OAuthError(
          'invalid_request',
          'this sign-in request has expired or belongs to another browser; start again from the application',
          400,
        ),
      );
      return undefined;
    }
    const client = await ctx.store.clients.get(interaction.clientId);
    const req = interaction.request as unknown as AuthorizationRequest;
    // The request was checked when it began; an operator may have withdrawn the client's right
    // to it since (say, a compromised redirect URI), and the person must not be sent there.
    if (!client?.grantTypes.includes('authorization_code') || !client.redirectUris.includes(req.redirectUri)) {
      showErrorPage(
        request,
        reply,
        new OAuthError('invalid_request', 'the application is no longer registered for this request', 400),
      );
      return undefined;
    }
    return { interaction, client, req };
  }

  /** Form posts must carry the interaction's synchronizer token. */
  function checkCsrf(request: FastifyRequest, loaded: Loaded): string | undefined {
    const params = formBody(request.body);
    const csrf = single(params, 'csrf');
    if (!csrf || !safeEqual(csrf, loaded.interaction.csrfToken)) return undefined;
    return csrf;
  }

  const formOrigins = (req: AuthorizationRequest) => [new URL(req.redirectUri).origin];

  async function showLogin(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    extra: Partial<LoginView> = {},
    status = 200,
  ) {
    const { interaction, client, req } = loaded;
    return sendPage(
      reply,
      locale(request, req),
      {
        view: 'login',
        data: {
          action: `${interactionPath(interaction.id)}/login`,
          csrf: interaction.csrfToken,
          clientName: client.clientName || client.clientId,
          ...(req.loginHint ? { username: req.loginHint } : {}),
          ...extra,
        },
      },
      { status, formActionOrigins: formOrigins(req) },
    );
  }

  app.get<{ Params: { id: string } }>('/interaction/:id', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { interaction, client, req } = loaded;
    if (!interaction.login) return showLogin(request, reply, loaded);
    const user = await ctx.store.users.get(interaction.login.userId);
    return sendPage(
      reply,
      locale(request, req),
      {
        view: 'consent',
        data: {
          action: `${interactionPath(interaction.id)}/consent`,
          csrf: interaction.csrfToken,
          clientName: client.clientName || client.clientId,
          userName: user?.claims.name ?? user?.username ?? '',
          scopes: req.scope,
        },
      },
      { formActionOrigins: formOrigins(req) },
    );
  });

  app.post<{ Params: { id: string } }>('/interaction/:id/login', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    if (!checkCsrf(request, loaded)) return csrfFailure(request, reply, loaded.req);
    const params = formBody(request.body);
    const username = (single(params, 'username') ?? '').trim().toLowerCase();
    const password = single(params, 'password') ?? '';
    if (!username || !password) return showLogin(request, reply, loaded, { error: 'missing_fields', username }, 400);

    const now = ctx.now();
    // Hashed: a fixed-size key whatever was typed (PostgreSQL cannot index a very long one).
    const accountKey = `account:${createHash('sha256').update(username).digest('base64url')}`;
    const addressKey = `address:${request.ip}`;
    const throttle = ctx.store.loginThrottle;
    // Every attempt is counted as a failure before its password is checked, atomically per key,
    // so attempts sent together cannot all pass a read-then-write check; the count is taken
    // back when the attempt is refused unchecked or succeeds.
    const [accountFailures, addressFailures] = await Promise.all([
      throttle.recordFailure(accountKey, now, THROTTLE_WINDOW),
      throttle.recordFailure(addressKey, now, THROTTLE_WINDOW),
    ]);
    if (accountFailures > ACCOUNT_FAILURE_LIMIT || addressFailures > ADDRESS_FAILURE_LIMIT) {
      await Promise.all([throttle.forgive(accountKey), throttle.forgive(addressKey)]);
      reply.header('retry-after', String(THROTTLE_WINDOW));
      return showLogin(request, reply, loaded, { error: 'throttled', username }, 429);
    }

    const user = await ctx.store.users.findByUsername(username);
    if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
      request.log.info({ event: 'login_failed', interaction: loaded.interaction.id }, 'sign-in failed');
      return showLogin(request, reply, loaded, { error: 'invalid_credentials', username });
    }
    await Promise.all([throttle.clear(accountKey), throttle.forgive(addressKey)]);

    const login: Login = { userId: user.id, authTime: ctx.now(), acr: ACR_PASSWORD, amr: ['pwd'] };
    await startSession(ctx, request, reply, user.id, login);
    await ctx.store.interactions.setLogin(loaded.interaction.id, login);
    const interaction = { ...loaded.interaction, login };
    return afterLogin(ctx, request, reply, loaded.client, loaded.req, login, { interaction });
  });

  app.post<{ Params: { id: string } }>('/interaction/:id/consent', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    if (!checkCsrf(request, loaded)) return csrfFailure(request, reply, loaded.req);
    const { interaction, client, req } = loaded;
    if (!interaction.login) return showLogin(request, reply, loaded);
    const decision = single(formBody(request.body), 'decision');
    if (decision !== 'allow') {
      await ctx.store.interactions.consume(interaction.id, ctx.now());
      const error = new OAuthError('access_denied', 'the person declined the request');
      return redirectWithError(ctx, reply, req.redirectUri, error, req.state);
    }
    await ctx.store.consents.remember(interaction.login.userId, client.clientId, req.scope, ctx.now());
    return afterLogin(ctx, request, reply, client, req, interaction.login, { interaction, consentGiven: true });
  });

  function csrfFailure(request: FastifyRequest, reply: FastifyReply, req: AuthorizationRequest) {
    return showErrorPage(
      request,
      reply,
      new OAuthError('invalid_request', 'the form expired or was not sent from this page; go back and try again', 403),
      req.uiLocales,
    );
  }
}

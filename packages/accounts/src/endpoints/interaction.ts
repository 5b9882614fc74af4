import { createHash } from 'node:crypto';
import { OAuthError } from '@signet/protocol';
import type { Client, Interaction } from '@signet/store';
import { safeEqual } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath, isBoundBrowser } from '../authorize/interaction-cookie.js';
import { afterLogin, facePath, type Login } from '../authorize/proceed.js';
import { isRegisteredRedirectUri } from '../authorize/redirect-uri.js';
import type { AuthorizationRequest } from '../authorize/request.js';
import { redirectWithError, showErrorPage } from '../authorize/respond.js';
import type { AccountsContext } from '../context.js';
import { decodeChallenge, drawChallenge, encodeChallenge, type FaceChallenge, isLive } from '../face/challenge.js';
import { checkFace } from '../face/check.js';
import { FACE_BODY_LIMIT, postedFrames } from '../face/frames.js';
import { FaceBusyError } from '../face/pool.js';
import { loadFaceTemplate } from '../face/templates.js';
import { formBody, single } from '../http/form.js';
import { chosenLocale, type Locale, languageCookie, pickLocale } from '../pages/locale.js';
import { type FaceError, type LoginView, sendPage } from '../pages/render.js';
import { ACR_FACE, ACR_PASSWORD, AMR, achievedAcr, faceStepApplies } from '../people/acr.js';
import { verifyPassword } from '../people/passwords.js';
import { startSession } from '../sessions/session-cookie.js';
import { passkeyPath, passkeySignInRoutes } from './passkey-sign-in.js';

/** Failed sign-ins allowed per account, and per address, in {@link THROTTLE_WINDOW} seconds. */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failed sign-ins allowed per client address in {@link THROTTLE_WINDOW} seconds. */
export const ADDRESS_FAILURE_LIMIT = 20;
/** The throttling window, in seconds. */
export const THROTTLE_WINDOW = 15 * 60;

/** A live interaction of this browser, its client and its request. */
export interface Loaded {
  interaction: Interaction;
  client: Client;
  req: AuthorizationRequest;
}

/** What the interaction's pages share with the passkey sign-in (`passkey-sign-in.ts`). */
export interface InteractionPages {
  load(request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Loaded | undefined>;
  checkCsrf(request: FastifyRequest, loaded: Loaded): string | undefined;
  csrfFailure(request: FastifyRequest, reply: FastifyReply, req: AuthorizationRequest): FastifyReply;
  locale(request: FastifyRequest, req?: AuthorizationRequest): Locale;
  formOrigins(req: AuthorizationRequest): string[];
}

/** The login and consent pages of an interaction: `/interaction/:id`, `…/login`, `…/consent`. */
export function interactionEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  // The person's own choice (the language switch) wins over the client's ui_locales.
  const locale = (request: FastifyRequest, req?: AuthorizationRequest) =>
    chosenLocale(request) ?? pickLocale(req?.uiLocales ?? [], request.headers['accept-language']);

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
        [],
        'interaction_expired',
      );
      return undefined;
    }
    const client = await ctx.store.clients.get(interaction.clientId);
    const req = interaction.request as unknown as AuthorizationRequest;
    // The request was checked when it began; an operator may have withdrawn the client's right
    // to it since (say, a compromised redirect URI), and the person must not be sent there.
    if (
      !client?.grantTypes.includes('authorization_code') ||
      !isRegisteredRedirectUri(client.redirectUris, req.redirectUri)
    ) {
      showErrorPage(
        request,
        reply,
        new OAuthError('invalid_request', 'the application is no longer registered for this request', 400),
        [],
        'client_withdrawn',
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
          passkeyHref: passkeyPath(interaction.id),
          languagePath: interactionPath(interaction.id),
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
    const cookie = languageCookie(request);
    if (cookie) reply.header('set-cookie', cookie);
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
          refreshTokens: client.grantTypes.includes('refresh_token'),
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
    // The person is named by their username or by their verified email (the signing page's
    // `login_hint` is the invited address). An address two people share names neither.
    const user =
      (await ctx.store.users.findByUsername(username)) ??
      (username.includes('@') ? await ctx.store.users.findBySignInEmail(username) : undefined);
    // One counter per account however it is named; per typed name when it names nobody. Hashed:
    // a fixed-size key whatever was typed (PostgreSQL cannot index a very long one).
    const accountKey = `account:${createHash('sha256')
      .update(user ? `user:${user.id}` : username)
      .digest('base64url')}`;
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

  /** Ends the face step without the face: the client hears `unmet_authentication_requirements`. */
  async function faceUnmet(reply: FastifyReply, loaded: Loaded, why: string) {
    await ctx.store.interactions.consume(loaded.interaction.id, ctx.now());
    const error = new OAuthError('unmet_authentication_requirements', why);
    return redirectWithError(ctx, reply, loaded.req.redirectUri, error, loaded.req.state);
  }

  async function showFace(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    challenge: FaceChallenge,
    attempts: number,
    error?: FaceError,
    status = 200,
  ) {
    const { interaction, client, req } = loaded;
    return sendPage(
      reply,
      locale(request, req),
      {
        view: 'face',
        data: {
          action: facePath(interaction.id),
          csrf: interaction.csrfToken,
          clientName: client.clientName || client.clientId,
          challenge,
          attemptsLeft: Math.max(0, ctx.faces.maxAttempts - attempts),
          ...(error ? { error } : {}),
        },
      },
      { status, formActionOrigins: formOrigins(req), camera: true },
    );
  }

  /**
   * The face step applies to a person who signed in in this interaction with a factor the face may
   * lift to `urn:acr:face` (a passkey; a password only where the operator allows it, issue 10),
   * and whose face was not checked yet.
   */
  function faceStepLogin(loaded: Loaded): Login | undefined {
    const login = loaded.interaction.login;
    const applies =
      login &&
      loaded.req.acrValues.includes(ACR_FACE) &&
      !login.amr.includes(AMR.face) &&
      faceStepApplies(login.amr, ctx.config);
    return applies ? login : undefined;
  }

  app.get<{ Params: { id: string } }>('/interaction/:id/face', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    if (!faceStepLogin(loaded))
      return reply.code(303).header('location', interactionPath(loaded.interaction.id)).send();
    const stored = decodeChallenge(loaded.interaction.faceChallenge);
    // Reloading shows the same challenge while it is live; an expired one is drawn anew.
    let challenge = stored && isLive(stored, ctx.now()) ? stored : undefined;
    if (!challenge) {
      challenge = drawChallenge(ctx.now());
      await ctx.store.interactions.setFaceChallenge(loaded.interaction.id, encodeChallenge(challenge));
    }
    return showFace(request, reply, loaded, challenge, loaded.interaction.faceAttempts ?? 0);
  });

  app.post<{ Params: { id: string } }>(
    '/interaction/:id/face',
    { bodyLimit: FACE_BODY_LIMIT },
    async (request, reply) => {
      const loaded = await load(request, reply);
      if (!loaded) return reply;
      if (!checkCsrf(request, loaded)) return csrfFailure(request, reply, loaded.req);
      const login = faceStepLogin(loaded);
      if (!login) return reply.code(303).header('location', interactionPath(loaded.interaction.id)).send();
      const id = loaded.interaction.id;
      const audit = (outcome: string, details: Record<string, unknown> = {}) =>
        request.log.info(
          { event: 'face_check', interaction: id, user: login.userId, outcome, ...details },
          'face check',
        );
      const params = formBody(request.body);

      if (single(params, 'cancel') === 'no_camera') {
        audit('no_camera');
        return faceUnmet(reply, loaded, 'the person could not use a camera for the face check');
      }
      const storedText = loaded.interaction.faceChallenge ?? '';
      const challenge = decodeChallenge(storedText);
      if (!challenge) return reply.code(303).header('location', facePath(id)).send();
      const posted = postedFrames(params);
      const attempts = loaded.interaction.faceAttempts ?? 0;
      // A capture answers one live challenge, once: an old, expired or already answered one gets
      // the page again with a new challenge, and is not counted as an attempt.
      const next = drawChallenge(ctx.now());
      const answered = single(params, 'challenge');
      if (answered !== challenge.id || !isLive(challenge, ctx.now())) {
        audit('refused', { reason: 'stale_challenge', attempt: attempts });
        await ctx.store.interactions.swapFaceChallenge(id, storedText, encodeChallenge(next), ctx.now());
        const current = decodeChallenge((await ctx.store.interactions.get(id, ctx.now()))?.faceChallenge) ?? next;
        return showFace(request, reply, loaded, current, attempts, 'expired');
      }
      const template = await loadFaceTemplate(ctx.store, ctx.keys.face, login.userId);
      if (!template) {
        audit('no_template');
        return faceUnmet(reply, loaded, 'no face is enrolled for this person');
      }
      // Counted before the check, atomically, so parallel posts cannot exceed the limit.
      const attempt = await ctx.store.interactions.countFaceAttempt(id, ctx.now());
      if (attempt === undefined) {
        await load(request, reply); // expired meanwhile: its error page
        return reply;
      }
      if (attempt > ctx.faces.maxAttempts) {
        audit('refused', { reason: 'too_many_attempts', attempt });
        return faceUnmet(reply, loaded, 'too many failed face checks');
      }
      // Used up now, before the check: concurrent posts of the same capture get one check.
      if (!(await ctx.store.interactions.swapFaceChallenge(id, storedText, encodeChallenge(next), ctx.now()))) {
        await ctx.store.interactions.forgetFaceAttempt(id);
        audit('refused', { reason: 'stale_challenge', attempt });
        const current = decodeChallenge((await ctx.store.interactions.get(id, ctx.now()))?.faceChallenge) ?? next;
        return showFace(request, reply, loaded, current, attempt - 1, 'expired');
      }
      let problem: FaceError | undefined;
      let result: Awaited<ReturnType<typeof checkFace>> | undefined;
      if (!posted.ok) problem = posted.problem;
      else {
        try {
          result = await checkFace(ctx.faces.verifier, template, posted.frames, { challenge });
          if (!result.ok) problem = result.problem;
        } catch (error) {
          if (!(error instanceof FaceBusyError)) throw error;
          // Not the person's failure: the check did not run, so it does not count.
          await ctx.store.interactions.forgetFaceAttempt(id);
          problem = 'busy';
          reply.header('retry-after', String(error.retryAfterSeconds));
        }
      }
      if (problem === 'busy') {
        audit('busy', { attempt });
        return showFace(request, reply, loaded, next, attempt - 1, problem, 503);
      }
      // The audit of the sign-in: the face score (largest distance to the template), the model
      // that made it, and the challenge asked for; never images or embeddings.
      const measures = {
        challenge: challenge.actions,
        model: template.version,
        ...(result && 'distance' in result && result.distance !== undefined && { score: result.distance }),
        ...(result && !result.ok && result.failure && { failure: result.failure, action: result.action }),
      };
      if (problem === undefined) {
        audit('match', { attempt, completed: result?.ok ? result.actions : [], ...measures });
        // The methods used so far, and the face: `amr` tells what happened (RFC 8176).
        const amr = [...login.amr, AMR.face];
        const upgraded: Login = { userId: login.userId, authTime: ctx.now(), acr: achievedAcr(amr, ctx.config), amr };
        await startSession(ctx, request, reply, login.userId, upgraded);
        await ctx.store.interactions.setLogin(id, upgraded);
        const interaction = { ...loaded.interaction, login: upgraded };
        return afterLogin(ctx, request, reply, loaded.client, loaded.req, upgraded, { interaction });
      }
      const count = posted.ok ? posted.frames.length : posted.count;
      audit('refused', { reason: problem, attempt, frames: count, ...measures });
      if (attempt >= ctx.faces.maxAttempts) return faceUnmet(reply, loaded, 'the face check failed too many times');
      // The next attempt answers the new challenge already stored, so a recording of this one does not.
      return showFace(request, reply, loaded, next, attempt, problem);
    },
  );

  function csrfFailure(request: FastifyRequest, reply: FastifyReply, req: AuthorizationRequest) {
    return showErrorPage(
      request,
      reply,
      new OAuthError('invalid_request', 'the form expired or was not sent from this page; go back and try again', 403),
      req.uiLocales,
      'form_expired',
    );
  }

  passkeySignInRoutes(app, ctx, { load, checkCsrf, csrfFailure, locale, formOrigins });
}

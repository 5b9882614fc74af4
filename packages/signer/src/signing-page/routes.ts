import fastifyCookie from '@fastify/cookie';
import type { AuthorizationServerMetadata } from '@signet/protocol';
import { authorizationCode, authorizationUrl, codeChallengeFor, discover, exchangeCode } from '@signet/sdk';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable, safeEqual, seal, unseal } from '@signet/store';
import { formField, NO_STORE, originOf, registerFormParser } from '@signet/web';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { SignerContext } from '../context.js';
import {
  AUTHORIZATION_REQUEST_TTL_SECONDS,
  checkCsrf,
  clearPendingAuthorization,
  cookieOptions,
  csrfToken,
  deriveKeys,
  readPendingAuthorization,
  type SigningPageKeys,
  sessionCookieName,
  setPendingAuthorization,
} from './cookies.js';
import { type Invitation, type InvitationLookup, InvitationRefused, type SigningDesk } from './desk.js';
import { type Locale, languageChoice, pickLocale } from './locale.js';
import { isInvitedPerson, randomValue, SignInError, signInErrorOf, verifyIdToken } from './oidc.js';
import { type Problem, registerAssets, SIGNING_CALLBACK_PATH, sendPage } from './render.js';
import {
  hashSessionValue,
  SIGNING_SESSION_TTL_SECONDS,
  type SigningSession,
  SigningSessions,
} from './sessions-repository.js';

/** The scopes the signing page asks for: identity, name, identity document and email. */
export const SIGNING_PAGE_SCOPE = 'openid profile credential email';

/** Paths of the signing page. `/sign/<token>` is the link an invited person receives. */
export const SIGNING_PATHS = {
  callback: SIGNING_CALLBACK_PATH,
  session: '/sign/session',
  sign: '/sign/session/sign',
  reject: '/sign/session/reject',
  document: (index: number) => `/sign/session/documents/${index}`,
  signedDocument: (index: number) => `/sign/session/documents/${index}/signed`,
} as const;

/** The redirect URI to register for the Signer's client at the issuer: `${publicUrl}/sign/callback`. */
export const signingCallbackUrl = (publicUrl: string): string => `${publicUrl}${SIGNING_PATHS.callback}`;

/** Longest reason a person may give for rejecting (the envelope keeps it as `statusReason`). */
export const MAX_REASON_LENGTH = 500;

/** What {@link signingPageRoutes} is built from. */
export type SigningPageContext = Pick<
  SignerContext,
  'config' | 'store' | 'log' | 'now' | 'issuerKeys' | 'issuer' | 'masterKey'
> & {
  /** The envelope operations (`envelopeDesk(context)` in the service). */
  desk: SigningDesk;
  /** Used towards the issuer (discovery, token endpoint). Default the global `fetch`. */
  fetch?: typeof fetch;
  /** The Signer's client at the issuer. Default `config.clientId`/`config.clientSecret`. */
  client?: { clientId: string; clientSecret: string };
};

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const SESSION_VALUE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const queryValue = (request: FastifyRequest, name: string): string | undefined => {
  const value = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The signing page for persons invited by name and email (PUBLIC routes; register under the
 * Signer's `public` parts):
 *
 * - `GET /sign/:token`: checks the invitation, then sends the person to the issuer to sign in
 *   (authorization code + PKCE S256, `acr_values` = `config.requiredAcr`, `login_hint` = the
 *   invited email, state/nonce/verifier in a sealed, HttpOnly, SameSite=Lax cookie).
 * - `GET /sign/callback`: checks `state` and `iss` (RFC 9207), redeems the code with
 *   `client_secret_basic`, verifies the id_token (jose: keys, `iss`, `aud`, `nonce`, `acr`,
 *   `auth_time`) and that its verified email is the invited one (ignoring case), then opens a
 *   short server-side signing session and redirects to it.
 * - `GET /sign/session`: the documents (pdf.js) with Sign and Reject (POST, CSRF token), or the
 *   outcome with the signed PDFs to download.
 * - `/sign/assets/*`: stylesheet, page script, pdf.js.
 *
 * Every page comes in English and Spanish: the language chosen with the page's switch (`?lang=`,
 * then its cookie), else `?ui_locales=` (or the language the link was opened in), else
 * `Accept-Language`.
 */
export function signingPageRoutes(context: SigningPageContext): FastifyPluginAsync {
  return async (app) => {
    if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie);
    // Forms as name → values, small bodies only.
    registerFormParser(app, { bodyLimit: 16 * 1024 });
    registerAssets(app);
    const page = new SigningPage(context);
    app.setErrorHandler((error: { statusCode?: number }, request, reply) => {
      if (isDatabaseUnavailable(error)) {
        // Nothing was written; the person can simply try again.
        reply.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
        return page.problem(request, reply, 'unexpected', 503);
      }
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) context.log.error({ err: error }, 'signing page failed');
      return page.problem(request, reply, status === 500 ? 'unexpected' : 'forbidden', status);
    });
    app.get<{ Params: { token: string } }>('/sign/:token', (request, reply) => page.start(request, reply));
    app.get(SIGNING_PATHS.callback, (request, reply) => page.callback(request, reply));
    app.get(SIGNING_PATHS.session, (request, reply) => page.show(request, reply));
    app.post(SIGNING_PATHS.sign, (request, reply) => page.decide(request, reply, 'sign'));
    app.post(SIGNING_PATHS.reject, (request, reply) => page.decide(request, reply, 'reject'));
    app.get<{ Params: { index: string } }>('/sign/session/documents/:index', (request, reply) =>
      page.document(request, reply, 'view'),
    );
    app.get<{ Params: { index: string } }>('/sign/session/documents/:index/signed', (request, reply) =>
      page.document(request, reply, 'download'),
    );
  };
}

/** How long the issuer's discovery document is reused by the signing page (1 hour). */
const DISCOVERY_MAX_AGE_SECONDS = 3600;

/** Runs an SDK step, turning its failure into the page's {@link SignInError}. */
function sdk<T>(step: () => T): T {
  try {
    return step();
  } catch (error) {
    throw signInErrorOf(error);
  }
}

/** The page for each way a link cannot be used. */
const problemOf = (lookup: Exclude<InvitationLookup, { status: 'valid' }> | InvitationRefused): Problem =>
  lookup instanceof InvitationRefused ? lookup.problem : lookup.status;

/** The steps of the signing page, one method per route. */
class SigningPage {
  private readonly keys: SigningPageKeys;
  private readonly sessions: SigningSessions;
  private readonly metadata: () => Promise<AuthorizationServerMetadata>;
  private readonly publicUrl: string;

  constructor(private readonly ctx: SigningPageContext) {
    this.keys = deriveKeys(ctx.masterKey);
    this.sessions = new SigningSessions(ctx.store.db);
    this.publicUrl = ctx.config.publicUrl;
    // The SDK's discovery, its cache shared per (fetch, issuer): read again hourly, and after a failure.
    this.metadata = () =>
      discover(ctx.issuer, {
        now: ctx.now,
        maxAgeSeconds: DISCOVERY_MAX_AGE_SECONDS,
        ...(ctx.fetch ? { fetch: ctx.fetch } : {}),
      });
  }

  private locale(request: FastifyRequest, fallback?: string): Locale {
    return (
      languageChoice.chosen(request) ??
      pickLocale(queryValue(request, 'ui_locales') ?? fallback, request.headers['accept-language'])
    );
  }

  problem(request: FastifyRequest, reply: FastifyReply, problem: Problem, status?: number, locale?: Locale) {
    return sendPage(reply, locale ?? this.locale(request), { view: 'problem', data: { problem } }, status);
  }

  private client(): { clientId: string; clientSecret: string } | undefined {
    if (this.ctx.client) return this.ctx.client;
    const { clientId, clientSecret } = this.ctx.config;
    return clientId && clientSecret ? { clientId, clientSecret } : undefined;
  }

  /** The open invitation of a token whose person may sign now, or the problem that stops them. */
  private async openInvitation(token: string): Promise<Invitation | Problem> {
    const lookup = await this.ctx.desk.findInvitation(token);
    if (lookup.status !== 'valid') return problemOf(lookup);
    return lookup.invitation.theirTurn ? lookup.invitation : 'waiting';
  }

  /** `GET /sign/:token`: check the link, then off to the issuer. */
  async start(request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) {
    const locale = this.locale(request);
    const { token } = request.params;
    if (TOKEN_PATTERN.test(token)) await this.ctx.desk.opened(token, originOf(request));
    const invitation = TOKEN_PATTERN.test(token) ? await this.openInvitation(token) : 'unknown';
    if (typeof invitation === 'string') return this.problem(request, reply, invitation, undefined, locale);
    const client = this.client();
    if (!client) {
      this.ctx.log.error('the signing page needs SIGNET_SIGNER_CLIENT_ID and SIGNET_SIGNER_CLIENT_SECRET');
      return this.problem(request, reply, 'unexpected', 503, locale);
    }
    let metadata: AuthorizationServerMetadata;
    try {
      metadata = await this.metadata();
    } catch (error) {
      this.ctx.log.error({ err: error }, 'issuer discovery failed');
      return this.problem(request, reply, 'unexpected', 503, locale);
    }
    const pending = {
      token,
      state: randomValue(),
      nonce: randomValue(),
      codeVerifier: randomValue(),
      locale,
      expiresAt: this.ctx.now() + AUTHORIZATION_REQUEST_TTL_SECONDS,
    };
    setPendingAuthorization(reply, this.publicUrl, this.keys.requestSeal, pending);
    const url = await authorizationUrl({
      metadata,
      clientId: client.clientId,
      redirectUri: signingCallbackUrl(this.publicUrl),
      scope: SIGNING_PAGE_SCOPE,
      state: pending.state,
      nonce: pending.nonce,
      codeChallenge: await codeChallengeFor(pending.codeVerifier),
      acrValues: this.ctx.config.requiredAcr,
      loginHint: invitation.email,
      uiLocales: locale,
    });
    return reply.code(303).headers(NO_STORE).header('location', url.href).send();
  }

  /** `GET /sign/callback`: the issuer's answer becomes a signing session for the invited person. */
  async callback(request: FastifyRequest, reply: FastifyReply) {
    const now = this.ctx.now();
    const pending = readPendingAuthorization(request, this.publicUrl, this.keys.requestSeal, now);
    const locale = this.locale(request, pending?.locale);
    const refuse = (code: string, problem: Problem = 'signInFailed') => {
      this.ctx.log.warn({ reason: code }, 'signing page sign-in refused');
      return this.problem(request, reply, problem, undefined, locale);
    };
    if (!pending) return refuse('no_pending_request');
    const state = queryValue(request, 'state');
    // A forged or stale callback must not end the person's real sign-in: the cookie stays.
    if (!state || state.length > 512 || !safeEqual(state, pending.state)) return refuse('state');
    clearPendingAuthorization(reply, this.publicUrl);
    const client = this.client();
    if (!client) return refuse('no_client', 'unexpected');
    try {
      const metadata = await this.metadata();
      // The SDK checks the callback's iss (RFC 9207), state and error, and finds the code.
      const code = sdk(() => authorizationCode({ metadata, callbackUrl: request.url, expectedState: pending.state }));
      const invitation = await this.openInvitation(pending.token);
      if (typeof invitation === 'string') return this.problem(request, reply, invitation, undefined, locale);
      const { idToken } = await exchangeCode({
        metadata,
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        redirectUri: signingCallbackUrl(this.publicUrl),
        code,
        codeVerifier: pending.codeVerifier,
        nonce: pending.nonce,
        jwks: this.ctx.issuerKeys,
        now: this.ctx.now,
        ...(this.ctx.fetch ? { fetch: this.ctx.fetch } : {}),
      }).catch((error: unknown) => {
        throw signInErrorOf(error);
      });
      const identity = await verifyIdToken(idToken, {
        issuerKeys: this.ctx.issuerKeys,
        issuer: this.ctx.issuer,
        clientId: client.clientId,
        nonce: pending.nonce,
        requiredAcr: this.ctx.config.requiredAcr,
        requiredAmr: this.ctx.config.requiredAmr,
        authMaxAge: this.ctx.config.authMaxAge,
        now: this.ctx.now(),
      });
      if (!isInvitedPerson(identity, invitation.email)) return refuse('not_invited_person', 'wrongPerson');
      const value = randomValue();
      const idHash = hashSessionValue(value);
      await this.sessions.create({
        idHash,
        sealedToken: seal(this.keys.tokenSeal, pending.token, idHash),
        envelopeId: invitation.envelopeId,
        documents: invitation.documents,
        identity,
        locale,
        createdAt: now,
        expiresAt: now + SIGNING_SESSION_TTL_SECONDS,
      });
      reply.setCookie(
        sessionCookieName(this.publicUrl),
        value,
        cookieOptions(this.publicUrl, SIGNING_SESSION_TTL_SECONDS),
      );
      return reply.code(303).headers(NO_STORE).header('location', SIGNING_PATHS.session).send();
    } catch (error) {
      if (error instanceof SignInError) return refuse(error.code);
      throw error;
    }
  }

  /** The live session of this browser and its cookie value, if any. */
  private async session(request: FastifyRequest): Promise<{ session: SigningSession; value: string } | undefined> {
    const value = request.cookies[sessionCookieName(this.publicUrl)];
    if (!value || !SESSION_VALUE_PATTERN.test(value)) return undefined;
    const session = await this.sessions.get(hashSessionValue(value), this.ctx.now());
    return session ? { session, value } : undefined;
  }

  private token(session: SigningSession): string {
    return unseal(this.keys.tokenSeal, session.sealedToken, session.idHash);
  }

  /** `GET /sign/session`: the documents and the two actions, or the outcome. */
  async show(request: FastifyRequest, reply: FastifyReply) {
    const current = await this.session(request);
    if (!current) return this.problem(request, reply, 'sessionOver');
    const { session, value } = current;
    const locale = this.locale(request, session.locale);
    if (session.outcome === 'rejected') {
      return sendPage(reply, locale, { view: 'rejected', data: { reason: session.reason ?? '' } });
    }
    if (session.outcome === 'signed') {
      const downloads = session.documents.map((d) => ({ name: d.name, url: SIGNING_PATHS.signedDocument(d.index) }));
      return sendPage(reply, locale, { view: 'signed', data: { downloads } });
    }
    const invitation = await this.openInvitation(this.token(session));
    if (typeof invitation === 'string') return this.problem(request, reply, invitation, undefined, locale);
    return sendPage(reply, locale, {
      view: 'sign',
      data: {
        personName: session.identity.name,
        documents: session.documents.map((d) => ({ ...d, url: SIGNING_PATHS.document(d.index) })),
        csrf: csrfToken(this.keys.csrf, value),
        signAction: SIGNING_PATHS.sign,
        rejectAction: SIGNING_PATHS.reject,
      },
    });
  }

  /** `POST /sign/session/sign` and `/reject`: the session's one decision, then back to the page (PRG). */
  async decide(request: FastifyRequest, reply: FastifyReply, action: 'sign' | 'reject') {
    const current = await this.session(request);
    if (!current) return this.problem(request, reply, 'sessionOver');
    const { session, value } = current;
    const locale = this.locale(request, session.locale);
    if (!checkCsrf(this.keys.csrf, value, formField(request.body, 'csrf'))) {
      return this.problem(request, reply, 'forbidden', undefined, locale);
    }
    const reason = formField(request.body, 'reason')?.trim();
    if (action === 'reject' && (!reason || reason.length > MAX_REASON_LENGTH)) {
      return this.problem(request, reply, 'reasonRequired', undefined, locale);
    }
    // Already decided (a second click, another tab): show the outcome.
    if (!(await this.sessions.claim(session.idHash, this.ctx.now()))) return seeSession(reply);
    try {
      const origin = originOf(request);
      if (action === 'sign') {
        await this.ctx.desk.sign(this.token(session), session.identity, origin);
        await this.sessions.decide(session.idHash, 'signed');
      } else {
        await this.ctx.desk.reject(this.token(session), session.identity, reason as string, origin);
        await this.sessions.decide(session.idHash, 'rejected', reason as string);
      }
    } catch (error) {
      await this.sessions.release(session.idHash);
      if (error instanceof InvitationRefused) return this.problem(request, reply, problemOf(error), undefined, locale);
      throw error;
    }
    return seeSession(reply);
  }

  /** `GET /sign/session/documents/:index[/signed]`: a PDF of this session's envelope. */
  async document(
    request: FastifyRequest<{ Params: { index: string } }>,
    reply: FastifyReply,
    mode: 'view' | 'download',
  ) {
    const current = await this.session(request);
    if (!current) return this.problem(request, reply, 'sessionOver');
    const { session } = current;
    const index = Number(request.params.index);
    // Reading before the decision, downloading the signed PDF after signing; only this person's documents.
    const allowed =
      /^\d{1,3}$/.test(request.params.index) &&
      session.outcome === (mode === 'download' ? 'signed' : null) &&
      session.documents.some((d) => d.index === index);
    const file = allowed ? await this.ctx.desk.document(session.envelopeId, index) : undefined;
    if (!file) return this.problem(request, reply, 'unknown', 404, this.locale(request, session.locale));
    const asciiName = file.name.replace(/[^\w.-]+/g, '_');
    const disposition = mode === 'download' ? 'attachment' : 'inline';
    return reply
      .code(200)
      .headers({
        ...NO_STORE,
        'content-type': 'application/pdf',
        'content-disposition': `${disposition}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(file.name)}`,
        'x-content-type-options': 'nosniff',
        'cross-origin-resource-policy': 'same-origin',
      })
      .send(Buffer.from(file.bytes));
  }
}

// Personal data and one-time links: never cached (`NO_STORE`), never in a `Referer` (every
// response carries `Referrer-Policy: no-referrer`).

const seeSession = (reply: FastifyReply) =>
  reply.code(303).headers(NO_STORE).header('location', SIGNING_PATHS.session).send();

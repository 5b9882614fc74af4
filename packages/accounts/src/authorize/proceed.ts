import { randomUUID } from 'node:crypto';
import { OAuthError } from '@signet/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Client } from '../clients/repository.js';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken, newOpaqueToken } from '../crypto/opaque-token.js';
import { nextAcrStep, satisfiedAcr } from '../people/acr.js';
import { currentSession } from '../sessions/session-cookie.js';
import type { Authentication } from '../tokens/id-token.js';
import { bindInteraction, interactionPath } from './interaction-cookie.js';
import type { Interaction } from './interaction-repository.js';
import type { AuthorizationRequest } from './request.js';
import { redirectWithCode, redirectWithError, showErrorPage } from './respond.js';

/** How long a person has to finish signing in and consenting. */
export const INTERACTION_TTL = 30 * 60;

/** The face step of an interaction. */
export const facePath = (id: string): string => `${interactionPath(id)}/face`;

/** Who authenticated, and how. */
export type Login = Authentication & { userId: string };

const fail = (code: 'login_required' | 'consent_required' | 'unmet_authentication_requirements', text: string) =>
  new OAuthError(code, text);

/**
 * Continues a validated authorization request from `/oauth2/auth`: uses the browser's
 * session when it satisfies the request, otherwise starts an interaction (login page).
 */
export async function startAuthorization(
  ctx: AccountsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  client: Client,
  req: AuthorizationRequest,
): Promise<FastifyReply> {
  const session = await currentSession(ctx, request);
  // max_age=0 means "sign in again now", like prompt=login (OpenID Connect Core §3.1.2.1).
  const tooOld = session && req.maxAge !== undefined && (req.maxAge === 0 || ctx.now() - session.authTime > req.maxAge);
  // The client expects someone else: this session cannot answer for them (OpenID Connect Core §3.1.2.1).
  const otherPerson = session && req.idTokenHintSubject !== undefined && req.idTokenHintSubject !== session.userId;
  if (!session || tooOld || otherPerson || req.prompt.includes('login')) {
    if (req.prompt.includes('none')) {
      const why = otherPerson ? 'the person signed in is not the one id_token_hint names' : 'the person must sign in';
      return redirectWithError(ctx, reply, req.redirectUri, fail('login_required', why), req.state);
    }
    const interaction = await createInteraction(ctx, reply, req, null);
    return reply.code(303).header('location', interactionPath(interaction.id)).send();
  }
  const login: Login = { userId: session.userId, authTime: session.authTime, acr: session.acr, amr: session.amr };
  return afterLogin(ctx, request, reply, client, req, login, {});
}

/**
 * The steps after the person is known: the authentication context they reached must be one
 * the client asked for, then consent (unless remembered or first-party), then the code.
 */
export async function afterLogin(
  ctx: AccountsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  client: Client,
  req: AuthorizationRequest,
  login: Login,
  options: {
    /** The interaction the person is in, if any; it is consumed when the flow ends. */
    interaction?: Interaction;
    /** The person just allowed this request on the consent page. */
    consentGiven?: boolean;
  },
): Promise<FastifyReply> {
  const { interaction, consentGiven = false } = options;
  const user = await ctx.store.users.get(login.userId);
  if (!user) {
    return redirectWithError(
      ctx,
      reply,
      req.redirectUri,
      fail('login_required', 'the person must sign in again'),
      req.state,
    );
  }
  // The level is judged from the methods used, under today's policy (issue 10).
  const acr = satisfiedAcr(req.acrValues, login.amr, ctx.config);
  if (acr === undefined && !req.prompt.includes('none')) {
    // The request asks for a face the person has enrolled, after a factor the face may lift:
    // the face step, not an error (issues 4 and 10).
    const hasFace = (await ctx.store.users.getFaceTemplate(user.id)) !== undefined;
    if (nextAcrStep(req.acrValues, login.amr, ctx.config, hasFace) === 'face') {
      const next = interaction ?? (await createInteraction(ctx, reply, req, login));
      return reply.code(303).header('location', facePath(next.id)).send();
    }
  }
  if (acr === undefined) {
    if (interaction) await ctx.store.interactions.consume(interaction.id, ctx.now());
    const error = fail(
      'unmet_authentication_requirements',
      `the requested authentication (${req.acrValues.join(' ')}) cannot be performed for this person`,
    );
    return redirectWithError(ctx, reply, req.redirectUri, error, req.state);
  }
  const consentNeeded =
    !client.skipConsent &&
    (req.prompt.includes('consent') || !(await ctx.store.consents.has(user.id, client.clientId, req.scope)));
  if (consentNeeded && !consentGiven) {
    if (req.prompt.includes('none')) {
      return redirectWithError(
        ctx,
        reply,
        req.redirectUri,
        fail('consent_required', 'the person must consent'),
        req.state,
      );
    }
    const next = interaction ?? (await createInteraction(ctx, reply, req, login));
    if (interaction) await ctx.store.interactions.setLogin(interaction.id, login);
    return reply.code(303).header('location', interactionPath(next.id)).send();
  }
  if (interaction && !(await ctx.store.interactions.consume(interaction.id, ctx.now()))) {
    return showErrorPage(
      request,
      reply,
      new OAuthError('invalid_request', 'this sign-in request was already completed'),
      req.uiLocales,
      'already_completed',
    );
  }
  const code = await issueCode(ctx, req, { ...login, acr });
  return redirectWithCode(ctx, reply, req.redirectUri, code, req.state);
}

async function createInteraction(
  ctx: AccountsContext,
  reply: FastifyReply,
  req: AuthorizationRequest,
  login: Login | null,
): Promise<Interaction> {
  const now = ctx.now();
  const id = newOpaqueToken();
  const interaction: Interaction = {
    id,
    clientId: req.clientId,
    request: req as unknown as Record<string, unknown>,
    browserHash: bindInteraction(reply, ctx.config.issuer, id, INTERACTION_TTL),
    csrfToken: newOpaqueToken(),
    login,
    createdAt: now,
    expiresAt: now + INTERACTION_TTL,
  };
  await ctx.store.interactions.create(interaction);
  return interaction;
}

/** Stores the grant with a new single-use code and returns the code. */
async function issueCode(ctx: AccountsContext, req: AuthorizationRequest, login: Login): Promise<string> {
  const now = ctx.now();
  const code = newOpaqueToken();
  const grantId = randomUUID();
  await ctx.store.grants.createWithCode(
    {
      id: grantId,
      userId: login.userId,
      clientId: req.clientId,
      scope: req.scope.join(' '),
      audience: req.audience,
      authTime: login.authTime,
      acr: login.acr,
      amr: login.amr,
      createdAt: now,
      revokedAt: null,
    },
    {
      codeHash: hashOpaqueToken(code),
      grantId,
      redirectUri: req.redirectUri,
      codeChallenge: req.codeChallenge,
      nonce: req.nonce ?? null,
      createdAt: now,
      expiresAt: now + ctx.config.authorizationCodeTtl,
    },
  );
  return code;
}

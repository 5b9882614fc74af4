import { OAuthError } from '@signet/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath } from '../authorize/interaction-cookie.js';
import { afterLogin } from '../authorize/proceed.js';
import { redirectWithError } from '../authorize/respond.js';
import type { AccountsContext } from '../context.js';
import { formBody, single } from '../http/form.js';
import { languageCookie } from '../pages/locale.js';
import { sendPage } from '../pages/render.js';
import {
  checkCsrf,
  csrfFailure,
  formOrigins,
  interactionLocale,
  loadInteraction,
  showLogin,
} from './interaction-pages.js';

/** `GET /interaction/:id`: the sign-in page, or the consent page once the person is signed in. */
export async function getInteraction(
  ctx: AccountsContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const loaded = await loadInteraction(ctx, request, reply);
  if (!loaded) return reply;
  const { interaction, client, req } = loaded;
  const cookie = languageCookie(request);
  if (cookie) reply.header('set-cookie', cookie);
  if (!interaction.login) return showLogin(request, reply, loaded);
  const user = await ctx.store.users.get(interaction.login.userId);
  return sendPage(
    reply,
    interactionLocale(request, req),
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
}

/** `POST /interaction/:id/consent`: the person allows the request (remembered) or declines it. */
export async function postConsent(
  ctx: AccountsContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const loaded = await loadInteraction(ctx, request, reply);
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
}

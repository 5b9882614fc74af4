import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath, isBoundBrowser } from '../authorize/interaction-cookie.js';
import type { Interaction } from '../authorize/interaction-repository.js';
import { isRegisteredRedirectUri } from '../authorize/redirect-uri.js';
import type { AuthorizationRequest } from '../authorize/request.js';
import { showErrorPage } from '../authorize/respond.js';
import type { Client } from '../clients/repository.js';
import type { AccountsContext } from '../context.js';
import { formBody, single } from '../http/form.js';
import { chosenLocale, type Locale, pickLocale } from '../pages/locale.js';
import { type LoginView, sendPage } from '../pages/render.js';
import { passkeyPath } from './passkey-sign-in.js';

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

/** The page's language: the person's own choice (the language switch) wins over the client's `ui_locales`. */
export function interactionLocale(request: FastifyRequest, req?: AuthorizationRequest): Locale {
  return chosenLocale(request) ?? pickLocale(req?.uiLocales ?? [], request.headers['accept-language']);
}

/** Where the interaction's forms may post: the client's redirect URI's origin. */
export function formOrigins(req: AuthorizationRequest): string[] {
  return [new URL(req.redirectUri).origin];
}

/** Loads a live interaction that belongs to this browser, or answers with an error page. */
export async function loadInteraction(
  ctx: AccountsContext,
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

/** Form posts must carry the interaction's synchronizer token; returns it, or undefined when it does not match. */
export function checkCsrf(request: FastifyRequest, loaded: Loaded): string | undefined {
  const params = formBody(request.body);
  const csrf = single(params, 'csrf');
  if (!csrf || !safeEqual(csrf, loaded.interaction.csrfToken)) return undefined;
  return csrf;
}

/** The error page for a form post without the interaction's synchronizer token. */
export function csrfFailure(request: FastifyRequest, reply: FastifyReply, req: AuthorizationRequest): FastifyReply {
  return showErrorPage(
    request,
    reply,
    new OAuthError('invalid_request', 'the form expired or was not sent from this page; go back and try again', 403),
    req.uiLocales,
    'form_expired',
  );
}

/** The sign-in page of an interaction, with what went wrong (`extra.error`) and the username typed. */
export function showLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: Loaded,
  extra: Partial<LoginView> = {},
  status = 200,
): FastifyReply {
  const { interaction, client, req } = loaded;
  return sendPage(
    reply,
    interactionLocale(request, req),
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

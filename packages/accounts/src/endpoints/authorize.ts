import { OAuthError } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { startAuthorization } from '../authorize/proceed.js';
import type { AuthorizationRequest } from '../authorize/request.js';
import { redirectWithError, showErrorPage } from '../authorize/respond.js';
import { checkIdTokenHint, checkRedirectUri, checkRequest, loadClient } from '../authorize/steps.js';
import type { AccountsContext } from '../context.js';
import { type FormParams, formBody, queryParams, refuseRepeated } from '../http/form.js';

/**
 * `GET` and `POST /oauth2/auth` (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2). Until the
 * client and its redirect URI are trusted, errors are shown on a page; after, they go back
 * to the client.
 */
export function authorizationEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  app.route({
    method: ['GET', 'POST'],
    url: '/oauth2/auth',
    // A HEAD must not start an interaction (Fastify would otherwise run the GET handler).
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      let params: FormParams;
      let client: Awaited<ReturnType<typeof loadClient>>;
      let redirectUri: string;
      try {
        params = request.method === 'POST' ? formBody(request.body) : queryParams(request.url);
        refuseRepeated(params);
        client = await loadClient(ctx.clients, params);
        redirectUri = checkRedirectUri(client, params);
      } catch (error) {
        if (error instanceof OAuthError) return showErrorPage(request, reply, error);
        throw error;
      }
      const state = params.get('state')?.[0] || undefined;
      let req: AuthorizationRequest;
      try {
        req = {
          ...checkRequest(client, redirectUri, params),
          ...(await checkIdTokenHint(ctx.idTokens, client, params)),
        };
      } catch (error) {
        if (error instanceof OAuthError) return redirectWithError(ctx, reply, redirectUri, error, state);
        throw error;
      }
      return startAuthorization(ctx, request, reply, client, req);
    },
  });
}

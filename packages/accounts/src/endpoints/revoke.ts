import { invalidRequest, unsupportedTokenType } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken } from '../crypto/opaque-token.js';
import { methodNotAllowed, shown } from '../http/errors.js';
import { formBody, refuseRepeated, single } from '../http/form.js';
import { NO_STORE } from '../http/security-headers.js';

const HINTS = ['access_token', 'refresh_token'];

/**
 * `POST /oauth2/revoke` (RFC 7009). Revoking an unknown, invalid or foreign token answers
 * 200 as the RFC requires (§2.2), so the endpoint reveals nothing about tokens it did not
 * issue to the caller.
 */
export function revocationEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  app.post('/oauth2/revoke', async (request, reply) => {
    const params = formBody(request.body);
    refuseRepeated(params);
    const client = await authenticateClient(ctx.clients, ctx.clientSecrets, request.headers.authorization, params);
    const token = single(params, 'token');
    if (token === undefined) throw invalidRequest('token is required');
    const hint = single(params, 'token_type_hint');
    if (hint !== undefined && !HINTS.includes(hint))
      throw unsupportedTokenType(`token_type_hint ${shown(hint)} is not supported`);
    const claims = await ctx.accessTokens.verify(token);
    if (claims) {
      if (claims.client_id === client.clientId) await ctx.store.revokedTokens.revoke(claims.jti, claims.exp);
    } else {
      // Not an access token: a refresh token revokes its whole grant (RFC 7009 §2.1).
      const grant = await ctx.store.grants.findByRefreshToken(hashOpaqueToken(token));
      if (grant && grant.clientId === client.clientId) await ctx.store.grants.revoke(grant.id, ctx.now());
    }
    return reply.code(200).headers(NO_STORE).send();
  });
  methodNotAllowed(app, '/oauth2/revoke', ['POST']);
}

import { type IntrospectionResponse, invalidRequest } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { methodNotAllowed } from '../http/errors.js';
import { formBody, refuseRepeated, single } from '../http/form.js';
import { NO_STORE } from '../http/security-headers.js';

/**
 * `POST /oauth2/introspect` (RFC 7662). A client learns about its own tokens only; any
 * other token, and any revoked, expired or foreign one, is `{"active": false}`.
 */
export function introspectionEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  app.post('/oauth2/introspect', async (request, reply) => {
    const params = formBody(request.body);
    refuseRepeated(params);
    const client = await authenticateClient(ctx.clients, ctx.clientSecrets, request.headers.authorization, params);
    const token = single(params, 'token');
    if (token === undefined) throw invalidRequest('token is required');
    const claims = await ctx.accessTokens.verify(token);
    let body: IntrospectionResponse = { active: false };
    if (claims && claims.client_id === client.clientId && !(await ctx.store.revokedTokens.isRevoked(claims.jti))) {
      body = { active: true, token_type: 'Bearer', ...claims };
    }
    return reply.headers(NO_STORE).send(body);
  });
  methodNotAllowed(app, '/oauth2/introspect', ['POST']);
}

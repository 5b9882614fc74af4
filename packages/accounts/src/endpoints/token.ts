import { invalidRequest, unsupportedGrantType } from '@signet/protocol';
import { counter } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { methodNotAllowed, shown } from '../http/errors.js';
import { formBody, refuseRepeated, single } from '../http/form.js';
import { NO_STORE } from '../http/security-headers.js';

/** Grant types the token endpoint implements. */
export const GRANT_TYPES = ['authorization_code', 'client_credentials', 'refresh_token'] as const;

/** `POST /oauth2/token` (RFC 6749 §3.2). */
export function tokenEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  const issued = counter({
    name: 'signet_tokens_issued_total',
    help: 'Token responses issued by the token endpoint, by grant_type.',
    labelNames: ['grant_type'],
  });
  app.post('/oauth2/token', async (request, reply) => {
    const params = formBody(request.body);
    // audience and resource may repeat (RFC 8693 §2.1, RFC 8707 §2); nothing else may.
    refuseRepeated(params, ['audience', 'resource']);
    const grantType = single(params, 'grant_type');
    if (grantType === undefined) throw invalidRequest('grant_type is required');
    if (!(GRANT_TYPES as readonly string[]).includes(grantType)) {
      throw unsupportedGrantType(`grant_type ${shown(grantType)} is not supported`);
    }
    const client = await authenticateClient(ctx.clients, ctx.clientSecrets, request.headers.authorization, params);
    const response =
      grantType === 'client_credentials'
        ? await clientCredentialsGrant(client, params, ctx.accessTokens)
        : grantType === 'authorization_code'
          ? await authorizationCodeGrant(ctx, client, params)
          : await refreshTokenGrant(ctx, client, params);
    issued.inc({ grant_type: grantType });
    return reply.headers(NO_STORE).send(response);
  });
  methodNotAllowed(app, '/oauth2/token', ['POST']);
}

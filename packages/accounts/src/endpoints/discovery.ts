import type { AuthorizationServerMetadata } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { SIGNER_SCOPES } from '../scopes.js';
import { GRANT_TYPES } from './token.js';

/** The metadata document: only what is implemented is advertised. */
export function metadata(issuer: string): AuthorizationServerMetadata {
  const authMethods = [...TOKEN_ENDPOINT_AUTH_METHODS];
  return {
    issuer,
    token_endpoint: `${issuer}/oauth2/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    scopes_supported: [...SIGNER_SCOPES],
    // No authorization endpoint yet, so no response type is supported.
    response_types_supported: [],
    grant_types_supported: [...GRANT_TYPES],
    token_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/** `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server` (RFC 8414). */
export function discoveryEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const body = JSON.stringify(metadata(ctx.config.issuer));
  for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(url, async (_request, reply) =>
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(body),
    );
  }
}

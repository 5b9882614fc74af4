import { type AuthorizationServerMetadata, SCOPE_CLAIMS } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { TOKEN_ENDPOINT_AUTH_METHODS } from '../client-authentication.js';
import type { AccountsContext } from '../context.js';
import { ACR_VALUES_SUPPORTED } from '../people/acr.js';
import { KNOWN_SCOPES } from '../scopes.js';
import { GRANT_TYPES } from './token.js';

const CLAIMS_SUPPORTED = [
  'iss',
  'sub',
  'aud',
  'azp',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'at_hash',
  ...new Set(Object.values(SCOPE_CLAIMS).flat()),
];

/** The metadata document: only what is implemented is advertised. */
export function metadata(issuer: string, signingAlg: string): AuthorizationServerMetadata {
  const authMethods = [...TOKEN_ENDPOINT_AUTH_METHODS];
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth2/auth`,
    token_endpoint: `${issuer}/oauth2/token`,
    userinfo_endpoint: `${issuer}/userinfo`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth2/introspect`,
    revocation_endpoint: `${issuer}/oauth2/revoke`,
    end_session_endpoint: `${issuer}/oauth2/sessions/logout`,
    scopes_supported: [...KNOWN_SCOPES],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: [...GRANT_TYPES],
    code_challenge_methods_supported: ['S256'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [signingAlg],
    acr_values_supported: [...ACR_VALUES_SUPPORTED],
    claims_supported: [...CLAIMS_SUPPORTED],
    prompt_values_supported: ['none', 'login', 'consent'],
    ui_locales_supported: ['en', 'es'],
    claims_parameter_supported: false,
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  };
}

/** `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server` (RFC 8414). */
export function discoveryEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const body = JSON.stringify(metadata(ctx.config.issuer, ctx.keyring.signingKey().alg));
  for (const url of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
    app.get(url, async (_request, reply) =>
      reply
        .header('content-type', 'application/json; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(body),
    );
  }
}

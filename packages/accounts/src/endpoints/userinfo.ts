import { OAuthError } from '@signet/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { userinfoAudience } from '../grants/user-tokens.js';
import { NO_STORE } from '../http/security-headers.js';
import { splitScope } from '../scopes.js';
import { scopedClaims } from '../tokens/id-token.js';

const REALM = 'realm="signet"';

const invalidToken = (description: string) =>
  new OAuthError('invalid_token', description, 401, {
    'www-authenticate': `Bearer ${REALM}, error="invalid_token", error_description="${description}"`,
  });

/** The bearer token of a request (RFC 6750 §2.1), or a bare challenge when there is none. */
function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new OAuthError('invalid_token', 'a bearer access token is required', 401, {
      'www-authenticate': `Bearer ${REALM}`,
    });
  }
  return match[1];
}

/**
 * `GET` and `POST /userinfo` (OpenID Connect Core §5.3): the claims of the scopes granted to
 * the access token, for tokens issued to a person and meant for this endpoint.
 */
export function userinfoEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  const audience = userinfoAudience(ctx.config.issuer);
  app.route({
    method: ['GET', 'POST'],
    url: '/userinfo',
    handler: async (request, reply) => {
      const claims = await ctx.accessTokens.verify(bearerToken(request));
      if (!claims) throw invalidToken('the access token is invalid or expired');
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!aud.includes(audience)) throw invalidToken('the access token is not meant for userinfo');
      if (await ctx.store.revokedTokens.isRevoked(claims.jti)) throw invalidToken('the access token was revoked');
      const scope = splitScope(claims.scope);
      if (!scope.includes('openid')) {
        throw new OAuthError('insufficient_scope', 'the access token lacks the openid scope', 403, {
          'www-authenticate': `Bearer ${REALM}, error="insufficient_scope", scope="openid"`,
        });
      }
      const user = await ctx.store.users.get(claims.sub);
      if (!user) throw invalidToken('the person no longer exists');
      return reply.headers(NO_STORE).send(scopedClaims(user, scope));
    },
  });
}

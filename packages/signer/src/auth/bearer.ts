import { OAuthError } from '@signet/protocol';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { AccessTokenCheck } from './access-token.js';
import { VerifiedTokens } from './verified-tokens.js';

/** The bare challenge for a request without credentials: no error code (RFC 6750 §3.1). */
export const BEARER_CHALLENGE = 'Bearer realm="signet"';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The access token of a request, from `Authorization: Bearer` only. A token in the query string
 * (RFC 6750 §2.3) is refused rather than ignored: URLs end up in logs and browser history, so the
 * caller is told at once instead of getting a puzzling 401. Form-body tokens (§2.2) are never read.
 */
export function bearerToken(request: Pick<FastifyRequest, 'headers' | 'url'>): string {
  if (hasQueryToken(request.url)) {
    throw new OAuthError(
      'invalid_request',
      'send the access token in the Authorization header; access_token in the URL is not accepted (RFC 6750 section 2.3)',
      400,
      { 'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_request"` },
    );
  }
  const header = request.headers.authorization;
  if (header === undefined || !/^bearer(\s|$)/i.test(header) || /^bearer\s*$/i.test(header)) {
    // No credentials, another scheme, or the scheme without a token: a bare challenge tells the
    // caller which scheme to use.
    throw new OAuthError('invalid_token', 'an access token is required: Authorization: Bearer <access token>', 401, {
      'www-authenticate': BEARER_CHALLENGE,
    });
  }
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new OAuthError('invalid_request', 'the Authorization header is malformed: use Bearer <access token>', 400, {
      'www-authenticate': `${BEARER_CHALLENGE}, error="invalid_request"`,
    });
  }
  return match[1];
}

function hasQueryToken(url: string): boolean {
  const q = url.indexOf('?');
  return q !== -1 && new URLSearchParams(url.slice(q + 1)).has('access_token');
}

/**
 * The `onRequest` hook of every authenticated `/v1` route: verifies the bearer access token and
 * sets `request.caller`. Runs before the body is read, so an unauthenticated upload is refused
 * without being received. A token seen before is answered from its {@link VerifiedTokens} cache.
 */
export function authenticate(check: AccessTokenCheck, verified = new VerifiedTokens(check)): onRequestHookHandler {
  // A callback hook: a token served from the cache costs no promise.
  return (request, _reply, done) => {
    let token: string;
    try {
      token = bearerToken(request);
    } catch (error) {
      done(error as Error);
      return;
    }
    const hit = verified.cached(token);
    if (hit) {
      request.caller = hit;
      done();
      return;
    }
    verified.verify(token).then((caller) => {
      request.caller = caller;
      done();
    }, done);
  };
}

/**
 * A `preHandler` that requires a scope of the caller's token: 403 `insufficient_scope` with the
 * scope named in the challenge (RFC 6750 §3.1).
 *
 * @example
 * app.post('/v1/envelopes', { preHandler: requireScope('envelopes:write') }, handler);
 */
export function requireScope(scope: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (!request.caller?.scope.includes(scope)) {
      throw new OAuthError('insufficient_scope', `the access token lacks the scope ${scope}`, 403, {
        'www-authenticate': `${BEARER_CHALLENGE}, error="insufficient_scope", scope="${scope}"`,
      });
    }
  };
}

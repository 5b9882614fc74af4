import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import { JWKS_MAX_AGE_SECONDS } from '../keys/keyring.js';

/**
 * `/.well-known/jwks.json`: the published keys. The next key is published before it signs,
 * at least as long as this cache lifetime plus a refresh, so caching is safe across rotations.
 */
export function jwksEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply
      .header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      .type('application/jwk-set+json')
      .send(ctx.keyring.publicJwks()),
  );
}

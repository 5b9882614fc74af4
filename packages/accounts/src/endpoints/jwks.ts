import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';

/**
 * `/.well-known/jwks.json`: the published keys. The next key is published before it signs,
 * so a short cache lifetime is safe across rotations.
 */
export function jwksEndpoint(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/.well-known/jwks.json', async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=60').type('application/jwk-set+json').send(ctx.keyring.publicJwks()),
  );
}

import { OAuthError } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import { KeyRetireError, KeyRotateError } from '../keys/keyring.js';
import type { SigningKey } from '../keys/repository.js';

/** The admin API's view of a signing key; private parts never leave the store. */
export function keyJson(k: SigningKey) {
  const iso = (t: number | null) => (t === null ? null : new Date(t * 1000).toISOString());
  return {
    kid: k.kid,
    alg: k.alg,
    status: k.status,
    created_at: iso(k.createdAt),
    activated_at: iso(k.activatedAt),
    retired_at: iso(k.retiredAt),
    public_jwk: { ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' },
  };
}

/** `/admin/keys`: list, rotate, retire. */
export function keyRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/admin/keys', async () => (await ctx.store.signingKeys.list(true)).map(keyJson));

  // `?force=true` rotates even when the next key is too young (a compromised key): verifiers refuse
  // new tokens until they refetch the key set.
  app.post<{ Querystring: { force?: string } }>('/admin/keys/rotate', async (request, reply) => {
    try {
      const kid = await ctx.keyring.rotate({ force: request.query.force === 'true' });
      return { active_kid: kid, keys: (await ctx.store.signingKeys.list()).map(keyJson) };
    } catch (error) {
      if (!(error instanceof KeyRotateError)) throw error;
      reply.header('retry-after', String(Math.max(1, error.rotatableAt - ctx.now())));
      throw new OAuthError('invalid_request', error.message, 409);
    }
  });

  app.post<{ Params: { kid: string } }>('/admin/keys/:kid/retire', async (request) => {
    try {
      // The keys sign access tokens and id_tokens; the longer lifetime decides.
      const lifetime = Math.max(ctx.config.accessTokenTtl, ctx.config.idTokenTtl);
      return keyJson(await ctx.keyring.retire(request.params.kid, lifetime));
    } catch (error) {
      if (!(error instanceof KeyRetireError)) throw error;
      throw error.code === 'not_found'
        ? new OAuthError('not_found', error.message, 404)
        : new OAuthError('invalid_request', error.message, 409);
    }
  });
}

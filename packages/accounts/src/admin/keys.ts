import { OAuthError } from '@signet/protocol';
import type { SigningKey } from '@signet/store';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';

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

  app.post('/admin/keys/rotate', async () => {
    const kid = await ctx.keyring.rotate();
    return { active_kid: kid, keys: (await ctx.store.signingKeys.list()).map(keyJson) };
  });

  app.post<{ Params: { kid: string } }>('/admin/keys/:kid/retire', async (request) => {
    const { kid } = request.params;
    const key = (await ctx.store.signingKeys.list()).find((k) => k.kid === kid);
    if (key?.status !== 'previous') {
      throw new OAuthError(
        'invalid_request',
        `key "${kid}" is not a previous key; only keys that no longer sign can be retired`,
        409,
      );
    }
    // Tokens signed by this key live at most one access-token lifetime after it stopped signing.
    const liveUntil = (await stoppedSigningAt(ctx, kid)) + ctx.config.accessTokenTtl;
    if (liveUntil > ctx.now()) {
      throw new OAuthError(
        'invalid_request',
        `key "${kid}" may still verify live tokens until ${new Date(liveUntil * 1000).toISOString()}; retire it after that`,
        409,
      );
    }
    await ctx.store.signingKeys.retire(kid, ctx.now());
    await ctx.keyring.reload();
    return keyJson({ ...key, status: 'retired', retiredAt: ctx.now() });
  });
}

/** When a previous key stopped signing: when the next key in order became active. */
async function stoppedSigningAt(ctx: AccountsContext, kid: string): Promise<number> {
  const keys = await ctx.store.signingKeys.list(true);
  const successor = keys.slice(keys.findIndex((k) => k.kid === kid) + 1).find((k) => k.activatedAt !== null);
  return successor?.activatedAt ?? ctx.now();
}

import { invalidGrant, invalidRequest, invalidScope, type TokenResponse, unauthorizedClient } from '@signet/protocol';
import type { Client } from '../clients/repository.js';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken } from '../crypto/opaque-token.js';
import { shown } from '../http/errors.js';
import { type FormParams, single } from '../http/form.js';
import { splitScope } from '../scopes.js';
import { issueUserTokens, withIdToken } from './user-tokens.js';

/**
 * The refresh_token grant (RFC 6749 §6) with rotation on every use (RFC 9700 §4.14.2): the
 * presented token is spent and a new one issued. A spent token presented again revokes the
 * whole grant. `scope` may narrow, never widen.
 */
export async function refreshTokenGrant(
  ctx: AccountsContext,
  client: Client,
  params: FormParams,
): Promise<TokenResponse> {
  if (!client.grantTypes.includes('refresh_token')) {
    throw unauthorizedClient('this client may not use the refresh_token grant');
  }
  const token = single(params, 'refresh_token');
  if (token === undefined) throw invalidRequest('refresh_token is required');
  const requested = single(params, 'scope');

  const outcome = await ctx.store.grants.redeemRefreshToken(
    hashOpaqueToken(token),
    ctx.now(),
    async (stored, grant, tx) => {
      if (grant.clientId !== client.clientId) throw invalidGrant('the refresh token was issued to another client');
      const original = splitScope(stored.scope);
      let scope = stored.scope;
      if (requested !== undefined) {
        const asked = splitScope(requested);
        const wider = asked.find((s) => !original.includes(s));
        if (wider) throw invalidScope(`scope ${shown(wider)} was not granted originally`);
        scope = asked.join(' ');
      }
      return issueUserTokens(ctx, tx, grant, scope, true);
    },
  );

  switch (outcome.status) {
    case 'ok':
      return withIdToken(ctx, outcome.value, outcome.grant, null);
    case 'reused':
      await ctx.store.grants.revoke(outcome.grantId, ctx.now());
      throw invalidGrant('the refresh token was already used; the grant has been revoked');
    case 'expired':
      throw invalidGrant('the refresh token has expired');
    default:
      throw invalidGrant('the refresh token is invalid or revoked');
  }
}

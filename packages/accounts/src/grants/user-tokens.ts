import type { TokenResponse } from '@signet/protocol';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken, newOpaqueToken } from '../crypto/opaque-token.js';
import { splitScope } from '../scopes.js';
import type { Grant, GrantRepository } from './repository.js';

/** Scopes that ask for a refresh token (Ory Hydra honours both names). */
const OFFLINE_SCOPES = ['offline', 'offline_access'];

/** The userinfo endpoint's URL, which every access token issued for a person is also for. */
export const userinfoAudience = (issuer: string): string => `${issuer}/userinfo`;

/**
 * Issues what a person's grant yields at the token endpoint, inside the redemption's
 * transaction `tx`: an access token (recorded, so revoking the grant deny-lists it) and,
 * when offline access was granted and the client may refresh, a new refresh token.
 * The id_token is added by the caller, after the transaction.
 */
export async function issueUserTokens(
  ctx: AccountsContext,
  tx: GrantRepository,
  grant: Grant,
  scope: string,
  canRefresh: boolean,
): Promise<TokenResponse> {
  const audience = [...grant.audience, userinfoAudience(ctx.config.issuer)];
  const { token, expiresIn, claims } = await ctx.accessTokens.issue({
    subject: grant.userId,
    clientId: grant.clientId,
    audience,
    scope,
  });
  await tx.addAccessToken(claims.jti, grant.id, claims.exp);
  const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope };
  const offline = splitScope(grant.scope).some((s) => OFFLINE_SCOPES.includes(s));
  if (offline && canRefresh) {
    const refreshToken = newOpaqueToken();
    const now = ctx.now();
    await tx.addRefreshToken({
      tokenHash: hashOpaqueToken(refreshToken),
      grantId: grant.id,
      scope: grant.scope,
      createdAt: now,
      expiresAt: now + ctx.config.refreshTokenTtl,
    });
    response.refresh_token = refreshToken;
  }
  return response;
}

/** Adds an id_token for the grant's person when `openid` is among the scopes. */
export async function withIdToken(
  ctx: AccountsContext,
  response: TokenResponse,
  grant: Grant,
  nonce: string | null,
): Promise<TokenResponse> {
  const scope = splitScope(response.scope);
  if (!scope.includes('openid')) return response;
  const user = await ctx.store.users.get(grant.userId);
  if (!user) return response;
  const idToken = await ctx.idTokens.issue({
    user,
    clientId: grant.clientId,
    scope,
    authentication: { authTime: grant.authTime, acr: grant.acr, amr: grant.amr },
    nonce,
    accessToken: response.access_token,
  });
  return { ...response, id_token: idToken };
}

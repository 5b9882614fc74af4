import { createHash } from 'node:crypto';
import { invalidGrant, invalidRequest, type TokenResponse, unauthorizedClient } from '@signet/protocol';
import type { Client } from '../clients/repository.js';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken } from '../crypto/opaque-token.js';
import { type FormParams, single } from '../http/form.js';
import { issueUserTokens, withIdToken } from './user-tokens.js';

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * The authorization_code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.6). The code is
 * redeemed at most once; presenting it again revokes everything issued from it
 * (RFC 6749 §4.1.2, RFC 9700 §4.14).
 */
export async function authorizationCodeGrant(
  ctx: AccountsContext,
  client: Client,
  params: FormParams,
): Promise<TokenResponse> {
  if (!client.grantTypes.includes('authorization_code')) {
    throw unauthorizedClient('this client may not use the authorization_code grant');
  }
  const code = single(params, 'code');
  const redirectUri = single(params, 'redirect_uri');
  const verifier = single(params, 'code_verifier');
  if (code === undefined) throw invalidRequest('code is required');
  if (redirectUri === undefined) throw invalidRequest('redirect_uri is required');
  if (verifier !== undefined && !VERIFIER.test(verifier)) {
    throw invalidRequest('code_verifier must be 43 to 128 unreserved characters (RFC 7636 section 4.1)');
  }

  const outcome = await ctx.store.grants.redeemCode(hashOpaqueToken(code), ctx.now(), async (stored, grant, tx) => {
    // Each failure below rolls the redemption back: a code a thief cannot use stays usable.
    if (grant.clientId !== client.clientId) throw invalidGrant('the code was issued to another client');
    if (stored.redirectUri !== redirectUri) throw invalidGrant('redirect_uri does not match the authorization request');
    if (!stored.codeChallenge) {
      if (verifier !== undefined)
        throw invalidGrant('code_verifier was sent for a code issued without a code_challenge');
    } else {
      if (verifier === undefined) throw invalidGrant('code_verifier is required (PKCE)');
      const computed = createHash('sha256').update(verifier, 'ascii').digest('base64url');
      if (computed !== stored.codeChallenge) throw invalidGrant('code_verifier does not match the code_challenge');
    }
    const response = await issueUserTokens(ctx, tx, grant, grant.scope, client.grantTypes.includes('refresh_token'));
    return { response, nonce: stored.nonce };
  });

  switch (outcome.status) {
    case 'ok':
      return withIdToken(ctx, outcome.value.response, outcome.grant, outcome.value.nonce);
    case 'reused':
      await ctx.store.grants.revoke(outcome.grantId, ctx.now());
      throw invalidGrant('the code was already used; every token issued from it has been revoked');
    case 'expired':
      throw invalidGrant('the code has expired');
    default:
      throw invalidGrant('the code is invalid');
  }
}

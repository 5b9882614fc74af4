import { invalidRequest, invalidScope, OAuthError, type TokenResponse, unauthorizedClient } from '@signet/protocol';
import type { Client } from '../clients/repository.js';
import { shown } from '../http/errors.js';
import type { FormParams } from '../http/form.js';
import { single } from '../http/form.js';
import { splitScope, USER_SCOPES } from '../scopes.js';
import type { AccessTokens } from '../tokens/access-token.js';

/**
 * The client_credentials grant (RFC 6749 §4.4): a client gets an access token for itself,
 * for one or more audiences it is allowed, as the documented Signer API flow requires.
 */
export async function clientCredentialsGrant(
  client: Client,
  params: FormParams,
  tokens: AccessTokens,
): Promise<TokenResponse> {
  if (!client.grantTypes.includes('client_credentials')) {
    throw unauthorizedClient('this client may not use the client_credentials grant');
  }
  const audience = checkAudience(client, params);
  const scope = checkScope(client, single(params, 'scope'));
  const { token, expiresIn } = await tokens.issue({
    subject: client.clientId,
    clientId: client.clientId,
    audience,
    scope,
  });
  return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope ? { scope } : {}) };
}

/**
 * The requested audiences: `audience` (space-delimited or repeated, as Ory Hydra) and RFC 8707
 * `resource` (repeated) mean the same here. Every value must be on the client's list.
 */
export function checkAudience(client: Client, params: FormParams): string[] {
  const fromAudience = (params.get('audience') ?? []).flatMap((v) => v.split(' ')).filter(Boolean);
  const fromResource = params.get('resource') ?? [];
  for (const resource of fromResource) {
    if (!isAbsoluteUriWithoutFragment(resource)) {
      throw new OAuthError(
        'invalid_target',
        `resource ${shown(resource)} must be an absolute URI without a fragment (RFC 8707)`,
      );
    }
    if (!client.audience.includes(resource)) {
      throw new OAuthError('invalid_target', `resource ${shown(resource)} is not allowed for this client`);
    }
  }
  for (const aud of fromAudience) {
    if (!client.audience.includes(aud)) throw invalidRequest(`audience ${shown(aud)} is not allowed for this client`);
  }
  const audience = [...new Set([...fromAudience, ...fromResource])];
  if (audience.length === 0) {
    throw invalidRequest('an audience is required: send audience=<the API the token is for>');
  }
  return audience;
}

/**
 * The granted scope: what was asked, when the client may have all of it, or by default every
 * non-user scope the client is registered for (RFC 6749 §3.3).
 */
export function checkScope(client: Client, requested: string | undefined): string | undefined {
  const allowed = splitScope(client.scope);
  if (requested === undefined) {
    const defaults = allowed.filter((s) => !USER_SCOPES.has(s));
    return defaults.length ? defaults.join(' ') : undefined;
  }
  const asked = splitScope(requested);
  for (const s of asked) {
    if (USER_SCOPES.has(s)) throw invalidScope(`scope ${shown(s)} needs an end user; use the authorization code flow`);
    if (!allowed.includes(s)) throw invalidScope(`scope ${shown(s)} is not allowed for this client`);
  }
  return asked.length ? asked.join(' ') : undefined;
}

function isAbsoluteUriWithoutFragment(value: string): boolean {
  try {
    return new URL(value).hash === '' && !value.includes('#');
  } catch {
    return false;
  }
}

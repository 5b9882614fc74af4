import { invalidClient, invalidRequest } from '@signet/protocol';
import type { ClientLookup } from './client-cache.js';
import type { Client } from './clients/repository.js';
import type { ClientSecretVerifier } from './crypto/client-secret.js';
import { type FormParams, single } from './http/form.js';

/** Client authentication methods Signet implements (RFC 6749 §2.3.1). */
export const TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

/** A token endpoint authentication method Signet implements. */
export type TokenEndpointAuthMethod = (typeof TOKEN_ENDPOINT_AUTH_METHODS)[number];

interface PresentedCredentials {
  method: TokenEndpointAuthMethod;
  clientId: string;
  clientSecret: string;
}

/**
 * Reads the client's credentials from either the Basic header or the body, never both.
 * Basic credentials are form-urlencoded before base64 (RFC 6749 §2.3.1), so they are
 * decoded the same way here.
 */
export function presentedCredentials(authorization: string | undefined, params: FormParams): PresentedCredentials {
  const bodyId = single(params, 'client_id');
  const bodySecret = single(params, 'client_secret');
  if (authorization !== undefined) {
    const basic = parseBasic(authorization);
    if (bodySecret !== undefined)
      throw invalidRequest('send client credentials in the Authorization header or in the body, not both');
    if (bodyId !== undefined && bodyId !== basic.clientId)
      throw invalidRequest('client_id in the body does not match the Authorization header');
    return { method: 'client_secret_basic', ...basic };
  }
  if (bodyId === undefined || bodySecret === undefined) {
    throw invalidClient('client authentication is required: use HTTP Basic with client_id and client_secret');
  }
  return { method: 'client_secret_post', clientId: bodyId, clientSecret: bodySecret };
}

function parseBasic(header: string): { clientId: string; clientSecret: string } {
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match?.[1]) throw invalidClient('the Authorization header must be Basic base64(client_id:client_secret)');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('the Authorization header must be Basic base64(client_id:client_secret)');
  try {
    return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('the Basic credentials are not valid form-urlencoded values (RFC 6749 section 2.3.1)');
  }
}

const formDecode = (s: string): string => decodeURIComponent(s.replace(/\+/g, ' '));

/**
 * Authenticates the client of a request: finds it, checks the secret in constant time
 * and checks it uses its registered method. Every failure looks the same from outside.
 */
export async function authenticateClient(
  clients: ClientLookup,
  secrets: ClientSecretVerifier,
  authorization: string | undefined,
  params: FormParams,
): Promise<Client> {
  const presented = presentedCredentials(authorization, params);
  const client = await clients.get(presented.clientId);
  const ok = secrets.verify(presented.clientSecret, client?.clientSecretHash ?? null);
  if (!client || !ok) throw invalidClient();
  if (client.tokenEndpointAuthMethod !== presented.method) {
    throw invalidClient(`this client is registered for ${client.tokenEndpointAuthMethod}`);
  }
  return client;
}

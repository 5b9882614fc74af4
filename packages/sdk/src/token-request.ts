import { formEncode } from './encoding.js';
import { SdkError } from './errors.js';
import { type FetchLike, readJsonObject, responseError, send } from './http.js';
import type { TokenResponse } from './wire.js';

/**
 * How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
 *
 * @example
 * createTokenProvider({ ...config, authMethod: 'client_secret_post' satisfies ClientAuthMethod });
 */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** The client's credentials and how to present them. */
export interface ClientCredentialsInput {
  clientId: string;
  clientSecret: string;
  authMethod: ClientAuthMethod;
}

/**
 * `Authorization: Basic` for a client: id and secret each form-urlencoded first, then joined
 * with `:` and base64-encoded (RFC 6749 §2.3.1). Skipping the encoding breaks any secret with
 * `:` `%` `+` or a space, the classic bug.
 *
 * @example
 * clientSecretBasic('my-app', 'a:b'); // 'Basic bXktYXBwOmElM0Fi'
 */
export function clientSecretBasic(clientId: string, clientSecret: string): string {
  // After form-encoding every character is ASCII, so btoa is exact.
  return `Basic ${btoa(`${formEncode(clientId)}:${formEncode(clientSecret)}`)}`;
}

/**
 * POSTs a form to the token endpoint as the client and returns the successful answer
 * (RFC 6749 §5.1), or throws the server's error (§5.2) as an `SdkError`.
 */
export async function requestToken(
  fetch: FetchLike,
  tokenEndpoint: string,
  client: ClientCredentialsInput,
  params: [string, string][],
): Promise<TokenResponse> {
  const body = new URLSearchParams(params);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded',
  };
  if (client.authMethod === 'client_secret_basic') {
    headers.authorization = clientSecretBasic(client.clientId, client.clientSecret);
  } else {
    body.set('client_id', client.clientId);
    body.set('client_secret', client.clientSecret);
  }
  const res = await send(fetch, tokenEndpoint, { method: 'POST', headers, body: body.toString() });
  if (!res.ok) throw await responseError(res, 'token request');
  const json = await readJsonObject(res, 'token request');
  if (typeof json.access_token !== 'string' || json.access_token === '') {
    throw new SdkError('invalid_response', 'token request: the answer has no access_token');
  }
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') {
    throw new SdkError('invalid_response', `token request: token_type "${String(json.token_type)}" is not Bearer`);
  }
  if (json.expires_in !== undefined && (typeof json.expires_in !== 'number' || !(json.expires_in >= 0))) {
    throw new SdkError('invalid_response', 'token request: expires_in is not a non-negative number');
  }
  return json as unknown as TokenResponse;
}

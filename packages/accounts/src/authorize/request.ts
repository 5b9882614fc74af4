/** `prompt` values Signet understands (OpenID Connect Core §3.1.2.1). */
export type Prompt = 'none' | 'login' | 'consent';

/**
 * A validated authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1), as the
 * authorization endpoint understood it. Plain JSON so it can wait in an interaction row.
 */
export interface AuthorizationRequest {
  clientId: string;
  /** Exactly one of the client's registered redirect URIs. */
  redirectUri: string;
  state: string;
  scope: string[];
  /** PKCE S256 challenge (RFC 7636 §4.2). */
  codeChallenge: string;
  nonce?: string;
  prompt: Prompt[];
  /** Seconds since the last active authentication that the client accepts. */
  maxAge?: number;
  loginHint?: string;
  /** The `sub` of a verified `id_token_hint`: the person the client expects to be signed in. */
  idTokenHintSubject?: string;
  /** Preferred languages, most preferred first. */
  uiLocales: string[];
  display?: string;
  /** Acceptable authentication context classes, most preferred first. */
  acrValues: string[];
  /** Resource servers the access token is for (besides userinfo). */
  audience: string[];
}

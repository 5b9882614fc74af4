/** Signet SDK: token cache, PKCE helpers and a typed Signer API client. */
export {};

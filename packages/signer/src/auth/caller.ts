/** Who is calling the Signer API: the client an access token was issued to (RFC 9068 `client_id`). */
export interface Caller {
  /** The calling client; it owns the envelopes it creates and sees only those. */
  clientId: string;
  /** Scopes granted to the token (RFC 9068 `scope`, split). */
  scope: string[];
  /** The access token's `jti`, for the audit trail. */
  tokenId: string | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer-token hook on every authenticated `/v1` route; absent on public routes. */
    caller: Caller;
  }
}

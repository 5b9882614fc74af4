/** The signing page's tables (Kysely row types; snake_case as in SQL). */
export type SigningPageTables = {
  /**
   * A person's signing session after they signed in through the signing link: short-lived,
   * named by the SHA-256 of the random value in its HttpOnly cookie, good for one decision.
   */
  signing_sessions: {
    id_hash: string;
    /** The signing link's token this session acts with, sealed (AES-GCM, bound to `id_hash`). */
    sealed_token: string;
    envelope_id: string;
    /** The documents the person signs, `[{ index, name }]` as JSON: what they may read, then download. */
    documents: string;
    /** The verified identity (VerifiedIdentity as JSON, the id_token included as evidence). */
    identity: string;
    /** Null until the person decides; `signing` while a decision is being applied. */
    outcome: 'signing' | 'signed' | 'rejected' | null;
    reason: string | null;
    /** The language the person started in (`en`, `es`). */
    locale: string;
    created_at: number;
    expires_at: number;
  };
};

import type { Generated } from 'kysely';

/**
 * Table shapes shared by every backend. Lists are stored as JSON text and timestamps as
 * epoch seconds (bigint in PostgreSQL) so that SQLite and PostgreSQL hold identical values.
 */
export interface Database {
  clients: ClientTable;
  signing_keys: SigningKeyTable;
  revoked_tokens: RevokedTokenTable;
}

/** An OAuth 2.0 client registration (RFC 7591 field names). */
export interface ClientTable {
  client_id: string;
  client_name: string;
  /** Keyed SHA-256 of the secret; null for clients that authenticate without one. */
  client_secret_hash: string | null;
  grant_types: string;
  response_types: string;
  redirect_uris: string;
  scope: string;
  audience: string;
  token_endpoint_auth_method: string;
  created_at: number | string;
  updated_at: number | string;
}

/** A JWS signing key; the private JWK is sealed with the data key. */
export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_sealed: string;
  /** `next` (published, not yet signing), `active` (signing), `previous` (published), `retired`. */
  status: string;
  created_at: number | string;
  activated_at: number | string | null;
  retired_at: number | string | null;
  /** Monotonic order so "the newest" is unambiguous across nodes. */
  seq: Generated<number>;
}

/** A revoked JWT access token, kept until it would have expired anyway (RFC 7009). */
export interface RevokedTokenTable {
  jti: string;
  expires_at: number | string;
}

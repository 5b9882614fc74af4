import type { Generated } from 'kysely';

/**
 * The Signer's tables for envelopes (Kysely row types; snake_case as in SQL). Times are epoch
 * seconds. PDF bytes live in the database (`blob`/`bytea`) rather than under the data directory:
 * they are written in the same transaction as the envelope, so a failed create or signature leaves
 * nothing behind, and every node of a cluster sharing one PostgreSQL sees them without a shared disk.
 */
export type EnvelopeTables = {
  envelopes: EnvelopesTable;
  envelope_documents: EnvelopeDocumentsTable;
  envelope_persons: EnvelopePersonsTable;
  envelope_signatures: EnvelopeSignaturesTable;
  envelope_invitations: EnvelopeInvitationsTable;
  used_id_tokens: UsedIdTokensTable;
  audit_events: AuditEventsTable;
};

/** One envelope, owned by the client that created it. `(client_id, nonce)` is unique: the replay guard. */
export interface EnvelopesTable {
  id: string;
  client_id: string;
  status: string;
  nonce: string;
  issuer_person_index: number | null;
  callback_url: string | null;
  expires_at: number | null;
  status_reason: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** The name the envelope's emails give as the sender (`issuer.name`); null: the client id (migration 0007). */
  sender_name: string | null;
  /** When retention deleted its documents and audit events (`SIGNET_SIGNER_RETENTION_DAYS`); null while kept. */
  purged_at: number | null;
  /** Bumped by every change, so a signature computed outside a transaction is written only over the state it was computed from. */
  version: number;
}

/** A PDF of an envelope: the bytes as uploaded and the current (signed) bytes. */
export interface EnvelopeDocumentsTable {
  envelope_id: string;
  document_index: number;
  name: string;
  page_count: number;
  original_sha256: string;
  /** SHA-256 of `current` when retention emptied both; null until then. */
  current_sha256: string | null;
  /** Empty once the envelope is purged. */
  original: Uint8Array;
  current: Uint8Array;
  signature_count: number;
  /**
   * When the TSA certificate of the last archive timestamp in `current` expires, as last seen by the
   * renewal job (pki/archive-renewal.ts); null until it first looks. Never later than the truth.
   */
  archive_expires_at: number | null;
}

/** A signer of an envelope; `identity` (JSON of a SignerIdentity) is known once they are identified. */
export interface EnvelopePersonsTable {
  envelope_id: string;
  person_index: number;
  identified_by: string;
  name: string;
  email: string | null;
  subject: string | null;
  identity: string | null;
  status: string;
  signed_at: number | null;
  /** The person's language for emails (`en`, `es`); null: English (migration 0007). */
  locale: string | null;
}

/** Who signs which document, in order (`signature_index`). `position` is JSON or null. */
export interface EnvelopeSignaturesTable {
  envelope_id: string;
  signature_index: number;
  document_index: number;
  person_index: number;
  position: string | null;
  status: string;
  signed_at: number | null;
}

/** A one-time signing link: only the SHA-256 of its random token is stored. */
export interface EnvelopeInvitationsTable {
  token_hash: string;
  envelope_id: string;
  person_index: number;
  expires_at: number;
  created_at: number;
  used_at: number | null;
  /** When a newer link for the same person ended this one (migration 0007); null otherwise. */
  replaced_at: number | null;
}

/** id_tokens that already identified a person: one envelope per token, race-safe by the primary key. */
export interface UsedIdTokensTable {
  /**
   * The sign-in's key, a hash of `(iss, sub, auth_time)` (see `signInKey`); rows written before
   * migration 0005 hold `iss` + `jti`, or a hash of the token text.
   */
  token_key: string;
  /** The sign-in, in clear; `(issuer, subject, auth_time)` is unique. Null on rows older than 0005 that could not be backfilled. */
  issuer: string | null;
  subject: string | null;
  auth_time: number | null;
  envelope_id: string;
  /** The token's `exp`, after which the row may be purged (the token is refused as expired anyway). */
  expires_at: number;
  used_at: number;
}

/** The audit trail: every event of every envelope, in `sequence` order. */
export interface AuditEventsTable {
  sequence: Generated<number>;
  envelope_id: string;
  client_id: string;
  type: string;
  occurred_at: number;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  actor_person_index: number | null;
  ip: string | null;
  user_agent: string | null;
  data: string;
}

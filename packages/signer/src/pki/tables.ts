import type { ScheduledJobsTable } from '@signet/store';
/**
 * The Signer's tables for its PKI (Kysely row types; snake_case as in SQL). Times are epoch
 * seconds (PostgreSQL returns `bigint` as a string: read them through `Number`). Private keys are
 * PKCS#8 sealed with AES-256-GCM under a key derived from the Signer's master key, bound to their row id.
 */
export type PkiTables = {
  pki_authorities: PkiAuthoritiesTable;
  pki_signer_credentials: PkiSignerCredentialsTable;
  pki_revocations: PkiRevocationsTable;
  scheduled_jobs: ScheduledJobsTable;
};

/** The CA's own keys: the root and the timestamp authority. One active row per `kind` (partial unique index). */
export interface PkiAuthoritiesTable {
  id: string;
  /** `root` or `tsa`. */
  kind: string;
  certificate_pem: string;
  private_key_sealed: string;
  /** 1 for the key in use, 0 for a retired one. */
  active: number;
  /** The root that issued this row (itself for the root). */
  issuer_id: string;
  not_after: number;
  created_at: number;
  /** Serial number, lowercase hex without leading zero octets (`normalizeSerial`); null only before migration 0005 backfilled it. */
  serial: string | null;
}

/** A person's signing certificate and sealed key; `identity_key` fingerprints what the certificate states. */
export interface PkiSignerCredentialsTable {
  id: string;
  identity_key: string;
  /** The id_token `iss` + `sub` the certificate was issued for. */
  subject: string;
  /** JSON of the SignerIdentity, as certified. */
  identity: string;
  certificate_pem: string;
  private_key_sealed: string;
  issuer_id: string;
  not_before: number;
  not_after: number;
  created_at: number;
  /** Serial number, lowercase hex without leading zero octets (`normalizeSerial`). */
  serial: string | null;
}

/** A revoked certificate: OCSP answers `revoked` and the issuer's CRL lists it from `revoked_at` on. */
export interface PkiRevocationsTable {
  issuer_id: string;
  serial: string;
  /** The person's credential, when the certificate is one (null for a TSA certificate). */
  credential_id: string | null;
  /** CRLReason (RFC 5280 §5.3.1). */
  reason: number;
  revoked_at: number;
}

import type { Kysely, Transaction } from 'kysely';
import type { SignerDatabase } from '../store/database.js';

type Db = Kysely<SignerDatabase> | Transaction<SignerDatabase>;

/** Envelopes that ended (`finished_at`) at or before `endedBy` and still hold their documents, oldest first. */
export async function envelopesDueForPurge(
  db: Db,
  endedBy: number,
  limit: number,
): Promise<{ id: string; clientId: string; finishedAt: number }[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select(['id', 'client_id', 'finished_at'])
    .where('finished_at', 'is not', null)
    .where('finished_at', '<=', endedBy)
    .where('purged_at', 'is', null)
    .orderBy('finished_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ id: row.id, clientId: row.client_id, finishedAt: Number(row.finished_at) }));
}

/** Takes the envelope for purging (sets `purged_at`) if nobody has: the one race-safe step. */
export async function markEnvelopePurged(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('envelopes')
    .set({ purged_at: now, updated_at: now, version: (eb) => eb('version', '+', 1) })
    .where('id', '=', id)
    .where('purged_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An envelope's documents' current bytes, to hash before they go. */
export async function documentsToPurge(
  db: Db,
  envelopeId: string,
): Promise<{ index: number; name: string; originalSha256: string; current: Uint8Array }[]> {
  const rows = await db
    .selectFrom('envelope_documents')
    .select(['document_index', 'name', 'original_sha256', 'current'])
    .where('envelope_id', '=', envelopeId)
    .orderBy('document_index')
    .execute();
  return rows.map((row) => ({
    index: row.document_index,
    name: row.name,
    originalSha256: row.original_sha256,
    current: new Uint8Array(row.current),
  }));
}

/** Empties a document's bytes, keeping its name, page count and both hashes. */
export async function emptyDocument(db: Db, envelopeId: string, index: number, currentSha256: string): Promise<void> {
  const empty = new Uint8Array(0);
  await db
    .updateTable('envelope_documents')
    .set({ original: empty, current: empty, current_sha256: currentSha256, archive_expires_at: null })
    .where('envelope_id', '=', envelopeId)
    .where('document_index', '=', index)
    .execute();
}

/** Deletes an envelope's audit events and signing links (the purge record is written after). */
export async function deleteEnvelopeTrail(db: Db, envelopeId: string): Promise<void> {
  await db.deleteFrom('audit_events').where('envelope_id', '=', envelopeId).execute();
  await db.deleteFrom('envelope_invitations').where('envelope_id', '=', envelopeId).execute();
}

/**
 * Deletes used sign-in records that can no longer matter: the id_token expired and its
 * `auth_time` is past the Signer's freshness window, both before `before`. Returns how many.
 */
export async function purgeUsedSignIns(db: Db, before: number, authMaxAge: number): Promise<number> {
  const result = await db
    .deleteFrom('used_id_tokens')
    .where('expires_at', '<', before)
    .where((eb) => eb.or([eb('auth_time', 'is', null), eb('auth_time', '<', before - authMaxAge)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Retention: when an envelope's documents and audit events were deleted (`envelopes.purged_at`),
 * and the SHA-256 of each document's last signed bytes, kept beside `original_sha256` as the
 * record of what was deleted.
 */
export function retentionMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('envelopes').addColumn('purged_at', bigint).execute();
      await db.schema.alterTable('envelope_documents').addColumn('current_sha256', 'text').execute();
      await db.schema.createIndex('envelopes_finished_at').on('envelopes').column('finished_at').execute();
      await db.schema.createIndex('used_id_tokens_expires_at').on('used_id_tokens').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('used_id_tokens_expires_at').execute();
      await db.schema.dropIndex('envelopes_finished_at').execute();
      await db.schema.alterTable('envelope_documents').dropColumn('current_sha256').execute();
      await db.schema.alterTable('envelopes').dropColumn('purged_at').execute();
    },
  };
}

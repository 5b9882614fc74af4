import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/** Creates the signing page's table of signing sessions. */
export function signingPageMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('signing_sessions')
        .addColumn('id_hash', 'text', (c) => c.primaryKey())
        .addColumn('sealed_token', 'text', (c) => c.notNull())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('documents', 'text', (c) => c.notNull())
        .addColumn('identity', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text')
        .addColumn('reason', 'text')
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('signing_sessions_expires_at').on('signing_sessions').column('expires_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('signing_sessions').execute();
    },
  };
}

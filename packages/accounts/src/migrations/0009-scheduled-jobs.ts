import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * `scheduled_jobs`: work that must run once per deployment, not once per node (the purge of
 * expired rows), claimed with a lease; the same table as the Signer's.
 */
export function scheduledJobs(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('scheduled_jobs')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('next_run_at', bigint, (c) => c.notNull())
        .addColumn('locked_until', bigint)
        .addColumn('lock_token', 'text')
        .addColumn('last_run_at', bigint)
        .addColumn('last_result', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('scheduled_jobs').execute();
    },
  };
}

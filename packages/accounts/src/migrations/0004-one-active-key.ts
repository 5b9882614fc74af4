import { type Kysely, type Migration, sql } from 'kysely';

/**
 * At most one `active` and one `next` signing key, enforced by the database, so concurrent
 * first starts or rotations on several nodes cannot leave two of either (PostgreSQL and
 * SQLite both support partial unique indexes).
 */
export function oneActiveKey(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await sql`create unique index signing_keys_one_active on signing_keys (status) where status = 'active'`.execute(
        db,
      );
      await sql`create unique index signing_keys_one_next on signing_keys (status) where status = 'next'`.execute(db);
    },
    async down(db: Kysely<unknown>) {
      await sql`drop index signing_keys_one_next`.execute(db);
      await sql`drop index signing_keys_one_active`.execute(db);
    },
  };
}

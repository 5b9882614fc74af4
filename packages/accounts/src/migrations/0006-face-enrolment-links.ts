import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * One-time face enrolment links: an operator issues a link after proofing the person's
 * identity, and the person enrols their own face through it. Only a keyed hash of the link's token
 * is stored. At most one link per person is live (neither used nor revoked), which a partial
 * unique index enforces even when two operators issue links at once. The camera page's state
 * (the browser it is bound to, its CSRF token, the head turn asked for, the attempts made) lives
 * on the link, as the sign-in face step's lives on its interaction. Deleted with the person.
 */
export function faceEnrolmentLinks(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('face_enrolment_links')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('used_at', bigint)
        .addColumn('revoked_at', bigint)
        .addColumn('browser_hash', 'text')
        .addColumn('csrf_token', 'text')
        .addColumn('face_challenge', 'text')
        .addColumn('face_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createIndex('face_enrolment_links_one_live')
        .on('face_enrolment_links')
        .column('user_id')
        .unique()
        .where(sql.ref('used_at'), 'is', null)
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
      await db.schema
        .createIndex('face_enrolment_links_user_id')
        .on('face_enrolment_links')
        .column('user_id')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('face_enrolment_links').execute();
    },
  };
}

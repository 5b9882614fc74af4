import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Face verification: one sealed face template per person, deleted with the person, and
 * the face step's state in an interaction (the head turn asked for and the attempts made).
 */
export function face(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('face_templates')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
        .addColumn('template_sealed', 'text', (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema.alterTable('interactions').addColumn('face_challenge', 'text').execute();
      await db.schema
        .alterTable('interactions')
        .addColumn('face_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('interactions').dropColumn('face_attempts').execute();
      await db.schema.alterTable('interactions').dropColumn('face_challenge').execute();
      await db.schema.dropTable('face_templates').execute();
    },
  };
}

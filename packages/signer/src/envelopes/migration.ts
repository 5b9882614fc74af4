import { createHash } from 'node:crypto';
import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/** Creates the envelopes tables: envelopes, their documents, persons, signatures, invitations, used id_tokens, audit events. */
export function envelopesMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  const bytes = sql.raw(dialect === 'postgres' ? 'bytea' : 'blob');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('envelopes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('nonce', 'text', (c) => c.notNull())
        .addColumn('issuer_person_index', 'integer')
        .addColumn('callback_url', 'text')
        .addColumn('expires_at', bigint)
        .addColumn('status_reason', 'text')
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('updated_at', bigint, (c) => c.notNull())
        .addColumn('finished_at', bigint)
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // The nonce guard: one envelope per (initiative, nonce), decided by the database under concurrency.
      await db.schema
        .createIndex('envelopes_client_nonce')
        .on('envelopes')
        .columns(['client_id', 'nonce'])
        .unique()
        .execute();
      await db.schema
        .createIndex('envelopes_client_created')
        .on('envelopes')
        .columns(['client_id', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('envelopes_status_expires')
        .on('envelopes')
        .columns(['status', 'expires_at'])
        .execute();

      await db.schema
        .createTable('envelope_documents')
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('document_index', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('page_count', 'integer', (c) => c.notNull())
        .addColumn('original_sha256', 'text', (c) => c.notNull())
        .addColumn('original', bytes, (c) => c.notNull())
        .addColumn('current', bytes, (c) => c.notNull())
        .addColumn('signature_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addPrimaryKeyConstraint('envelope_documents_pk', ['envelope_id', 'document_index'])
        .execute();

      await db.schema
        .createTable('envelope_persons')
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('person_index', 'integer', (c) => c.notNull())
        .addColumn('identified_by', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('email', 'text')
        .addColumn('subject', 'text')
        .addColumn('identity', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('signed_at', bigint)
        .addPrimaryKeyConstraint('envelope_persons_pk', ['envelope_id', 'person_index'])
        .execute();

      await db.schema
        .createTable('envelope_signatures')
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('signature_index', 'integer', (c) => c.notNull())
        .addColumn('document_index', 'integer', (c) => c.notNull())
        .addColumn('person_index', 'integer', (c) => c.notNull())
        .addColumn('position', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('signed_at', bigint)
        .addPrimaryKeyConstraint('envelope_signatures_pk', ['envelope_id', 'signature_index'])
        .execute();

      await db.schema
        .createTable('envelope_invitations')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('person_index', 'integer', (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .addColumn('used_at', bigint)
        .execute();
      await db.schema
        .createIndex('envelope_invitations_person')
        .on('envelope_invitations')
        .columns(['envelope_id', 'person_index'])
        .execute();

      await db.schema
        .createTable('used_id_tokens')
        .addColumn('token_key', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addColumn('used_at', bigint, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('sequence', dialect === 'postgres' ? 'bigserial' : 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
        )
        .addColumn('envelope_id', 'text', (c) => c.notNull().references('envelopes.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_at', bigint, (c) => c.notNull())
        .addColumn('actor_type', 'text', (c) => c.notNull())
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_name', 'text')
        .addColumn('actor_person_index', 'integer')
        .addColumn('ip', 'text')
        .addColumn('user_agent', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_events_envelope')
        .on('audit_events')
        .columns(['envelope_id', 'sequence'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of [
        'audit_events',
        'used_id_tokens',
        'envelope_invitations',
        'envelope_signatures',
        'envelope_persons',
        'envelope_documents',
        'envelopes',
      ]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}

/**
 * Keys single use on the sign-in, not on the token text (decision 0017): `used_id_tokens` gains
 * the sign-in in clear, `issuer`, `subject` and `auth_time`, unique together, so one face
 * verification identifies one person of one envelope whichever of its id_tokens is sent (a
 * re-spelt one, or one minted again by a refresh) and whichever of two concurrent creates
 * writes first. Rows written before are backfilled from the `person.identified` audit events
 * (whose actor is `iss sub` and whose data holds `authTime`); an old sign-in used more than once
 * keeps its first row only.
 */
export function usedSignInsMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('used_id_tokens').addColumn('issuer', 'text').execute();
      await db.schema.alterTable('used_id_tokens').addColumn('subject', 'text').execute();
      await db.schema.alterTable('used_id_tokens').addColumn('auth_time', bigint).execute();
      const { rows } = await sql<{ envelope_id: string; actor_id: string; data: string; occurred_at: number }>`
        select envelope_id, actor_id, data, occurred_at from audit_events
        where type = 'person.identified' order by sequence`.execute(db);
      for (const row of rows) {
        const data = JSON.parse(row.data) as { method?: unknown; authTime?: unknown };
        const space = row.actor_id.indexOf(' ');
        if (data.method !== 'id_token' || typeof data.authTime !== 'number' || space < 1) continue;
        const [issuer, subject, authTime] = [
          row.actor_id.slice(0, space),
          row.actor_id.slice(space + 1),
          data.authTime,
        ];
        // The same key as `signInKey` in id-token.ts, frozen here as the migration must be.
        const key = `sign-in:${createHash('sha256')
          .update(JSON.stringify([issuer, subject, authTime]))
          .digest('base64url')}`;
        await sql`insert into used_id_tokens (token_key, issuer, subject, auth_time, envelope_id, expires_at, used_at)
          values (${key}, ${issuer}, ${subject}, ${authTime}, ${row.envelope_id}, ${Number(row.occurred_at)}, ${Number(row.occurred_at)})
          on conflict do nothing`.execute(db);
      }
      await db.schema
        .createIndex('used_id_tokens_sign_in')
        .on('used_id_tokens')
        .columns(['issuer', 'subject', 'auth_time'])
        .unique()
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('used_id_tokens_sign_in').execute();
      await sql`delete from used_id_tokens where token_key like 'sign-in:%'`.execute(db);
      for (const column of ['auth_time', 'subject', 'issuer']) {
        await db.schema.alterTable('used_id_tokens').dropColumn(column).execute();
      }
    },
  };
}

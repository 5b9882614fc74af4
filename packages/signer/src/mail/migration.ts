import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Invitations by email (issue 11): a signing link can be replaced by a newer one
 * (`envelope_invitations.replaced_at`), a person has a language (`envelope_persons.locale`), an
 * envelope a sender name shown in its emails (`envelopes.sender_name`), and the email outbox
 * (`email_deliveries`), claimed under a lease like the webhook outbox.
 */
export function mailMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('envelope_invitations').addColumn('replaced_at', bigint).execute();
      await db.schema.alterTable('envelope_persons').addColumn('locale', 'text').execute();
      await db.schema.alterTable('envelopes').addColumn('sender_name', 'text').execute();
      await db.schema
        .createTable('email_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('person_index', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('locale', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at_ms', bigint, (c) => c.notNull())
        .addColumn('locked_until_ms', bigint)
        .addColumn('lock_token', 'text')
        .addColumn('invitation_hash', 'text')
        .addColumn('link_sealed', 'text')
        .addColumn('message_id', 'text')
        .addColumn('last_error', 'text')
        .addColumn('sent_at_ms', bigint)
        .addColumn('created_at_ms', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('email_deliveries_due')
        .on('email_deliveries')
        .columns(['status', 'next_attempt_at_ms'])
        .execute();
      await db.schema
        .createIndex('email_deliveries_envelope')
        .on('email_deliveries')
        .columns(['envelope_id', 'client_id'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('email_deliveries').execute();
      await db.schema.alterTable('envelopes').dropColumn('sender_name').execute();
      await db.schema.alterTable('envelope_persons').dropColumn('locale').execute();
      await db.schema.alterTable('envelope_invitations').dropColumn('replaced_at').execute();
    },
  };
}

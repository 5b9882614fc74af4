import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Creates the notifications tables: the event log (SSE and outbox source), the webhook outbox
 * with its attempts, and each client's webhook settings.
 */
export function notificationsMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  const serial = sql.raw(dialect === 'postgres' ? 'bigserial' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('notification_events')
        .addColumn('seq', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('occurred_at', bigint, (c) => c.notNull())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at_ms', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('notification_events_client_seq')
        .on('notification_events')
        .columns(['client_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('notification_events_envelope')
        .on('notification_events')
        .columns(['envelope_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_seq', bigint, (c) => c.notNull().references('notification_events.seq'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('url', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at_ms', bigint, (c) => c.notNull())
        .addColumn('locked_until_ms', bigint)
        .addColumn('lock_token', 'text')
        .addColumn('delivered_at_ms', bigint)
        .addColumn('created_at_ms', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_due')
        .on('webhook_deliveries')
        .columns(['status', 'next_attempt_at_ms'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_envelope')
        .on('webhook_deliveries')
        .columns(['envelope_id', 'client_id'])
        .execute();
      await db.schema
        .createTable('webhook_attempts')
        .addColumn('id', serial, (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
        .addColumn('attempted_at_ms', bigint, (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('next_attempt_at_ms', bigint)
        .execute();
      await db.schema.createIndex('webhook_attempts_delivery').on('webhook_attempts').column('delivery_id').execute();
      await db.schema
        .createTable('webhook_settings')
        .addColumn('client_id', 'text', (c) => c.primaryKey())
        .addColumn('url', 'text')
        .addColumn('secret_sealed', 'text')
        .addColumn('updated_at_ms', bigint, (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('webhook_settings').execute();
      await db.schema.dropTable('webhook_attempts').execute();
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.dropTable('notification_events').execute();
    },
  };
}

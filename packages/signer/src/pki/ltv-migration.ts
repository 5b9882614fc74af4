import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';
import { x509 } from './x509.js';

/**
 * Long-term validation (ADR 0015): the serial number of every certificate the CA issued (what
 * the OCSP responder looks up; backfilled from the stored PEM), revocations, the lease row of
 * scheduled jobs that run once per deployment, and when each signed document's last archive
 * timestamp needs renewing.
 */
export function ltvMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('pki_signer_credentials').addColumn('serial', 'text').execute();
      await db.schema.alterTable('pki_authorities').addColumn('serial', 'text').execute();
      const trusted = db as Kysely<{
        pki_signer_credentials: { id: string; certificate_pem: string; serial: string | null };
        pki_authorities: { id: string; certificate_pem: string; serial: string | null };
      }>;
      for (const table of ['pki_signer_credentials', 'pki_authorities'] as const) {
        const rows = await trusted.selectFrom(table).select(['id', 'certificate_pem']).execute();
        for (const row of rows) {
          const serial = normalizeSerial(new x509.X509Certificate(row.certificate_pem).serialNumber);
          await trusted.updateTable(table).set({ serial }).where('id', '=', row.id).execute();
        }
      }
      await db.schema
        .createIndex('pki_signer_credentials_serial')
        .on('pki_signer_credentials')
        .columns(['issuer_id', 'serial'])
        .execute();
      await db.schema
        .createTable('pki_revocations')
        .addColumn('issuer_id', 'text', (c) => c.notNull().references('pki_authorities.id'))
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text')
        .addColumn('reason', 'integer', (c) => c.notNull())
        .addColumn('revoked_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('pki_revocations_pk', ['issuer_id', 'serial'])
        .execute();
      await db.schema
        .createTable('scheduled_jobs')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('next_run_at', bigint, (c) => c.notNull())
        .addColumn('locked_until', bigint)
        .addColumn('lock_token', 'text')
        .addColumn('last_run_at', bigint)
        .addColumn('last_result', 'text')
        .execute();
      await db.schema.alterTable('envelope_documents').addColumn('archive_expires_at', bigint).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('envelope_documents').dropColumn('archive_expires_at').execute();
      await db.schema.dropTable('scheduled_jobs').execute();
      await db.schema.dropTable('pki_revocations').execute();
      await db.schema.dropIndex('pki_signer_credentials_serial').execute();
      await db.schema.alterTable('pki_authorities').dropColumn('serial').execute();
      await db.schema.alterTable('pki_signer_credentials').dropColumn('serial').execute();
    },
  };
}

/** A certificate serial number as lowercase hex without leading zero octets: one spelling for lookups. */
export function normalizeSerial(hex: string): string {
  const lower = hex.toLowerCase().replace(/[^0-9a-f]/g, '');
  const even = lower.length % 2 ? `0${lower}` : lower;
  return even.replace(/^(00)+(?=..)/, '');
}

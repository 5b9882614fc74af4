import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, sql } from 'kysely';

/**
 * Creates the PKI's tables: the CA's root and TSA keys (a partial unique index lets only one of
 * each kind be active, which is what makes first start race-safe across nodes) and the people's
 * signing credentials, looked up by identity fingerprint.
 */
export function pkiMigration(dialect: Dialect): Migration {
  const bigint = sql.raw(dialect === 'postgres' ? 'bigint' : 'integer');
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('pki_authorities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('certificate_pem', 'text', (c) => c.notNull())
        .addColumn('private_key_sealed', 'text', (c) => c.notNull())
        .addColumn('active', 'integer', (c) => c.notNull())
        .addColumn('issuer_id', 'text', (c) => c.notNull())
        .addColumn('not_after', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pki_authorities_one_active')
        .on('pki_authorities')
        .column('kind')
        .unique()
        .where(sql.ref('active'), '=', 1)
        .execute();
      await db.schema
        .createTable('pki_signer_credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('identity_key', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('identity', 'text', (c) => c.notNull())
        .addColumn('certificate_pem', 'text', (c) => c.notNull())
        .addColumn('private_key_sealed', 'text', (c) => c.notNull())
        .addColumn('issuer_id', 'text', (c) => c.notNull().references('pki_authorities.id'))
        .addColumn('not_before', bigint, (c) => c.notNull())
        .addColumn('not_after', bigint, (c) => c.notNull())
        .addColumn('created_at', bigint, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('pki_signer_credentials_identity')
        .on('pki_signer_credentials')
        .columns(['identity_key', 'not_after'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('pki_signer_credentials').execute();
      await db.schema.dropTable('pki_authorities').execute();
    },
  };
}

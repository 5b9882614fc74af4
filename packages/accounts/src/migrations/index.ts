import type { Dialect } from '@signet/store';
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { people } from './0002-people.js';
import { clientFlowFields } from './0003-client-flow-fields.js';
import { oneActiveKey } from './0004-one-active-key.js';
import { face } from './0005-face.js';
import { faceEnrolmentLinks } from './0006-face-enrolment-links.js';
import { passkeys } from './0007-passkeys.js';
import { verifiedEmail } from './0008-verified-email.js';
import { scheduledJobs } from './0009-scheduled-jobs.js';

/**
 * Accounts' schema migrations in order, recorded in Kysely's default history table
 * (`kysely_migration`), as they were when they lived in `@signet/store`. Never edit or rename a
 * released migration: add a new one.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  const bigint = dialect === 'postgres' ? 'bigint' : 'integer';
  const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
  return {
    '0001_clients_keys_revocations': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('clients')
          .addColumn('client_id', 'text', (c) => c.primaryKey())
          .addColumn('client_name', 'text', (c) => c.notNull())
          .addColumn('client_secret_hash', 'text')
          .addColumn('grant_types', 'text', (c) => c.notNull())
          .addColumn('response_types', 'text', (c) => c.notNull())
          .addColumn('redirect_uris', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('audience', 'text', (c) => c.notNull())
          .addColumn('token_endpoint_auth_method', 'text', (c) => c.notNull())
          .addColumn('created_at', sql.raw(bigint), (c) => c.notNull())
          .addColumn('updated_at', sql.raw(bigint), (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('signing_keys')
          .addColumn('seq', sql.raw(serial), (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('kid', 'text', (c) => c.notNull().unique())
          .addColumn('alg', 'text', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('created_at', sql.raw(bigint), (c) => c.notNull())
          .addColumn('activated_at', sql.raw(bigint))
          .addColumn('retired_at', sql.raw(bigint))
          .execute();
        await db.schema
          .createTable('revoked_tokens')
          .addColumn('jti', 'text', (c) => c.primaryKey())
          .addColumn('expires_at', sql.raw(bigint), (c) => c.notNull())
          .execute();
        await db.schema.createIndex('revoked_tokens_expires_at').on('revoked_tokens').column('expires_at').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('revoked_tokens').execute();
        await db.schema.dropTable('signing_keys').execute();
        await db.schema.dropTable('clients').execute();
      },
    },
    '0002_people': people(dialect),
    '0003_client_flow_fields': clientFlowFields(),
    '0004_one_active_key': oneActiveKey(),
    '0005_face': face(dialect),
    '0006_face_enrolment_links': faceEnrolmentLinks(dialect),
    '0007_passkeys': passkeys(dialect),
    '0008_verified_email': verifiedEmail(),
    '0009_scheduled_jobs': scheduledJobs(dialect),
  };
}

/** A Kysely migration provider over the in-code list, so migrations ship with the package. */
export function migrationProvider(dialect: Dialect): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) };
}

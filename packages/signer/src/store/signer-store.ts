import { type Dialect, migrateDatabase, openDatabase, type PoolStats, type StoreOptions } from '@signet/store';
import { type Kysely, type MigrationProvider, sql } from 'kysely';
import { envelopesMigration, usedSignInsMigration } from '../envelopes/migration.js';
import { mailMigration } from '../mail/migration.js';
import { notificationsMigration } from '../notifications/migration.js';
import { ltvMigration } from '../pki/ltv-migration.js';
import { pkiMigration } from '../pki/migration.js';
import { retentionMigration } from '../retention/migration.js';
import { signingPageMigration } from '../signing-page/migration.js';
import type { SignerDatabase } from './database.js';

/** The Signer's database: its own tables and its own migration history, so it may share a database with accounts. */
export interface SignerStore {
  readonly dialect: Dialect;
  readonly db: Kysely<SignerDatabase>;
  /** Applies every pending Signer migration; returns the names it applied. */
  migrate(): Promise<string[]>;
  /** Round-trips a trivial query; throws if the database is unreachable. */
  ping(): Promise<void>;
  /** The PostgreSQL pool's connections; `undefined` on SQLite. */
  poolStats(): PoolStats | undefined;
  close(): Promise<void>;
}

/** The Signer's migrations in order. Never edit a released one: add a new one. */
export function signerMigrations(dialect: Dialect): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001_pki': pkiMigration(dialect),
      '0002_envelopes': envelopesMigration(dialect),
      '0003_notifications': notificationsMigration(dialect),
      '0004_signing_page': signingPageMigration(dialect),
      '0005_ltv': ltvMigration(dialect),
      '0006_used_sign_ins': usedSignInsMigration(dialect),
      '0007_invitation_email': mailMigration(dialect),
      '0008_retention': retentionMigration(dialect),
    }),
  };
}

/** Opens the Signer's database (SQLite file or PostgreSQL, as the URL says). */
export function openSignerStore(options: StoreOptions): SignerStore {
  const { dialect, db, poolStats } = openDatabase<SignerDatabase>(options);
  return {
    dialect,
    db,
    poolStats,
    migrate: () =>
      migrateDatabase(db, dialect, signerMigrations(dialect), {
        migrationTableName: 'signer_migration',
        migrationLockTableName: 'signer_migration_lock',
      }),
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}

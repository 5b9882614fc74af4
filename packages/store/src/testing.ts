import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { StoreOptions } from './store.js';

/** A store of any service that migrates and closes itself (accounts' or the Signer's). */
export interface MigratingStore {
  migrate(): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * One fresh, migrated store per backend of {@link testLocations}, opened with `open`: the shared
 * way a service's storage tests get theirs.
 */
export function testStores<S extends MigratingStore>(
  open: (options: StoreOptions) => S,
): { name: string; skip?: string; open(): Promise<{ store: S; dispose(): Promise<void> }> }[] {
  return testLocations().map((location) => ({
    name: location.name,
    ...(location.skip ? { skip: location.skip } : {}),
    async open() {
      const { options, dispose } = await location.create();
      const store = open(options);
      await store.migrate();
      return {
        store,
        async dispose() {
          await store.close();
          await dispose();
        },
      };
    },
  }));
}

/** A place a test database can be created: an SQLite file or a PostgreSQL schema. */
export interface TestLocation {
  name: string;
  /** Why this backend is skipped, or undefined when it runs. */
  skip?: string;
  /** Creates an empty database (SQLite file or PostgreSQL schema) and a function that removes it. */
  create(): Promise<{ options: StoreOptions; dispose(): Promise<void> }>;
}

/**
 * The backends every storage test runs on, as connection options: SQLite always, PostgreSQL (one fresh schema each) when `TEST_DATABASE_URL` is set.
 */
export function testLocations(): TestLocation[] {
  const pgUrl = process.env.TEST_DATABASE_URL;
  return [
    {
      name: 'sqlite',
      async create() {
        const dir = mkdtempSync(join(tmpdir(), 'signet-db-'));
        return {
          options: { url: join(dir, 'signet.db') },
          async dispose() {
            rmSync(dir, { recursive: true, force: true });
          },
        };
      },
    },
    {
      name: 'postgres',
      ...(pgUrl ? {} : { skip: 'TEST_DATABASE_URL is not set: the PostgreSQL leg was SKIPPED' }),
      async create() {
        const url = pgUrl as string;
        const schema = `signet_test_${randomBytes(6).toString('hex')}`;
        const admin = new pg.Client({ connectionString: url });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        return {
          options: { url, schema, poolSize: 4 },
          async dispose() {
            const c = new pg.Client({ connectionString: url });
            await c.connect();
            await c.query(`drop schema ${schema} cascade`);
            await c.end();
          },
        };
      },
    },
  ];
}

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationProvider, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

/** Which SQL dialect a database speaks; migrations differ only in column types. */
export type Dialect = 'sqlite' | 'postgres';

/** Where the store keeps its data. */
export interface StoreOptions {
  /**
   * `postgres://…` / `postgresql://…` for PostgreSQL; otherwise a path to an SQLite file
   * (`:memory:` for a throwaway in-memory database).
   */
  url: string;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
  /** PostgreSQL schema to use instead of `public` (tests use one schema per run). */
  schema?: string;
}

/** A PostgreSQL pool's connections: open, idle among them, and checkouts waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** True when the URL names a PostgreSQL server. */
export const isPostgresUrl = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);

/**
 * Opens a Kysely database of any schema on the dialect the URL names, with the same SQLite
 * pragmas and PostgreSQL pool for every service; each service opens its own tables with it.
 */
export function openDatabase<DB>(options: StoreOptions): {
  dialect: Dialect;
  db: Kysely<DB>;
  poolStats: () => PoolStats | undefined;
} {
  const dialect: Dialect = isPostgresUrl(options.url) ? 'postgres' : 'sqlite';
  const pool = dialect === 'postgres' ? postgresPool(options) : undefined;
  const db = new Kysely<DB>({
    dialect: pool ? new PostgresDialect({ pool }) : sqliteDialect(options.url),
  });
  const poolStats = () =>
    pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
  return { dialect, db, poolStats };
}

/** Names of Kysely's bookkeeping tables, so two services can share one database. */
export interface MigrationTables {
  /** Default `kysely_migration`. */
  migrationTableName?: string;
  /** Default `kysely_migration_lock`. */
  migrationLockTableName?: string;
}

/** Applies every pending migration of `provider`; returns the names it applied. */
export async function migrateDatabase<DB>(
  db: Kysely<DB>,
  dialect: Dialect,
  provider: MigrationProvider,
  tables: MigrationTables = {},
): Promise<string[]> {
  // Name the schema explicitly: Kysely's existence check for its own tables otherwise looks
  // across every schema of the database and can find another schema's copy.
  const schema =
    dialect === 'postgres'
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  const migrator = new Migrator({
    db,
    provider,
    ...tables,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

function sqliteDialect(path: string): ImmediateSqliteDialect {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new ImmediateSqliteDialect(database);
}

/** How long opening a PostgreSQL connection may take before the request fails as unavailable. */
const CONNECT_TIMEOUT_MS = 5_000;

function postgresPool(options: StoreOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // A server that does not answer fails the request (503) instead of holding it for ever.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  // A client that loses its connection must not crash the process. The pool listens on idle
  // clients only and drops that listener while a client is checked out (a query or transaction in
  // flight): then a server shutdown (57P01) or a cut connection is emitted on the client with no
  // listener, an uncaught 'error' event. The in-flight query rejects on its own, and the pool
  // discards the broken client when it is released.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

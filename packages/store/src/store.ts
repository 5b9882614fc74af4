import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, type MigrationProvider, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type Dialect, migrationProvider } from './migrations/index.js';
import { ClientRepository } from './repositories/clients.js';
import { ConsentRepository } from './repositories/consents.js';
import { GrantRepository } from './repositories/grants.js';
import { InteractionRepository } from './repositories/interactions.js';
import { LoginThrottleRepository } from './repositories/login-throttle.js';
import { PasskeyRepository } from './repositories/passkeys.js';
import { RevokedTokenRepository } from './repositories/revoked-tokens.js';
import { SessionRepository } from './repositories/sessions.js';
import { SigningKeyRepository } from './repositories/signing-keys.js';
import { UserRepository } from './repositories/users.js';
import type { Database } from './schema.js';
import { ImmediateSqliteDialect } from './sqlite-dialect.js';

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

/** One open database with one repository per concept. */
export interface Store {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly clients: ClientRepository;
  readonly signingKeys: SigningKeyRepository;
  readonly revokedTokens: RevokedTokenRepository;
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly interactions: InteractionRepository;
  readonly grants: GrantRepository;
  readonly consents: ConsentRepository;
  readonly loginThrottle: LoginThrottleRepository;
  /** Passkeys and WebAuthn ceremonies in flight (issue 10). */
  readonly passkeys: PasskeyRepository;
  /** Applies every pending migration; returns the names it applied. */
  migrate(): Promise<string[]>;
  /** Round-trips a trivial query; throws if the database is unreachable. */
  ping(): Promise<void>;
  /** The PostgreSQL pool's connections; `undefined` on SQLite (one connection, no pool). */
  poolStats(): PoolStats | undefined;
  /** Closes the connections. */
  close(): Promise<void>;
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
 * Opens the store. SQLite runs in WAL mode with `synchronous=NORMAL`, which is durable
 * across process crashes and fast enough that a write never dominates a request.
 */
export function openStore(options: StoreOptions): Store {
  const { dialect, db, poolStats } = openDatabase<Database>(options);
  return {
    dialect,
    db,
    poolStats,
    clients: new ClientRepository(db),
    signingKeys: new SigningKeyRepository(db),
    revokedTokens: new RevokedTokenRepository(db),
    users: new UserRepository(db),
    sessions: new SessionRepository(db),
    interactions: new InteractionRepository(db),
    grants: new GrantRepository(db),
    consents: new ConsentRepository(db),
    loginThrottle: new LoginThrottleRepository(db),
    passkeys: new PasskeyRepository(db),
    migrate: () => migrateDatabase(db, dialect, migrationProvider(dialect)),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Opens a Kysely database of any schema on the dialect the URL names, with the same SQLite
 * pragmas and PostgreSQL pool as the accounts store. Another service (the Signer) uses it for
 * its own tables.
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

import { type Dialect, migrateDatabase, openDatabase, type PoolStats, type StoreOptions } from '@signet/store';
import { type Kysely, sql } from 'kysely';
import { ConsentRepository } from '../authorize/consent-repository.js';
import { InteractionRepository } from '../authorize/interaction-repository.js';
import { ClientRepository } from '../clients/repository.js';
import { GrantRepository } from '../grants/repository.js';
import { SigningKeyRepository } from '../keys/repository.js';
import { migrationProvider } from '../migrations/index.js';
import { PasskeyRepository } from '../passkeys/repository.js';
import { LoginThrottleRepository } from '../people/login-throttle-repository.js';
import { UserRepository } from '../people/repository.js';
import { SessionRepository } from '../sessions/repository.js';
import { RevokedTokenRepository } from '../tokens/repository.js';
import type { Database } from './schema.js';

/** Accounts' database, open, with one repository per concept. */
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

/**
 * Opens accounts' store on `@signet/store`'s `openDatabase` (SQLite in WAL mode with
 * `synchronous=NORMAL`, or a PostgreSQL pool); `migrate()` applies accounts' migrations with
 * Kysely's default history table, as before they moved here.
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

import type SQLite from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, SqliteDialect } from 'kysely';

/**
 * Kysely's SQLite dialect, with transactions that begin `IMMEDIATE`: they take the write lock at
 * `BEGIN`, waiting for it up to the busy timeout. Several processes write one SQLite file when
 * `signet start` runs several workers. A default (deferred) transaction that reads first and
 * another process commits before it writes fails at once with `SQLITE_BUSY_SNAPSHOT`, which no
 * busy timeout retries; an immediate one waits its turn instead.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  constructor(database: SQLite.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

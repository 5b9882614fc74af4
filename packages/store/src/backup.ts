import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';

/**
 * Copies a live SQLite database to `destination` with SQLite's online backup API (better-sqlite3's
 * `backup()`): a consistent snapshot, WAL included, taken while the service keeps reading and
 * writing. Refuses to overwrite an existing file. Resolves with the pages copied.
 *
 * @example
 * await backupSqlite('/var/lib/signet/signet.db', '/backups/2026-01-01/signet.db');
 */
export async function backupSqlite(source: string, destination: string): Promise<{ pages: number }> {
  if (!existsSync(source)) throw new Error(`no SQLite database at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} exists; back up into a new file`);
  mkdirSync(dirname(destination), { recursive: true });
  const database = new SQLite(source, { fileMustExist: true });
  try {
    // The service holds the database in WAL mode; a busy moment waits rather than fails.
    database.pragma('busy_timeout = 5000');
    const { totalPages } = await database.backup(destination);
    // It holds sealed keys and personal data: readable by its owner only, like the master key.
    chmodSync(destination, 0o600);
    return { pages: totalPages };
  } finally {
    database.close();
  }
}

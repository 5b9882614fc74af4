import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Counts failed sign-ins per key (an account or an address) in a fixed window, shared by
 * every node through the database.
 */
export class LoginThrottleRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Failures counted for `key` in the window that contains `now`. */
  async failures(key: string, now: number, windowSeconds: number): Promise<number> {
    const row = await this.db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
    if (!row || Number(row.window_start) + windowSeconds <= now) return 0;
    return row.failures;
  }

  /** Counts one more failure, starting a new window when the old one has passed; returns the count. */
  async recordFailure(key: string, now: number, windowSeconds: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
      if (!row) {
        await trx
          .insertInto('login_throttle')
          .values({ key, failures: 1, window_start: now })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet((eb) => ({ failures: eb('login_throttle.failures', '+', 1) })),
          )
          .execute();
        return 1;
      }
      const fresh = Number(row.window_start) + windowSeconds <= now;
      const failures = fresh ? 1 : row.failures + 1;
      await trx
        .updateTable('login_throttle')
        .set({ failures, window_start: fresh ? now : Number(row.window_start) })
        .where('key', '=', key)
        .execute();
      return failures;
    });
  }

  /** Forgets the failures of `key` (after a successful sign-in). */
  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}

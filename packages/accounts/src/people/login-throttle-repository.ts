import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

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

  /**
   * Counts one more failure, starting a new window when the old one has passed; returns the
   * count, this failure included. One atomic upsert, so concurrent calls each get their own
   * count and none is lost: callers may count an attempt before checking it, and refuse it
   * when the count passes their limit.
   */
  async recordFailure(key: string, now: number, windowSeconds: number): Promise<number> {
    const row = await this.db
      .insertInto('login_throttle')
      .values({ key, failures: 1, window_start: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => {
          const passed = eb(eb('login_throttle.window_start', '+', windowSeconds), '<=', now);
          return {
            failures: eb
              .case()
              .when(passed)
              .then(eb.lit(1))
              .else(eb('login_throttle.failures', '+', 1))
              .end(),
            window_start: eb.case().when(passed).then(now).else(eb.ref('login_throttle.window_start')).end(),
          };
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    return Number(row.failures);
  }

  /** Takes back one counted failure (an attempt counted in advance that was not a failure). */
  async forgive(key: string): Promise<void> {
    await this.db
      .updateTable('login_throttle')
      .set((eb) => ({ failures: eb('failures', '-', 1) }))
      .where('key', '=', key)
      .where('failures', '>', 0)
      .execute();
  }

  /** Drops the counts of windows that have passed by `now`; returns how many. */
  async purgeExpired(now: number, windowSeconds: number): Promise<number> {
    const r = await this.db
      .deleteFrom('login_throttle')
      .where('window_start', '<=', now - windowSeconds)
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Forgets the failures of `key` (after a successful sign-in). */
  async clear(key: string): Promise<void> {
    await this.db.deleteFrom('login_throttle').where('key', '=', key).execute();
  }
}

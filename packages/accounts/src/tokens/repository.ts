import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * The deny-list of revoked JWT access tokens (RFC 7009). An entry lives only until the
 * token would have expired, so the list stays as small as the set of live revoked tokens.
 */
export class RevokedTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records a revocation; revoking twice is not an error (RFC 7009 §2.2). */
  async revoke(jti: string, expiresAt: number): Promise<void> {
    await this.db
      .insertInto('revoked_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute();
  }

  /** Whether the token with this `jti` was revoked. */
  async isRevoked(jti: string): Promise<boolean> {
    const row = await this.db.selectFrom('revoked_tokens').select('jti').where('jti', '=', jti).executeTakeFirst();
    return row !== undefined;
  }

  /** Drops entries of tokens that have expired by `now`; returns how many. */
  async purgeExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('revoked_tokens').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Deny-lists every access token recorded under the grants that match (by grant id, person or
 * client), inside the caller's transaction. Used when a grant is revoked and before a person or
 * a client is deleted, since deleting cascades away the records of those tokens. With `now`,
 * tokens that have already expired are skipped.
 */
export async function denyGrantAccessTokens(
  trx: Kysely<Database>,
  grants: { column: 'id' | 'user_id' | 'client_id'; value: string },
  now?: number,
): Promise<void> {
  await trx
    .insertInto('revoked_tokens')
    .columns(['jti', 'expires_at'])
    .expression((eb) => {
      let q = eb
        .selectFrom('grant_access_tokens')
        .innerJoin('grants', 'grants.id', 'grant_access_tokens.grant_id')
        .select(['grant_access_tokens.jti', 'grant_access_tokens.expires_at'])
        .where(`grants.${grants.column}`, '=', grants.value);
      if (now !== undefined) q = q.where('grant_access_tokens.expires_at', '>', now);
      return q;
    })
    .onConflict((oc) => oc.column('jti').doNothing())
    .execute();
}

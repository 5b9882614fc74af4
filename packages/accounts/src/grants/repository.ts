import type { Kysely, Selectable } from 'kysely';
import type { AuthorizationCodeTable, Database, GrantTable, RefreshTokenTable } from '../store/schema.js';
import { denyGrantAccessTokens } from '../tokens/deny-grant-tokens-repository.js';

/** What a person allowed a client, and how they had authenticated. */
export interface Grant {
  id: string;
  userId: string;
  clientId: string;
  scope: string;
  audience: string[];
  authTime: number;
  acr: string;
  amr: string[];
  createdAt: number;
  revokedAt: number | null;
}

/** A stored authorization code (the code itself is only kept as a hash). */
export interface AuthorizationCode {
  codeHash: string;
  grantId: string;
  redirectUri: string;
  codeChallenge: string;
  nonce: string | null;
  createdAt: number;
  expiresAt: number;
}

/** A stored refresh token (hash only). */
export interface RefreshToken {
  tokenHash: string;
  grantId: string;
  scope: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * The outcome of redeeming a single-use value. `reused` means it had already been redeemed:
 * the caller must treat that as an attack and revoke the grant (RFC 9700 §4.14.2, §2.2.2).
 */
export type Redemption<T> =
  | { status: 'ok'; value: T; grant: Grant }
  | { status: 'reused'; grantId: string }
  | { status: 'expired' | 'unknown' | 'revoked' };

const grantFromRow = (r: Selectable<GrantTable>): Grant => ({
  id: r.id,
  userId: r.user_id,
  clientId: r.client_id,
  scope: r.scope,
  audience: JSON.parse(r.audience) as string[],
  authTime: Number(r.auth_time),
  acr: r.acr,
  amr: JSON.parse(r.amr) as string[],
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
});

const codeFromRow = (r: Selectable<AuthorizationCodeTable>): AuthorizationCode => ({
  codeHash: r.code_hash,
  grantId: r.grant_id,
  redirectUri: r.redirect_uri,
  codeChallenge: r.code_challenge,
  nonce: r.nonce,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

const refreshFromRow = (r: Selectable<RefreshTokenTable>): RefreshToken => ({
  tokenHash: r.token_hash,
  grantId: r.grant_id,
  scope: r.scope,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/** Persistence of grants and everything issued under them: codes, refresh and access tokens. */
export class GrantRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new grant together with its authorization code, atomically. */
  async createWithCode(grant: Grant, code: AuthorizationCode): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('grants')
        .values({
          id: grant.id,
          user_id: grant.userId,
          client_id: grant.clientId,
          scope: grant.scope,
          audience: JSON.stringify(grant.audience),
          auth_time: grant.authTime,
          acr: grant.acr,
          amr: JSON.stringify(grant.amr),
          created_at: grant.createdAt,
          revoked_at: null,
        })
        .execute();
      await trx
        .insertInto('authorization_codes')
        .values({
          code_hash: code.codeHash,
          grant_id: code.grantId,
          redirect_uri: code.redirectUri,
          code_challenge: code.codeChallenge,
          nonce: code.nonce,
          created_at: code.createdAt,
          expires_at: code.expiresAt,
          consumed_at: null,
        })
        .execute();
    });
  }

  /** The grant with this id. */
  async get(id: string): Promise<Grant | undefined> {
    const row = await this.db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst();
    return row && grantFromRow(row);
  }

  /**
   * Redeems an authorization code exactly once: one conditional UPDATE marks it consumed, so
   * of two concurrent redemptions only one sees `ok`. `then` runs in the same transaction
   * (to store the tokens it issues); if it throws, the code stays unredeemed.
   */
  redeemCode<R>(
    codeHash: string,
    now: number,
    then: (code: AuthorizationCode, grant: Grant, tx: GrantRepository) => Promise<R>,
  ): Promise<Redemption<R>> {
    return this.redeem(
      now,
      {
        consume: (trx) =>
          trx
            .updateTable('authorization_codes')
            .set({ consumed_at: now })
            .where('code_hash', '=', codeHash)
            .where('consumed_at', 'is', null)
            .returningAll()
            .executeTakeFirst(),
        findUsed: (trx) =>
          trx.selectFrom('authorization_codes').select('grant_id').where('code_hash', '=', codeHash).executeTakeFirst(),
        toValue: codeFromRow,
      },
      then,
    );
  }

  /**
   * Rotates a refresh token: marks it used with one conditional UPDATE and lets `then`
   * issue the replacement in the same transaction. A token that was already used comes
   * back `reused`; if `then` throws, the old token stays valid.
   */
  redeemRefreshToken<R>(
    tokenHash: string,
    now: number,
    then: (token: RefreshToken, grant: Grant, tx: GrantRepository) => Promise<R>,
  ): Promise<Redemption<R>> {
    return this.redeem(
      now,
      {
        consume: (trx) =>
          trx
            .updateTable('refresh_tokens')
            .set({ consumed_at: now })
            .where('token_hash', '=', tokenHash)
            .where('consumed_at', 'is', null)
            .returningAll()
            .executeTakeFirst(),
        findUsed: (trx) =>
          trx.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', tokenHash).executeTakeFirst(),
        toValue: refreshFromRow,
      },
      then,
    );
  }

  /** The one redemption procedure behind codes and refresh tokens (ARCHITECTURE.md: atomic consume). */
  private redeem<Row extends { grant_id: string; expires_at: number | string }, V, R>(
    now: number,
    steps: {
      /** Marks the value consumed if it was not, returning its row. */
      consume: (trx: Kysely<Database>) => Promise<Row | undefined>;
      /** Finds an already consumed value, to tell reuse from an unknown value. */
      findUsed: (trx: Kysely<Database>) => Promise<{ grant_id: string } | undefined>;
      toValue: (row: Row) => V;
    },
    then: (value: V, grant: Grant, tx: GrantRepository) => Promise<R>,
  ): Promise<Redemption<R>> {
    return this.db.transaction().execute(async (trx) => {
      const row = await steps.consume(trx);
      if (!row) {
        const used = await steps.findUsed(trx);
        return used ? { status: 'reused', grantId: used.grant_id } : { status: 'unknown' };
      }
      if (Number(row.expires_at) <= now) return { status: 'expired' };
      const grant = await trx.selectFrom('grants').selectAll().where('id', '=', row.grant_id).executeTakeFirst();
      if (!grant || grant.revoked_at !== null) return { status: 'revoked' };
      const g = grantFromRow(grant);
      return { status: 'ok', value: await then(steps.toValue(row), g, new GrantRepository(trx)), grant: g };
    });
  }

  /** Stores a refresh token under its grant. */
  async addRefreshToken(t: RefreshToken): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({
        token_hash: t.tokenHash,
        grant_id: t.grantId,
        scope: t.scope,
        created_at: t.createdAt,
        expires_at: t.expiresAt,
        consumed_at: null,
      })
      .execute();
  }

  /** Records an access token issued under a grant, so revoking the grant can deny-list it. */
  async addAccessToken(jti: string, grantId: string, expiresAt: number): Promise<void> {
    await this.db.insertInto('grant_access_tokens').values({ jti, grant_id: grantId, expires_at: expiresAt }).execute();
  }

  /**
   * Revokes a grant and everything issued under it, in one transaction: its refresh tokens
   * are deleted and its live access tokens are deny-listed. Revoking twice is harmless.
   */
  async revoke(id: string, now: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('grants')
        .set({ revoked_at: now })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .execute();
      await denyGrantAccessTokens(trx, { column: 'id', value: id }, now);
      await trx.deleteFrom('refresh_tokens').where('grant_id', '=', id).execute();
    });
  }

  /** Finds the grant a refresh token belongs to (for revocation by token). */
  async findByRefreshToken(tokenHash: string): Promise<Grant | undefined> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .innerJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
      .selectAll('grants')
      .where('refresh_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return row && grantFromRow(row);
  }

  /**
   * Drops expired refresh tokens and access-token records, then expired codes. A redeemed code
   * is kept while anything issued under its grant may still be alive, so that presenting it
   * again is still recognised as a replay and revokes those tokens (RFC 6749 §4.1.2).
   */
  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('grant_access_tokens').where('expires_at', '<=', now).execute();
    await this.db
      .deleteFrom('authorization_codes')
      .where('expires_at', '<=', now)
      .where((eb) =>
        eb.or([
          eb('consumed_at', 'is', null),
          eb.and([
            eb.not(
              eb.exists(
                eb
                  .selectFrom('refresh_tokens')
                  .select('refresh_tokens.grant_id')
                  .whereRef('refresh_tokens.grant_id', '=', 'authorization_codes.grant_id'),
              ),
            ),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('grant_access_tokens')
                  .select('grant_access_tokens.grant_id')
                  .whereRef('grant_access_tokens.grant_id', '=', 'authorization_codes.grant_id'),
              ),
            ),
          ]),
        ]),
      )
      .execute();
  }
}

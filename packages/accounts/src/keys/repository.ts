import { ConcurrentChangeError, isUniqueViolation } from '@signet/store';
import type { Kysely, Selectable } from 'kysely';
import type { Database, SigningKeyTable } from '../store/schema.js';

/**
 * Life of a signing key: `next` is published but does not sign yet, so resource servers
 * can cache it before it is used; `active` signs; `previous` stays published so tokens it
 * signed keep verifying; `retired` is no longer published.
 */
export type SigningKeyStatus = 'next' | 'active' | 'previous' | 'retired';

/** A stored signing key. The private JWK stays sealed until the keyring opens it. */
export interface SigningKey {
  kid: string;
  alg: string;
  publicJwk: Record<string, unknown>;
  privateJwkSealed: string;
  status: SigningKeyStatus;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
}

const fromRow = (r: Selectable<SigningKeyTable>): SigningKey => ({
  kid: r.kid,
  alg: r.alg,
  publicJwk: JSON.parse(r.public_jwk) as Record<string, unknown>,
  privateJwkSealed: r.private_jwk_sealed,
  status: r.status as SigningKeyStatus,
  createdAt: Number(r.created_at),
  activatedAt: r.activated_at === null ? null : Number(r.activated_at),
  retiredAt: r.retired_at === null ? null : Number(r.retired_at),
});

/** A key to insert. */
export type NewSigningKey = Omit<SigningKey, 'status' | 'activatedAt' | 'retiredAt'>;

/** Persistence of the issuer's JWS signing keys. */
export class SigningKeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every key that is not retired (or every key with `includeRetired`), oldest first. */
  async list(includeRetired = false): Promise<SigningKey[]> {
    let q = this.db.selectFrom('signing_keys').selectAll().orderBy('seq');
    if (!includeRetired) q = q.where('status', '!=', 'retired');
    return (await q.execute()).map(fromRow);
  }

  /**
   * Sets up the first keys of a new issuer: one active and one next. Does nothing (and
   * returns false) if any key exists, so concurrent first starts create one pair only.
   */
  async initialize(active: NewSigningKey, next: NewSigningKey, now: number): Promise<boolean> {
    return (
      this.db
        .transaction()
        .execute(async (trx) => {
          const existing = await trx.selectFrom('signing_keys').select('kid').limit(1).executeTakeFirst();
          if (existing) return false;
          await trx
            .insertInto('signing_keys')
            .values(insertRow(active, 'active', now))
            .execute();
          await trx
            .insertInto('signing_keys')
            .values(insertRow(next, 'next', null))
            .execute();
          return true;
        })
        // Another node initialized first: its pair stands, ours is rolled back.
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) return false;
          throw error;
        })
    );
  }

  /**
   * Rotates in one transaction: active → previous, next → active, and `newNext` becomes
   * the published next key. Returns the kid that now signs.
   */
  async rotate(newNext: NewSigningKey, now: number): Promise<string> {
    return this.db
      .transaction()
      .execute(async (trx) => {
        const next = await trx
          .selectFrom('signing_keys')
          .select('kid')
          .where('status', '=', 'next')
          .orderBy('seq')
          .executeTakeFirst();
        if (!next) throw new Error('no next signing key to promote; the key store is not initialized');
        await trx.updateTable('signing_keys').set({ status: 'previous' }).where('status', '=', 'active').execute();
        await trx
          .updateTable('signing_keys')
          .set({ status: 'active', activated_at: now })
          .where('kid', '=', next.kid)
          .execute();
        await trx
          .insertInto('signing_keys')
          .values(insertRow(newNext, 'next', null))
          .execute();
        return next.kid;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error)) {
          throw new ConcurrentChangeError(
            'another rotation happened at the same moment; list the keys to see the result',
          );
        }
        throw error;
      });
  }

  /** Stops publishing a `previous` key. Returns false if no such previous key exists. */
  async retire(kid: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: now })
      .where('kid', '=', kid)
      .where('status', '=', 'previous')
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }
}

function insertRow(k: NewSigningKey, status: SigningKeyStatus, activatedAt: number | null) {
  return {
    kid: k.kid,
    alg: k.alg,
    public_jwk: JSON.stringify(k.publicJwk),
    private_jwk_sealed: k.privateJwkSealed,
    status,
    created_at: k.createdAt,
    activated_at: activatedAt,
    retired_at: null,
  };
}

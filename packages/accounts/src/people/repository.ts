import type { UserClaims } from '@signet/protocol';
import type { Kysely, Selectable } from 'kysely';
import { signInEmail } from '../migrations/0008-verified-email.js';
import type { Database, UserTable } from '../store/schema.js';
import { SubjectClashError } from '../store/subject-clash-error.js';
import { denyGrantAccessTokens } from '../tokens/deny-grant-tokens-repository.js';

/** A person who can sign in. */
export interface User {
  /** The stable, random subject identifier (`sub`). */
  id: string;
  /** Sign-in name, stored lower-case. */
  username: string;
  /** argon2id hash, or null for a person who cannot sign in with a password. */
  passwordHash: string | null;
  claims: UserClaims;
  createdAt: number;
  updatedAt: number;
}

const fromRow = (r: Selectable<UserTable>): User => ({
  id: r.id,
  username: r.username,
  passwordHash: r.password_hash,
  claims: JSON.parse(r.claims) as UserClaims,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Persistence of people. */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a person; fails if the id or username is taken, and with {@link SubjectClashError}
   * if the id is a client's (its client_credentials tokens' `sub`).
   */
  async create(user: User): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const client = await trx
        .selectFrom('clients')
        .select('client_id')
        .where('client_id', '=', user.id)
        .executeTakeFirst();
      if (client) throw new SubjectClashError(user.id, 'client');
      await trx
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          password_hash: user.passwordHash,
          claims: JSON.stringify(user.claims),
          sign_in_email: signInEmail(user.claims),
          created_at: user.createdAt,
          updated_at: user.updatedAt,
        })
        .execute();
    });
  }

  /** The person with this id. */
  async get(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  /** The person with this (lower-case) username. */
  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && fromRow(row);
  }

  /**
   * The one person whose verified email is this address (compared lower-cased), or undefined
   * when none is, or when several share it: an address that names two people signs in neither.
   */
  async findBySignInEmail(email: string): Promise<User | undefined> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('sign_in_email', '=', email.trim().toLowerCase())
      .limit(2)
      .execute();
    return rows.length === 1 && rows[0] ? fromRow(rows[0]) : undefined;
  }

  /** People ordered by id, keyset-paginated. */
  async list(options: { limit: number; after?: string }): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll().orderBy('id').limit(options.limit);
    if (options.after !== undefined) q = q.where('id', '>', options.after);
    return (await q.execute()).map(fromRow);
  }

  /** Replaces username and claims; returns the updated person or undefined. */
  async update(id: string, patch: { username?: string; claims?: UserClaims }, now: number): Promise<User | undefined> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row) return undefined;
      const next = { ...fromRow(row), ...patch, updatedAt: now };
      await trx
        .updateTable('users')
        .set({
          username: next.username,
          claims: JSON.stringify(next.claims),
          sign_in_email: signInEmail(next.claims),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      return next;
    });
  }

  /** Sets the password hash; false if the person does not exist. */
  async setPasswordHash(id: string, hash: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('users')
      .set({ password_hash: hash, updated_at: now })
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Deletes a person and, by cascade, their sessions, grants, refresh tokens and consents.
   * Access tokens still live under their grants are deny-listed in the same transaction.
   */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await denyGrantAccessTokens(trx, { column: 'user_id', value: id });
      const r = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst();
      return r.numDeletedRows > 0n;
    });
  }

  /**
   * Stores (or replaces) the person's face template, already sealed by the caller; false if the
   * person does not exist.
   */
  async setFaceTemplate(id: string, sealed: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
      if (!user) return false;
      await trx
        .insertInto('face_templates')
        .values({ user_id: id, template_sealed: sealed, created_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ template_sealed: sealed, created_at: now }))
        .execute();
      return true;
    });
  }

  /** The person's sealed face template, or undefined when none is enrolled. */
  async getFaceTemplate(id: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('face_templates')
      .select('template_sealed')
      .where('user_id', '=', id)
      .executeTakeFirst();
    return row?.template_sealed;
  }

  /** Removes the person's face template; false when there was none. */
  async clearFaceTemplate(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('face_templates').where('user_id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Which of these people have an enrolled face. */
  async withFace(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.selectFrom('face_templates').select('user_id').where('user_id', 'in', ids).execute();
    return new Set(rows.map((r) => r.user_id));
  }
}

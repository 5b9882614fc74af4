import type { Kysely, Selectable } from 'kysely';
import type { Database, InteractionTable } from '../store/schema.js';

/** An authorization request waiting for the person to sign in and consent. */
export interface Interaction {
  /** Random id carried in the page URLs. */
  id: string;
  clientId: string;
  /** The validated authorization request, as the endpoint understood it. */
  request: Record<string, unknown>;
  /** SHA-256 of the random value in this browser's interaction cookie: only it may continue. */
  browserHash: string;
  /** Synchronizer token that every form of this interaction must send back. */
  csrfToken: string;
  /** Set once the person has authenticated in this interaction. */
  login: { userId: string; authTime: number; acr: string; amr: string[] } | null;
  /** The head turn the face step asks for (`left` or `right`); null until the face step begins. */
  faceChallenge?: string | null;
  /** Face checks made so far in this interaction (0 when new). */
  faceAttempts?: number;
  createdAt: number;
  expiresAt: number;
}

const fromRow = (r: Selectable<InteractionTable>): Interaction => ({
  id: r.id,
  clientId: r.client_id,
  request: JSON.parse(r.request) as Record<string, unknown>,
  browserHash: r.browser_hash,
  csrfToken: r.csrf_token,
  login:
    r.user_id === null
      ? null
      : {
          userId: r.user_id,
          authTime: Number(r.auth_time),
          acr: r.acr ?? '',
          amr: JSON.parse(r.amr ?? '[]') as string[],
        },
  faceChallenge: r.face_challenge,
  faceAttempts: Number(r.face_attempts),
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/** Persistence of in-flight authorization requests. */
export class InteractionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new interaction. */
  async create(i: Interaction): Promise<void> {
    await this.db
      .insertInto('interactions')
      .values({
        id: i.id,
        client_id: i.clientId,
        request: JSON.stringify(i.request),
        browser_hash: i.browserHash,
        csrf_token: i.csrfToken,
        user_id: i.login?.userId ?? null,
        auth_time: i.login?.authTime ?? null,
        acr: i.login?.acr ?? null,
        amr: i.login ? JSON.stringify(i.login.amr) : null,
        face_challenge: i.faceChallenge ?? null,
        face_attempts: i.faceAttempts ?? 0,
        created_at: i.createdAt,
        expires_at: i.expiresAt,
      })
      .execute();
  }

  /** The interaction, if it has not expired by `now`. */
  async get(id: string, now: number): Promise<Interaction | undefined> {
    const row = await this.db
      .selectFrom('interactions')
      .selectAll()
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Records who authenticated in this interaction. */
  async setLogin(id: string, login: NonNullable<Interaction['login']>): Promise<boolean> {
    const r = await this.db
      .updateTable('interactions')
      .set({ user_id: login.userId, auth_time: login.authTime, acr: login.acr, amr: JSON.stringify(login.amr) })
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Sets the head turn the face step asks for next; false if the interaction is gone. */
  async setFaceChallenge(id: string, challenge: string): Promise<boolean> {
    const r = await this.db
      .updateTable('interactions')
      .set({ face_challenge: challenge })
      .where('id', '=', id)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Replaces the face challenge `expected` by `next` in one conditional UPDATE: true for exactly
   * one of concurrent callers holding the same `expected`, so a challenge is answered once.
   */
  async swapFaceChallenge(id: string, expected: string, next: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('interactions')
      .set({ face_challenge: next })
      .where('id', '=', id)
      .where('face_challenge', '=', expected)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Counts one face check, atomically (concurrent posts each get their own number), and returns
   * the number of checks made including this one; undefined if the interaction is gone.
   */
  async countFaceAttempt(id: string, now: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('interactions')
      .set((eb) => ({ face_attempts: eb('face_attempts', '+', 1) }))
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .returning('face_attempts')
      .executeTakeFirst();
    return row && Number(row.face_attempts);
  }

  /** Takes back one counted face check (one that could not be run, e.g. every worker was busy). */
  async forgetFaceAttempt(id: string): Promise<void> {
    await this.db
      .updateTable('interactions')
      .set((eb) => ({ face_attempts: eb('face_attempts', '-', 1) }))
      .where('id', '=', id)
      .where('face_attempts', '>', 0)
      .execute();
  }

  /** Removes the interaction and returns it, exactly once even under concurrent calls. */
  async consume(id: string, now: number): Promise<Interaction | undefined> {
    const row = await this.db
      .deleteFrom('interactions')
      .where('id', '=', id)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Drops interactions that expired by `now`. */
  async purgeExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('interactions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

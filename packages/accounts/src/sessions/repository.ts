import type { Kysely, Selectable } from 'kysely';
import type { Database, SessionTable } from '../store/schema.js';

/** A signed-in browser session. */
export interface Session {
  /** SHA-256 of the cookie value, base64url. */
  idHash: string;
  userId: string;
  /** When the person last actively authenticated (OpenID Connect `auth_time`). */
  authTime: number;
  acr: string;
  amr: string[];
  createdAt: number;
  expiresAt: number;
}

const fromRow = (r: Selectable<SessionTable>): Session => ({
  idHash: r.id_hash,
  userId: r.user_id,
  authTime: Number(r.auth_time),
  acr: r.acr,
  amr: JSON.parse(r.amr) as string[],
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

/** Persistence of browser sessions. */
export class SessionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new session. */
  async create(s: Session): Promise<void> {
    await this.db
      .insertInto('sessions')
      .values({
        id_hash: s.idHash,
        user_id: s.userId,
        auth_time: s.authTime,
        acr: s.acr,
        amr: JSON.stringify(s.amr),
        created_at: s.createdAt,
        expires_at: s.expiresAt,
      })
      .execute();
  }

  /** The session with this id hash, if it has not expired by `now`. */
  async get(idHash: string, now: number): Promise<Session | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Ends a session; false if there was none. */
  async delete(idHash: string): Promise<boolean> {
    const r = await this.db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /** Drops sessions that expired by `now`. */
  async purgeExpired(now: number): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** Remembered consent decisions, per person, client and exact scope set. */
export class ConsentRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Normalizes a scope set so the same set always has the same key. */
  static key(scopes: readonly string[]): string {
    return [...new Set(scopes)].sort().join(' ');
  }

  /** Whether the person already consented to this client receiving exactly these scopes. */
  async has(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const row = await this.db
      .selectFrom('consents')
      .select('scope')
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('scope', '=', ConsentRepository.key(scopes))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Remembers a consent; remembering twice is harmless. */
  async remember(userId: string, clientId: string, scopes: readonly string[], now: number): Promise<void> {
    await this.db
      .insertInto('consents')
      .values({ user_id: userId, client_id: clientId, scope: ConsentRepository.key(scopes), created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'client_id', 'scope']).doNothing())
      .execute();
  }

  /** Forgets every consent a person gave a client. */
  async forget(userId: string, clientId: string): Promise<void> {
    await this.db.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
  }
}

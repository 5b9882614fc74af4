import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import type { InvitedDocument } from './desk.js';
import type { VerifiedIdentity } from './oidc.js';
import type { SigningPageTables } from './tables.js';

/** How long a signing session lasts after sign-in: long enough to read, short enough to be harmless if left open. */
export const SIGNING_SESSION_TTL_SECONDS = 15 * 60;

/** A signing session: who signed in, for which invitation, and what they decided. */
export interface SigningSession {
  idHash: string;
  /** The signing link's token, sealed with the page's key and `idHash` as context. */
  sealedToken: string;
  envelopeId: string;
  /** The documents the person signs: what they may read, then download once signed. */
  documents: InvitedDocument[];
  identity: VerifiedIdentity;
  outcome: 'signing' | 'signed' | 'rejected' | null;
  reason: string | null;
  locale: string;
  createdAt: number;
  expiresAt: number;
}

/** SHA-256 of a session cookie's value: the database never holds the value itself. */
export const hashSessionValue = (value: string): string => createHash('sha256').update(value).digest('base64url');

type Row = SigningPageTables['signing_sessions'];

const fromRow = (row: Row): SigningSession => ({
  idHash: row.id_hash,
  sealedToken: row.sealed_token,
  envelopeId: row.envelope_id,
  // Sessions opened before signature places were kept read as places unknown (none shown).
  documents: (JSON.parse(row.documents) as SigningSession['documents']).map((d) => ({ ...d, places: d.places ?? [] })),
  identity: JSON.parse(row.identity) as VerifiedIdentity,
  outcome: row.outcome,
  reason: row.reason,
  locale: row.locale,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
});

/** The signing sessions, in the Signer's database (`signing_sessions`). */
export class SigningSessions {
  private readonly db: Kysely<SigningPageTables>;

  constructor(db: Kysely<SignerDatabase>) {
    // Only this table is used here, whether or not the Signer's database type lists it.
    this.db = db.withTables<SigningPageTables>() as unknown as Kysely<SigningPageTables>;
  }

  /** Stores a new session, and purges sessions that ended more than a day ago. */
  async create(session: Omit<SigningSession, 'outcome' | 'reason'>): Promise<void> {
    await this.db
      .deleteFrom('signing_sessions')
      .where('expires_at', '<', session.createdAt - 86400)
      .execute();
    await this.db
      .insertInto('signing_sessions')
      .values({
        id_hash: session.idHash,
        sealed_token: session.sealedToken,
        envelope_id: session.envelopeId,
        documents: JSON.stringify(session.documents),
        identity: JSON.stringify(session.identity),
        outcome: null,
        reason: null,
        locale: session.locale,
        created_at: session.createdAt,
        expires_at: session.expiresAt,
      })
      .execute();
  }

  /** The live session with this hash, if any. */
  async get(idHash: string, now: number): Promise<SigningSession | undefined> {
    const row = await this.db
      .selectFrom('signing_sessions')
      .selectAll()
      .where('id_hash', '=', idHash)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Claims the session's one decision: one conditional UPDATE moves it from undecided to
   * `signing`, so of two concurrent posts only one gets the session back.
   */
  async claim(idHash: string, now: number): Promise<SigningSession | undefined> {
    const row = await this.db
      .updateTable('signing_sessions')
      .set({ outcome: 'signing' })
      .where('id_hash', '=', idHash)
      .where('outcome', 'is', null)
      .where('expires_at', '>', now)
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Records the decision the claim was for. */
  async decide(idHash: string, outcome: 'signed' | 'rejected', reason: string | null = null): Promise<void> {
    await this.db.updateTable('signing_sessions').set({ outcome, reason }).where('id_hash', '=', idHash).execute();
  }

  /** Gives a claim back when applying the decision failed, so the person may try again. */
  async release(idHash: string): Promise<void> {
    await this.db
      .updateTable('signing_sessions')
      .set({ outcome: null })
      .where('id_hash', '=', idHash)
      .where('outcome', '=', 'signing')
      .execute();
  }
}

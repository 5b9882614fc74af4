import { isUniqueViolation } from '@signet/store';
import type { Expression, ExpressionBuilder, Kysely, Selectable, SqlBool } from 'kysely';
import type { Database, FaceEnrolmentLinkTable } from '../store/schema.js';

/** A one-time face enrolment link, as stored: its token only as a keyed hash. */
export interface FaceEnrolmentLink {
  tokenHash: string;
  /** The person whose face the link enrols. */
  userId: string;
  createdAt: number;
  expiresAt: number;
  /** When the person enrolled through it. */
  usedAt: number | null;
  /** When it stopped working unused (a newer link, or too many failed checks). */
  revokedAt: number | null;
  /** SHA-256 of the binding cookie of the browser that last opened the camera page. */
  browserHash: string | null;
  /** The camera page's CSRF token. */
  csrfToken: string | null;
  /** The head turn the camera page asks for (`left` or `right`). */
  faceChallenge: string | null;
  /** Face checks made through this link. */
  faceAttempts: number;
}

/** Why a link does not work, or `live` when it does. */
export type FaceEnrolmentLinkStatus = 'live' | 'expired' | 'used' | 'revoked';

/** What {@link FaceEnrolmentLinkRepository.find} found: the link with its status, or nothing. */
export type FaceEnrolmentLinkLookup =
  | { status: FaceEnrolmentLinkStatus; link: FaceEnrolmentLink }
  | { status: 'unknown' };

/** The outcome of {@link FaceEnrolmentLinkRepository.redeem}. */
export type FaceEnrolmentRedemption =
  | {
      status: 'ok';
      link: FaceEnrolmentLink;
      /** The person already had a template, which this one replaced. */
      replaced: boolean;
    }
  | { status: Exclude<FaceEnrolmentLinkStatus, 'live'> | 'unknown' | 'other_browser' };

/** The camera page's state, set each time a browser opens the link. */
export interface FaceEnrolmentPage {
  browserHash: string;
  csrfToken: string;
  faceChallenge: string;
}

const fromRow = (r: Selectable<FaceEnrolmentLinkTable>): FaceEnrolmentLink => ({
  tokenHash: r.token_hash,
  userId: r.user_id,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
  usedAt: r.used_at === null ? null : Number(r.used_at),
  revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  browserHash: r.browser_hash,
  csrfToken: r.csrf_token,
  faceChallenge: r.face_challenge,
  faceAttempts: Number(r.face_attempts),
});

/** The status of a stored link at `now`. */
export function faceEnrolmentLinkStatus(link: FaceEnrolmentLink, now: number): FaceEnrolmentLinkStatus {
  if (link.usedAt !== null) return 'used';
  if (link.revokedAt !== null) return 'revoked';
  return link.expiresAt <= now ? 'expired' : 'live';
}

/**
 * Issuing retries this many times when a concurrent issue for the same person won the race. Each
 * round has one winner, so n issues at once need up to n attempts: 3 let the fourth of four
 * concurrent issues fail (seen once in CI on PostgreSQL); 10 is far beyond what operators do.
 */
const ISSUE_ATTEMPTS = 10;

/**
 * Persistence of one-time face enrolment links. A link is redeemed by one conditional UPDATE
 * ({@link redeem}), never read-then-delete, so of two concurrent enrolments only one wins.
 */
export class FaceEnrolmentLinkRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Stores a new link and revokes the person's older live ones, in one transaction. The partial
   * unique index keeps one live link per person even when two are issued at once: the later
   * insert fails, and is retried after revoking the one that won.
   */
  async issue(link: Pick<FaceEnrolmentLink, 'tokenHash' | 'userId' | 'createdAt' | 'expiresAt'>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.transaction().execute(async (trx) => {
          await trx
            .updateTable('face_enrolment_links')
            .set({ revoked_at: link.createdAt })
            .where('user_id', '=', link.userId)
            .where('used_at', 'is', null)
            .where('revoked_at', 'is', null)
            .execute();
          await trx
            .insertInto('face_enrolment_links')
            .values({
              token_hash: link.tokenHash,
              user_id: link.userId,
              created_at: link.createdAt,
              expires_at: link.expiresAt,
              used_at: null,
              revoked_at: null,
              browser_hash: null,
              csrf_token: null,
              face_challenge: null,
              face_attempts: 0,
            })
            .execute();
        });
        return;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= ISSUE_ATTEMPTS) throw error;
      }
    }
  }

  /** The link with this token hash and its status at `now`, or `unknown`. */
  async find(tokenHash: string, now: number): Promise<FaceEnrolmentLinkLookup> {
    const row = await this.db
      .selectFrom('face_enrolment_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return { status: 'unknown' };
    const link = fromRow(row);
    return { status: faceEnrolmentLinkStatus(link, now), link };
  }

  /**
   * Binds a live link's camera page to the browser opening it (the latest one wins: the person may
   * move from a laptop to a phone) with a fresh CSRF token. The head turn asked for is set only
   * the first time, so reloading the page does not draw another side. Undefined when the link is
   * not live.
   */
  async open(tokenHash: string, now: number, page: FaceEnrolmentPage): Promise<FaceEnrolmentLink | undefined> {
    const row = await this.db
      .updateTable('face_enrolment_links')
      .set((eb) => ({
        browser_hash: page.browserHash,
        csrf_token: page.csrfToken,
        face_challenge: eb.fn.coalesce('face_challenge', eb.val(page.faceChallenge)),
      }))
      .where('token_hash', '=', tokenHash)
      .where((eb) => this.live(eb, now))
      .returningAll()
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** Sets the head turn asked for next; false when the link is no longer live. */
  async setFaceChallenge(tokenHash: string, challenge: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('face_enrolment_links')
      .set({ face_challenge: challenge })
      .where('token_hash', '=', tokenHash)
      .where((eb) => this.live(eb, now))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Replaces the face challenge `expected` by `next` in one conditional UPDATE while the link is
   * live: true for exactly one of concurrent callers, so a challenge is answered once.
   */
  async swapFaceChallenge(tokenHash: string, expected: string, next: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('face_enrolment_links')
      .set({ face_challenge: next })
      .where('token_hash', '=', tokenHash)
      .where('face_challenge', '=', expected)
      .where((eb) => this.live(eb, now))
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Counts one face check, atomically, and returns the number made including this one; undefined
   * when the link is no longer live.
   */
  async countFaceAttempt(tokenHash: string, now: number): Promise<number | undefined> {
    const row = await this.db
      .updateTable('face_enrolment_links')
      .set((eb) => ({ face_attempts: eb('face_attempts', '+', 1) }))
      .where('token_hash', '=', tokenHash)
      .where((eb) => this.live(eb, now))
      .returning('face_attempts')
      .executeTakeFirst();
    return row && Number(row.face_attempts);
  }

  /** Takes back one counted face check that could not run (every worker was busy). */
  async forgetFaceAttempt(tokenHash: string): Promise<void> {
    await this.db
      .updateTable('face_enrolment_links')
      .set((eb) => ({ face_attempts: eb('face_attempts', '-', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('face_attempts', '>', 0)
      .execute();
  }

  /** Ends a live link unused (e.g. after too many failed checks); false when it was not live. */
  async revoke(tokenHash: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('face_enrolment_links')
      .set({ revoked_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /**
   * Redeems a live link exactly once and stores the person's face template with it, in one
   * transaction: one conditional UPDATE marks the link used (only while it is live and bound to
   * `browserHash`), so of two concurrent redemptions only one sees `ok`; `sealTemplate` then
   * seals the template for the link's person, and it replaces any previous one. If anything
   * throws, the link stays live and no template is written.
   */
  redeem(
    tokenHash: string,
    now: number,
    browserHash: string,
    sealTemplate: (link: FaceEnrolmentLink) => string,
  ): Promise<FaceEnrolmentRedemption> {
    return this.db.transaction().execute(async (trx): Promise<FaceEnrolmentRedemption> => {
      const row = await trx
        .updateTable('face_enrolment_links')
        .set({ used_at: now })
        .where('token_hash', '=', tokenHash)
        .where('browser_hash', '=', browserHash)
        .where((eb) => this.live(eb, now))
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const found = await new FaceEnrolmentLinkRepository(trx).find(tokenHash, now);
        if (found.status === 'unknown') return { status: 'unknown' };
        return { status: found.status === 'live' ? 'other_browser' : found.status };
      }
      const link = fromRow(row);
      const sealed = sealTemplate(link);
      const previous = await trx
        .selectFrom('face_templates')
        .select('user_id')
        .where('user_id', '=', link.userId)
        .executeTakeFirst();
      await trx
        .insertInto('face_templates')
        .values({ user_id: link.userId, template_sealed: sealed, created_at: now })
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ template_sealed: sealed, created_at: now }))
        .execute();
      return { status: 'ok', link, replaced: previous !== undefined };
    });
  }

  /**
   * Drops links that expired more than `keepSeconds` ago; until then an old link still shows
   * "expired" or "used" rather than "unknown".
   */
  async purgeExpired(now: number, keepSeconds: number): Promise<void> {
    await this.db
      .deleteFrom('face_enrolment_links')
      .where('expires_at', '<=', now - keepSeconds)
      .execute();
  }

  /** Neither used nor revoked, and not yet expired. */
  private live(eb: ExpressionBuilder<Database, 'face_enrolment_links'>, now: number): Expression<SqlBool> {
    return eb.and([eb('used_at', 'is', null), eb('revoked_at', 'is', null), eb('expires_at', '>', now)]);
  }
}

import { isUniqueViolation } from '@signet/store';
import type { Kysely, Selectable } from 'kysely';
import type { Database, PasskeyTable } from '../store/schema.js';

/** A person's passkey (issue 10), as stored. */
export interface Passkey {
  /** The WebAuthn credential ID, base64url. */
  credentialId: string;
  userId: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The signature counter at the last use. */
  signCount: number;
  transports: string[];
  /** WebAuthn BE: the key may be synced off the device (so `swk`, not `hwk`). */
  backupEligible: boolean;
  /** WebAuthn BS: it is backed up now. */
  backedUp: boolean;
  /** `platform` or `cross-platform`, as the browser said at registration; null when it did not. */
  attachment: string | null;
  aaguid: string;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** A ceremony's purpose. */
export type PasskeyCeremony = 'register' | 'authenticate';

const fromRow = (r: Selectable<PasskeyTable>): Passkey => ({
  credentialId: r.credential_id,
  userId: r.user_id,
  publicKey: r.public_key,
  signCount: Number(r.sign_count),
  transports: JSON.parse(r.transports) as string[],
  backupEligible: r.backup_eligible === 1,
  backedUp: r.backed_up === 1,
  attachment: r.attachment,
  aaguid: r.aaguid,
  name: r.name,
  createdAt: Number(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
});

/** Persistence of passkeys and of the challenges of WebAuthn ceremonies in flight. */
export class PasskeyRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores a new passkey; false when its credential ID is already registered (to anyone). */
  async add(p: Passkey): Promise<boolean> {
    try {
      await this.db
        .insertInto('passkeys')
        .values({
          credential_id: p.credentialId,
          user_id: p.userId,
          public_key: p.publicKey,
          sign_count: p.signCount,
          transports: JSON.stringify(p.transports),
          backup_eligible: p.backupEligible ? 1 : 0,
          backed_up: p.backedUp ? 1 : 0,
          attachment: p.attachment,
          aaguid: p.aaguid,
          name: p.name,
          created_at: p.createdAt,
          last_used_at: p.lastUsedAt,
        })
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** The passkey with this credential ID. */
  async get(credentialId: string): Promise<Passkey | undefined> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row && fromRow(row);
  }

  /** A person's passkeys, oldest first. */
  async listByUser(userId: string): Promise<Passkey[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('credential_id')
      .execute();
    return rows.map(fromRow);
  }

  /**
   * Records a verified use: the new counter and backup state, only if the stored counter is still
   * `previousCount`. Of two concurrent uses that read the same counter only one is recorded (the
   * other answers false and must be refused), so a cloned authenticator's race loses.
   */
  async recordUse(
    credentialId: string,
    use: { previousCount: number; signCount: number; backedUp: boolean; now: number },
  ): Promise<boolean> {
    const r = await this.db
      .updateTable('passkeys')
      .set({ sign_count: use.signCount, backed_up: use.backedUp ? 1 : 0, last_used_at: use.now })
      .where('credential_id', '=', credentialId)
      .where('sign_count', '=', use.previousCount)
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Removes one of a person's passkeys; false when they have no such passkey. */
  async remove(userId: string, credentialId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('passkeys')
      .where('user_id', '=', userId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  /**
   * Starts a ceremony bound to `binding`, replacing any earlier one there: a fresh challenge valid
   * until `challengeExpiresAt`, and the binding's right to new challenges until `expiresAt`.
   */
  async issueChallenge(c: {
    binding: string;
    purpose: PasskeyCeremony;
    userId: string | null;
    challenge: string;
    challengeExpiresAt: number;
    expiresAt: number;
  }): Promise<void> {
    const values = {
      purpose: c.purpose,
      user_id: c.userId,
      challenge: c.challenge,
      challenge_expires_at: c.challengeExpiresAt,
      expires_at: c.expiresAt,
    };
    await this.db
      .insertInto('passkey_challenges')
      .values({ binding: c.binding, ...values })
      .onConflict((oc) => oc.column('binding').doUpdateSet(values))
      .execute();
  }

  /**
   * A fresh challenge for a ceremony that already exists and may still run (say, the person
   * cancelled the browser's dialog and tries again); never creates one. Returns the person it is
   * for, or undefined when there is no such live ceremony.
   */
  async renewChallenge(
    binding: string,
    purpose: PasskeyCeremony,
    challenge: string,
    now: number,
    ttl: number,
  ): Promise<{ userId: string | null } | undefined> {
    const row = await this.db
      .updateTable('passkey_challenges')
      .set({ challenge, challenge_expires_at: now + ttl })
      .where('binding', '=', binding)
      .where('purpose', '=', purpose)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row && { userId: row.user_id };
  }

  /**
   * Takes the challenge a response answers, exactly once: one conditional UPDATE clears it only
   * while it is the binding's current challenge, neither it nor the binding expired, for `purpose`. Returns the person the
   * ceremony is for (null for a usernameless sign-in), or undefined when the challenge is unknown,
   * taken already, expired, bound elsewhere or for another purpose.
   */
  async takeChallenge(
    binding: string,
    purpose: PasskeyCeremony,
    challenge: string,
    now: number,
  ): Promise<{ userId: string | null } | undefined> {
    const row = await this.db
      .updateTable('passkey_challenges')
      .set({ challenge: null })
      .where('binding', '=', binding)
      .where('purpose', '=', purpose)
      .where('challenge', '=', challenge)
      .where('challenge_expires_at', '>', now)
      .where('expires_at', '>', now)
      .returning('user_id')
      .executeTakeFirst();
    return row && { userId: row.user_id };
  }

  /** Ends the ceremonies bound to `binding` (after success: no more challenges there). */
  async endCeremony(binding: string): Promise<void> {
    await this.db.deleteFrom('passkey_challenges').where('binding', '=', binding).execute();
  }

  /** Drops ceremonies whose binding expired by `now`. */
  async purgeExpired(now: number): Promise<void> {
    await this.db.deleteFrom('passkey_challenges').where('expires_at', '<=', now).execute();
  }
}

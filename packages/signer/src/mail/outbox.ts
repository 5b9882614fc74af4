import { hkdfSync, randomUUID } from 'node:crypto';
import { seal } from '@signet/store';
import type { Transaction } from 'kysely';
import type { SignerConfig } from '../config.js';
import type { EnvelopeState, PersonState } from '../envelopes/model.js';
import type { SignerDatabase } from '../store/database.js';
import { cancelPendingInvitationEmails, insertEmail } from './repository.js';

/**
 * What queuing emails needs: the reminder schedule and the key that seals signing links while
 * they wait in the outbox. Undefined when `SIGNET_SIGNER_SMTP_URL` is unset: nothing is queued.
 */
export interface MailPolicy {
  /** Hours before a link's expiry at which to remind, largest first. */
  reminderHours: number[];
  /** Seals each queued link (the row id as context); the link exists nowhere else. */
  key: Buffer;
}

/** The key that seals signing links in the email outbox, derived from the Signer's master key. */
export const deriveMailKey = (masterKey: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'signet-signer/mail/v1', 32));

/** The mail policy of a Signer's configuration; undefined when it sends no email. */
export function mailPolicy(services: { config: SignerConfig; masterKey: Buffer }): MailPolicy | undefined {
  if (!services.config.smtpUrl) return undefined;
  return { reminderHours: services.config.reminderHours, key: deriveMailKey(services.masterKey) };
}

/** A signing link just made for a person: its token (to mail), hash and expiry (epoch seconds). */
export interface NewLink {
  token: string;
  tokenHash: string;
  expiresAt: number;
}

/**
 * Queues, in the caller's transaction, the invitation email for a person's new link (due at once)
 * and a reminder for each configured hour before the link expires that is still ahead. The
 * dispatcher sends each only while that very link is open, so a reminder after a signature, a
 * rejection, a cancel or a newer link goes nowhere.
 */
export async function queueInvitationEmails(
  trx: Transaction<SignerDatabase>,
  policy: MailPolicy,
  envelope: EnvelopeState,
  person: PersonState,
  link: NewLink,
  now: number,
): Promise<void> {
  if (!person.email) return;
  const base = {
    envelope_id: envelope.id,
    client_id: envelope.clientId,
    person_index: person.index,
    to_address: person.email,
    locale: person.locale ?? 'en',
    invitation_hash: link.tokenHash,
    created_at_ms: now * 1000,
  };
  const queue = async (kind: 'invitation' | 'reminder', dueMs: number) => {
    const id = randomUUID();
    await insertEmail(trx, {
      ...base,
      id,
      kind,
      next_attempt_at_ms: dueMs,
      link_sealed: seal(policy.key, link.token, id),
    });
  };
  await queue('invitation', now * 1000);
  for (const hours of policy.reminderHours) {
    const at = link.expiresAt - hours * 3600;
    if (at > now) await queue('reminder', at * 1000);
  }
}

/** Cancels a person's queued invitation and reminders (their link was replaced). */
export const cancelInvitationEmails = (trx: Transaction<SignerDatabase>, envelopeId: string, personIndex: number) =>
  cancelPendingInvitationEmails(trx, envelopeId, personIndex);

/** Queues, in the completing transaction, a completion email to every person the Signer invited by email. */
export async function queueCompletionEmails(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  now: number,
): Promise<void> {
  for (const person of envelope.persons) {
    if (person.identifiedBy !== 'invitation' || !person.email) continue;
    await insertEmail(trx, {
      id: randomUUID(),
      envelope_id: envelope.id,
      client_id: envelope.clientId,
      person_index: person.index,
      kind: 'completion',
      to_address: person.email,
      locale: person.locale ?? 'en',
      next_attempt_at_ms: now * 1000,
      invitation_hash: null,
      link_sealed: null,
      created_at_ms: now * 1000,
    });
  }
}

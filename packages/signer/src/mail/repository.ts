import type { Kysely, Transaction } from 'kysely';
import { claimDueRows } from '../notifications/repository.js';
import type { SignerDatabase } from '../store/database.js';
import type { MailTables } from './tables.js';

type Db = Kysely<SignerDatabase> | Transaction<SignerDatabase>;
type Row = MailTables['email_deliveries'];

/** A new email in the outbox. */
export type NewEmail = Pick<
  Row,
  | 'id'
  | 'envelope_id'
  | 'client_id'
  | 'person_index'
  | 'kind'
  | 'to_address'
  | 'locale'
  | 'next_attempt_at_ms'
  | 'invitation_hash'
  | 'link_sealed'
  | 'created_at_ms'
>;

/** Queues an email (call in the transaction of the change it tells about). */
export async function insertEmail(db: Db, email: NewEmail): Promise<void> {
  await db
    .insertInto('email_deliveries')
    .values({ ...email, status: 'pending', attempts: 0, locked_until_ms: null, lock_token: null })
    .execute();
}

/** Cancels a person's pending invitation and reminder emails (their link was replaced or ended); returns how many. */
export async function cancelPendingInvitationEmails(db: Db, envelopeId: string, personIndex: number): Promise<number> {
  const result = await db
    .updateTable('email_deliveries')
    .set({ status: 'canceled', link_sealed: null })
    .where('envelope_id', '=', envelopeId)
    .where('person_index', '=', personIndex)
    .where('status', '=', 'pending')
    .where('kind', 'in', ['invitation', 'reminder'])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A claimed email: the lease token proves the claim is still this dispatcher's. */
export interface EmailClaim {
  id: string;
  token: string;
}

/** Claims up to `limit` due emails with a free lease, as the webhook outbox does ({@link claimDueRows}). */
export function claimDueEmails(
  db: Db,
  nowMs: number,
  leaseMs: number,
  limit: number,
  newToken: () => string,
): Promise<EmailClaim[]> {
  return claimDueRows(db, 'email_deliveries', nowMs, leaseMs, limit, newToken);
}

/** A claimed email's row, if the claim is still ours. */
export async function loadClaimedEmail(db: Db, claim: EmailClaim): Promise<Row | undefined> {
  return db
    .selectFrom('email_deliveries')
    .selectAll()
    .where('id', '=', claim.id)
    .where('lock_token', '=', claim.token)
    .executeTakeFirst();
}

/** What an attempt leaves an email as. */
export interface EmailOutcome {
  status: Row['status'];
  attempts: number;
  nextAttemptAtMs: number;
  messageId: string | null;
  lastError: string | null;
  sentAtMs: number | null;
}

/** Records an attempt under a claim and releases the lease; false when the claim was lost. The link is erased once settled. */
export async function settleEmail(db: Db, claim: EmailClaim, outcome: EmailOutcome): Promise<boolean> {
  const result = await db
    .updateTable('email_deliveries')
    .set({
      status: outcome.status,
      attempts: outcome.attempts,
      next_attempt_at_ms: outcome.nextAttemptAtMs,
      message_id: outcome.messageId,
      last_error: outcome.lastError,
      sent_at_ms: outcome.sentAtMs,
      locked_until_ms: null,
      lock_token: null,
      ...(outcome.status === 'pending' ? {} : { link_sealed: null }),
    })
    .where('id', '=', claim.id)
    .where('lock_token', '=', claim.token)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** An envelope's emails, oldest first. */
export async function emailsOfEnvelope(db: Db, clientId: string, envelopeId: string) {
  return db
    .selectFrom('email_deliveries')
    .select([
      'id',
      'kind',
      'person_index',
      'to_address',
      'locale',
      'status',
      'attempts',
      'next_attempt_at_ms',
      'sent_at_ms',
      'message_id',
      'last_error',
      'created_at_ms',
    ])
    .where('envelope_id', '=', envelopeId)
    .where('client_id', '=', clientId)
    .orderBy('created_at_ms')
    .orderBy('next_attempt_at_ms')
    .execute();
}

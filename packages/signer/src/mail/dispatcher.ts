import { randomUUID } from 'node:crypto';
import { unseal } from '@signet/store';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { recordAudit, SYSTEM_ACTOR, SYSTEM_ORIGIN } from '../audit/record-repository.js';
import { signingUrl } from '../envelopes/invitations-token.js';
import type { EnvelopeState } from '../envelopes/model.js';
import { findInvitationByHash, loadEnvelope } from '../envelopes/repository.js';
import { type BackoffPolicy, retryDelay } from '../notifications/backoff.js';
import type { SignerDatabase } from '../store/database.js';
import { mailLocale } from './messages.js';
import { claimDueEmails, type EmailClaim, loadClaimedEmail, settleEmail } from './repository.js';
import type { MailTables } from './tables.js';
import { renderMail } from './templates.js';
import type { OutgoingMail, SendMail } from './transport.js';

/** How long a claim lasts: the SMTP timeouts (connect, greeting, data) and a margin. */
const LEASE_MS = 90_000;
const BATCH_SIZE = 10;

/** What the mail dispatcher is built from. */
export interface MailDispatcherOptions {
  db: Kysely<SignerDatabase>;
  send: SendMail;
  /** `SIGNET_SIGNER_MAIL_FROM`. */
  from: string;
  /** Where signing links point. */
  publicUrl: string;
  /** The key queued links are sealed with (`deriveMailKey`). */
  key: Buffer;
  /** Signed PDFs are attached to completion emails up to this many bytes together. */
  attachMaxBytes: number;
  /** Current time in epoch milliseconds. */
  nowMs: () => number;
  log: FastifyBaseLogger;
  backoff: BackoffPolicy;
}

type Row = MailTables['email_deliveries'];

/**
 * Sends the email outbox's due messages, as the webhook dispatcher sends webhooks: every node
 * runs one, each message is claimed under a lease by one conditional update, so one node sends
 * it; a failure is retried with the webhooks' backoff, and given up as `failed` (audit
 * `email.failed`) when the policy runs out. Delivery is at least once: a node that dies after the
 * server accepted a message and before recording it leaves a lease that runs out, and the
 * message goes again.
 */
export class MailDispatcher {
  constructor(private readonly options: MailDispatcherOptions) {}

  /** Claims up to a batch of due emails and sends them one after the other; returns how many were claimed. */
  async runOnce(): Promise<number> {
    const { db, nowMs } = this.options;
    const claims = await claimDueEmails(db, nowMs(), LEASE_MS, BATCH_SIZE, randomUUID);
    for (const claim of claims) {
      try {
        await this.deliver(claim);
      } catch (error) {
        // Our own failure (database, template): the lease runs out and the message is tried again.
        this.options.log.error({ err: error, emailId: claim.id }, 'email could not be attempted');
      }
    }
    return claims.length;
  }

  private async deliver(claim: EmailClaim): Promise<void> {
    const { db, nowMs } = this.options;
    const row = await loadClaimedEmail(db, claim);
    if (!row) return;
    const withBytes = row.kind === 'completion';
    const envelope = await loadEnvelope(db, null, row.envelope_id, { withBytes });
    const person = envelope?.persons[row.person_index];
    let expiresAt: number | undefined;
    if (row.kind !== 'completion') {
      expiresAt = await this.openLinkExpiry(row, envelope);
      if (expiresAt === undefined) {
        // Signed, rejected, replaced, ended or expired meanwhile: this message has nothing left to ask.
        await settleEmail(db, claim, {
          status: 'canceled',
          attempts: row.attempts,
          nextAttemptAtMs: Number(row.next_attempt_at_ms),
          messageId: null,
          lastError: null,
          sentAtMs: null,
        });
        return;
      }
    }
    if (!envelope || !person) return;
    const mail = this.compose(row, envelope, person.name, expiresAt);
    const started = nowMs();
    try {
      const { messageId } = await this.options.send(mail);
      await this.record(claim, row, envelope, { ok: true, messageId }, started);
    } catch (error) {
      await this.record(claim, row, envelope, { ok: false, error: describeFailure(error) }, started);
    }
  }

  /** The link's expiry if the email's link is still the person's open link, else undefined. */
  private async openLinkExpiry(row: Row, envelope: EnvelopeState | undefined): Promise<number | undefined> {
    if (!row.invitation_hash || !row.link_sealed || envelope?.status !== 'in_progress') return undefined;
    const link = await findInvitationByHash(this.options.db, row.invitation_hash);
    const person = envelope.persons[row.person_index];
    const now = this.options.nowMs() / 1000;
    if (!link || link.usedAt !== null || link.replacedAt !== null || link.expiresAt <= now) return undefined;
    if (person?.status !== 'pending') return undefined;
    return link.expiresAt;
  }

  private compose(row: Row, envelope: EnvelopeState, name: string, expiresAt: number | undefined): OutgoingMail {
    const locale = mailLocale(row.locale);
    const sender = envelope.senderName ?? envelope.clientId;
    const mine = new Set(envelope.signatures.filter((s) => s.person === row.person_index).map((s) => s.document));
    const documents = envelope.documents.filter((d) => mine.has(d.index));
    if (row.kind === 'completion') {
      const size = documents.reduce((sum, d) => sum + (d.bytes?.length ?? 0), 0);
      const attach = size > 0 && size <= this.options.attachMaxBytes;
      const content = renderMail({
        kind: 'completion',
        locale,
        sender,
        name,
        documents: documents.map((d) => d.name),
        attached: attach,
      });
      return {
        from: this.options.from,
        to: row.to_address,
        ...content,
        ...(attach
          ? {
              attachments: documents.map((d) => ({
                filename: d.name,
                content: Buffer.from(d.bytes ?? new Uint8Array()),
                contentType: 'application/pdf',
              })),
            }
          : {}),
      };
    }
    const token = unseal(this.options.key, row.link_sealed as string, row.id);
    const content = renderMail({
      kind: row.kind,
      locale,
      sender,
      name,
      documents: documents.map((d) => d.name),
      link: signingUrl(this.options.publicUrl, token),
      ...(expiresAt !== undefined ? { expiresAt } : {}),
    });
    return { from: this.options.from, to: row.to_address, ...content };
  }

  private async record(
    claim: EmailClaim,
    row: Row,
    envelope: EnvelopeState,
    result: { ok: true; messageId: string } | { ok: false; error: string },
    started: number,
  ): Promise<void> {
    const { db, backoff, log, nowMs } = this.options;
    const finished = nowMs();
    const attempts = row.attempts + 1;
    const delay = result.ok ? undefined : retryDelay(backoff, attempts);
    const status = result.ok ? 'sent' : delay === undefined ? 'failed' : 'pending';
    await db.transaction().execute(async (trx) => {
      const settled = await settleEmail(trx, claim, {
        status,
        attempts,
        nextAttemptAtMs: delay === undefined ? finished : finished + delay,
        messageId: result.ok ? result.messageId : null,
        lastError: result.ok ? null : result.error,
        sentAtMs: result.ok ? finished : null,
      });
      // Our lease ran out and another dispatcher took the message: its record wins.
      if (!settled || status === 'pending') return;
      await recordAudit(trx, {
        envelopeId: envelope.id,
        clientId: envelope.clientId,
        type: result.ok ? 'email.sent' : 'email.failed',
        occurredAt: Math.floor(finished / 1000),
        actor: SYSTEM_ACTOR,
        origin: SYSTEM_ORIGIN,
        data: {
          person: row.person_index,
          kind: row.kind,
          email: row.to_address,
          ...(result.ok ? { messageId: result.messageId } : { error: result.error }),
        },
      });
    });
    const took = finished - started;
    if (result.ok) log.info({ emailId: row.id, kind: row.kind, attempts, took }, 'email sent');
    else log.warn({ emailId: row.id, kind: row.kind, attempts, error: result.error, status }, 'email failed');
  }
}

/** A short, secret-free reason: the SMTP reply code and text, or the connection error's code. */
function describeFailure(error: unknown): string {
  const e = error as { responseCode?: number; response?: string; code?: string; message?: string } | null;
  if (e?.responseCode) return `SMTP ${e.responseCode}: ${String(e.response ?? '').slice(0, 200)}`;
  if (e?.code) return `connection failed: ${e.code}`;
  return `send failed: ${e?.message ?? 'unknown error'}`.slice(0, 200);
}

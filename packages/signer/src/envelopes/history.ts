import type { AuditActor } from '@signet/protocol';
import type { Transaction } from 'kysely';
import { type RequestOrigin, recordAudit, SYSTEM_ACTOR } from '../audit/record-repository.js';
import { queueCompletionEmails } from '../mail/outbox.js';
import { recordEnvelopeEvent } from '../notifications/outbox-repository.js';
import type { SignerDatabase } from '../store/database.js';
import type { EnvelopeState, FinalStatus, PersonState } from './model.js';
import type { SigningProgress } from './signing.js';

/** The audit actor for a person: their identity subject once known, else their place in the envelope. */
export function personActor(person: PersonState): AuditActor {
  return {
    type: 'person',
    id: person.identity?.subject ?? `invitation:${person.index}`,
    name: person.identity?.name ?? person.name,
    personIndex: person.index,
  };
}

/**
 * Records, in the transaction that saves them, the signatures just applied: a `document.signed`
 * audit event each, `person.signed` (and the `envelope.signed` notification) for each person
 * now done, and `envelope.completed` when it was the last one (with the completion emails when
 * the Signer sends email).
 */
export async function recordSigningProgress(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  progress: SigningProgress,
  origin: RequestOrigin,
  now: number,
  options: { mail: boolean },
): Promise<void> {
  for (const applied of progress.applied) {
    const person = envelope.persons[applied.person];
    if (!person) continue;
    await recordAudit(trx, {
      envelopeId: envelope.id,
      clientId: envelope.clientId,
      type: 'document.signed',
      occurredAt: now,
      actor: personActor(person),
      origin,
      data: { signature: applied.signature, document: applied.document, sha256: applied.sha256 },
    });
  }
  for (const index of progress.personsSigned) {
    const person = envelope.persons[index];
    if (!person) continue;
    await recordAudit(trx, {
      envelopeId: envelope.id,
      clientId: envelope.clientId,
      type: 'person.signed',
      occurredAt: now,
      actor: personActor(person),
      origin,
    });
    await recordEnvelopeEvent(trx, {
      clientId: envelope.clientId,
      envelopeId: envelope.id,
      type: 'envelope.signed',
      occurredAt: now,
      callbackUrl: envelope.callbackUrl,
      data: { status: progress.completed ? 'completed' : 'in_progress', person_index: index, name: person.name },
    });
  }
  if (progress.completed) {
    await recordFinish(trx, envelope, 'completed', SYSTEM_ACTOR, origin, now, null);
    // The invited persons get the signed documents, from the outbox, once this commits.
    if (options.mail) await queueCompletionEmails(trx, envelope, now);
  }
}

/** Records an envelope reaching a final status: the audit event and the notification (with its webhook). */
export async function recordFinish(
  trx: Transaction<SignerDatabase>,
  envelope: EnvelopeState,
  status: FinalStatus,
  actor: AuditActor,
  origin: RequestOrigin,
  now: number,
  reason: string | null,
): Promise<void> {
  await recordAudit(trx, {
    envelopeId: envelope.id,
    clientId: envelope.clientId,
    type: `envelope.${status}`,
    occurredAt: now,
    actor,
    origin,
    data: reason ? { reason } : {},
    // The webhook body integrators already read.
    eventData: { status, ...(reason ? { reason } : {}) },
    callbackUrl: envelope.callbackUrl,
  });
}

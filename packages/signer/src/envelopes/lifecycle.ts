import type { AuditActor } from '@signet/protocol';
import { type RequestOrigin, SYSTEM_ACTOR, SYSTEM_ORIGIN } from '../audit/record-repository.js';
import type { SignerContext } from '../context.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { envelopeNotFound, invalidState } from './errors.js';
import { recordFinish } from './history.js';
import type { EnvelopeState, FinalStatus } from './model.js';
import { claimEnvelope, closeInvitations, envelopesDueToExpire, loadEnvelope } from './repository.js';

/**
 * Ends an `in_progress` envelope with a final status, recording the audit event and the
 * notification in the same transaction. Race-safe: the status moves only from `in_progress` at the
 * version loaded, so of a cancel and a last signature arriving together exactly one wins; the
 * loser gets 409 `invalid_state`.
 */
export async function finishEnvelope(
  context: Pick<SignerContext, 'store' | 'now'>,
  envelope: EnvelopeState,
  status: FinalStatus,
  actor: AuditActor,
  origin: RequestOrigin,
  reason: string | null,
): Promise<EnvelopeState> {
  if (envelope.status !== 'in_progress') throw invalidState(`the envelope is already ${envelope.status}`);
  const now = context.now();
  const won = await context.store.db.transaction().execute(async (trx) => {
    if (!(await claimEnvelope(trx, envelope, now, { status, statusReason: reason, finishedAt: now }))) return false;
    // Outstanding signing links stop working with the envelope.
    await closeInvitations(trx, envelope.id, now);
    await recordFinish(trx, envelope, status, actor, origin, now, reason);
    return true;
  });
  if (!won) throw invalidState('the envelope changed meanwhile; reload it');
  return { ...envelope, status, statusReason: reason, finishedAt: now, updatedAt: now, version: envelope.version + 1 };
}

/** `POST /v1/envelopes/{id}/cancel`: the owning client cancels an envelope still in progress. */
export async function cancelEnvelope(
  context: Pick<SignerContext, 'store' | 'now'>,
  clientId: string,
  id: string,
  reason: string | null,
  origin: RequestOrigin,
): Promise<EnvelopeState> {
  const envelope = await loadEnvelope(context.store.db, clientId, id);
  if (!envelope) throw envelopeNotFound();
  return finishEnvelope(context, envelope, 'canceled', { type: 'client', id: clientId }, origin, reason);
}

/**
 * Moves every `in_progress` envelope whose `expiresAt` has passed to `expired` (audit event and
 * notification included); returns how many. The service core calls it on a timer; safe to run on
 * several nodes at once (each envelope moves once).
 */
export async function expireEnvelopes(
  context: Pick<SignerContext, 'store' | 'now'>,
  _ca?: CertificateAuthority,
): Promise<number> {
  const now = context.now();
  const due = await envelopesDueToExpire(context.store.db, now, 500);
  let expired = 0;
  for (const id of due) {
    const envelope = await loadEnvelope(context.store.db, null, id);
    if (envelope?.status !== 'in_progress') continue;
    try {
      await finishEnvelope(context, envelope, 'expired', SYSTEM_ACTOR, SYSTEM_ORIGIN, null);
      expired += 1;
    } catch (error) {
      // Another node or a last signature got there first; that envelope is no longer ours to expire.
      if (!(error instanceof Error && error.name === 'EnvelopeError')) throw error;
    }
  }
  return expired;
}

import type { AuditActor } from '@signet/protocol';
import { type RequestOrigin, recordAudit } from '../audit/record-repository.js';
import { lastPersonEventAt } from '../audit/trail-repository.js';
import type { SignerContext } from '../context.js';
import { cancelInvitationEmails, mailPolicy, queueInvitationEmails } from '../mail/outbox.js';
import type { SignerIdentity } from '../pki/identity.js';
import type { EnvelopeServices } from './create.js';
import { EnvelopeError, envelopeNotFound, invalidState } from './errors.js';
import { personActor, recordFinish, recordSigningProgress } from './history.js';
import { hashInvitationToken, INVITATION_TTL, newInvitationToken, signingUrl } from './invitations-token.js';
import type { EnvelopeState, PersonState } from './model.js';
import {
  claimEnvelope,
  closeInvitations,
  consumeInvitation,
  findInvitationByHash,
  insertInvitation,
  loadEnvelope,
  replaceInvitations,
  saveProgress,
  setPersonStatus,
} from './repository.js';
import { applyReadySignatures } from './signing.js';

/** An open signing link: the envelope (documents without bytes) and the person it invites. */
export interface Invitation {
  envelope: EnvelopeState;
  person: PersonState;
  expiresAt: number;
  /** True when every signature before this person's first one is done, so they can sign now. */
  theirTurn: boolean;
}

/**
 * Why a signing link cannot be used: `unknown` (no such link), `used` (this person already signed
 * or rejected with it), `expired` (the link or the envelope ran out of time), `canceled`,
 * `rejected` (another person declined) or `completed` (the envelope ended so), `replaced` (a newer
 * link was sent to the person), `finished` (the envelope ended under a decision in progress).
 */
export type InvitationEnding =
  | 'unknown'
  | 'used'
  | 'expired'
  | 'canceled'
  | 'rejected'
  | 'completed'
  | 'replaced'
  | 'finished';

/** 404 for an unknown link; 410 for one that no longer works (`reason` says why, see {@link InvitationEnding}). */
const invitationInvalid = (reason: InvitationEnding): EnvelopeError =>
  new EnvelopeError(
    'invitation_invalid',
    {
      unknown: 'this signing link is not valid',
      used: 'this signing link has already been used',
      expired: 'this signing link has expired',
      canceled: 'the envelope was canceled',
      rejected: 'the envelope was rejected',
      completed: 'the envelope is already completed',
      replaced: 'a newer signing link was sent to this person',
      finished: 'this envelope is no longer open for signing',
    }[reason],
    reason === 'unknown' ? 404 : 410,
    { reason },
  );

/**
 * Finds the open invitation of a signing link token (what the signing page shows). Throws 404/410
 * `invitation_invalid` whose `reason` names the one true ending: a link replaced by a newer one;
 * the person's own rejection (`used`); the envelope's ending (`canceled`, `expired`, `rejected`,
 * `completed`: also what a person who signed sees once it ended); the person's signature while
 * others still sign (`used`); the link's own expiry. Ending an envelope closes its links too
 * (they carry `used_at`), so the envelope's status is read before the link's.
 */
export async function findInvitation(
  services: Pick<EnvelopeServices, 'store' | 'now'>,
  token: string,
): Promise<Invitation> {
  const row = await findInvitationByHash(services.store.db, hashInvitationToken(token));
  if (!row) throw invitationInvalid('unknown');
  if (row.replacedAt !== null) throw invitationInvalid('replaced');
  const envelope = await loadEnvelope(services.store.db, null, row.envelopeId);
  const person = envelope?.persons[row.personIndex];
  if (!envelope || !person) throw invitationInvalid('unknown');
  // Their own rejection ended the envelope: the link was used (the envelope's ending is theirs).
  if (person.status === 'rejected') throw invitationInvalid('used');
  if (envelope.status !== 'in_progress') throw invitationInvalid(envelope.status);
  if (person.status !== 'pending' || row.usedAt !== null) throw invitationInvalid('used');
  if (row.expiresAt <= services.now()) throw invitationInvalid('expired');
  return { envelope, person, expiresAt: row.expiresAt, theirTurn: isTheirTurn(envelope, person.index) };
}

/**
 * How long one opening lasts: a link opened again within this many seconds of its last recorded
 * opening (a reload, the way back from the issuer's login, a second tab) is the same opening.
 * As long as a signing session, twice over.
 */
export const OPENING_SESSION_SECONDS = 30 * 60;

/**
 * Records `invitation.opened` (audit trail, event feed) when a person opens their signing link
 * while it is open, once per opening session ({@link OPENING_SESSION_SECONDS}); a link that no
 * longer works records nothing. Returns whether an event was recorded.
 */
export async function recordInvitationOpened(
  services: Pick<EnvelopeServices, 'store' | 'now'>,
  token: string,
  origin: RequestOrigin,
): Promise<boolean> {
  let invitation: Invitation;
  try {
    invitation = await findInvitation(services, token);
  } catch (error) {
    if (error instanceof EnvelopeError) return false;
    throw error;
  }
  const { envelope, person } = invitation;
  const now = services.now();
  const db = services.store.db;
  if (
    (await lastPersonEventAt(db, envelope.id, 'invitation.opened', person.index, now - OPENING_SESSION_SECONDS)) !==
    undefined
  )
    return false;
  await recordAudit(db, {
    envelopeId: envelope.id,
    clientId: envelope.clientId,
    type: 'invitation.opened',
    occurredAt: now,
    actor: personActor(person),
    origin,
    data: { person: person.index },
  });
  return true;
}

/** The current bytes of one document of an invitation's envelope, for the signing page to show. */
export async function invitationDocument(
  services: Pick<EnvelopeServices, 'store' | 'now'>,
  token: string,
  index: number,
): Promise<{ name: string; bytes: Uint8Array }> {
  const invitation = await findInvitation(services, token);
  const envelope = await loadEnvelope(services.store.db, null, invitation.envelope.id, { withBytes: true });
  const document = envelope?.documents[index];
  if (!document?.bytes) throw new EnvelopeError('not_found', 'no such document', 404);
  return { name: document.name, bytes: document.bytes };
}

function isTheirTurn(envelope: EnvelopeState, personIndex: number): boolean {
  for (const signature of envelope.signatures) {
    if (signature.status === 'signed') continue;
    if (signature.person === personIndex) return true;
    const other = envelope.persons[signature.person];
    if (other?.identifiedBy !== 'id_token') return false;
  }
  return false;
}

/**
 * Signs as the invited person, whose identity the signing page has verified (e.g. an id_token from
 * the issuer with the required `acr`): applies their signatures and then any id_token persons'
 * signatures that were waiting for them, and completes the envelope when nothing is left. The link
 * is consumed in the same transaction as the signatures (one winner under concurrency: a second
 * attempt gets 410 or 409). Signing runs before the transaction, over the state it then claims.
 */
export async function signAsInvitee(
  services: EnvelopeServices,
  token: string,
  identity: SignerIdentity,
  origin: RequestOrigin,
): Promise<EnvelopeState> {
  const invitation = await findInvitation(services, token);
  if (!invitation.theirTurn) throw invalidState('an earlier signer has not signed yet');
  const envelope = await loadEnvelope(services.store.db, null, invitation.envelope.id, { withBytes: true });
  if (!envelope) throw invitationInvalid('finished');
  const person = envelope.persons[invitation.person.index];
  if (!person) throw invitationInvalid('unknown');
  person.identity = identity;
  const now = services.now();
  const pendingBefore = pendingSets(envelope);
  const progress = await applyReadySignatures(services.ca, envelope, now, new Set([person.index]));
  const changed = changedSince(envelope, pendingBefore);
  const tokenHash = hashInvitationToken(token);
  const won = await services.store.db.transaction().execute(async (trx) => {
    const status = progress.completed ? 'completed' : undefined;
    const claimed = await claimEnvelope(trx, envelope, now, status ? { status, finishedAt: now } : {});
    if (!claimed) return false;
    if (!(await consumeInvitation(trx, tokenHash, now))) throw invitationInvalid('used');
    await saveProgress(trx, envelope, { ...changed, persons: [...new Set([...changed.persons, person.index])] });
    await recordAudit(trx, {
      envelopeId: envelope.id,
      clientId: envelope.clientId,
      type: 'person.identified',
      occurredAt: now,
      actor: personActor(person),
      origin,
      data: { method: 'invitation', invitedEmail: person.email },
    });
    await recordSigningProgress(trx, envelope, progress, origin, now, { mail: Boolean(services.config.smtpUrl) });
    return true;
  });
  if (!won) throw invalidState('the envelope changed meanwhile; reload the page');
  if (progress.completed) {
    envelope.status = 'completed';
    envelope.finishedAt = now;
  }
  return envelope;
}

/**
 * The invited person declines to sign: the envelope becomes `rejected` with their reason, the
 * link is consumed, and the audit trail and notification record it, in one transaction.
 */
export async function rejectInvitation(
  services: Pick<EnvelopeServices, 'store' | 'now'>,
  token: string,
  reason: string,
  origin: RequestOrigin,
  identity?: SignerIdentity,
): Promise<EnvelopeState> {
  const invitation = await findInvitation(services, token);
  const { envelope, person } = invitation;
  if (identity) person.identity = identity;
  const now = services.now();
  const shortReason = reason.trim().slice(0, 500) || 'declined';
  const actor: AuditActor = personActor(person);
  const won = await services.store.db.transaction().execute(async (trx) => {
    const claimed = await claimEnvelope(trx, envelope, now, {
      status: 'rejected',
      statusReason: shortReason,
      finishedAt: now,
    });
    if (!claimed) return false;
    await setPersonStatus(trx, envelope.id, person.index, 'rejected');
    await closeInvitations(trx, envelope.id, now);
    await recordFinish(trx, envelope, 'rejected', actor, origin, now, shortReason);
    return true;
  });
  if (!won) throw invalidState('the envelope changed meanwhile; reload the page');
  person.status = 'rejected';
  return { ...envelope, status: 'rejected', statusReason: shortReason, finishedAt: now, updatedAt: now };
}

function pendingSets(envelope: EnvelopeState): Set<number> {
  return new Set(envelope.signatures.filter((s) => s.status === 'pending').map((s) => s.index));
}

function changedSince(
  envelope: EnvelopeState,
  pendingBefore: Set<number>,
): { documents: number[]; signatures: number[]; persons: number[] } {
  const signatures = envelope.signatures.filter((s) => s.status === 'signed' && pendingBefore.has(s.index));
  return {
    signatures: signatures.map((s) => s.index),
    documents: [...new Set(signatures.map((s) => s.document))],
    persons: [...new Set(signatures.map((s) => s.person))],
  };
}

/** A person's new signing link, as `POST /v1/envelopes/{id}/persons/{n}/resend` answers it. */
export interface ResentInvitation {
  person: number;
  signingUrl: string;
  expiresAt: number;
  /** Whether an invitation email was queued (the Signer sends email). */
  emailQueued: boolean;
}

/**
 * Gives an invited person who has not signed a new signing link: the old one is replaced (it
 * answers "a newer link was sent"), its queued emails are canceled, and, when the Signer sends
 * email, the invitation and its reminders are queued for the new link, all in one transaction with
 * the `invitation.resent` audit event. The link lasts as a new one does (7 days, at most until the
 * envelope expires). 404 for an unknown envelope or person, 409 when the envelope is over or the
 * person is not an invited one still to sign.
 */
export async function resendInvitation(
  services: Pick<SignerContext, 'config' | 'store' | 'now' | 'masterKey'>,
  clientId: string,
  envelopeId: string,
  personIndex: number,
  origin: RequestOrigin,
): Promise<ResentInvitation> {
  const envelope = await loadEnvelope(services.store.db, clientId, envelopeId);
  if (!envelope) throw envelopeNotFound();
  const person = envelope.persons[personIndex];
  if (!person) throw new EnvelopeError('not_found', `no person ${personIndex} in this envelope`, 404);
  if (envelope.status !== 'in_progress') throw invalidState(`the envelope is already ${envelope.status}`);
  if (person.identifiedBy !== 'invitation')
    throw invalidState('this person was identified by an id_token: there is no link to send');
  if (person.status !== 'pending') throw invalidState(`this person has already ${person.status}`);
  const now = services.now();
  const expiresAt = Math.min(envelope.expiresAt ?? Number.POSITIVE_INFINITY, now + INVITATION_TTL);
  const { token, tokenHash } = newInvitationToken();
  const mail = mailPolicy(services);
  const won = await services.store.db.transaction().execute(async (trx) => {
    // The version moves, so a cancel or a last signature racing with this resend wins or loses whole.
    if (!(await claimEnvelope(trx, envelope, now, {}))) return false;
    await replaceInvitations(trx, envelope.id, person.index, now);
    await insertInvitation(trx, {
      tokenHash,
      envelopeId: envelope.id,
      personIndex: person.index,
      expiresAt,
      createdAt: now,
    });
    await cancelInvitationEmails(trx, envelope.id, person.index);
    if (mail) await queueInvitationEmails(trx, mail, envelope, person, { token, tokenHash, expiresAt }, now);
    await recordAudit(trx, {
      envelopeId: envelope.id,
      clientId: envelope.clientId,
      type: 'invitation.resent',
      occurredAt: now,
      actor: { type: 'client', id: clientId },
      origin,
      data: { person: person.index, name: person.name, email: person.email, expiresAt },
    });
    return true;
  });
  if (!won) throw invalidState('the envelope changed meanwhile; try again');
  return {
    person: person.index,
    signingUrl: signingUrl(services.config.publicUrl, token),
    expiresAt,
    emailQueued: mail !== undefined,
  };
}

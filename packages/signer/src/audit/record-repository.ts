import type { AuditActor, AuditEventType } from '@signet/protocol';
import type { RequestOrigin } from '@signet/web';
import type { Kysely, Transaction } from 'kysely';
import { recordEnvelopeEvent } from '../notifications/outbox-repository.js';
import type { SignerDatabase } from '../store/database.js';

/** Where a request came from, for the audit trail (`@signet/web`'s `originOf`); null for what Signet does on its own (expiry). */
export type { RequestOrigin };

/** The origin of events nobody requested (the expiry sweep). */
export const SYSTEM_ORIGIN: RequestOrigin = { ip: null, userAgent: null };

/** The actor of events nobody requested. */
export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: 'signet' };

/** One event to append to an envelope's audit trail. */
export interface AuditRecord {
  envelopeId: string;
  clientId: string;
  type: AuditEventType;
  /** Epoch seconds. */
  occurredAt: number;
  actor: AuditActor;
  origin: RequestOrigin;
  data?: Record<string, unknown>;
  /**
   * The `data` of the event on `GET /v1/events` (and of the webhook, for a final event). Default
   * the audit event's `data` with its `actor` (no IP address or user agent).
   */
  eventData?: Record<string, unknown>;
  /** The envelope's callbackUrl, where a final event's webhook goes (null: the client's URL). */
  callbackUrl?: string | null;
}

/** Longest user agent kept; the rest is cut, so a client cannot grow the trail without bound. */
const MAX_USER_AGENT = 512;

/**
 * Appends an event to the audit trail and the same event, of the same type, to the client's event
 * feed (`GET /v1/events`; a webhook too for a final event). Call it in the transaction of the
 * change it records, so the trail and the feed hold an event exactly when the change committed:
 * there is no audit event the feed does not carry.
 */
export async function recordAudit(
  db: Kysely<SignerDatabase> | Transaction<SignerDatabase>,
  record: AuditRecord,
): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      envelope_id: record.envelopeId,
      client_id: record.clientId,
      type: record.type,
      occurred_at: record.occurredAt,
      actor_type: record.actor.type,
      actor_id: record.actor.id,
      actor_name: record.actor.name ?? null,
      actor_person_index: record.actor.personIndex ?? null,
      ip: record.origin.ip,
      user_agent: record.origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      data: JSON.stringify(record.data ?? {}),
    })
    .execute();
  await recordEnvelopeEvent(db, {
    clientId: record.clientId,
    envelopeId: record.envelopeId,
    type: record.type,
    occurredAt: record.occurredAt,
    callbackUrl: record.callbackUrl ?? null,
    data: record.eventData ?? { ...record.data, actor: wireActor(record.actor) },
  });
}

/** An actor in an event's `data` (snake_case, as events are). */
function wireActor(actor: AuditActor): Record<string, unknown> {
  return {
    type: actor.type,
    id: actor.id,
    ...(actor.name !== undefined ? { name: actor.name } : {}),
    ...(actor.personIndex !== undefined ? { person_index: actor.personIndex } : {}),
  };
}

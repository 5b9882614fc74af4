import type { AuditActor, AuditEventType } from '@signet/protocol';
import type { RequestOrigin } from '@signet/web';
import type { Kysely, Transaction } from 'kysely';
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
}

/** Longest user agent kept; the rest is cut, so a client cannot grow the trail without bound. */
const MAX_USER_AGENT = 512;

/**
 * Appends an event to the audit trail. Call it in the transaction of the change it records, so
 * the trail holds an event exactly when the change committed.
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
}

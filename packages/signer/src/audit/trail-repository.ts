import type { AuditActor, AuditEvent, AuditEventType } from '@signet/protocol';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';

/** When an event of `type` by person `personIndex` was last recorded on the envelope at or after `since`; undefined if not. */
export async function lastPersonEventAt(
  db: Kysely<SignerDatabase>,
  envelopeId: string,
  type: AuditEventType,
  personIndex: number,
  since: number,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('audit_events')
    .select('occurred_at')
    .where('envelope_id', '=', envelopeId)
    .where('type', '=', type)
    .where('actor_person_index', '=', personIndex)
    .where('occurred_at', '>=', since)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? undefined : Number(row.occurred_at);
}

/** An envelope's audit trail in the order it happened (wire shape). */
export async function readAuditTrail(db: Kysely<SignerDatabase>, envelopeId: string): Promise<AuditEvent[]> {
  const rows = await db
    .selectFrom('audit_events')
    .selectAll()
    .where('envelope_id', '=', envelopeId)
    .orderBy('sequence', 'asc')
    .execute();
  return rows.map((row) => {
    const actor: AuditActor = { type: row.actor_type as AuditActor['type'], id: row.actor_id };
    if (row.actor_name !== null) actor.name = row.actor_name;
    if (row.actor_person_index !== null) actor.personIndex = row.actor_person_index;
    return {
      sequence: Number(row.sequence),
      type: row.type as AuditEventType,
      occurredAt: new Date(Number(row.occurred_at) * 1000).toISOString(),
      actor,
      ip: row.ip,
      userAgent: row.user_agent,
      data: JSON.parse(row.data) as Record<string, unknown>,
    };
  });
}

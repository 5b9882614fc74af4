/** An event row as read back from `notification_events`. */
export interface StoredEvent {
  seq: number;
  clientId: string;
  envelopeId: string;
  type: string;
  occurredAt: number;
  data: Record<string, unknown>;
}

/** The event's wire shape, the same in a webhook body and an SSE `data:` line. */
export interface EventPayload {
  /** The event's sequence number as a string: the SSE `id`, and what receivers deduplicate on. */
  id: string;
  type: string;
  /** Epoch seconds. */
  occurred_at: number;
  envelope_id: string;
  data: Record<string, unknown>;
}

/** Reads a row of `notification_events` (PostgreSQL returns bigint columns as strings). */
export function readEvent(row: {
  seq: number | string;
  client_id: string;
  envelope_id: string;
  type: string;
  occurred_at: number | string;
  data: string;
}): StoredEvent {
  return {
    seq: Number(row.seq),
    clientId: row.client_id,
    envelopeId: row.envelope_id,
    type: row.type,
    occurredAt: Number(row.occurred_at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}

/** The wire shape of an event. */
export const eventPayload = (event: StoredEvent): EventPayload => ({
  id: String(event.seq),
  type: event.type,
  occurred_at: event.occurredAt,
  envelope_id: event.envelopeId,
  data: event.data,
});

import type { Generated } from 'kysely';

/**
 * The Signer's tables for notifications (Kysely row types; snake_case as in SQL). Times named
 * `*_ms` are epoch milliseconds (delivery scheduling needs sub-second steps in tests); the
 * others are epoch seconds.
 */
export type NotificationTables = {
  /** Every envelope event, in commit order by `seq`: the SSE feed and the webhook outbox's source. */
  notification_events: {
    seq: Generated<number>;
    client_id: string;
    envelope_id: string;
    type: string;
    occurred_at: number;
    /** JSON object, as the envelopes code supplied it. */
    data: string;
    created_at_ms: number;
  };
  /** The outbox: one row per webhook to send for a final-state event. */
  webhook_deliveries: {
    id: string;
    event_seq: number;
    client_id: string;
    envelope_id: string;
    /** The envelope's callback URL; null means the client's webhook URL at send time. */
    url: string | null;
    status: 'pending' | 'delivered' | 'failed';
    /** Attempts made since the delivery was queued or last retried by hand. */
    attempts: number;
    next_attempt_at_ms: number;
    /** A claim by one dispatcher (any node) until then; null when unclaimed. */
    locked_until_ms: number | null;
    /** Which claim holds the row, so a dispatcher whose lease ran out cannot overwrite a newer one. */
    lock_token: string | null;
    delivered_at_ms: number | null;
    created_at_ms: number;
  };
  /** Every attempt to send a delivery, kept for the API. */
  webhook_attempts: {
    id: Generated<number>;
    delivery_id: string;
    attempted_at_ms: number;
    url: string;
    status_code: number | null;
    error: string | null;
    duration_ms: number;
    /** When the delivery will be tried again after this attempt; null after success or the last try. */
    next_attempt_at_ms: number | null;
  };
  /** A client's webhook endpoint and signing secret. */
  webhook_settings: {
    client_id: string;
    url: string | null;
    /** The signing secret sealed with the webhook key, the client id as context. */
    secret_sealed: string | null;
    updated_at_ms: number;
  };
};

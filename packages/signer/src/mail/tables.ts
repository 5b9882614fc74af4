/**
 * The email outbox (Kysely row type; snake_case as in SQL). Times are epoch milliseconds, as in
 * the webhook outbox.
 */
export type MailTables = {
  /** One email to send (or sent): an invitation, a reminder due at `next_attempt_at_ms`, or a completion. */
  email_deliveries: {
    id: string;
    envelope_id: string;
    client_id: string;
    person_index: number;
    kind: 'invitation' | 'reminder' | 'completion';
    to_address: string;
    locale: string;
    /** `canceled`: no longer wanted (the link was replaced or used, the envelope ended) before it went out. */
    status: 'pending' | 'sent' | 'failed' | 'canceled';
    attempts: number;
    /** When it is due: at once for invitations and completions, before the link's expiry for reminders. */
    next_attempt_at_ms: number;
    locked_until_ms: number | null;
    lock_token: string | null;
    /** The signing link's token hash (invitations and reminders): the mail goes only while that link is open. */
    invitation_hash: string | null;
    /** The signing link's token sealed with the mail key (its id as context); erased once the row is settled. */
    link_sealed: string | null;
    /** The SMTP server's Message-ID once accepted. */
    message_id: string | null;
    last_error: string | null;
    sent_at_ms: number | null;
    created_at_ms: number;
  };
};

import { randomUUID } from 'node:crypto';
import { counter } from '@signet/web';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import { type BackoffPolicy, retryDelay } from './backoff.js';
import { eventPayload, readEvent } from './payload.js';
import type { PostWebhook } from './post-webhook.js';
import { PrivateDestinationError } from './private-networks.js';
import {
  claimDueDeliveries,
  claimedAttempts,
  type DeliveryClaim,
  loadDeliveryEvent,
  recordDeliveryAttempt,
} from './repository.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';
import type { WebhookSettingsRepository } from './webhook-settings-repository.js';

/** A delivery that gets no 2xx answer within this many milliseconds has failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** How long a claim lasts: the send timeout and a margin, so a live claim never expires mid-send. */
const LEASE_MS = DELIVERY_TIMEOUT_MS + 20_000;
const BATCH_SIZE = 10;

/** What the dispatcher is built from. */
export interface DispatcherOptions {
  db: Kysely<SignerDatabase>;
  settings: WebhookSettingsRepository;
  /** Current time in epoch milliseconds. */
  nowMs: () => number;
  log: FastifyBaseLogger;
  /** Sends one webhook: `webhookPoster(policy)`, which refuses private destinations under `deny`. */
  post: PostWebhook;
  backoff: BackoffPolicy;
  timeoutMs?: number;
}

type Claim = DeliveryClaim;

/** The outcome of one attempt, as recorded. */
interface Outcome {
  url: string;
  statusCode: number | null;
  error: string | null;
  /** No retry: a private destination is refused by policy, and would be refused again. */
  final?: boolean;
}

/**
 * Sends the outbox's due webhook deliveries. Any number of dispatchers, on any nodes sharing the
 * database, may run at once: each delivery is claimed by one conditional update (a lease with a
 * token), so only one of them sends it, and a node that dies mid-send leaves a lease that simply
 * runs out. Delivery is at least once: a receiver that answers 2xx after the lease has run out
 * may see the event twice, so receivers deduplicate by the event id.
 */
export class WebhookDispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  /** Claims up to a batch of due deliveries and sends them; returns how many were attempted. */
  async runOnce(): Promise<number> {
    const claims = await this.claimDue();
    await Promise.all(claims.map((claim) => this.deliver(claim)));
    return claims.length;
  }

  private claimDue(): Promise<Claim[]> {
    return claimDueDeliveries(this.options.db, this.options.nowMs(), LEASE_MS, BATCH_SIZE, randomUUID);
  }

  private async deliver(claim: Claim): Promise<void> {
    const started = this.options.nowMs();
    let outcome: Outcome;
    try {
      outcome = await this.send(claim.id);
    } catch (error) {
      // A failure of our own (database, sealing) must not leave the row claimed forever.
      this.options.log.error({ err: error, deliveryId: claim.id }, 'webhook delivery could not be attempted');
      outcome = { url: '', statusCode: null, error: 'internal error while sending' };
    }
    await this.record(claim, outcome, started, this.options.nowMs());
  }

  private async send(deliveryId: string): Promise<Outcome> {
    const { db, settings } = this.options;
    const row = await loadDeliveryEvent(db, deliveryId);
    const event = readEvent(row);
    const url = row.url ?? (await settings.get(event.clientId)).url;
    if (!url) return { url: '', statusCode: null, error: 'no callback URL: set one with PUT /v1/webhook' };
    // The client's secret at send time: after a rotation, retries are signed with the new one.
    const { secret } = await settings.ensureSecret(event.clientId);
    const eventId = String(event.seq);
    const body = JSON.stringify(eventPayload(event));
    const timestamp = Math.floor(this.options.nowMs() / 1000);
    const timeoutMs = this.options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    try {
      const status = await this.options.post({
        url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Signet-Webhooks/1',
          'signet-event-id': eventId,
          'signet-delivery-id': deliveryId,
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        body,
        timeoutMs,
      });
      // A redirect is not an acknowledgement (and is not followed: the event would go elsewhere).
      const ok = status >= 200 && status < 300;
      return { url, statusCode: status, error: ok ? null : `HTTP ${status}` };
    } catch (error) {
      if (error instanceof PrivateDestinationError) return { url, statusCode: null, error: error.message, final: true };
      return { url, statusCode: null, error: describeFailure(error, timeoutMs) };
    }
  }

  private async record(claim: Claim, outcome: Outcome, started: number, finished: number): Promise<void> {
    const { db, backoff, log } = this.options;
    const delivered = outcome.error === null;
    await db.transaction().execute(async (tx) => {
      const current = await claimedAttempts(tx, claim);
      // Our lease ran out and another dispatcher took the row: its record wins.
      if (current === undefined) return;
      const attempts = current + 1;
      const delay = delivered || outcome.final ? undefined : retryDelay(backoff, attempts);
      const nextAttemptAt = delay === undefined ? null : finished + delay;
      await recordDeliveryAttempt(tx, claim, {
        attempts,
        status: delivered ? 'delivered' : nextAttemptAt === null ? 'failed' : 'pending',
        startedMs: started,
        finishedMs: finished,
        url: outcome.url,
        statusCode: outcome.statusCode,
        error: outcome.error,
        nextAttemptAtMs: nextAttemptAt,
      });
      // The URL's origin only: a path or query may carry the integrator's own tokens.
      const target = safeOrigin(outcome.url);
      webhookAttempts.inc({ outcome: delivered ? 'delivered' : nextAttemptAt === null ? 'failed' : 'retry' });
      if (delivered) log.info({ deliveryId: claim.id, target, attempts }, 'webhook delivered');
      else log.warn({ deliveryId: claim.id, target, attempts, error: outcome.error, nextAttemptAt }, 'webhook failed');
    });
  }
}

const webhookAttempts = counter({
  name: 'signet_webhook_attempts_total',
  help: 'Webhook delivery attempts by outcome: delivered, retry (failed, tried again later), failed (given up).',
  labelNames: ['outcome'],
});

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no response within ${timeoutMs / 1000} s`;
  const code = e?.code ?? e?.cause?.code;
  if (code) return `connection failed: ${code}`;
  return `request failed: ${e?.message ?? 'unknown error'}`.slice(0, 200);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

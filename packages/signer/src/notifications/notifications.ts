import type { FastifyBaseLogger, FastifyPluginAsync } from 'fastify';
import type { SignerStore } from '../store/signer-store.js';
import { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
import { deliveriesRoutes } from './deliveries.js';
import { WebhookDispatcher } from './dispatcher.js';
import { EventFeed } from './event-feed-repository.js';
import { webhookPoster } from './post-webhook.js';
import type { PrivateNetworkPolicy } from './private-networks.js';
import { EventStreams, eventsRoute, HEARTBEAT_MS } from './sse.js';
import { webhookRoutes } from './webhook-routes.js';
import { deriveWebhookKey, WebhookSettingsRepository } from './webhook-settings-repository.js';

/** The running notifications part of a Signer: webhook dispatcher, SSE feed and their routes. */
export interface Notifications {
  /** `/v1/events`, `/v1/webhook`, `/v1/webhook/secret`, `/v1/envelopes/:id/deliveries[/retry]`; register inside the authenticated `/v1` scope. */
  routes: FastifyPluginAsync;
  /** Wakes the dispatcher and the SSE feed now; call after committing a transaction that recorded events. */
  poke(): void;
  /** Stops the dispatcher, waits for sends in progress, and ends every open SSE stream. */
  close(): Promise<void>;
}

/** What notifications are built from. */
export interface NotificationsOptions {
  store: SignerStore;
  /** The Signer's master key; the webhook-secret sealing key is derived from it. */
  masterKey: Buffer;
  /** Current time in epoch seconds (fractions are honoured, which tests with short backoffs need). */
  now: () => number;
  log: FastifyBaseLogger;
  /**
   * Whether webhook URLs may point at private network addresses: the Signer passes
   * `config.webhookPrivateNetworks`. Default `allow`, the config's default for a Signer on
   * localhost (as in tests); `deny` refuses them when set and at delivery.
   */
  privateNetworks?: PrivateNetworkPolicy;
  /** How often every node looks for due deliveries and new events, in milliseconds. Default 1000. */
  pollIntervalMs?: number;
  /** Retry schedule. Default {@link DEFAULT_BACKOFF}: 30 s doubling to 1 h, 30 attempts (≈ 24 h). */
  backoff?: Partial<BackoffPolicy>;
  /** Interval of the SSE heartbeat comments, in milliseconds. Default 15 000. */
  heartbeatMs?: number;
  /**
   * The email outbox's sender (`SIGNET_SIGNER_SMTP_URL`), run in the same loop and on the same
   * schedule as the webhooks, with the same backoff. Default: none (no email).
   */
  mail?: (backoff: BackoffPolicy, nowMs: () => number) => { runOnce(): Promise<number> };
}

/**
 * Starts the webhook dispatcher and the SSE feed and returns their routes. Each node of a
 * cluster runs one; they share the work through the database (see {@link WebhookDispatcher}).
 *
 * @example
 * const notifications = startNotifications({ store, masterKey, now, log: app.log });
 * await app.register(notifications.routes); // inside the authenticated /v1 scope
 * app.addHook('onClose', () => notifications.close());
 */
export function startNotifications(options: NotificationsOptions): Notifications {
  const { store, log } = options;
  const privateNetworks = options.privateNetworks ?? 'allow';
  // Integer milliseconds: the columns are bigint on PostgreSQL.
  const nowMs = () => Math.floor(options.now() * 1000);
  const settings = new WebhookSettingsRepository(store.db, deriveWebhookKey(options.masterKey), nowMs);
  const dispatcher = new WebhookDispatcher({
    db: store.db,
    settings,
    nowMs,
    log,
    post: webhookPoster(privateNetworks),
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
  });
  const mail = options.mail?.({ ...DEFAULT_BACKOFF, ...options.backoff }, nowMs);
  const feed = new EventFeed(store.db, nowMs);
  const streams = new EventStreams();
  let closed = false;
  let dispatching: Promise<void> | undefined;
  let dispatchAgain = false;

  const dispatch = (): Promise<void> => {
    if (dispatching) {
      dispatchAgain = true;
      return dispatching;
    }
    dispatching = (async () => {
      try {
        do {
          dispatchAgain = false;
          // A full batch means more may be due: keep going until the queue is drained.
          while (!closed && (await dispatcher.runOnce()) + ((await mail?.runOnce()) ?? 0) > 0) {}
        } while (dispatchAgain && !closed);
      } catch (error) {
        log.error({ err: error }, 'webhook dispatch failed');
      } finally {
        dispatching = undefined;
      }
    })();
    return dispatching;
  };
  const pollFeed = () => feed.poll().catch((error) => log.error({ err: error }, 'event feed poll failed'));

  const tick = () => {
    if (closed) return;
    void dispatch();
    void pollFeed();
  };
  const timer = setInterval(tick, options.pollIntervalMs ?? 1000);
  timer.unref();
  // Deliveries left over from before a restart go out at once, not after the first interval.
  setImmediate(tick);

  return {
    routes: async (app) => {
      eventsRoute(app, feed, streams, options.heartbeatMs ?? HEARTBEAT_MS);
      webhookRoutes(app, settings, privateNetworks);
      deliveriesRoutes(app, store.db, tick);
      // Open streams would keep the server from closing.
      app.addHook('preClose', async () => streams.endAll());
    },
    poke: tick,
    async close() {
      closed = true;
      clearInterval(timer);
      streams.endAll();
      await dispatching;
      await feed.poll().catch(() => {});
    },
  };
}

import { RemoteJwks } from '@signet/sdk';
import { loadMasterKey } from '@signet/store';
import { databasePoolMetrics, gaugeSource } from '@signet/web';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { buildSignerApp, buildSignerMetricsApp, type SignerRoutes } from './app.js';
import { type DiscoveryRetry, discoverWithRetry, type IssuerMetadata } from './auth/discovery.js';
import type { SignerConfig } from './config.js';
import type { SignerContext } from './context.js';
import { expireEnvelopes } from './envelopes/lifecycle.js';
import { countEnvelopesByStatus } from './envelopes/repository.js';
import { envelopeRoutes } from './envelopes/routes.js';
import { MailDispatcher } from './mail/dispatcher.js';
import { deriveMailKey } from './mail/outbox.js';
import { mailRoutes } from './mail/routes.js';
import { smtpSender } from './mail/transport.js';
import type { BackoffPolicy } from './notifications/backoff.js';
import { startNotifications } from './notifications/notifications.js';
import { outboxBacklog } from './notifications/repository.js';
import { untrustedPdfs } from './pdf/untrusted.js';
import { RENEWAL_TICK_MS, runScheduledRenewal } from './pki/archive-renewal.js';
import { CertificateAuthority } from './pki/authority.js';
import { pkiRoutes } from './pki/routes.js';
import { RETENTION_TICK_MS, runScheduledRetention } from './retention/retention.js';
import { envelopeDesk } from './signing-page/envelope-desk.js';
import { signingPageRoutes } from './signing-page/routes.js';
import { openSignerStore, type SignerStore } from './store/signer-store.js';

/** A fully wired Signer, not yet listening. */
export interface Signer {
  app: FastifyInstance;
  /** The metrics listener's app (`GET /metrics`), listening on `config.metricsHost:metricsPort` after {@link listen}. */
  metricsApp: FastifyInstance;
  context: SignerContext;
  /** What discovery said about the issuer (its document, for parts that need more than the keys). */
  issuerMetadata: IssuerMetadata;
  /** The JWKS cache behind `context.issuerKeys` (the SDK's: TTL, cooldown, last keys kept when the issuer is down). */
  issuerKeys: RemoteJwks;
  /** The internal CA (root, TSA, per-person certificates) the envelopes sign with. */
  ca: CertificateAuthority;
  /**
   * Starts listening on `config.host:config.port`, and the metrics listener on
   * `config.metricsHost:metricsPort`; resolves with the public base URL bound (the real port when 0).
   */
  listen(): Promise<string>;
  /** Stops the app (finishing in-flight requests), the background work, then the database. */
  close(): Promise<void>;
}

/** Injected in tests: a clock, a `fetch` that counts calls to the issuer, an already open store. */
export interface SignerOverrides {
  /** Current time in epoch seconds. Default the system clock. */
  now?: () => number;
  /** Used for discovery and the JWKS. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** An open Signer store; the Signer migrates it but leaves closing it to the caller. */
  store?: SignerStore;
  /** How long to wait for the issuer at start. Default: up to 60 s, backing off from 250 ms. */
  discovery?: DiscoveryRetry;
  /** JWKS cache timing in seconds. Defaults: ttl 600, cooldown 30. */
  jwks?: { ttl?: number; cooldown?: number };
  /** How often the outbox and event log are polled for work from other nodes, ms. Default 1000. */
  pollIntervalMs?: number;
  /** Retry schedule of webhooks and emails. Default 30 s doubling to 1 h, 30 attempts. */
  backoff?: Partial<BackoffPolicy>;
  /**
   * Whether this process runs the deployment's periodic jobs (expiry sweep, retention). Default
   * true; `signet start` gives them to one of its workers. Outbox dispatch (leased per row), the
   * archive timestamp renewal tick (leased; it also reloads a rotated TSA) and the event feed of
   * this process's streams run in every process.
   */
  backgroundJobs?: boolean;
}

/**
 * Builds the Signer: loads (or creates) its master key, opens and migrates its database,
 * discovers the issuer (retrying while accounts is still starting), sets up the JWKS cache and
 * assembles the app with every part's routes.
 */
export async function createSigner(config: SignerConfig, overrides: SignerOverrides = {}): Promise<Signer> {
  const now = overrides.now ?? (() => Math.floor(Date.now() / 1000));
  const fetchImpl = overrides.fetch ?? fetch;
  const masterKey = loadSignerMasterKey(config);
  const store = overrides.store ?? openSignerStore({ url: config.databaseUrl });
  const ownsStore = overrides.store === undefined;
  const background: { close(): Promise<void> | void }[] = [];
  try {
    await store.migrate();
    const issuerMetadata = await discoverWithRetry(config.issuer, fetchImpl, overrides.discovery);
    const issuerKeys = new RemoteJwks(issuerMetadata.jwksUri, {
      fetch: fetchImpl,
      now,
      ...(overrides.jwks?.ttl !== undefined ? { maxAgeSeconds: overrides.jwks.ttl } : {}),
      ...(overrides.jwks?.cooldown !== undefined ? { cooldownSeconds: overrides.jwks.cooldown } : {}),
    });
    const pdfs = untrustedPdfs(config);
    background.push(pdfs);
    const context: SignerContext = {
      config,
      store,
      // Replaced by the app's logger in buildSignerApp, before any part receives the context.
      log: undefined as unknown as SignerContext['log'],
      now,
      issuerKeys,
      issuer: issuerMetadata.issuer,
      masterKey,
      pdfs,
    };
    // Notifications schedule retries in fractions of a second; the system clock gives them.
    const preciseNow = overrides.now ?? (() => Date.now() / 1000);
    const ca = await CertificateAuthority.open({
      db: store.db,
      masterKey,
      now,
      // Certificates name OCSP, CRL and root URLs at the public URL, which must reach this Signer (or
      // its load balancer): pdfsig and other validators query them online.
      publicUrl: config.publicUrl,
      seal: {
        ...(config.sealCountry ? { country: config.sealCountry } : {}),
        ...(config.sealOrganizationIdentifier ? { organizationIdentifier: config.sealOrganizationIdentifier } : {}),
      },
    });
    const app = buildSignerApp(context, () =>
      signerParts(
        context,
        ca,
        background,
        preciseNow,
        overrides.pollIntervalMs,
        overrides.backoff,
        overrides.backgroundJobs,
      ),
    );
    const metricsApp = buildSignerMetricsApp(config);
    background.push(signerMetrics(store));
    return {
      app,
      metricsApp,
      context,
      issuerMetadata,
      issuerKeys,
      ca,
      async listen() {
        const address = await app.listen({ host: config.host, port: config.port });
        await metricsApp.listen({ host: config.metricsHost, port: config.metricsPort });
        return address;
      },
      async close() {
        await Promise.all([app.close(), metricsApp.close()]);
        for (const part of background.reverse()) await part.close();
        if (ownsStore) await store.close();
      },
    };
  } catch (error) {
    for (const part of background.reverse()) await part.close();
    if (ownsStore) await store.close();
    throw error;
  }
}

/**
 * The Signer's gauges, read from its database at scrape time: `signet_envelopes{status}`,
 * `signet_webhook_outbox_pending`, `signet_webhook_outbox_oldest_pending_seconds`, and its
 * PostgreSQL pool. They describe the deployment's one database, so every node reports the same
 * values (aggregate with `max`, not `sum`).
 */
function signerMetrics(store: SignerStore): { close(): void } {
  const backlog = () => outboxBacklog(store.db, Date.now());
  const removers = [
    gaugeSource(
      { name: 'signet_envelopes', help: 'Envelopes in the database, by status.', labelNames: ['status'] },
      async () =>
        (await countEnvelopesByStatus(store.db)).map(({ status, count }) => ({ labels: { status }, value: count })),
    ),
    gaugeSource(
      { name: 'signet_webhook_outbox_pending', help: 'Webhook deliveries waiting to be sent or retried.' },
      async () => [{ labels: {}, value: (await backlog()).pending }],
    ),
    gaugeSource(
      {
        name: 'signet_webhook_outbox_oldest_pending_seconds',
        help: 'Age of the oldest webhook delivery still pending (0 when none).',
      },
      async () => [{ labels: {}, value: (await backlog()).oldestAgeMs / 1000 }],
    ),
    databasePoolMetrics('signer', () => store.poolStats()),
  ];
  return {
    close: () => {
      for (const remove of removers) remove();
    },
  };
}

/** How often expired envelopes are swept, in milliseconds. */
const EXPIRY_SWEEP_MS = 60_000;

/**
 * The routes of the Signer's parts, each wired from the context: PKI downloads and the signing
 * page (public), envelopes and notifications (behind the bearer check). Background work they
 * start (notifications, the expiry sweep) is added to `background` to be closed.
 */
function signerParts(
  context: SignerContext,
  ca: CertificateAuthority,
  background: { close(): Promise<void> | void }[],
  preciseNow: () => number,
  pollIntervalMs: number | undefined,
  mailBackoff?: SignerOverrides['backoff'],
  backgroundJobs = true,
): SignerRoutes {
  const smtp = context.config.smtpUrl ? smtpSender(context.config.smtpUrl) : undefined;
  if (smtp) background.push({ close: () => smtp.close() });
  const notifications = startNotifications({
    store: context.store,
    masterKey: context.masterKey,
    now: preciseNow,
    log: context.log,
    privateNetworks: context.config.webhookPrivateNetworks,
    ...(pollIntervalMs ? { pollIntervalMs } : {}),
    ...(mailBackoff ? { backoff: mailBackoff } : {}),
    ...(smtp && context.config.mailFrom
      ? {
          mail: (backoff, nowMs) =>
            new MailDispatcher({
              db: context.store.db,
              send: smtp,
              from: context.config.mailFrom as string,
              publicUrl: context.config.publicUrl,
              key: deriveMailKey(context.masterKey),
              attachMaxBytes: context.config.mailAttachMaxBytes,
              nowMs,
              log: context.log,
              backoff,
            }),
        }
      : {}),
  });
  background.push(notifications);
  const services = { ...context, ca };
  // Archive timestamps (B-LTA) are renewed once a day per deployment: every node ticks, the one
  // that takes the job's lease runs it; the others pick up a TSA it rotated.
  // So every worker ticks, whatever `backgroundJobs` says.
  const renewal = setInterval(() => {
    runScheduledRenewal(context.store.db, ca, context.now, context.log).catch((error: unknown) =>
      context.log.error({ err: error }, 'archive timestamp renewal failed'),
    );
  }, RENEWAL_TICK_MS);
  renewal.unref();
  background.push({ close: () => clearInterval(renewal) });
  if (backgroundJobs) periodicJobs(context, ca, notifications, background);
  // Envelope events are committed by these routes; waking the dispatcher and SSE feeds when one
  // of them changed something spares the event a wait for the next poll.
  const wakeAfterChange =
    (routes: FastifyPluginAsync): FastifyPluginAsync =>
    async (app) => {
      app.addHook('onResponse', async (request, reply) => {
        if (request.method !== 'GET' && reply.statusCode < 400) notifications.poke();
      });
      await app.register(routes);
    };
  return {
    public: [pkiRoutes(ca)],
    pages: [wakeAfterChange(signingPageRoutes({ ...context, desk: envelopeDesk(services) }))],
    authenticated: [
      wakeAfterChange(envelopeRoutes(services)),
      wakeAfterChange(mailRoutes(context)),
      notifications.routes,
    ],
  };
}

/**
 * The deployment's periodic jobs: the expiry sweep, and the archive timestamp renewal and
 * retention, each guarded by a lease in the database so that one node runs it.
 */
function periodicJobs(
  context: SignerContext,
  ca: CertificateAuthority,
  notifications: { poke(): void },
  background: { close(): Promise<void> | void }[],
): void {
  const sweep = setInterval(() => {
    expireEnvelopes(context, ca).then(
      (count) => {
        if (count > 0) notifications.poke();
      },
      (error) => context.log.error({ err: error }, 'expiring envelopes failed'),
    );
  }, EXPIRY_SWEEP_MS);
  sweep.unref();
  background.push({ close: () => clearInterval(sweep) });
  // Retention (documents after SIGNET_SIGNER_RETENTION_DAYS, used sign-ins) hourly per deployment.
  const retention = setInterval(() => {
    runScheduledRetention(context.store.db, context.config, context.now, context.log).catch((error: unknown) =>
      context.log.error({ err: error }, 'retention failed'),
    );
  }, RETENTION_TICK_MS);
  retention.unref();
  background.push({ close: () => clearInterval(retention) });
}

/** The configured master key, or the one in `<dataDir>/signer-master-key`, created on first start. */
export function loadSignerMasterKey(config: Pick<SignerConfig, 'masterKey' | 'dataDir'>): Buffer {
  return loadMasterKey(config.masterKey, config.dataDir, {
    file: 'signer-master-key',
    variable: 'SIGNET_SIGNER_MASTER_KEY',
  });
}

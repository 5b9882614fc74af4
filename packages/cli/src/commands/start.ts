import { type Accounts, createAccounts, ensureDemoClient, ensureSignerClient, loadConfig } from '@signet/accounts';
import { envInt } from '@signet/protocol';
import type { Signer } from '@signet/signer';
import {
  configuredWorkers,
  reportReady,
  runPrimary,
  thisWorker,
  WORKER_SEMI_SPACE_MIB,
  type WorkerInfo,
  type WorkerReady,
  workerRole,
} from './workers.js';

/** Which services `signet start` runs: both by default, or one of them. */
export type StartService = 'all' | 'accounts' | 'signer';

/**
 * `signet start [accounts|signer]`: runs accounts (public and admin listeners) and the Signer API
 * in one process, or only one of them, until SIGTERM/SIGINT. The Signer trusts accounts only
 * through discovery and JWKS over HTTP, exactly as it would on another machine. With
 * `SIGNET_WORKERS` above 1 (by default one per core), this process is the primary of that many
 * workers, each running the services on the shared ports (see workers.ts).
 */
export async function start(options: { json?: boolean; service?: StartService }): Promise<void> {
  const workers = configuredWorkers(process.env);
  if (workers > 1 && !workerRole().clustered) {
    const semiSpace =
      options.service === 'accounts' ? WORKER_SEMI_SPACE_MIB.accountsAlone : WORKER_SEMI_SPACE_MIB.withSigner;
    await runPrimary(workers, semiSpace, (first, all) => printSummary(first, options, all));
    return;
  }
  const running: { close(): Promise<void> }[] = [];
  // Read before anything starts, so a bad value fails at start and names the variable.
  const shutdown: Shutdown = { draining: false, drainSeconds: configuredDrainSeconds(process.env) };
  try {
    await startServices(options, running, shutdown);
  } catch (error) {
    // Whatever already listens must stop, or the process would hang on after the failure.
    for (const service of [...running].reverse()) await service.close().catch(() => {});
    // A worker's channel to the primary would keep it alive: let it exit with the error's code.
    if (workerRole().clustered) process.channel?.unref();
    throw error;
  }
}

async function startServices(
  options: { json?: boolean; service?: StartService },
  running: { close(): Promise<void> }[],
  shutdown: Shutdown,
): Promise<void> {
  const service = options.service ?? 'all';
  let log: { info(message: string): void; error(object: unknown, message: string): void } = console;
  registerShutdown(running, () => log, shutdown);
  let onPostgres = false;
  const summary: Record<string, unknown> = {};
  const lines: string[] = [''];
  // The Signer's signing page is an OIDC client of accounts; with both here, provision it.
  let signerEnv: Record<string, string | undefined> = process.env;

  if (service !== 'signer') {
    const config = loadConfig();
    const accounts = await createAccounts(config, { backgroundJobs: workerRole().backgroundJobs });
    running.push(accounts);
    log = accounts.publicApp.log;
    onPostgres ||= accounts.ctx.store.dialect !== 'sqlite';
    failReadinessWhileDraining(accounts.publicApp, shutdown);
    await accounts.publicApp.listen({ host: config.host, port: config.port });
    await accounts.adminApp.listen({ host: config.adminHost, port: config.adminPort });
    describeAccounts(accounts, config, await demoClient(accounts, config), summary, lines);
    if (service === 'all' && !process.env.SIGNET_SIGNER_CLIENT_ID) {
      const { loadSignerConfig } = await import('@signet/signer');
      const own = await ensureSignerClient(accounts.ctx, loadSignerConfig().publicUrl);
      signerEnv = {
        ...process.env,
        SIGNET_SIGNER_CLIENT_ID: own.clientId,
        SIGNET_SIGNER_CLIENT_SECRET: own.clientSecret,
      };
    }
  }

  if (service !== 'accounts') {
    // Loaded only here: accounts alone does not carry the Signer's PDF and PKI libraries.
    const { createSigner, loadSignerConfig } = await import('@signet/signer');
    const config = loadSignerConfig(signerEnv);
    const signer = await createSigner(config, {
      backgroundJobs: workerRole().backgroundJobs,
      discovery: {
        // The Signer's logger does not exist until discovery succeeds.
        onRetry: (error, delayMs) => {
          if (config.logLevel === 'silent') return;
          const reason = error instanceof Error ? error.message : String(error);
          process.stderr.write(
            `signet: issuer ${config.issuer} not reachable yet (${reason}); retrying in ${delayMs} ms\n`,
          );
        },
      },
    });
    running.push(signer);
    if (service === 'signer') log = signer.app.log;
    onPostgres ||= signer.context.store.dialect !== 'sqlite';
    failReadinessWhileDraining(signer.app, shutdown);
    await signer.listen();
    const url = `http://${hostForUrl(config.host)}:${boundPort(signer, config.port)}`;
    summary.signer = { url, public_url: config.publicUrl, audience: config.audience, issuer: config.issuer };
    if (service === 'signer') lines.push(`Signet Signer API is running (${storeLabel(signer)})`);
    else lines.push('', `Signer API (${storeLabel(signer)})`);
    lines.push(
      `  signer        ${url}   (/docs, /openapi.json)`,
      `  audience      ${config.audience}`,
      `  trusts        ${config.issuer}   (discovery + JWKS)`,
    );
  }

  // Several nodes need a shared database: on PostgreSQL a load balancer may be in front, so the
  // default drain gives it time to see the failing readiness; on SQLite nobody is (single node).
  shutdown.drainSeconds ??= onPostgres ? DEFAULT_DRAIN_SECONDS : 0;
  summary.shutdown_drain_seconds = shutdown.drainSeconds;

  if (workerRole().clustered) reportReady(summary, lines);
  else printSummary({ summary, lines }, options, [thisWorker()]);
}

/** The startup summary, once every worker listens. */
function printSummary(
  { summary, lines }: Pick<WorkerReady, 'summary' | 'lines'>,
  options: { json?: boolean },
  workers: WorkerInfo[],
): void {
  if (options.json) {
    console.log(JSON.stringify({ ...summary, workers }));
    return;
  }
  console.log(
    [
      ...lines,
      '',
      `${workers.length} worker process${workers.length === 1 ? '' : 'es'} (SIGNET_WORKERS)`,
      'Stop with Ctrl+C.',
      '',
    ].join('\n'),
  );
}

async function demoClient(accounts: Accounts, config: ReturnType<typeof loadConfig>) {
  return config.demoClient ? await ensureDemoClient(accounts.ctx) : undefined;
}

function describeAccounts(
  accounts: Accounts,
  config: ReturnType<typeof loadConfig>,
  demo: Awaited<ReturnType<typeof demoClient>>,
  summary: Record<string, unknown>,
  lines: string[],
): void {
  const publicUrl = `http://${hostForUrl(config.host)}:${config.port}`;
  const adminUrl = `http://${hostForUrl(config.adminHost)}:${config.adminPort}`;
  Object.assign(summary, {
    issuer: config.issuer,
    public_url: publicUrl,
    admin_url: adminUrl,
    admin_token_file: accounts.admin.file ?? null,
    ...(demo ? { demo_client: { client_id: demo.clientId, client_secret: demo.clientSecret } } : {}),
  });
  lines.push(
    `Signet accounts is running (${accounts.ctx.store.dialect === 'sqlite' ? `SQLite at ${config.databaseUrl}` : 'PostgreSQL'})`,
    `  issuer        ${config.issuer}`,
    `  public        ${publicUrl}   (/.well-known/openid-configuration)`,
    `  admin         ${adminUrl}   (Authorization: Bearer <admin token>)`,
    `  admin token   ${accounts.admin.file ? `in ${accounts.admin.file}` : 'from SIGNET_ADMIN_TOKEN'}`,
  );
  if (demo) {
    lines.push(
      '',
      'Demo client (the documented client_credentials request):',
      `  CLIENT_ID=${demo.clientId}`,
      `  CLIENT_SECRET=${demo.clientSecret}`,
      '',
      `  curl -u "${demo.clientId}:${demo.clientSecret}" -d grant_type=client_credentials -d audience=${config.signerAudience} ${config.issuer}/oauth2/token`,
    );
  }
}

function storeLabel(signer: Signer): string {
  return signer.context.store.dialect === 'sqlite' ? `SQLite at ${signer.context.config.databaseUrl}` : 'PostgreSQL';
}

function boundPort(signer: Signer, configured: number): number {
  const address = signer.app.server.address();
  return typeof address === 'object' && address ? address.port : configured;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** `SIGNET_SHUTDOWN_DRAIN_SECONDS` when on PostgreSQL and unset. */
const DEFAULT_DRAIN_SECONDS = 5;

/** What a signal changes: readiness fails from `draining` on, for `drainSeconds` before the listeners close. */
interface Shutdown {
  draining: boolean;
  /** Undefined until the services started (the default depends on their database). */
  drainSeconds: number | undefined;
}

/**
 * `SIGNET_SHUTDOWN_DRAIN_SECONDS`: how long a stopping node fails readiness while still serving,
 * so a load balancer's health checks take it out before it stops accepting. Default 5 on
 * PostgreSQL (several nodes), 0 on SQLite (one node).
 */
function configuredDrainSeconds(env: Record<string, string | undefined>): number | undefined {
  const name = 'SIGNET_SHUTDOWN_DRAIN_SECONDS';
  return env[name]?.trim() ? envInt(env, name, 0, 0, 300) : undefined;
}

/** The readiness routes (accounts' `/health/ready`, the Signer's `/health`); `/health/alive` stays 200. */
const READINESS_ROUTES = new Set(['/health/ready', '/health']);

/**
 * While draining, readiness answers 503 so the load balancer sends new requests elsewhere; every
 * other route, and requests in flight, are served as usual.
 */
function failReadinessWhileDraining(app: Accounts['publicApp'], shutdown: Shutdown): void {
  // A callback hook: no promise per request on the hot path.
  app.addHook('onRequest', (request, reply, done) => {
    if (shutdown.draining && READINESS_ROUTES.has(request.routeOptions.url ?? '')) {
      reply
        .header('cache-control', 'no-store')
        .code(503)
        .send({ status: 'unavailable', error_description: 'shutting down' });
      return;
    }
    done();
  });
}

/**
 * On SIGTERM/SIGINT: fails readiness for the drain time while still serving, then stops accepting,
 * lets in-flight requests finish, closes the databases and exits. The Signer (started last) closes
 * first, so it never outlives the issuer it trusts within this process.
 */
function registerShutdown(
  running: { close(): Promise<void> }[],
  log: () => { info(message: string): void; error(object: unknown, message: string): void },
  shutdown: Shutdown,
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    const drainSeconds = shutdown.drainSeconds ?? 0;
    shutdown.draining = true;
    log().info(
      drainSeconds > 0
        ? `${signal} received, failing readiness for ${drainSeconds} s, then shutting down`
        : `${signal} received, shutting down`,
    );
    const force = setTimeout(() => process.exit(1), (drainSeconds + 15) * 1000);
    force.unref();
    (async () => {
      if (drainSeconds > 0) await new Promise((resolve) => setTimeout(resolve, drainSeconds * 1000));
      for (const service of [...running].reverse()) await service.close();
    })().then(
      () => process.exit(0),
      (error) => {
        log().error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

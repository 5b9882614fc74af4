import { randomBytes } from 'node:crypto';
import { readSecretFile } from '@signet/store';
import { databasePoolMetrics } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import { buildAdminApp } from './admin/app.js';
import { buildPublicApp } from './app.js';
import { ClientCache } from './client-cache.js';
import { type Config, ConfigError, MIN_ADMIN_TOKEN_LENGTH } from './config.js';
import type { AccountsContext } from './context.js';
import { ClientSecretVerifier } from './crypto/client-secret.js';
import { deriveKeys, loadMasterKey } from './crypto/master-key.js';
import { FaceService } from './face/service.js';
import { KEY_REFRESH_SECONDS, Keyring } from './keys/keyring.js';
import { FaceEnrolmentLinkRepository } from './people/face-enrolment-link-repository.js';
import { PURGE_TICK_MS, runScheduledPurge } from './purge.js';
import { openStore, type Store } from './store/accounts-store.js';
import { AccessTokens } from './tokens/access-token.js';
import { IdTokens } from './tokens/id-token.js';

/** A fully wired accounts service, not yet listening. */
export interface Accounts {
  ctx: AccountsContext;
  publicApp: FastifyInstance;
  adminApp: FastifyInstance;
  /** The admin token and, when generated, the file that holds it. */
  admin: { token: string; file: string | undefined };
  /** Stops both apps (finishing in-flight requests) and closes the database. */
  close(): Promise<void>;
}

/** Options for tests (an injected clock, an already open store) and for `signet start`'s workers. */
export interface AccountsOptions {
  now?: () => number;
  store?: Store;
  /**
   * Whether this process runs the deployment's periodic jobs (the purge of expired rows). Default
   * true; `signet start` gives them to one of its workers. Each process still reloads its keys.
   */
  backgroundJobs?: boolean;
}

// A client changed on another node is seen here within this many seconds (see ClientCache).
const CLIENT_CACHE_SECONDS = 2;

/**
 * Opens the store, applies migrations, loads or creates the signing keys and the admin
 * token, and builds both listeners' apps.
 */
export async function createAccounts(config: Config, options: AccountsOptions = {}): Promise<Accounts> {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const store = options.store ?? openStore({ url: config.databaseUrl });
  try {
    await store.migrate();
    const keys = deriveKeys(loadMasterKey(config.masterKey, config.dataDir));
    const keyring = new Keyring(store.signingKeys, keys.seal, config.signingAlg, now);
    await keyring.initialize();
    const ctx: AccountsContext = {
      config,
      store,
      keyring,
      keys,
      now,
      accessTokens: new AccessTokens(keyring, config.issuer, config.accessTokenTtl, now),
      idTokens: new IdTokens(keyring, config.issuer, config.idTokenTtl, now),
      clients: new ClientCache(store.clients, CLIENT_CACHE_SECONDS, now),
      clientSecrets: new ClientSecretVerifier(keys.clientSecret),
      faces: new FaceService(config),
      faceEnrolmentLinks: new FaceEnrolmentLinkRepository(store.db),
    };
    const admin = config.adminToken ? { token: config.adminToken, file: undefined } : generatedAdminToken(config);
    const publicApp = buildPublicApp(ctx);
    const adminApp = buildAdminApp(ctx, admin.token);
    keyring.startRefresh(KEY_REFRESH_SECONDS * 1000, (error) =>
      publicApp.log.error({ err: error }, 'signing key refresh failed'),
    );
    const purge = setInterval(() => {
      // The lease makes it once per deployment; a worker of `signet start` without the jobs skips it.
      if (options.backgroundJobs === false) return;
      runScheduledPurge(store, ctx.faceEnrolmentLinks, now()).catch((error) =>
        publicApp.log.error({ err: error }, 'purge of expired rows failed'),
      );
    }, PURGE_TICK_MS);
    purge.unref();
    const removePoolMetrics = databasePoolMetrics('accounts', () => store.poolStats());
    return {
      ctx,
      publicApp,
      adminApp,
      admin,
      async close() {
        keyring.stop();
        clearInterval(purge);
        removePoolMetrics();
        await Promise.all([publicApp.close(), adminApp.close()]);
        await Promise.all([ctx.faces.close(), store.close()]);
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The admin token in `<dataDir>/admin-token`, created on first start. */
function generatedAdminToken(config: Config): { token: string; file: string } {
  const { value, path } = readSecretFile(config.dataDir, 'admin-token', () => randomBytes(32).toString('base64url'));
  // An empty or truncated file would leave the admin API with a weak or unusable token.
  if (value.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ConfigError(
      'SIGNET_ADMIN_TOKEN',
      `${path} holds no usable admin token (at least ${MIN_ADMIN_TOKEN_LENGTH} characters); delete the file to generate a new one, or set SIGNET_ADMIN_TOKEN`,
    );
  }
  return { token: value, file: path };
}

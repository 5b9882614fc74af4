import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Accounts, createAccounts, loadConfig } from '@signet/accounts';
import { createSigner, loadSignerConfig, type Signer } from '@signet/signer';
import { freePort, TEST_PERSON } from '@signet/testing/accounts';

/** A Signet accounts service listening on real loopback sockets, for cross-process style tests. */
export interface RunningSignet {
  /** The issuer, `http://localhost:<public port>`. */
  issuer: string;
  /** Base URL of the public listener by IP (no name resolution on the hot path of a test). */
  publicUrl: string;
  /** Base URL of the admin listener. */
  adminUrl: string;
  accounts: Accounts;
  /** Creates a client through the admin API over HTTP and returns its JSON, secret included. */
  createClient(body?: Record<string, unknown>): Promise<{ client_id: string; client_secret: string }>;
  /** The admin API's bearer token. */
  adminToken: string;
  /**
   * Creates a person through the admin API over HTTP: a random username, the password
   * `correct horse battery`, Ada Lovelace's claims (with a Spanish id card as `credential`),
   * overridden by `body`.
   */
  createUser(body?: Record<string, unknown>): Promise<{ id: string; username: string } & Record<string, unknown>>;
  /** Stops both listeners, closes the database and deletes the data directory. */
  close(): Promise<void>;
}

/**
 * Starts Signet on a fresh data directory with `SIGNET_ISSUER=http://localhost:<port>`, the
 * public listener on that port and the admin listener on any free port.
 */
export async function startSignet(env: Record<string, string> = {}): Promise<RunningSignet> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
  const port = await freePort();
  const adminToken = 'e2e-admin-token-0123456789';
  const config = loadConfig({
    SIGNET_DATA_DIR: dataDir,
    SIGNET_ISSUER: `http://localhost:${port}`,
    SIGNET_PORT: String(port),
    SIGNET_ADMIN_PORT: '0',
    SIGNET_ADMIN_TOKEN: adminToken,
    SIGNET_LOG_LEVEL: 'silent',
    ...env,
  });
  const accounts = await createAccounts(config);
  try {
    await accounts.publicApp.listen({ host: '127.0.0.1', port });
    await accounts.adminApp.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await accounts.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const adminAddress = accounts.adminApp.server.address();
  const adminPort = typeof adminAddress === 'object' && adminAddress ? adminAddress.port : 0;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  return {
    issuer: config.issuer,
    publicUrl: `http://127.0.0.1:${port}`,
    adminUrl,
    accounts,
    async createClient(body = {}) {
      const res = await fetch(`${adminUrl}/admin/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`client creation failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { client_id: string; client_secret: string };
    },
    adminToken,
    async createUser(body = {}) {
      const res = await fetch(`${adminUrl}/admin/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...TEST_PERSON, username: `person-${randomUUID().slice(0, 8)}`, ...body }),
      });
      if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string; username: string } & Record<string, unknown>;
    },
    async close() {
      await accounts.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Signer API trusting a running accounts service, listening on a real loopback port. */
export interface RunningSigner {
  /** Base URL of the Signer, `http://127.0.0.1:<port>` (also its public URL, for signing links). */
  url: string;
  /** The audience its access tokens must carry (accounts' `signerAudience`). */
  audience: string;
  signer: Signer;
  /** Stops the Signer and deletes its data directory. */
  close(): Promise<void>;
}

/**
 * Starts a Signer on a fresh data directory and a free port that discovers `signet`'s issuer and
 * fetches its JWKS over HTTP, exactly as a separately deployed Signer would. `env` overrides its
 * `SIGNET_*` variables.
 */
export async function startSigner(signet: RunningSignet, env: Record<string, string> = {}): Promise<RunningSigner> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-e2e-signer-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const audience = signet.accounts.ctx.config.signerAudience;
  let signer: Signer | undefined;
  try {
    signer = await createSigner(
      loadSignerConfig({
        SIGNET_ISSUER: signet.issuer,
        SIGNET_SIGNER_PORT: String(port),
        SIGNET_SIGNER_METRICS_PORT: '0',
        SIGNET_DATA_DIR: dataDir,
        SIGNET_LOG_LEVEL: 'silent',
        SIGNET_SIGNER_AUDIENCE: audience,
        SIGNET_SIGNER_PUBLIC_URL: url,
        ...env,
      }),
      { discovery: { timeoutMs: 5000 } },
    );
    await signer.listen();
  } catch (error) {
    await signer?.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const running = signer;
  return {
    url,
    audience,
    signer: running,
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

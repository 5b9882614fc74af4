import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Accounts, createAccounts, loadConfig } from '@signet/accounts';
import { createTestUser } from '../packages/accounts/src/testing.js';

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
  /** Creates a person through the admin API over HTTP (see createTestUser for the defaults). */
  createUser(body?: Record<string, unknown>): Promise<{ id: string; username: string }>;
  /** Stops both listeners, closes the database and deletes the data directory. */
  close(): Promise<void>;
}

/** Finds a free TCP port on 127.0.0.1 (the issuer has to name its port before the listener starts). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
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
    createUser(body = {}) {
      return createTestUser({ adminApp: accounts.adminApp, adminAuth: `Bearer ${adminToken}` }, body);
    },
    async close() {
      await accounts.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

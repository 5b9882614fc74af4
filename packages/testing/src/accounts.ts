import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '@signet/accounts';

// Tests that store a client with a known secret hash it as accounts does.
export { hashClientSecret } from '@signet/accounts/testing';

import { type Accounts, type Config, createAccounts, loadConfig } from '@signet/accounts';

/** A controllable clock in epoch seconds. */
export interface TestClock {
  now: () => number;
  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void;
}

/** A clock that starts at the real time and moves only when told. */
export function testClock(start = Math.floor(Date.now() / 1000)): TestClock {
  let t = start;
  return {
    now: () => t,
    advance: (s) => {
      t += s;
    },
  };
}

/** An in-process accounts service on a throwaway data directory, for tests. */
export interface TestAccounts extends Accounts {
  clock: TestClock;
  config: Config;
  /** Authorization header value for the admin API. */
  adminAuth: string;
  /** Creates a client through the admin API and returns its JSON including the secret. */
  createClient(
    body?: Record<string, unknown>,
  ): Promise<{ client_id: string; client_secret: string } & Record<string, unknown>>;
  /** Closes everything and deletes the data directory. */
  dispose(): Promise<void>;
}

/**
 * Builds accounts for a test: SQLite in a temp dir (or the given store), silent logs,
 * and `env` overrides on top of the defaults. Pass one `clock` to several instances to
 * run them as nodes of one cluster on one time line.
 *
 * @example
 * const a = await testAccounts({ env: { SIGNET_MASTER_KEY: key } });
 * const b = await testAccounts({ clock: a.clock, env: { SIGNET_MASTER_KEY: key, SIGNET_DATABASE_URL: a.config.databaseUrl } });
 */
export async function testAccounts(
  options: { env?: Record<string, string>; store?: Store; clock?: TestClock } = {},
): Promise<TestAccounts> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-test-'));
  const config = loadConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_LOG_LEVEL: 'silent', ...options.env });
  const clock = options.clock ?? testClock();
  let accounts: Accounts;
  try {
    accounts = await createAccounts(config, { now: clock.now, ...(options.store ? { store: options.store } : {}) });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const adminAuth = `Bearer ${accounts.admin.token}`;
  return {
    ...accounts,
    clock,
    config,
    adminAuth,
    async createClient(body = {}) {
      const res = await accounts.adminApp.inject({
        method: 'POST',
        url: '/admin/clients',
        headers: { authorization: adminAuth },
        payload: body,
      });
      if (res.statusCode !== 201) throw new Error(`client creation failed: ${res.statusCode} ${res.body}`);
      return res.json();
    },
    async dispose() {
      await accounts.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `Authorization: Basic` for a client, form-urlencoding id and secret first (RFC 6749 §2.3.1). */
export function basicAuth(clientId: string, clientSecret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
}

/** The password and claims {@link createTestUser} gives a person unless told otherwise. */
export const TEST_PERSON = {
  password: 'correct horse battery',
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  birthdate: '1815-12-10',
  email: 'ada@example.com',
  email_verified: true,
  phone_number: '+34600000000',
  phone_number_verified: true,
  credential: { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' },
};

/** Creates a person through the admin API and returns their JSON (with `id`, the `sub`). */
export async function createTestUser(
  t: Pick<TestAccounts, 'adminApp' | 'adminAuth'>,
  body: Record<string, unknown> = {},
): Promise<{ id: string; username: string } & Record<string, unknown>> {
  const res = await t.adminApp.inject({
    method: 'POST',
    url: '/admin/users',
    headers: { authorization: t.adminAuth },
    payload: { username: `person-${Math.random().toString(36).slice(2, 10)}`, ...TEST_PERSON, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`user creation failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/**
 * A free TCP port on 127.0.0.1, for a server that must know its port before it listens (an issuer
 * naming itself in `SIGNET_ISSUER`, a Signer's public URL). Another process may take it meanwhile;
 * tests accept that small race.
 */
export function freePort(): Promise<number> {
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

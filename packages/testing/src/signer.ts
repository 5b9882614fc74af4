import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignerStore } from '@signet/signer';
import {
  createSigner,
  loadSignerConfig,
  SIGNING_PAGE_SCOPE,
  type Signer,
  type SignerConfig,
  type SignerOverrides,
  signingCallbackUrl,
} from '@signet/signer';
// Tests run a real issuer from ./accounts.js beside the Signer; the Signer itself never imports accounts.
import { basicAuth, createTestUser, freePort, type TestAccounts, type TestClock, testAccounts } from './accounts.js';
import { TestBrowser } from './browser.js';
import { REDIRECT_URI, signInForTokens, type TokenAnswer } from './people.js';

// A document to put in an envelope, for tests outside the Signer that drive one.
export { pdfBase64 } from '@signet/signer/testing';

/** A client created at the test issuer, with a ready access token for the Signer. */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  /** A client_credentials access token for the Signer's audience. */
  accessToken: string;
  /** `Bearer <accessToken>`, ready for an `authorization` header. */
  authorization: string;
}

/** A Signer wired to a real accounts issuer listening on a loopback port, for tests. */
export interface TestSigner {
  /** The issuer (accounts), listening on `issuer`; use its admin API through `accounts.adminApp.inject`. */
  accounts: TestAccounts;
  signer: Signer;
  /** The Signer's Fastify app: `app.inject(...)` for in-process calls. */
  app: Signer['app'];
  config: SignerConfig;
  /** One clock for both services; `clock.advance(s)` moves tokens towards expiry and the JWKS cache towards refresh. */
  clock: TestClock;
  /** `http://127.0.0.1:<port>`: the issuer, reached over real HTTP. */
  issuer: string;
  /** Every URL the Signer fetched from the issuer (discovery, JWKS), in order. */
  issuerFetches: string[];
  /** The Signer's own client at the issuer, when {@link TestSignerOptions.signingClient} asked for it. */
  signingClient: { client_id: string; client_secret: string } | undefined;
  /** Creates a client at accounts (admin API) that may call the Signer. */
  createClient(body?: Record<string, unknown>): Promise<{ client_id: string; client_secret: string }>;
  /** Asks accounts' token endpoint (over HTTP) for a client_credentials access token. Defaults to the Signer's audience. */
  accessToken(client: { client_id: string; client_secret: string }, params?: Record<string, string>): Promise<string>;
  /** A fresh client and its access token for the Signer: the usual first line of a Signer test. */
  newClient(body?: Record<string, unknown>): Promise<TestClient>;
  /**
   * Signs a new person (or `person`) in at accounts through the authorization code flow (login and
   * consent over real HTTP, password only: `acr` is not `urn:acr:face`) with a new client allowed
   * the code flow, and returns the token response (`id_token`, `access_token`, …).
   * `authorization` overrides parameters of the authorization request (e.g. `acr_values`).
   */
  signIn(options?: {
    person?: { username: string };
    client?: { client_id: string; client_secret: string };
    authorization?: Record<string, string | undefined>;
  }): Promise<{
    tokens: TokenAnswer['body'];
    person: { username: string };
    client: { client_id: string; client_secret: string };
  }>;
  /** Closes the Signer and accounts and deletes their data directories. */
  dispose(): Promise<void>;
}

/** Options for {@link testSigner}. */
export interface TestSignerOptions {
  /** `SIGNET_*` overrides for the Signer's configuration. */
  env?: Record<string, string>;
  /** `SIGNET_*` overrides for the issuer's configuration. */
  accountsEnv?: Record<string, string>;
  /** An open, migrated Signer store (e.g. from `signerTestBackends()` for the PostgreSQL leg). */
  store?: SignerStore;
  /** A clock to share with other services. Default a fresh {@link TestClock}. */
  clock?: TestClock;
  /** Wraps the `fetch` the Signer uses towards the issuer (after counting). */
  fetch?: typeof fetch;
  /** JWKS cache timing, seconds. */
  jwks?: SignerOverrides['jwks'];
  /** How often notifications poll the database, ms (see `SignerOverrides.pollIntervalMs`). */
  pollIntervalMs?: number;
  /**
   * Creates the Signer's own client at the issuer (code flow, redirect URI
   * `${SIGNET_SIGNER_PUBLIC_URL}/sign/callback`, no consent) before the Signer starts, and
   * configures the Signer with it as `SIGNET_SIGNER_CLIENT_ID`/`_SECRET` would: the signing page
   * then signs people in as in production.
   */
  signingClient?: boolean;
}

/**
 * Starts a real accounts issuer on `127.0.0.1:<free port>` and a Signer that discovers it and
 * fetches its keys over HTTP, both on one controllable clock, on throwaway data directories.
 *
 * @example
 * const t = await testSigner();
 * after(() => t.dispose());
 * const { authorization } = await t.newClient();
 * const res = await t.app.inject({ url: '/v1/me', headers: { authorization } });
 */
export async function testSigner(options: TestSignerOptions = {}): Promise<TestSigner> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const accounts = await testAccounts({
    ...(options.clock ? { clock: options.clock } : {}),
    env: { SIGNET_ISSUER: issuer, SIGNET_PORT: String(port), SIGNET_DEMO_CLIENT: 'false', ...options.accountsEnv },
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-signer-test-'));
  let signer: Signer | undefined;
  const issuerFetches: string[] = [];
  const inner = options.fetch ?? fetch;
  const countingFetch: typeof fetch = (input, init) => {
    issuerFetches.push(input instanceof Request ? input.url : String(input));
    return inner(input, init);
  };
  try {
    await accounts.publicApp.listen({ host: '127.0.0.1', port });
    let config = loadSignerConfig({
      SIGNET_DATA_DIR: dataDir,
      SIGNET_ISSUER: issuer,
      SIGNET_SIGNER_AUDIENCE: accounts.config.signerAudience,
      SIGNET_SIGNER_PORT: '0',
      // Several Signers run at once in a test run: each metrics listener on a port of its own.
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_LOG_LEVEL: 'silent',
      ...options.env,
    });
    let signingClient: TestSigner['signingClient'];
    if (options.signingClient) {
      signingClient = await accounts.createClient({
        client_name: 'Signet Signer',
        grant_types: ['authorization_code'],
        redirect_uris: [signingCallbackUrl(config.publicUrl)],
        scope: SIGNING_PAGE_SCOPE,
        skip_consent: true,
      });
      config = { ...config, clientId: signingClient.client_id, clientSecret: signingClient.client_secret };
    }
    signer = await createSigner(config, {
      now: accounts.clock.now,
      fetch: countingFetch,
      discovery: { timeoutMs: 5000 },
      ...(options.store ? { store: options.store } : {}),
      ...(options.jwks ? { jwks: options.jwks } : {}),
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    });
    const running = signer;
    const accessToken = async (client: { client_id: string; client_secret: string }, params = {}) => {
      const res = await fetch(`${issuer}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(client.client_id, client.client_secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', audience: config.audience, ...params }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token) {
        throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
      }
      return body.access_token;
    };
    return {
      accounts,
      signer: running,
      app: running.app,
      config,
      clock: accounts.clock,
      issuer,
      issuerFetches,
      signingClient,
      createClient: (body = {}) => accounts.createClient(body),
      accessToken,
      async newClient(body = {}) {
        const client = await accounts.createClient(body);
        const token = await accessToken(client);
        return {
          clientId: client.client_id,
          clientSecret: client.client_secret,
          accessToken: token,
          authorization: `Bearer ${token}`,
        };
      },
      async signIn(signInOptions = {}) {
        const client =
          signInOptions.client ??
          (await accounts.createClient({
            client_name: 'Signer test app',
            grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
            redirect_uris: [REDIRECT_URI],
          }));
        const person = signInOptions.person ?? (await createTestUser(accounts));
        const harness = { t: accounts, origin: issuer } as Parameters<typeof signInForTokens>[0];
        const { tokens } = await signInForTokens(
          harness,
          new TestBrowser(issuer),
          { ...client },
          person,
          signInOptions.authorization,
        );
        return { tokens, person, client };
      },
      async dispose() {
        await running.close();
        await accounts.dispose();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await signer?.close();
    await accounts.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export { freePort, type TestClock } from './accounts.js';

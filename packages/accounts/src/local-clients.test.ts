import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '@signet/protocol';
import { basicAuth } from '@signet/testing/accounts';
import { type Accounts, createAccounts } from './accounts.js';
import { loadConfig } from './config.js';
import { DEMO_CLIENT_ID, ensureDemoClient, ensureSignerClient, SIGNER_CLIENT_ID } from './local-clients.js';

/** Starts accounts on `dataDir` as `signet start` would, runs `body`, and stops again. */
async function withStart<T>(
  dataDir: string,
  body: (accounts: Accounts) => Promise<T>,
  env: Record<string, string> = {},
): Promise<T> {
  const accounts = await createAccounts(loadConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_LOG_LEVEL: 'silent', ...env }));
  try {
    return await body(accounts);
  } finally {
    await accounts.close();
  }
}

/** A form POST to the token endpoint, authenticated as `clientId` with `clientSecret` (HTTP Basic). */
function tokenRequest(accounts: Accounts, clientId: string, clientSecret: string, form: string) {
  return accounts.publicApp.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: {
      authorization: basicAuth(clientId, clientSecret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: form,
  });
}

/** The documented request: `curl -u id:secret -d grant_type=client_credentials -d audience=…`. */
async function documentedCurl(accounts: Accounts, clientSecret: string): Promise<number> {
  const audience = encodeURIComponent(accounts.ctx.config.signerAudience);
  const res = await tokenRequest(
    accounts,
    DEMO_CLIENT_ID,
    clientSecret,
    `grant_type=client_credentials&audience=${audience}`,
  );
  return res.statusCode;
}

describe('ensureDemoClient', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-demo-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the demo client once and prints the same working secret on every start', async () => {
    const dir = dataDir();
    const first = await withStart(dir, async (accounts) => {
      const demo = await ensureDemoClient(accounts.ctx);
      assert.equal(demo.clientId, DEMO_CLIENT_ID);
      assert.match(demo.clientSecret, /^[A-Za-z0-9_-]{43,}$/);
      assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      const stored = await accounts.ctx.store.clients.get(DEMO_CLIENT_ID);
      assert.ok(stored?.clientSecretHash && !stored.clientSecretHash.includes(demo.clientSecret));
      assert.deepEqual(await ensureDemoClient(accounts.ctx), demo, 'idempotent within one run');
      return demo;
    });
    const file = join(dir, 'demo-client.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).client_secret, first.clientSecret);

    const second = await withStart(dir, async (accounts) => {
      const demo = await ensureDemoClient(accounts.ctx);
      assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      assert.equal((await accounts.ctx.store.clients.list({ limit: 100 })).length, 1, 'no second client');
      return demo;
    });
    assert.deepEqual(second, first);
  });

  it('issues a new secret when the file is deleted, and the old one stops working', async () => {
    const dir = dataDir();
    const first = await withStart(dir, (accounts) => ensureDemoClient(accounts.ctx));
    unlinkSync(join(dir, 'demo-client.json'));
    await withStart(dir, async (accounts) => {
      const demo = await ensureDemoClient(accounts.ctx);
      assert.notEqual(demo.clientSecret, first.clientSecret);
      assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      assert.equal(await documentedCurl(accounts, first.clientSecret), 401);
      assert.equal(JSON.parse(readFileSync(join(dir, 'demo-client.json'), 'utf8')).client_secret, demo.clientSecret);
    });
  });

  it('a re-issued secret works at once in the running process', async () => {
    const dir = dataDir();
    await withStart(dir, async (accounts) => {
      const first = await ensureDemoClient(accounts.ctx);
      assert.equal(await documentedCurl(accounts, first.clientSecret), 200);
      unlinkSync(join(dir, 'demo-client.json'));
      const demo = await ensureDemoClient(accounts.ctx);
      assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      assert.equal(await documentedCurl(accounts, first.clientSecret), 401);
    });
  });

  it('issues a new secret when the file is damaged or holds a stale secret', async () => {
    const dir = dataDir();
    const first = await withStart(dir, (accounts) => ensureDemoClient(accounts.ctx));
    for (const content of ['{ not json', '[]', 'null', JSON.stringify({ client_secret: 'stale' })]) {
      writeFileSync(join(dir, 'demo-client.json'), content);
      await withStart(dir, async (accounts) => {
        const demo = await ensureDemoClient(accounts.ctx);
        assert.notEqual(demo.clientSecret, first.clientSecret);
        assert.equal(await documentedCurl(accounts, demo.clientSecret), 200, content);
      });
    }
  });

  it('recreates the demo client when it was deleted through the admin API', async () => {
    const dir = dataDir();
    await withStart(dir, async (accounts) => {
      const first = await ensureDemoClient(accounts.ctx);
      const res = await accounts.adminApp.inject({
        method: 'DELETE',
        url: `/admin/clients/${DEMO_CLIENT_ID}`,
        headers: { authorization: `Bearer ${accounts.admin.token}` },
      });
      assert.equal(res.statusCode, 204);
      const demo = await ensureDemoClient(accounts.ctx);
      assert.notEqual(demo.clientSecret, first.clientSecret);
      assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
    });
  });

  it('keeps the printed curl working after SIGNET_SIGNER_AUDIENCE changes', async () => {
    const dir = dataDir();
    await withStart(dir, (accounts) => ensureDemoClient(accounts.ctx));
    await withStart(
      dir,
      async (accounts) => {
        const demo = await ensureDemoClient(accounts.ctx);
        assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      },
      { SIGNET_SIGNER_AUDIENCE: 'https://signer.example.com' },
    );
  });

  it('works when secrets are configured and the data directory does not exist yet', async () => {
    const dir = join(dataDir(), 'not-yet-created');
    const env = {
      SIGNET_DATABASE_URL: join(dataDir(), 'signet.db'),
      SIGNET_MASTER_KEY: randomBytes(32).toString('base64url'),
      SIGNET_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    };
    await withStart(
      dir,
      async (accounts) => {
        assert.equal(existsSync(dir), false, 'nothing else created the data directory');
        const demo = await ensureDemoClient(accounts.ctx);
        assert.equal(await documentedCurl(accounts, demo.clientSecret), 200);
      },
      env,
    );
    assert.equal(statSync(join(dir, 'demo-client.json')).mode & 0o777, 0o600);
  });
});

describe('ensureSignerClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-signer-client-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The code grant at the token endpoint with the Signer's credentials: 400 invalid_grant proves the client authenticated. */
  async function authenticates(accounts: Accounts, clientSecret: string): Promise<string> {
    const res = await tokenRequest(
      accounts,
      SIGNER_CLIENT_ID,
      clientSecret,
      `grant_type=authorization_code&code=unknown&redirect_uri=x&code_verifier=${'v'.repeat(43)}`,
    );
    return (res.json() as { error: string }).error;
  }

  it("provisions the signing page's client once, and follows a changed public URL", async () => {
    const first = await withStart(dir, async (accounts) => {
      const own = await ensureSignerClient(accounts.ctx, 'http://localhost:4446');
      const stored = await accounts.ctx.store.clients.get(SIGNER_CLIENT_ID);
      assert.deepEqual(stored?.redirectUris, ['http://localhost:4446/sign/callback']);
      assert.deepEqual(stored?.grantTypes, ['authorization_code']);
      assert.equal(stored?.skipConsent, true);
      assert.equal(await authenticates(accounts, own.clientSecret), 'invalid_grant');
      assert.equal(await authenticates(accounts, 'wrong'), 'invalid_client');
      return own;
    });
    assert.equal(statSync(join(dir, 'signer-client.json')).mode & 0o777, 0o600);
    await withStart(dir, async (accounts) => {
      const own = await ensureSignerClient(accounts.ctx, 'https://sign.example.com/');
      assert.deepEqual(own, first, 'same secret across starts');
      const stored = await accounts.ctx.store.clients.get(SIGNER_CLIENT_ID);
      assert.deepEqual(stored?.redirectUris, ['https://sign.example.com/sign/callback']);
      assert.equal((await accounts.ctx.store.clients.list({ limit: 100 })).length, 1, 'no second client');
    });
  });

  it('refuses a plain http public URL off the loopback at start, naming the variable, on a new or an existing client', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'signet-signer-client-'));
    try {
      for (const data of [fresh, dir]) {
        await withStart(data, async (accounts) => {
          const before = await accounts.ctx.store.clients.get(SIGNER_CLIENT_ID);
          await assert.rejects(ensureSignerClient(accounts.ctx, 'http://sign.example.com'), (error: unknown) => {
            assert.ok(error instanceof ConfigError, String(error));
            assert.equal(error.variable, 'SIGNET_SIGNER_PUBLIC_URL');
            assert.match(error.message, /https/);
            return true;
          });
          assert.deepEqual(await accounts.ctx.store.clients.get(SIGNER_CLIENT_ID), before, 'nothing changed');
        });
      }
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

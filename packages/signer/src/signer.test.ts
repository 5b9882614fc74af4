import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testAccounts } from '@signet/testing/accounts';
import { freePort, testSigner } from '@signet/testing/signer';
import { DiscoveryError } from './auth/discovery.js';
import { ConfigError, loadSignerConfig } from './config.js';
import { createSigner } from './signer.js';

describe('createSigner', () => {
  it('creates its master key once (0600) and reuses it', async () => {
    const t = await testSigner();
    try {
      const file = join(t.config.dataDir, 'signer-master-key');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
      assert.equal(key.length, 32);
      assert.deepEqual(t.signer.context.masterKey, key);
      const health = await t.app.inject({ url: '/health' });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json(), { status: 'ok' });
      assert.equal(health.headers['x-content-type-options'], 'nosniff');
      assert.equal(health.headers['x-frame-options'], 'DENY');
      // The parts are wired: envelopes behind the bearer check, the CA certificate public.
      const { authorization } = await t.newClient();
      const list = await t.app.inject({ url: '/v1/envelopes', headers: { authorization } });
      assert.equal(list.statusCode, 200, list.body);
      assert.equal((await t.app.inject({ url: '/v1/envelopes' })).statusCode, 401);
      const root = await t.app.inject({ url: '/v1/ca/root.pem' });
      assert.equal(root.statusCode, 200);
      assert.equal(root.body, t.signer.ca.rootCertificatePem);
    } finally {
      await t.dispose();
    }
  });

  it('refuses a damaged master key file, naming the variable', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-signer-key-'));
    try {
      writeFileSync(join(dataDir, 'signer-master-key'), 'c2hvcnQ\n');
      await assert.rejects(
        createSigner(loadSignerConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_ISSUER: 'http://127.0.0.1:1' })),
        (error: unknown) => error instanceof ConfigError && error.variable === 'SIGNET_SIGNER_MASTER_KEY',
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('waits for an issuer that starts after it, then discovers it', async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const accounts = await testAccounts({ env: { SIGNET_ISSUER: issuer, SIGNET_DEMO_CLIENT: 'false' } });
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-signer-late-'));
    try {
      const config = loadSignerConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_ISSUER: issuer, SIGNET_LOG_LEVEL: 'silent' });
      const started = createSigner(config, { discovery: { timeoutMs: 10_000, initialDelayMs: 50 } });
      // Nothing listens yet: the Signer keeps trying until accounts does.
      await new Promise((resolve) => setTimeout(resolve, 400));
      await accounts.publicApp.listen({ host: '127.0.0.1', port });
      const signer = await started;
      assert.equal(signer.context.issuer, issuer);
      assert.equal(signer.issuerMetadata.jwksUri, `${issuer}/.well-known/jwks.json`);
      await signer.close();
    } finally {
      await accounts.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses an issuer whose discovery document names another issuer', async () => {
    const t = await testSigner();
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-signer-iss-'));
    try {
      // Same server, reached under another name: discovery says 127.0.0.1, not localhost.
      const config = loadSignerConfig({
        SIGNET_DATA_DIR: dataDir,
        SIGNET_ISSUER: t.issuer.replace('127.0.0.1', 'localhost'),
        SIGNET_LOG_LEVEL: 'silent',
      });
      await assert.rejects(
        createSigner(config, {
          // Reach the real issuer whatever localhost resolves to.
          fetch: (input, init) => fetch(String(input).replace('localhost', '127.0.0.1'), init),
          discovery: { timeoutMs: 2000 },
        }),
        (error: unknown) => error instanceof DiscoveryError && /must match it exactly/.test(error.message),
      );
    } finally {
      await t.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('gives up with a DiscoveryError when the issuer never answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-signer-down-'));
    try {
      const port = await freePort();
      const config = loadSignerConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_ISSUER: `http://127.0.0.1:${port}` });
      await assert.rejects(
        createSigner(config, { discovery: { timeoutMs: 300, initialDelayMs: 50 } }),
        (error: unknown) => error instanceof DiscoveryError && /did not answer discovery/.test(error.message),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { createAccounts } from './accounts.js';
import { ConfigError, loadConfig } from './config.js';
import { defaultPoolSize } from './face/pool.js';

const masterKey = () => randomBytes(32).toString('base64url');

/** Asserts that `env` fails to load with a ConfigError that names `variable`. */
function assertRejected(env: Record<string, string>, variable: string): void {
  assert.throws(
    () => loadConfig(env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.equal(error.variable, variable);
      assert.ok(error.message.includes(variable), `"${error.message}" names ${variable}`);
      return true;
    },
    `${JSON.stringify(env)} must be refused`,
  );
}

describe('loadConfig', () => {
  it('has the defaults of issue 2', () => {
    const config = loadConfig({});
    assert.equal(config.issuer, 'http://localhost:4444');
    assert.equal(config.port, 4444);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.adminPort, 4445);
    assert.equal(config.adminHost, '127.0.0.1');
    assert.equal(config.dataDir, resolve('.signet'));
    assert.equal(config.databaseUrl, join(resolve('.signet'), 'signet.db'));
    assert.equal(config.signerAudience, 'http://localhost:4446');
    assert.equal(config.accessTokenTtl, 3600);
    assert.equal(config.authorizationCodeTtl, 60, 'codes are short-lived (issue 3)');
    assert.equal(config.refreshTokenTtl, 30 * 24 * 3600);
    assert.equal(config.signingAlg, 'ES256');
    assert.equal(config.adminToken, undefined);
    assert.equal(config.masterKey, undefined);
    assert.equal(config.demoClient, true);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.faceThreshold, 0.5, 'issue 4: 0.5 separated look-alikes');
    assert.equal(config.facePoolSize, defaultPoolSize());
    assert.equal(config.faceMaxAttempts, 3);
    assert.equal(config.faceEnrolmentTtl, 24 * 3600, 'a face enrolment link works for 24 hours');
    assert.equal(config.faceAllowPassword, false, 'issue 10: urn:acr:face needs a passkey unless the operator says so');
  });

  it('reads and checks the face settings', () => {
    const config = loadConfig({
      SIGNET_FACE_THRESHOLD: '0.45',
      SIGNET_FACE_POOL_SIZE: '2',
      SIGNET_FACE_MAX_ATTEMPTS: '5',
    });
    assert.equal(config.faceThreshold, 0.45);
    assert.equal(config.facePoolSize, 2);
    assert.equal(config.faceMaxAttempts, 5);
    assertRejected({ SIGNET_FACE_THRESHOLD: '0' }, 'SIGNET_FACE_THRESHOLD');
    assertRejected({ SIGNET_FACE_ENROLMENT_TTL: '59' }, 'SIGNET_FACE_ENROLMENT_TTL');
    assertRejected({ SIGNET_FACE_ENROLMENT_TTL: '1d' }, 'SIGNET_FACE_ENROLMENT_TTL');
    assertRejected({ SIGNET_FACE_THRESHOLD: 'strict' }, 'SIGNET_FACE_THRESHOLD');
    assertRejected({ SIGNET_FACE_THRESHOLD: '2.5' }, 'SIGNET_FACE_THRESHOLD');
    assertRejected({ SIGNET_FACE_POOL_SIZE: '0' }, 'SIGNET_FACE_POOL_SIZE');
    assertRejected({ SIGNET_FACE_MAX_ATTEMPTS: '0' }, 'SIGNET_FACE_MAX_ATTEMPTS');
  });

  it('reads the support contact, unset by default', () => {
    const none = loadConfig({});
    assert.equal(none.supportEmail, undefined);
    assert.equal(none.supportUrl, undefined);
    const both = loadConfig({
      SIGNET_SUPPORT_EMAIL: ' help@example.com ',
      SIGNET_SUPPORT_URL: 'https://example.com/support',
    });
    assert.equal(both.supportEmail, 'help@example.com');
    assert.equal(both.supportUrl, 'https://example.com/support');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ SIGNET_PORT: '', SIGNET_ISSUER: ' ', SIGNET_DATABASE_URL: '', SIGNET_ADMIN_TOKEN: '' });
    assert.equal(config.port, 4444);
    assert.equal(config.issuer, 'http://localhost:4444');
    assert.equal(config.adminToken, undefined);
    assert.equal(config.databaseUrl, join(resolve('.signet'), 'signet.db'));
  });

  it('reads every variable', () => {
    const key = masterKey();
    const config = loadConfig({
      SIGNET_ISSUER: 'https://accounts.example.com',
      SIGNET_PORT: '8080',
      SIGNET_HOST: '0.0.0.0',
      SIGNET_ADMIN_PORT: '8081',
      SIGNET_ADMIN_HOST: '10.0.0.5',
      SIGNET_ADMIN_TOKEN: 'a-long-enough-admin-token',
      SIGNET_DATA_DIR: '/var/lib/signet',
      SIGNET_SIGNER_AUDIENCE: 'https://signer.example.com',
      SIGNET_ACCESS_TOKEN_TTL: '600',
      SIGNET_AUTHORIZATION_CODE_TTL: '30',
      SIGNET_ID_TOKEN_TTL: '900',
      SIGNET_REFRESH_TOKEN_TTL: '86400',
      SIGNET_SESSION_TTL: '3600',
      SIGNET_SIGNING_ALG: 'RS256',
      SIGNET_MASTER_KEY: key,
      SIGNET_DEMO_CLIENT: 'false',
      SIGNET_LOG_LEVEL: 'warn',
      SIGNET_ACCESS_LOG: 'false',
      SIGNET_METRICS_TOKEN: 'a-long-enough-scraper-token',
      SIGNET_FACE_THRESHOLD: '0.4',
      SIGNET_FACE_POOL_SIZE: '3',
      SIGNET_FACE_MAX_ATTEMPTS: '2',
      SIGNET_FACE_ENROLMENT_TTL: '3600',
      SIGNET_FACE_ALLOW_PASSWORD: 'true',
      SIGNET_SUPPORT_EMAIL: 'help@example.com',
      SIGNET_SUPPORT_URL: 'https://example.com/support',
    });
    assert.deepEqual(config, {
      issuer: 'https://accounts.example.com',
      host: '0.0.0.0',
      port: 8080,
      adminHost: '10.0.0.5',
      adminPort: 8081,
      adminToken: 'a-long-enough-admin-token',
      dataDir: '/var/lib/signet',
      databaseUrl: '/var/lib/signet/signet.db',
      signerAudience: 'https://signer.example.com',
      accessTokenTtl: 600,
      authorizationCodeTtl: 30,
      idTokenTtl: 900,
      refreshTokenTtl: 86400,
      sessionTtl: 3600,
      signingAlg: 'RS256',
      masterKey: key,
      demoClient: false,
      logLevel: 'warn',
      accessLog: false,
      metricsToken: 'a-long-enough-scraper-token',
      faceThreshold: 0.4,
      facePoolSize: 3,
      faceMaxAttempts: 2,
      faceEnrolmentTtl: 3600,
      faceAllowPassword: true,
      supportEmail: 'help@example.com',
      supportUrl: 'https://example.com/support',
    });
  });

  it('keeps the SQLite file in a configured data dir and passes a PostgreSQL URL through', () => {
    assert.equal(loadConfig({ SIGNET_DATA_DIR: '/tmp/x' }).databaseUrl, '/tmp/x/signet.db');
    const pg = 'postgres://signet:pw@db.internal:5432/signet?sslmode=require';
    assert.equal(loadConfig({ SIGNET_DATABASE_URL: pg }).databaseUrl, pg);
    assert.equal(loadConfig({ SIGNET_DATABASE_URL: 'postgresql://db/signet' }).databaseUrl, 'postgresql://db/signet');
  });

  it('accepts http issuers on loopback hosts only', () => {
    for (const issuer of ['http://127.0.0.1:4444', 'http://[::1]:4444', 'http://signet.localhost']) {
      assert.equal(loadConfig({ SIGNET_ISSUER: issuer }).issuer, issuer);
    }
    assert.equal(
      loadConfig({ SIGNET_ISSUER: 'https://id.example.com/tenant' }).issuer,
      'https://id.example.com/tenant',
    );
  });

  const bad: [string, string][] = [
    ['SIGNET_PORT', 'abc'],
    ['SIGNET_PORT', '70000'],
    ['SIGNET_PORT', '-1'],
    ['SIGNET_PORT', '44.4'],
    ['SIGNET_ADMIN_PORT', 'admin'],
    ['SIGNET_ADMIN_PORT', '65536'],
    ['SIGNET_ISSUER', 'notaurl'],
    ['SIGNET_ISSUER', 'ftp://localhost:4444'],
    ['SIGNET_ISSUER', 'http://accounts.example.com'],
    ['SIGNET_ISSUER', 'http://localhost.example.com'],
    ['SIGNET_ISSUER', 'https://accounts.example.com/'],
    ['SIGNET_ISSUER', 'http://localhost:4444/'],
    ['SIGNET_ISSUER', 'https://accounts.example.com?tenant=a'],
    ['SIGNET_ISSUER', 'https://accounts.example.com#x'],
    ['SIGNET_ACCESS_TOKEN_TTL', '0'],
    ['SIGNET_ACCESS_TOKEN_TTL', '-5'],
    ['SIGNET_ACCESS_TOKEN_TTL', '1h'],
    ['SIGNET_SIGNING_ALG', 'HS256'],
    ['SIGNET_SIGNING_ALG', 'none'],
    ['SIGNET_MASTER_KEY', 'short'],
    ['SIGNET_MASTER_KEY', randomBytes(31).toString('base64url')],
    ['SIGNET_MASTER_KEY', '!'.repeat(64)],
    ['SIGNET_ADMIN_TOKEN', 'short'],
    ['SIGNET_DEMO_CLIENT', 'maybe'],
    ['SIGNET_LOG_LEVEL', 'loud'],
    ['SIGNET_SIGNER_AUDIENCE', 'http://localhost:4446 http://other'],
    ['SIGNET_SUPPORT_EMAIL', 'help desk'],
    ['SIGNET_SUPPORT_EMAIL', 'a@example.com, b@example.com'],
    ['SIGNET_SUPPORT_URL', 'javascript:alert(1)'],
    ['SIGNET_SUPPORT_URL', 'support.example.com'],
  ];
  for (const [variable, value] of bad) {
    it(`refuses ${variable}=${value.length > 24 ? `${value.slice(0, 24)}…` : value}, naming the variable`, () => {
      assertRejected({ [variable]: value }, variable);
    });
  }

  it('refuses an admin port that clashes with the public listener, naming SIGNET_ADMIN_PORT', () => {
    assertRejected({ SIGNET_PORT: '5000', SIGNET_ADMIN_PORT: '5000' }, 'SIGNET_ADMIN_PORT');
    assertRejected({ SIGNET_ADMIN_PORT: '4444' }, 'SIGNET_ADMIN_PORT');
    assertRejected({ SIGNET_ADMIN_PORT: '4444', SIGNET_HOST: '0.0.0.0' }, 'SIGNET_ADMIN_PORT');
    const apart = loadConfig({ SIGNET_ADMIN_PORT: '4444', SIGNET_HOST: '10.0.0.5' });
    assert.equal(apart.adminPort, 4444, 'the same port on two specific addresses is fine');
    assert.equal(loadConfig({ SIGNET_PORT: '0', SIGNET_ADMIN_PORT: '0' }).adminPort, 0, 'two free ports never clash');
  });

  it('accepts a standard base64 master key as printed by openssl rand -base64 32', () => {
    const key = randomBytes(32).toString('base64');
    assert.equal(loadConfig({ SIGNET_MASTER_KEY: key }).masterKey, key);
  });
});

describe('generated secrets in the data directory', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-config-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const env = (dir: string, extra: Record<string, string> = {}) =>
    loadConfig({ SIGNET_DATA_DIR: dir, SIGNET_LOG_LEVEL: 'silent', ...extra });

  it('writes the admin token and master key with mode 0600 and reuses them on the next start', async () => {
    const dir = dataDir();
    const first = await createAccounts(env(dir));
    await first.close();
    const tokenFile = join(dir, 'admin-token');
    const keyFile = join(dir, 'master-key');
    assert.equal(first.admin.file, tokenFile);
    for (const file of [tokenFile, keyFile]) {
      assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is private to its owner`);
    }
    assert.equal(readFileSync(tokenFile, 'utf8').trim(), first.admin.token);
    assert.ok(first.admin.token.length >= 43, 'the generated admin token carries 256 bits');
    assert.equal(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64url').length, 32);

    const keyBefore = readFileSync(keyFile, 'utf8');
    const second = await createAccounts(env(dir));
    await second.close();
    assert.equal(second.admin.token, first.admin.token);
    assert.equal(readFileSync(keyFile, 'utf8'), keyBefore);
  });

  it('uses a configured SIGNET_ADMIN_TOKEN and writes no admin-token file', async () => {
    const dir = dataDir();
    const token = `configured-${randomBytes(16).toString('hex')}`;
    const accounts = await createAccounts(env(dir, { SIGNET_ADMIN_TOKEN: token }));
    try {
      assert.equal(accounts.admin.token, token);
      assert.equal(accounts.admin.file, undefined);
      assert.equal(existsSync(join(dir, 'admin-token')), false);
      const ok = await accounts.adminApp.inject({ url: '/admin/keys', headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.statusCode, 200);
    } finally {
      await accounts.close();
    }
  });

  it('uses a configured SIGNET_MASTER_KEY and writes no master-key file', async () => {
    const dir = dataDir();
    const accounts = await createAccounts(env(dir, { SIGNET_MASTER_KEY: masterKey() }));
    await accounts.close();
    assert.equal(existsSync(join(dir, 'master-key')), false);
  });

  it('refuses to start on an empty or short master-key file instead of using a guessable key', async () => {
    for (const content of ['', '\n', 'abc\n']) {
      const dir = dataDir();
      writeFileSync(join(dir, 'master-key'), content, { mode: 0o600 });
      await assert.rejects(createAccounts(env(dir)), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.match(error.message, /SIGNET_MASTER_KEY/);
        assert.ok(error.message.includes(join(dir, 'master-key')), error.message);
        return true;
      });
    }
  });

  it('refuses to start on an empty admin-token file instead of locking the admin API out', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, 'admin-token'), '\n', { mode: 0o600 });
    await assert.rejects(createAccounts(env(dir)), (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.match(error.message, /SIGNET_ADMIN_TOKEN/);
      assert.ok(error.message.includes(join(dir, 'admin-token')), error.message);
      return true;
    });
  });
});

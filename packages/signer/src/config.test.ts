import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadSignerConfig } from './config.js';

describe('loadSignerConfig', () => {
  it('has the documented defaults', () => {
    const config = loadSignerConfig({});
    assert.equal(config.issuer, 'http://localhost:4444');
    assert.equal(config.audience, 'http://localhost:4446');
    assert.equal(config.publicUrl, 'http://localhost:4446');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 4446);
    assert.equal(config.dataDir, resolve('./.signet'));
    assert.equal(config.databaseUrl, resolve('./.signet/signer.db'));
    assert.equal(config.masterKey, undefined);
    assert.equal(config.maxDocumentBytes, 20 * 1024 * 1024);
    assert.equal(config.requiredAcr, 'urn:acr:face');
    assert.equal(config.pdfWorkers, 2);
    assert.equal(config.pdfQueue, 16);
    assert.equal(config.pdfDeadlineMs, 10_000);
    assert.equal(config.pdfWorkerMemoryMb, 512);
    assert.equal(config.pdfMaxStreamBytes, 32 * 1024 * 1024);
    assert.equal(config.pdfMaxDecodedBytes, 128 * 1024 * 1024);
    assert.equal(config.authMaxAge, 900);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.webhookPrivateNetworks, 'allow', 'a localhost public URL: receivers are local too');
  });

  it('denies webhooks to private networks unless the public URL is on this machine, or told otherwise', () => {
    const publicAt = (url: string, extra: Record<string, string> = {}) =>
      loadSignerConfig({ SIGNET_SIGNER_PUBLIC_URL: url, ...extra }).webhookPrivateNetworks;
    assert.equal(publicAt('https://signer.example'), 'deny');
    assert.equal(publicAt('http://10.0.0.5:4446'), 'deny');
    for (const local of ['http://localhost:4446', 'http://127.0.0.1:4446', 'http://[::1]:4446']) {
      assert.equal(publicAt(local), 'allow', local);
    }
    const allow = { SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS: 'allow' };
    assert.equal(publicAt('https://signer.example', allow), 'allow');
    assert.equal(publicAt('http://localhost:4446', { SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS: 'deny' }), 'deny');
  });

  it('reads the organisation seal subject, and refuses a malformed one naming the variable', () => {
    assert.equal(loadSignerConfig({}).sealCountry, undefined);
    const config = loadSignerConfig({
      SIGNET_SIGNER_SEAL_COUNTRY: 'es',
      SIGNET_SIGNER_SEAL_ORGANIZATION_ID: 'VATES-B12345678',
    });
    assert.equal(config.sealCountry, 'ES');
    assert.equal(config.sealOrganizationIdentifier, 'VATES-B12345678');
    assert.throws(() => loadSignerConfig({ SIGNET_SIGNER_SEAL_COUNTRY: 'Spain' }), /SIGNET_SIGNER_SEAL_COUNTRY/);
    assert.throws(
      () => loadSignerConfig({ SIGNET_SIGNER_SEAL_ORGANIZATION_ID: 'B12345678' }),
      /SIGNET_SIGNER_SEAL_ORGANIZATION_ID/,
    );
  });

  it('reads every variable', () => {
    const config = loadSignerConfig({
      SIGNET_ISSUER: 'https://accounts.example',
      SIGNET_SIGNER_AUDIENCE: 'https://signer.example',
      SIGNET_SIGNER_PUBLIC_URL: 'https://signer.example/',
      SIGNET_SIGNER_HOST: '0.0.0.0',
      SIGNET_SIGNER_PORT: '8446',
      SIGNET_DATA_DIR: '/tmp/signer-data',
      SIGNET_SIGNER_DATABASE_URL: 'postgres://db/signer',
      SIGNET_SIGNER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64url'),
      SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '1048576',
      SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:pwd',
      SIGNET_SIGNER_PDF_WORKERS: '3',
      SIGNET_SIGNER_PDF_QUEUE: '0',
      SIGNET_SIGNER_PDF_DEADLINE_MS: '2500',
      SIGNET_SIGNER_PDF_WORKER_MEMORY_MB: '128',
      SIGNET_SIGNER_PDF_MAX_STREAM_BYTES: '2097152',
      SIGNET_SIGNER_PDF_MAX_DECODED_BYTES: '4194304',
      SIGNET_SIGNER_AUTH_MAX_AGE: '60',
      SIGNET_SIGNER_CLIENT_ID: 'signer',
      SIGNET_SIGNER_CLIENT_SECRET: 'secret',
      SIGNET_LOG_LEVEL: 'warn',
    });
    assert.equal(config.issuer, 'https://accounts.example');
    assert.equal(config.publicUrl, 'https://signer.example', 'a trailing slash is dropped');
    assert.equal(config.port, 8446);
    assert.equal(config.databaseUrl, 'postgres://db/signer');
    assert.equal(config.maxDocumentBytes, 1048576);
    assert.equal(config.clientId, 'signer');
    assert.equal(config.clientSecret, 'secret');
    assert.deepEqual(
      [config.pdfWorkers, config.pdfQueue, config.pdfDeadlineMs, config.pdfWorkerMemoryMb],
      [3, 0, 2500, 128],
    );
    assert.deepEqual([config.pdfMaxStreamBytes, config.pdfMaxDecodedBytes], [2097152, 4194304]);
  });

  const refused: [Record<string, string>, string][] = [
    [{ SIGNET_ISSUER: 'not a url' }, 'SIGNET_ISSUER'],
    [{ SIGNET_ISSUER: 'http://accounts.example' }, 'SIGNET_ISSUER'],
    [{ SIGNET_ISSUER: 'https://accounts.example/' }, 'SIGNET_ISSUER'],
    [{ SIGNET_ISSUER: 'https://accounts.example?x=1' }, 'SIGNET_ISSUER'],
    [{ SIGNET_SIGNER_AUDIENCE: 'two audiences' }, 'SIGNET_SIGNER_AUDIENCE'],
    [{ SIGNET_SIGNER_PUBLIC_URL: 'ftp://signer.example' }, 'SIGNET_SIGNER_PUBLIC_URL'],
    [{ SIGNET_SIGNER_PORT: '70000' }, 'SIGNET_SIGNER_PORT'],
    [{ SIGNET_SIGNER_PORT: 'http' }, 'SIGNET_SIGNER_PORT'],
    [{ SIGNET_SIGNER_MASTER_KEY: 'short' }, 'SIGNET_SIGNER_MASTER_KEY'],
    [{ SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '10' }, 'SIGNET_SIGNER_MAX_DOCUMENT_BYTES'],
    [{ SIGNET_SIGNER_AUTH_MAX_AGE: '0' }, 'SIGNET_SIGNER_AUTH_MAX_AGE'],
    [{ SIGNET_SIGNER_PDF_WORKERS: '0' }, 'SIGNET_SIGNER_PDF_WORKERS'],
    [{ SIGNET_SIGNER_PDF_QUEUE: '-1' }, 'SIGNET_SIGNER_PDF_QUEUE'],
    [{ SIGNET_SIGNER_PDF_DEADLINE_MS: '10' }, 'SIGNET_SIGNER_PDF_DEADLINE_MS'],
    [{ SIGNET_SIGNER_PDF_WORKER_MEMORY_MB: 'lots' }, 'SIGNET_SIGNER_PDF_WORKER_MEMORY_MB'],
    [{ SIGNET_SIGNER_PDF_MAX_STREAM_BYTES: '1000' }, 'SIGNET_SIGNER_PDF_MAX_STREAM_BYTES'],
    [
      { SIGNET_SIGNER_PDF_MAX_STREAM_BYTES: '67108864', SIGNET_SIGNER_PDF_MAX_DECODED_BYTES: '33554432' },
      'SIGNET_SIGNER_PDF_MAX_DECODED_BYTES',
    ],
    [{ SIGNET_SIGNER_CLIENT_ID: 'signer' }, 'SIGNET_SIGNER_CLIENT_SECRET'],
    [{ SIGNET_SIGNER_CLIENT_SECRET: 'secret' }, 'SIGNET_SIGNER_CLIENT_ID'],
    [{ SIGNET_LOG_LEVEL: 'loud' }, 'SIGNET_LOG_LEVEL'],
    [{ SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS: 'yes' }, 'SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS'],
    [{ SIGNET_SIGNER_SMTP_URL: 'http://mail.example.com' }, 'SIGNET_SIGNER_SMTP_URL'],
    [{ SIGNET_SIGNER_SMTP_URL: 'mail.example.com:25' }, 'SIGNET_SIGNER_SMTP_URL'],
    [{ SIGNET_SIGNER_SMTP_URL: 'smtp://mail.example.com' }, 'SIGNET_SIGNER_MAIL_FROM'],
    [{ SIGNET_SIGNER_MAIL_FROM: 'Acme <not an address>' }, 'SIGNET_SIGNER_MAIL_FROM'],
    [{ SIGNET_SIGNER_REMINDERS: '24,soon' }, 'SIGNET_SIGNER_REMINDERS'],
    [{ SIGNET_SIGNER_REMINDERS: '0' }, 'SIGNET_SIGNER_REMINDERS'],
    [{ SIGNET_SIGNER_REMINDERS: '721' }, 'SIGNET_SIGNER_REMINDERS'],
  ];
  for (const [env, variable] of refused) {
    it(`refuses ${JSON.stringify(env)} naming ${variable}`, () => {
      assert.throws(
        () => loadSignerConfig(env),
        (error: unknown) =>
          error instanceof ConfigError && error.variable === variable && error.message.startsWith(`${variable}: `),
      );
    });
  }

  it('sends no email unless SMTP is configured; reminders default to 24 hours, largest first', () => {
    const off = loadSignerConfig({});
    assert.equal(off.smtpUrl, undefined);
    assert.deepEqual(off.reminderHours, [24]);
    assert.equal(off.mailAttachMaxBytes, 10 * 1024 * 1024);
    const on = loadSignerConfig({
      SIGNET_SIGNER_SMTP_URL: 'smtps://user:pass@mail.example.com:465',
      SIGNET_SIGNER_MAIL_FROM: 'Acme Signatures <sign@acme.example>',
      SIGNET_SIGNER_REMINDERS: '24, 72,24',
    });
    assert.equal(on.smtpUrl, 'smtps://user:pass@mail.example.com:465');
    assert.deepEqual(on.reminderHours, [72, 24]);
    assert.deepEqual(loadSignerConfig({ SIGNET_SIGNER_REMINDERS: 'none' }).reminderHours, []);
  });
});

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openStore } from '@signet/accounts';
import type { Envelope } from '@signet/protocol';
import { createSigner, loadSignerConfig, type Signer } from '@signet/signer';
import { pdfBase64, verifyPdf } from '@signet/signer/testing';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { backup } from './commands/backup.js';

// A running Signet on SQLite (accounts as the issuer, the Signer with one signed envelope) is
// backed up live with `signet backup`, the Signer is restored into a fresh data directory with its
// master key, started, and signs again; the old envelope's PDF is still there and verifies.
let t: TestSigner;
let restored: Signer | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'signet-backup-test-'));

before(async () => {
  t = await testSigner({ env: { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password' } });
});
after(async () => {
  await restored?.close();
  await t?.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

async function signedEnvelope(signer: TestSigner['app'], nonce: string) {
  const { tokens, client } = await t.signIn();
  const authorization = `Bearer ${await t.accessToken(client)}`;
  const res = await signer.inject({
    method: 'POST',
    url: '/v1/envelopes',
    headers: { authorization },
    payload: {
      issuer: { initiative: client.client_id, nonce },
      documents: [{ name: 'contract.pdf', content: await pdfBase64(1) }],
      persons: [{ id_token: tokens.id_token }],
      signatures: [{ document: 0, person: 0 }],
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  const envelope = res.json() as Envelope;
  assert.equal(envelope.status, 'completed');
  return { envelope, authorization };
}

test('signet backup of a running SQLite Signet restores into a fresh data dir that starts and signs again', async () => {
  const old = await signedEnvelope(t.app, 'before-backup');
  const oldPdf = (
    await t.app.inject({
      url: `/v1/envelopes/${old.envelope.id}/documents/0`,
      headers: { authorization: old.authorization },
    })
  ).rawPayload;

  const target = join(scratch, 'backup');
  const env = {
    SIGNET_DATABASE_URL: t.accounts.config.databaseUrl,
    SIGNET_SIGNER_DATABASE_URL: t.config.databaseUrl,
    SIGNET_DATA_DIR: t.config.dataDir,
  };
  const run = async () => {
    const saved = { ...process.env };
    const printed: string[] = [];
    const log = console.log;
    Object.assign(process.env, env);
    console.log = (line: string) => void printed.push(line);
    try {
      await backup(target, { json: true });
    } finally {
      console.log = log;
      for (const name of Object.keys(env)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
    return printed.join('\n');
  };
  const printed = await run();
  const report = JSON.parse(printed) as {
    backups: { service: string; file: string }[];
    secrets: Record<string, string>;
  };
  assert.deepEqual(
    report.backups.map((b) => [b.service, b.file]),
    [
      ['accounts', join(target, 'signet.db')],
      ['signer', join(target, 'signer.db')],
    ],
  );
  assert.equal(report.secrets.signerMasterKey, join(t.config.dataDir, 'signer-master-key'));
  await assert.rejects(run(), /exists; back up into a new file/, 'a backup never overwrites another');

  // The accounts copy is a whole database: it opens, migrates as a no-op and knows the clients.
  const accountsCopy = openStore({ url: join(target, 'signet.db') });
  assert.deepEqual(await accountsCopy.migrate(), []);
  assert.ok((await accountsCopy.clients.list({ limit: 100 })).length > 0);
  await accountsCopy.close();

  // Restore the Signer: a fresh data dir with the backup and the master key, started anew.
  const dataDir = join(scratch, 'restored');
  const fresh = loadSignerConfig({
    SIGNET_DATA_DIR: dataDir,
    SIGNET_ISSUER: t.issuer,
    SIGNET_SIGNER_AUDIENCE: t.config.audience,
    SIGNET_SIGNER_PORT: '0',
    SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password',
    SIGNET_LOG_LEVEL: 'silent',
  });
  mkdirSync(dataDir, { recursive: true });
  copyFileSync(join(target, 'signer.db'), fresh.databaseUrl);
  copyFileSync(report.secrets.signerMasterKey ?? '', join(dataDir, 'signer-master-key'));
  restored = await createSigner(fresh, { now: t.clock.now });
  assert.equal(restored.ca.rootCertificatePem, t.signer.ca.rootCertificatePem, 'the same CA');

  const kept = await restored.app.inject({
    url: `/v1/envelopes/${old.envelope.id}/documents/0`,
    headers: { authorization: old.authorization },
  });
  assert.equal(kept.statusCode, 200);
  assert.deepEqual(kept.rawPayload, oldPdf);
  const [oldReport] = (await verifyPdf(kept.rawPayload, [restored.ca.rootCertificatePem])).signatures;
  assert.equal(oldReport?.integrity, 'valid');
  assert.equal(oldReport?.chain, 'trusted');

  const again = await signedEnvelope(restored.app, 'after-restore');
  const newPdf = (
    await restored.app.inject({
      url: `/v1/envelopes/${again.envelope.id}/documents/0`,
      headers: { authorization: again.authorization },
    })
  ).rawPayload;
  const [newReport] = (await verifyPdf(newPdf, [t.signer.ca.rootCertificatePem])).signatures;
  assert.equal(newReport?.integrity, 'valid');
  assert.equal(newReport?.chain, 'trusted', 'the restored CA still issues under the same root');
});

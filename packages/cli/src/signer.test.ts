import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  CertificateAuthority,
  loadSignerConfig,
  loadSignerMasterKey,
  openSignerStore,
  type SignerStore,
} from '@signet/signer';
import { extractSignatures, signPdf, storeSignedEnvelope } from '@signet/signer/testing';
import { makePdf } from '@signet/testing/pdf';
import { json, runCli } from './testing.js';

const openssl = async (...args: string[]) => (await promisify(execFile)('/usr/bin/openssl', args)).stdout;

// `signet signer …` in a child process on a Signer data directory that a CA and one signed
// envelope were put into, as `signet start` would have left them.
describe('signet signer revoke and renew-timestamps', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-signer-'));
  const env = { SIGNET_DATA_DIR: dir };
  const subject = 'https://accounts.test ana';
  const envelopeId = randomUUID();
  let store: SignerStore;
  let ca: CertificateAuthority;
  let serial: string;

  before(async () => {
    const config = loadSignerConfig(env);
    store = openSignerStore({ url: config.databaseUrl });
    await store.migrate();
    ca = await CertificateAuthority.open({ db: store.db, masterKey: loadSignerMasterKey(config) });
    const credential = await ca.credentialFor({ subject, name: 'Ana García' });
    serial = credential.certificate.serialNumber.toUpperCase();
    const signed = await signPdf(await makePdf(1), {
      credential,
      timestampAuthority: ca.timestampAuthority,
      validationData: ca.validationData,
    });
    const now = Math.floor(Date.now() / 1000);
    await storeSignedEnvelope(store.db, signed, now, envelopeId);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a call that names neither or both of --credential and --subject (exit 2)', async () => {
    for (const args of [[], ['--credential', 'x', '--subject', subject]]) {
      const result = await runCli(['signer', 'revoke', ...args], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /exactly one of --credential/);
    }
    const bad = await runCli(['signer', 'revoke', '--subject', subject, '--reason', 'bored'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--reason must be one of/);
  });

  it("revokes a person's certificate: the CRL the CA publishes lists its serial (openssl crl)", async () => {
    const answer = json<{ revoked: { serial: string; subject: string }[] }>(
      await runCli(['signer', 'revoke', '--subject', subject, '--reason', 'keyCompromise', '--json'], env),
    );
    assert.equal(answer.revoked.length, 1);
    assert.equal(answer.revoked[0]?.subject, subject);
    const crl = await ca.revocation.crl();
    assert.ok(crl);
    const crlPath = join(dir, 'root.crl');
    writeFileSync(crlPath, crl);
    const rootPath = join(dir, 'root.pem');
    writeFileSync(rootPath, ca.rootCertificatePem);
    const text = await openssl('crl', '-inform', 'DER', '-in', crlPath, '-CAfile', rootPath, '-noout', '-text');
    assert.match(text.replace(/:/g, '').toUpperCase(), new RegExp(`SERIAL NUMBER ${serial.replace(/^0+/, '')}`));
    assert.match(text, /Key Compromise/);
    const again = json<{ revoked: unknown[] }>(await runCli(['signer', 'revoke', '--subject', subject, '--json'], env));
    assert.deepEqual(again.revoked, [], 'already revoked: nothing more to do');
  });

  it('renews archive timestamps now: the stored document gains a document timestamp that openssl ts verifies', async () => {
    const refused = await runCli(['signer', 'renew-timestamps', '--margin-days', '-1'], env);
    assert.equal(refused.code, 2);
    // Every timestamp is "due" within 10,000 days: the command renews the one document.
    const report = json<{ checked: number; renewed: number }>(
      await runCli(['signer', 'renew-timestamps', '--margin-days', '10000', '--json'], env),
    );
    assert.equal(report.renewed, 1, JSON.stringify(report));
    const row = await store.db
      .selectFrom('envelope_documents')
      .select('current')
      .where('envelope_id', '=', envelopeId)
      .executeTakeFirstOrThrow();
    const timestamps = (await extractSignatures(new Uint8Array(row.current))).filter((s) => s.kind === 'timestamp');
    assert.equal(timestamps.length, 2, 'the first archive timestamp and its renewal');
    const last = timestamps.at(-1);
    assert.ok(last);
    const data = join(dir, 'range.bin');
    const token = join(dir, 'token.der');
    writeFileSync(data, last.signedBytes);
    writeFileSync(token, last.cms);
    const out = await openssl(
      'ts',
      '-verify',
      '-data',
      data,
      '-in',
      token,
      '-token_in',
      '-CAfile',
      join(dir, 'root.pem'),
    );
    assert.match(out, /Verification: OK/);
  });
});

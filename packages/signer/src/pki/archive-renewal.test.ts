import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makePdf, openssl, scratchDir } from '@signet/testing/pdf';
import { storeSignedEnvelope } from '../envelopes/testing.js';
import { parseSignedData, signerCertificateOf } from '../pdf/cms.js';
import { signPdf } from '../pdf/sign.js';
import { extractSignatures } from '../pdf/signatures.js';
import { readDss } from '../pdf/testing.js';
import type { SignerStore } from '../store/signer-store.js';
import { signerTestBackends } from '../store/testing.js';
import {
  lastArchiveExpiry,
  RENEWAL_INTERVAL_SECONDS,
  renewArchiveTimestamps,
  runScheduledRenewal,
} from './archive-renewal.js';
import { CertificateAuthority } from './authority.js';

const DAY = 86_400;
const YEAR = 365 * DAY;
// The story starts three years and a month ago, so that every certificate in it is valid for
// openssl at the real time of the test, except where -attime moves openssl past an expiry.
const REAL = Math.floor(Date.now() / 1000);
const T0 = REAL - 3 * YEAR - 30 * DAY;

for (const backend of signerTestBackends()) {
  describe(`archive timestamp renewal across a TSA certificate's expiry (${backend.name})`, {
    skip: backend.skip,
  }, () => {
    const files = scratchDir();
    let store: SignerStore;
    let dispose: () => Promise<void>;
    let ca: CertificateAuthority;
    let now = T0;
    const clock = () => now;
    const envelopeId = randomUUID();
    let firstTsaNotAfter: number;

    const current = async () =>
      new Uint8Array(
        (
          await store.db
            .selectFrom('envelope_documents')
            .select('current')
            .where('envelope_id', '=', envelopeId)
            .executeTakeFirstOrThrow()
        ).current,
      );
    const tsaOf = async (cms: Uint8Array) =>
      signerCertificateOf(parseSignedData(cms))?.serialNumber.valueBlock.toString();

    before(async () => {
      ({ store, dispose } = await backend.open());
      ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32), now: clock });
      firstTsaNotAfter = ca.timestampAuthorityNotAfter;
      const signed = await signPdf(await makePdf(1), {
        credential: await ca.credentialFor({ subject: 'https://accounts.test ana', name: 'Ana García' }),
        timestampAuthority: ca.timestampAuthority,
        validationData: ca.validationData,
      });
      await storeSignedEnvelope(store.db, signed, T0, envelopeId);
    });
    after(async () => {
      files.dispose();
      await dispose();
    });

    it('two years on: the TSA is rotated (a new certificate before the old expires); the document is not due yet', async () => {
      now = T0 + 2 * YEAR + 10 * DAY;
      const before = ca.timestampAuthority.certificate.serialNumber;
      // Two nodes' ticks at once: one takes the lease and runs, the other does nothing.
      const [a, b] = await Promise.all([
        runScheduledRenewal(store.db, ca, clock),
        runScheduledRenewal(store.db, ca, clock),
      ]);
      const report = a ?? b;
      assert.ok(report && !(a && b), 'exactly one run');
      assert.deepEqual(report, { checked: 1, renewed: 0, skipped: 0, rotatedTimestampAuthority: true });
      assert.notEqual(ca.timestampAuthority.certificate.serialNumber, before);
      assert.ok(ca.timestampAuthorityNotAfter > firstTsaNotAfter);
      const row = await store.db
        .selectFrom('envelope_documents')
        .select('archive_expires_at')
        .executeTakeFirstOrThrow();
      assert.equal(Number(row.archive_expires_at), firstTsaNotAfter);
      assert.equal(await runScheduledRenewal(store.db, ca, clock), undefined, 'not due again for a day');
    });

    it("within a year of the old TSA certificate's expiry: a fresh DSS and document timestamp from the new TSA", async () => {
      now = T0 + 3 * YEAR + 10 * DAY;
      assert.ok(firstTsaNotAfter - now < YEAR);
      const report = await runScheduledRenewal(store.db, ca, clock);
      assert.deepEqual(report, { checked: 1, renewed: 1, skipped: 0, rotatedTimestampAuthority: false });
      const bytes = await current();
      const found = await extractSignatures(bytes);
      assert.deepEqual(
        found.map((f) => [f.kind, f.field]),
        [
          ['signature', 'Signature_1'],
          ['timestamp', 'Timestamp_1'],
          ['timestamp', 'Timestamp_2'],
        ],
      );
      assert.notEqual(await tsaOf(found[1]?.cms ?? new Uint8Array()), await tsaOf(found[2]?.cms ?? new Uint8Array()));
      assert.equal(await lastArchiveExpiry(bytes), ca.timestampAuthorityNotAfter);
      // The DSS now also holds OCSP answers for the old TSA's certificate, dated now.
      assert.ok((await readDss(bytes)).ocsps.length >= 4);
      const again = await renewArchiveTimestamps(store.db, ca, { now: clock });
      assert.equal(again.renewed, 0, 'renewed documents are not renewed again');
    });

    it('past the old certificate: openssl rejects the first document timestamp but verifies the renewal', async () => {
      const root = files.write('root.pem', ca.rootCertificatePem);
      const [, first, second] = await extractSignatures(await current());
      assert.ok(first && second);
      const verify = (ts: typeof first, name: string, at: number) =>
        openssl(
          'ts',
          '-verify',
          '-data',
          files.write(`${name}.bin`, ts.signedBytes),
          '-in',
          files.write(`${name}.der`, ts.cms),
          '-token_in',
          '-CAfile',
          root,
          '-attime',
          String(at),
        );
      assert.match(await verify(first, 'first-now', REAL), /Verification: OK/);
      const afterExpiry = firstTsaNotAfter + DAY;
      await assert.rejects(verify(first, 'first-later', afterExpiry), /certificate has expired|Verification: FAILED/);
      assert.match(await verify(second, 'second-later', afterExpiry), /Verification: OK/);
      now = afterExpiry;
      const report = await renewArchiveTimestamps(store.db, ca, { now: clock });
      assert.equal(report.renewed, 0, 'the renewal made before the expiry carries the document on');
      assert.ok(RENEWAL_INTERVAL_SECONDS > 0);
    });
  });
}

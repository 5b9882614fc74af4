import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf, openssl, pdfsig, scratchDir } from '@signet/testing/pdf';
import type { CertificateAuthority } from '../pki/authority.js';
import { parseDer } from '../pki/ess.js';
import { signPdf } from './sign.js';
import { extractSignatures } from './signatures.js';
import { readDss, testAuthority } from './testing.js';
import { verifyPdf } from './verify.js';

const ana = {
  subject: 'https://accounts.test ana',
  name: 'Ana García',
  serialNumber: 'IDCES-12345678Z',
  country: 'ES',
};
const bruno = { subject: 'https://accounts.test bruno', name: 'Bruno Díaz', country: 'ES' };

/**
 * PAdES B-LTA judged by independent witnesses. The test CA has no public URL, so its certificates
 * carry no AIA: pdfsig has no responder to ask and checks nothing online here (the end-to-end
 * signer-flow test runs pdfsig against a live responder); the validation data checked below is
 * the one embedded in the DSS.
 */
describe('signPdf at B-LTA', () => {
  let ca: CertificateAuthority;
  let dispose: () => Promise<void>;
  const files = scratchDir();
  let once: Uint8Array;
  let twice: Uint8Array;
  let root: string;

  before(async () => {
    ({ ca, dispose } = await testAuthority());
    root = files.write('root.pem', ca.rootCertificatePem);
    const lta = { timestampAuthority: ca.timestampAuthority, validationData: ca.validationData };
    once = await signPdf(await makePdf(2), { credential: await ca.credentialFor(ana), ...lta });
    twice = await signPdf(once, { credential: await ca.credentialFor(bruno), ...lta });
  });
  after(async () => {
    files.dispose();
    await dispose();
  });

  it('each signature is followed by a DSS and a document timestamp covering it', async () => {
    const found = await extractSignatures(twice);
    assert.deepEqual(
      found.map((s) => [s.kind, s.field]),
      [
        ['signature', 'Signature_1'],
        ['timestamp', 'Timestamp_1'],
        ['signature', 'Signature_2'],
        ['timestamp', 'Timestamp_2'],
      ],
    );
    // The DSS for the last document timestamp's own chain comes after it: it covers all but that update.
    const last = found.at(-1);
    assert.ok(last && !last.coversWholeDocument && last.signedBytes.length > once.length);
    const dss = await readDss(twice);
    assert.ok(dss.certs.length >= 4, 'root, TSA, Ana and Bruno');
    assert.ok(dss.ocsps.length >= 3, 'OCSP for each person and the TSA');
    assert.ok(dss.crls.length >= 1, "the root's CRL");
  });

  it('openssl ocsp verifies every OCSP response of the DSS against the root: all good', async () => {
    const { ocsps } = await readDss(twice);
    for (const [i, der] of ocsps.entries()) {
      const out = await openssl('ocsp', '-respin', files.write(`dss-${i}.der`, der), '-resp_text', '-CAfile', root);
      assert.match(out, /Response Type: Basic OCSP Response/);
      assert.match(out, /Cert Status: good/);
      assert.doesNotMatch(out, /revoked|unknown/i);
    }
  });

  it("openssl cms -verify: each person's CMS is a detached signature over exactly its ByteRange bytes", async () => {
    const signatures = (await extractSignatures(twice)).filter((s) => s.kind === 'signature');
    assert.equal(signatures.length, 2);
    for (const [i, signature] of signatures.entries()) {
      const cms = files.write(`person-${i}.p7s`, signature.cms);
      const content = files.write(`person-${i}.bin`, signature.signedBytes);
      const { stderr } = await opensslBoth(
        'cms',
        '-verify',
        '-binary',
        '-inform',
        'DER',
        '-in',
        cms,
        '-content',
        content,
        '-CAfile',
        root,
        '-purpose',
        'any',
        '-out',
        '/dev/null',
      );
      assert.match(stderr, /Verification successful/);
      // One byte more or less is another document: the same signature no longer verifies.
      const other = files.write(`person-${i}-changed.bin`, Buffer.concat([signature.signedBytes, Buffer.from(' ')]));
      await assert.rejects(
        opensslBoth(
          'cms',
          '-verify',
          '-binary',
          '-inform',
          'DER',
          '-in',
          cms,
          '-content',
          other,
          '-CAfile',
          root,
          '-purpose',
          'any',
        ),
      );
    }
  });

  it('openssl crl verifies the CRL of the DSS against the root', async () => {
    const { crls } = await readDss(twice);
    const crl = files.write('dss.crl', crls[0] ?? new Uint8Array());
    const { stderr } = await opensslBoth('crl', '-inform', 'DER', '-in', crl, '-CAfile', root, '-verify', '-noout');
    assert.match(stderr, /verify OK/);
  });

  it('openssl ts -verify: each document timestamp is a token over exactly its ByteRange bytes', async () => {
    const timestamps = (await extractSignatures(twice)).filter((s) => s.kind === 'timestamp');
    assert.equal(timestamps.length, 2);
    for (const [i, ts] of timestamps.entries()) {
      const out = await openssl(
        'ts',
        '-verify',
        '-data',
        files.write(`range-${i}.bin`, ts.signedBytes),
        '-in',
        files.write(`token-${i}.der`, ts.cms),
        '-token_in',
        '-CAfile',
        root,
      );
      assert.match(out, /Verification: OK/);
    }
  });

  it('pdfsig (root trusted) reports both signatures valid and trusted; verifyPdf reports only the signatures', async () => {
    const { signatures, output } = await pdfsig(files.write('lta.pdf', twice), { trust: ca.rootCertificatePem });
    const persons = signatures.filter((s) => s.type === 'ETSI.CAdES.detached');
    assert.deepEqual(
      persons.map((s) => [s.commonName, s.valid, s.certificateTrusted]),
      [
        ['Ana García', true, true],
        ['Bruno Díaz', true, true],
      ],
      output,
    );
    const report = await verifyPdf(twice, [ca.rootCertificatePem]);
    assert.equal(report.indication, 'TOTAL_PASSED', JSON.stringify(report, null, 1));
    assert.deepEqual(
      report.signatures.map((r) => [r.field, r.integrity, r.chain, r.level, r.revocation.status]),
      [
        ['Signature_1', 'valid', 'trusted', 'B-LTA', 'good'],
        ['Signature_2', 'valid', 'trusted', 'B-LTA', 'good'],
      ],
    );
    assert.equal(report.documentTimestamps.length, 2);
    assert.ok(report.documentTimestamps.every((t) => t.indication === 'TOTAL_PASSED' && t.chain === 'trusted'));
  });

  it('a certificate revoked after signing: live OCSP says revoked, the signature made before keeps its embedded good', async () => {
    const signed = await signPdf(await makePdf(1), {
      credential: await ca.credentialFor(ana),
      timestampAuthority: ca.timestampAuthority,
      validationData: ca.validationData,
    });
    const [signature, timestamp] = await extractSignatures(signed);
    assert.ok(signature && timestamp);
    const certificate = (await ca.credentialFor(ana)).certificate;
    // Revocation is dated one second after the signing, which the timestamps prove came before.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const [revoked] = await ca.revoke({ subject: ana.subject }, 'keyCompromise');
    assert.ok(revoked);
    const live = await ca.revocation.ocspFor(
      new Uint8Array(certificate.rawData),
      new Uint8Array(ca.rootCertificate.rawData),
    );
    assert.ok(live);
    assert.match(
      await openssl('ocsp', '-respin', files.write('live.der', live), '-resp_text', '-CAfile', root),
      /Cert Status: revoked[\s\S]*Reason: keyCompromise/,
    );
    // The evidence embedded at signing time: good, produced before the revocation.
    const cert = files.write('ana.pem', certificate.toString('pem'));
    const embedded = (await readDss(signed)).ocsps;
    const texts = await Promise.all(
      embedded.map((der, i) =>
        openssl(
          'ocsp',
          '-respin',
          files.write(`old-${i}.der`, der),
          '-resp_text',
          '-CAfile',
          root,
          '-issuer',
          root,
          '-cert',
          cert,
        ).catch(() => ''),
      ),
    );
    const forAna = texts.find((t) => /ana\.pem: good/.test(t));
    assert.ok(forAna, texts.join('\n'));
    const produced = Date.parse(/Produced At: (.*)/.exec(forAna)?.[1] ?? '');
    assert.ok(produced < revoked.revokedAt * 1000, 'the embedded response predates the revocation');
    const tsText = await openssl('ts', '-reply', '-in', files.write('doc-ts.der', timestamp.cms), '-token_in', '-text');
    const docTime = Date.parse(/Time stamp: (.*)/.exec(tsText)?.[1] ?? '');
    assert.ok(docTime < revoked.revokedAt * 1000, 'the document timestamp proves the signature existed before');
    // Still valid for pdfsig and our verifier.
    const { signatures, output } = await pdfsig(files.write('before-revocation.pdf', signed), {
      trust: ca.rootCertificatePem,
    });
    assert.equal(signatures[0]?.valid, true, output);
    // Our verifier, given the CA's current CRL (which lists the revocation), agrees: revoked after
    // the time the timestamps prove, so the signature stands; without that proof it would not.
    const crl = await ca.revocation.crl();
    assert.ok(crl);
    const report = await verifyPdf(signed, [ca.rootCertificatePem], { revocation: { ocsps: [live], crls: [crl] } });
    assert.equal(report.indication, 'TOTAL_PASSED', JSON.stringify(report.signatures[0]));
    assert.equal(report.signatures[0]?.revocation.status, 'good');
    assert.ok(report.signatures[0]?.revocation.revokedAt, 'the later revocation is reported');
    const later = await verifyPdf(signed, [ca.rootCertificatePem], {
      revocation: { ocsps: [live], crls: [crl] },
      now: new Date(),
    });
    assert.equal(later.valid, true);
    assert.ok(parseDer(signature.cms, 'cms'));
  });
});

async function opensslBoth(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  return promisify(execFile)('/usr/bin/openssl', args);
}

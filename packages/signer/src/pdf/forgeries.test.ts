import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CryptoKeySigner, PDF, rgb } from '@libpdf/core';
import type { Envelope, VerifyResponse } from '@signet/protocol';
import { makePdf, pdfsig, scratchDir } from '@signet/testing/pdf';
import * as asn1js from 'asn1js';
import Fastify, { type FastifyInstance } from 'fastify';
import * as pkijs from 'pkijs';
import { type EnvelopeHarness, envelopeHarness, pdfBase64 } from '../envelopes/testing.js';
import { registerErrorHandling } from '../http/errors.js';
import { issueRoot, issueTsaCertificate } from '../pki/certificates.js';
import { generateKeyPair } from '../pki/crypto.js';
import { POLICY_ORGANISATION_SEAL, POLICY_PERSON_SIGNING } from '../pki/policies.js';
import { pkiRoutes } from '../pki/routes.js';
import { x509 } from '../pki/x509.js';
import { signerTestBackends } from '../store/testing.js';
import { parseSignedData } from './cms.js';
import { extractSignatures } from './signatures.js';
import { verifyPdf } from './verify.js';

const ACME = 'acme-client';
const OID_DATA = '1.2.840.113549.1.7.1';

/**
 * A PDF that says `text`, with an empty signature placeholder of `room` bytes, signed by a
 * throwaway self-signed key (the attacker's own), and a function that puts any CMS into it.
 */
async function carrier(text: string, room = 65_536): Promise<{ pdf: Uint8Array; embed(cms: Uint8Array): Uint8Array }> {
  const keys = await generateKeyPair();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=Mallory',
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
  });
  const document = await PDF.load(await makePdf(1, text));
  const signer = new CryptoKeySigner(keys.privateKey, new Uint8Array(certificate.rawData), 'EC', 'ECDSA');
  const { bytes } = await document.sign({ signer, subFilter: 'ETSI.CAdES.detached', estimatedSize: room });
  const [placeholder] = await extractSignatures(bytes);
  assert.ok(placeholder);
  const [start1, length1, start2] = placeholder.byteRange;
  const gap = start2 - (start1 + length1) - 2;
  return {
    pdf: bytes,
    embed(cms) {
      const hex = Buffer.from(cms).toString('hex').toUpperCase();
      assert.ok(hex.length <= gap, 'the placeholder holds the CMS');
      const out = new Uint8Array(bytes);
      out.set(Buffer.from(hex.padEnd(gap, '0'), 'latin1'), start1 + length1 + 1);
      return out;
    },
  };
}

/** The CMS as DER ContentInfo again, after changing its SignedData. */
function encodeSignedData(signedData: pkijs.SignedData): Uint8Array {
  const info = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signedData.toSchema(true) });
  return new Uint8Array(info.toSchema().toBER(false));
}

for (const backend of signerTestBackends().filter((b) => b.name === 'sqlite')) {
  describe('forgeries /v1/verify must not call valid', () => {
    let h: EnvelopeHarness;
    let pki: FastifyInstance;
    let dispose: () => Promise<void>;
    let signed: Uint8Array;
    const files = scratchDir();

    const verify = async (pdf: Uint8Array): Promise<VerifyResponse> => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...h.as(ACME), 'content-type': 'application/pdf' },
        payload: Buffer.from(pdf),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as VerifyResponse;
    };

    before(async () => {
      const opened = await backend.open();
      h = await envelopeHarness(opened.store);
      pki = Fastify();
      registerErrorHandling(pki);
      await pki.register(pkiRoutes(h.context.ca));
      await pki.ready();
      dispose = async () => {
        await pki.close();
        await h.dispose();
        await opened.dispose();
      };
      // A real Signet signature: an envelope signed at once for a face-verified id_token.
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: h.as(ACME),
        payload: {
          issuer: { initiative: ACME, nonce: 'forgeries-1' },
          documents: [{ name: 'loan.pdf', content: await pdfBase64(1) }],
          persons: [{ id_token: await h.idToken(ACME) }],
          signatures: [{ document: 0, person: 0 }],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json() as Envelope;
      const download = await h.app.inject({ url: `/v1/envelopes/${envelope.id}/documents/0`, headers: h.as(ACME) });
      signed = new Uint8Array(download.rawPayload);
      const genuine = await verify(signed);
      assert.equal(genuine.valid, true, JSON.stringify(genuine));
      assert.equal(genuine.signatures[0]?.signer.name, 'Ana Ruiz');
    });
    after(async () => {
      files.dispose();
      await dispose();
    });

    test('a real signature re-encoded with its signed bytes as eContent, put into another PDF, is a forgery', async () => {
      const [original] = await extractSignatures(signed);
      assert.ok(original);
      const signedData = parseSignedData(original.cms);
      // Nothing signed changes: the signed attributes, the signature value and the timestamp stay as they were.
      signedData.encapContentInfo = new pkijs.EncapsulatedContentInfo({
        eContentType: OID_DATA,
        eContent: new asn1js.OctetString({ valueHex: original.signedBytes }),
      });
      const forged = (await carrier('I owe Mallory 1,000,000 EUR')).embed(encodeSignedData(signedData));

      const report = await verify(forged);
      assert.equal(report.valid, false);
      assert.equal(report.indication, 'TOTAL_FAILED');
      assert.equal(report.signatures[0]?.integrity, 'invalid');
      assert.equal(report.signatures[0]?.subIndication, 'FORMAT_FAILURE');
      assert.match(report.signatures[0]?.errors.join(' ') ?? '', /eContent/);
      // The independent witness agrees: poppler hashes the byte range and finds another digest.
      const { signatures, output } = await pdfsig(files.write('transplanted.pdf', forged));
      assert.equal(signatures[0]?.valid, false, output);
    });

    test('a detached transplant (no eContent) fails on the digest the verifier computes itself', async () => {
      const [original] = await extractSignatures(signed);
      assert.ok(original);
      const forged = (await carrier('I owe Mallory 2,000,000 EUR')).embed(original.cms);
      const report = await verify(forged);
      assert.equal(report.valid, false);
      assert.equal(report.signatures[0]?.subIndication, 'HASH_FAILURE');
    });

    test('a token from the public timestamp endpoint, re-typed as id-data and embedded as a signature, is no signature', async () => {
      const request = new pkijs.TimeStampReq({
        version: 1,
        messageImprint: new pkijs.MessageImprint({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
          hashedMessage: new asn1js.OctetString({ valueHex: createHash('sha256').update('anything').digest() }),
        }),
        certReq: true,
      });
      const res = await pki.inject({
        method: 'POST',
        url: '/v1/timestamp',
        headers: { 'content-type': 'application/timestamp-query' },
        payload: Buffer.from(request.toSchema().toBER(false)),
      });
      assert.equal(res.statusCode, 200);
      const reply = new pkijs.TimeStampResp({ schema: asn1js.fromBER(new Uint8Array(res.rawPayload)).result });
      assert.ok(reply.timeStampToken);
      const token = new pkijs.SignedData({ schema: reply.timeStampToken.content });
      const content = token.encapContentInfo.eContent;
      assert.ok(content);
      token.encapContentInfo = new pkijs.EncapsulatedContentInfo({
        eContentType: OID_DATA,
        eContent: new asn1js.OctetString({ valueHex: content.getValue() }),
      });
      const forged = (await carrier('Signed by the Signet Timestamp Authority')).embed(encodeSignedData(token));
      const report = await verify(forged);
      assert.equal(report.valid, false);
      assert.notEqual(report.signatures[0]?.indication, 'TOTAL_PASSED');
      assert.equal(report.signatures[0]?.integrity, 'invalid');
    });

    test('a PDF signed with a timestamping certificate under a trusted root is not a signature by a person', async () => {
      // Our own root, so that we hold the key a TSA certificate needs: only the certificate's purpose is wrong.
      const rootKeys = await generateKeyPair();
      const now = Math.floor(Date.now() / 1000);
      const rootCertificate = await issueRoot(rootKeys, 'Forgery Test', now);
      const tsaKeys = await generateKeyPair();
      const tsa = await issueTsaCertificate(
        { certificate: rootCertificate, privateKey: rootKeys.privateKey },
        tsaKeys,
        'Forgery Test',
        now,
      );
      const document = await PDF.load(await makePdf(1, 'A document'));
      const signer = new CryptoKeySigner(tsaKeys.privateKey, new Uint8Array(tsa.rawData), 'EC', 'ECDSA', [
        new Uint8Array(rootCertificate.rawData),
      ]);
      const { bytes } = await document.sign({ signer, subFilter: 'ETSI.CAdES.detached', level: 'B-B' });
      const report = await verifyPdf(bytes, [rootCertificate.toString('pem')]);
      assert.equal(report.signatures[0]?.integrity, 'valid', 'the CMS itself is sound');
      assert.equal(report.valid, false);
      assert.equal(report.signatures[0]?.subIndication, 'CHAIN_CONSTRAINTS_FAILURE');
      assert.match(report.signatures[0]?.errors.join(' ') ?? '', /timestamping/);
    });

    test("a signing certificate under a trusted root but outside Signet's signing policies is not vouched for", async () => {
      // Our own root again; the certificate is fit for signatures (key usage) but states no Signet policy.
      const rootKeys = await generateKeyPair();
      const now = Math.floor(Date.now() / 1000);
      const rootCertificate = await issueRoot(rootKeys, 'Policy Test', now);
      const keys = await generateKeyPair();
      const certificate = await x509.X509CertificateGenerator.create({
        serialNumber: '4a01',
        subject: 'CN=Somebody Else',
        issuer: rootCertificate.subjectName,
        notBefore: new Date((now - 300) * 1000),
        notAfter: new Date((now + 86_400) * 1000),
        publicKey: keys.publicKey,
        signingKey: rootKeys.privateKey,
        signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
        ],
      });
      const document = await PDF.load(await makePdf(1, 'A document'));
      const signer = new CryptoKeySigner(keys.privateKey, new Uint8Array(certificate.rawData), 'EC', 'ECDSA', [
        new Uint8Array(rootCertificate.rawData),
      ]);
      const { bytes } = await document.sign({ signer, subFilter: 'ETSI.CAdES.detached', level: 'B-B' });
      const anchors = [rootCertificate.toString('pem')];
      // Without the policy rule the signature would pass: everything else about it holds.
      assert.equal((await verifyPdf(bytes, anchors)).valid, true);
      const report = await verifyPdf(bytes, anchors, {
        signingPolicies: [POLICY_PERSON_SIGNING, POLICY_ORGANISATION_SEAL],
      });
      assert.equal(report.valid, false);
      assert.equal(report.signatures[0]?.subIndication, 'CHAIN_CONSTRAINTS_FAILURE');
      assert.match(report.signatures[0]?.errors.join(' ') ?? '', /signing policy/);
    });

    test('an incremental update after the signature that replaces the page content makes it invalid, saying what changed', async () => {
      const document = await PDF.load(signed);
      const page = document.getPage(0);
      assert.ok(page);
      page.drawRectangle({ x: 40, y: 760, width: 500, height: 40, color: rgb(1, 1, 1) });
      page.drawText('Amount due: 1,000,000 EUR', { x: 56, y: 780, size: 14, color: rgb(0, 0, 0) });
      const changed = await document.save({ incremental: true });
      assert.deepEqual(Buffer.from(changed.subarray(0, signed.length)), Buffer.from(signed), 'appended only');

      const report = await verify(changed);
      assert.equal(report.valid, false);
      assert.equal(report.indication, 'TOTAL_FAILED');
      const [signature] = report.signatures;
      assert.equal(signature?.integrity, 'valid', 'the signed revision itself is intact');
      assert.equal(signature?.coversWholeDocument, false);
      assert.equal(signature?.indication, 'TOTAL_FAILED');
      const notAllowed = signature?.changesAfter.filter((c) => !c.allowed).map((c) => c.description) ?? [];
      assert.ok(
        notAllowed.some((d) => /page 1: \/Contents/.test(d)),
        `the report names the page content: ${JSON.stringify(signature?.changesAfter)}`,
      );
    });

    test('a later signature is an allowed change: both signatures stay valid', async () => {
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: h.as(ACME),
        payload: {
          issuer: { initiative: ACME, nonce: 'forgeries-2' },
          documents: [{ name: 'twice.pdf', content: Buffer.from(signed).toString('base64') }],
          persons: [{ id_token: await h.idToken(ACME, { name: 'Bruno Díaz' }) }],
          signatures: [{ document: 0, person: 0 }],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const envelope = created.json() as Envelope;
      const download = await h.app.inject({ url: `/v1/envelopes/${envelope.id}/documents/0`, headers: h.as(ACME) });
      const report = await verify(new Uint8Array(download.rawPayload));
      assert.equal(report.valid, true, JSON.stringify(report));
      assert.equal(report.signatures.length, 2);
      assert.ok(report.signatures[0]?.changesAfter.length);
      assert.ok(report.signatures[0]?.changesAfter.every((c) => c.allowed));
    });
  });
}

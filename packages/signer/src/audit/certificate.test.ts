import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { AuditTrail, Envelope, VerifyResponse } from '@signet/protocol';
import { pdfsig, scratchDir } from '@signet/testing/pdf';
import { signAsInvitee } from '../envelopes/invitations.js';
import { type EnvelopeHarness, envelopeHarness, pdfBase64, TEST_ISSUER } from '../envelopes/testing.js';
import { signerTestBackends } from '../store/testing.js';

const run = promisify(execFile);
const ACME = 'acme-client';
/** Set it to a directory to keep the certificates this test makes (to render and look at them). */
const KEEP = process.env.SIGNET_KEEP_CERTIFICATES;

/** The text of a PDF as poppler's `pdftotext` (an independent reader) extracts it, one string per line. */
async function pdfText(path: string): Promise<string[]> {
  return (await run('/usr/bin/pdftotext', ['-layout', path, '-'])).stdout.split('\n').map((l) => l.trim());
}

for (const backend of signerTestBackends()) {
  describe(`certificate of completion (${backend.name})`, { skip: backend.skip }, () => {
    let h: EnvelopeHarness;
    let dispose: () => Promise<void>;
    let envelope: Envelope;
    let trail: AuditTrail;
    const scratch = scratchDir();

    before(async () => {
      const opened = await backend.open();
      // pdfsig checks the certificates against the real time, so the CA's clock starts now.
      h = await envelopeHarness(opened.store, {}, { now: Math.floor(Date.now() / 1000) });
      dispose = async () => {
        await h.dispose();
        await opened.dispose();
        scratch.dispose();
      };
      const idToken = await h.idToken(ACME, { name: 'Beatriz Núñez', sub: 'bea', email: 'bea@example.com' });
      const created = await h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: { ...h.as(ACME), 'user-agent': 'acme-backend/2.1' },
        payload: {
          issuer: { initiative: ACME, nonce: 'pedido-8812' },
          documents: [
            { name: 'contrato-arrendamiento.pdf', content: await pdfBase64(2) },
            { name: 'anexo-inventario.pdf', content: await pdfBase64(1) },
          ],
          persons: [{ name: 'Carlos Ibáñez', email: 'carlos@example.com' }, { id_token: idToken }],
          signatures: [
            { document: 0, person: 0 },
            { document: 1, person: 0 },
            { document: 0, person: 1 },
            { document: 1, person: 1 },
          ],
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const token = (created.json() as Envelope).persons[0]?.signingUrl?.split('/').at(-1) ?? '';
      h.clock.advance(90);
      await signAsInvitee(
        h.context,
        token,
        { subject: `${TEST_ISSUER} carlos`, name: 'Carlos Ibáñez', email: 'carlos@example.com' },
        {
          ip: '203.0.113.9',
          userAgent:
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 ' +
            'SomeVeryLongTokenWithoutAnySpacesThatMustBeCutSomewhereBecauseItIsWiderThanTheWholeColumnOfTheCertificate',
        },
      );
      // Enough downloads for the trail to run over more than one page.
      for (let i = 0; i < 24; i++) {
        h.clock.advance(7);
        await h.app.inject({
          url: `/v1/envelopes/${(created.json() as Envelope).id}/documents/${i % 2}`,
          headers: h.as(ACME),
        });
      }
      const id = (created.json() as Envelope).id;
      envelope = (await h.app.inject({ url: `/v1/envelopes/${id}`, headers: h.as(ACME) })).json() as Envelope;
      trail = (
        await h.app.inject({ url: `/v1/envelopes/${id}/audit-trail`, headers: h.as(ACME) })
      ).json() as AuditTrail;
      assert.equal(envelope.status, 'completed');
    });
    after(() => dispose());

    const certificate = async (name: string, query: string, headers: Record<string, string> = {}) => {
      const res = await h.app.inject({
        url: `/v1/envelopes/${envelope.id}/audit-trail${query}`,
        headers: { ...h.as(ACME), accept: 'application/pdf', ...headers },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'application/pdf');
      const path = scratch.write(`${name}.pdf`, res.rawPayload);
      if (KEEP) writeFileSync(join(KEEP, `${name}.pdf`), res.rawPayload);
      return { path, lines: await pdfText(path) };
    };

    /** Every SHA-256 the trail records, each of which must appear whole on one line. */
    const hashes = () => [
      ...envelope.documents.map((d) => d.originalSha256),
      ...trail.events.flatMap((e) => (typeof e.data.sha256 === 'string' ? [e.data.sha256] : [])),
    ];

    test('is sealed by the organisation seal at B-LTA: pdfsig (root trusted) and /v1/verify find it valid and trusted', async () => {
      const { path } = await certificate('certificate-en', '?timeZone=Europe/Madrid');
      const report = await pdfsig(path, { trust: h.context.ca.rootCertificatePem });
      // The seal, then the document timestamp over the DSS (pdfsig lists it, without checking it).
      assert.equal(report.signatures.length, 2, report.output);
      const [seal] = report.signatures;
      assert.equal(seal?.valid, true, report.output);
      assert.equal(seal?.certificateTrusted, true, report.output);
      assert.equal(seal?.commonName, 'Signet Signer seal');
      assert.equal(seal?.type, 'ETSI.CAdES.detached');
      const verified = await h.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...h.as(ACME), 'content-type': 'application/pdf' },
        payload: readFileSync(path),
      });
      const answer = verified.json() as VerifyResponse;
      assert.equal(answer.indication, 'TOTAL_PASSED', verified.body);
      assert.equal(answer.signatures[0]?.signer.name, 'Signet Signer seal');
      assert.equal(answer.signatures[0]?.level, 'B-LTA');
      assert.equal(answer.documentTimestamps.length, 1);
    });

    test('reads as English: names, local times with their zone, sentences, whole hashes, page numbers, no JSON', async () => {
      const { lines } = await certificate('certificate-en', '?timeZone=Europe/Madrid');
      const text = lines.join('\n');
      assert.match(text, /Certificate of completion/);
      assert.match(text, /Times are in the Europe\/Madrid time zone/);
      // Madrid is UTC+01:00 in winter, UTC+02:00 in summer, and every time says which.
      assert.match(text, /\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d:\d\d UTC\+0[12]:00/);
      assert.doesNotMatch(text, /\d\d:\d\d:\d\dZ|T\d\d:\d\d:\d\d/, 'no ISO 8601 times');
      for (const name of ['Carlos Ibáñez', 'Beatriz Núñez']) assert.match(text, new RegExp(name));
      assert.match(text, /Carlos Ibáñez signed “contrato-arrendamiento.pdf”\./);
      assert.match(text, /The integration “acme-client” created the envelope with 2 documents for 2 signers\./);
      assert.match(text, /Every signature was applied: the envelope is complete\./);
      assert.ok(!text.includes(TEST_ISSUER), 'persons by name, not by their iss/sub');
      assert.ok(!text.includes('{') && !text.includes('"type":') && !text.includes('"sha256"'), 'no raw JSON');
      for (const hash of hashes()) {
        assert.ok(
          lines.some((line) => line.replace(/ /g, '') === hash),
          `${hash} whole on a line of its own`,
        );
      }
      const pages = lines.flatMap((line) => /Page (\d+) of (\d+)$/.exec(line) ?? []);
      const total = Number(pages[2]);
      assert.ok(total >= 2, `several pages, got ${total}`);
      for (let page = 1; page <= total; page++) assert.match(text, new RegExp(`Page ${page} of ${total}$`, 'm'));
    });

    test('reads as Spanish from Accept-Language, or from ?locale=', async () => {
      const fromHeader = await certificate('certificate-es', '?timeZone=America/Mexico_City', {
        'accept-language': 'es-ES,es;q=0.9,en;q=0.5',
      });
      const fromQuery = await certificate('certificate-es-query', '?locale=es', { 'accept-language': 'en' });
      for (const { lines } of [fromHeader, fromQuery]) {
        const text = lines.join('\n');
        assert.match(text, /Certificado de finalización/);
        assert.match(text, /Historial/);
        assert.match(text, /Carlos Ibáñez firmó «contrato-arrendamiento\.pdf»\./);
        assert.match(text, /La integración «acme-client» creó el sobre con 2 documentos para 2 firmantes\./);
        assert.match(text, /Página 1 de \d+$/m);
        assert.ok(!text.includes('{') && !text.includes('"type":'));
        for (const hash of hashes())
          assert.ok(
            lines.some((line) => line.replace(/ /g, '') === hash),
            hash,
          );
      }
      assert.match(fromHeader.lines.join('\n'), /America\/Mexico_City/);
      assert.match(fromHeader.lines.join('\n'), /\d{1,2} [a-z]+ \d{4}, \d\d:\d\d:\d\d UTC-06:00/);
      assert.match(fromQuery.lines.join('\n'), /zona horaria UTC/);
    });

    test('an unknown time zone is a 400 naming timeZone', async () => {
      const res = await h.app.inject({
        url: `/v1/envelopes/${envelope.id}/audit-trail?timeZone=Mars/Olympus_Mons`,
        headers: { ...h.as(ACME), accept: 'application/pdf' },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().field, 'timeZone');
    });
  });
}

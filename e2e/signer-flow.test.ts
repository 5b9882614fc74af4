import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { AuditTrail, Envelope, EnvelopeErrorBody, VerifyResponse } from '@signet/protocol';
import { extractSignatures, readDss } from '@signet/signer/testing';
import { freePort } from '@signet/testing/accounts';
import { makePdf, openssl, pdfsig, scratchDir } from '@signet/testing/pdf';
import { decodeProtectedHeader } from 'jose';
import { clientCredentialsGrant } from 'openid-client';
import { FaceSignIn, REDIRECT_URI } from './face-sign-in.js';
import { type RunningSigner, type RunningSignet, startSigner, startSignet } from './signet.js';

// The Signer's acceptance test, over real HTTP only: accounts and the Signer on their own loopback
// ports, the Signer trusting accounts through discovery and JWKS alone. The integrator (openid-client)
// gets Grace Hopper's id_token through the authorization code flow with her face, an access token
// through client_credentials, creates an envelope with a PDF and her, and gets back a signed PDF.
// Third-party witnesses judge the result: poppler's pdfsig (signature and chain, through NSS),
// openssl (the signer's certificate against the root served over HTTP), and an HMAC computed here
// as docs/webhooks.md tells a receiver to.

const NAME = 'Grace Hopper';
const EMAIL = 'grace.hopper@example.com';
const CREDENTIAL = { country: 'ES', issuer: 'DGP', type: 'id_card', number: '87654321X' };
/** The certificate subject's serialNumber: the document with its EN 319 412-1 semantics identifier (IDC, ES). */
const SERIAL_NUMBER = `IDC${CREDENTIAL.country}-${CREDENTIAL.number}`;
const USER_AGENT = 'AcmeSigning/1.0 (e2e)';

/** A webhook received: its headers and raw body, as the receiver got them. */
interface Delivery {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver that answers 204 and hands each delivery to whoever waits for one. */
async function webhookReceiver(): Promise<{ url: string; next(): Promise<Delivery>; close(): Promise<void> }> {
  const received: Delivery[] = [];
  const waiting: ((d: Delivery) => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const waiter = waiting.shift();
      if (waiter) waiter(delivery);
      else received.push(delivery);
      res.writeHead(204).end();
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/signet-webhook`,
    next: () => {
      const ready = received.shift();
      if (ready) return Promise.resolve(ready);
      return new Promise<Delivery>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no webhook within 10 s')), 10_000);
        waiting.push((d) => {
          clearTimeout(timer);
          resolve(d);
        });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The receiver's check from docs/webhooks.md: `t=<s>,v1=<hex HMAC-SHA256("<t>.<raw body>")>`, within 5 minutes. */
function webhookSignatureValid(header: string | undefined, rawBody: string, secret: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.trim().split('=', 2)));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The CMS of a PDF's (only) signature: the DER inside `/Contents <…>`, without the zero padding. */
function signatureCms(pdf: Buffer): Buffer {
  const hex = /\/Contents\s*<([0-9A-Fa-f]+)>/.exec(pdf.toString('latin1'))?.[1];
  assert.ok(hex, 'the PDF has a signature dictionary with /Contents');
  const der = Buffer.from(hex, 'hex');
  // A SEQUENCE with a long-form length: 0x30 0x8n, then n length bytes.
  assert.equal(der[0], 0x30);
  const lengthBytes = (der[1] ?? 0) & 0x7f;
  assert.ok((der[1] ?? 0) & 0x80 && lengthBytes > 0 && lengthBytes <= 4);
  const length = der.readUIntBE(2, lengthBytes);
  return der.subarray(0, 2 + lengthBytes + length);
}

/** Revokes every person certificate of the Signer (the e2e Signer has issued only hers). */
async function revokeAll(signer: RunningSigner) {
  const rows = await signer.signer.context.store.db.selectFrom('pki_signer_credentials').select('id').execute();
  const revoked = [];
  for (const row of rows)
    revoked.push(...(await signer.signer.ca.revoke({ credentialId: row.id }, 'cessationOfOperation')));
  return revoked;
}

/** The signed byte ranges of a PDF's (only) signature: `[start1, length1, start2, length2]`. */
function byteRange(pdf: Buffer): number[] {
  const range = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(pdf.toString('latin1'));
  assert.ok(range, 'the PDF has a /ByteRange');
  return range.slice(1).map(Number);
}

describe('issue 5: an integrator signs a PDF with a face-verified person, over real HTTP', () => {
  let signet: RunningSignet;
  let signer: RunningSigner;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let files: ReturnType<typeof scratchDir>;
  let client: { client_id: string; client_secret: string };
  let faces: FaceSignIn;
  let person: { id: string; username: string };
  let idToken: string;
  let accessToken: string;
  let webhookSecret: string;
  let created: Response;
  let envelope: Envelope;
  let createBody: Record<string, unknown>;
  let signedPdf: Buffer;
  let rootPem: string;

  /** A call to the Signer API with the bearer token, as the integrator's backend makes it. */
  const api = (path: string, init: RequestInit = {}, token = accessToken) =>
    fetch(`${signer.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'user-agent': USER_AGENT, ...init.headers },
    });
  const postJson = (path: string, body: unknown, token = accessToken) =>
    api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, token);

  before(async () => {
    // Issue 10: urn:acr:face is a passkey and the face by default; this test drives the password +
    // face route, the documented weaker level an operator may allow, so it allows it explicitly.
    signet = await startSignet({ SIGNET_FACE_ALLOW_PASSWORD: 'true' });
    signer = await startSigner(signet);
    receiver = await webhookReceiver();
    files = scratchDir();

    // 1. The operator: the integrator's client and the person, through the admin API over HTTP.
    client = await signet.createClient({
      client_name: 'Acme Signing',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      redirect_uris: [REDIRECT_URI],
      skip_consent: true,
    });
    person = await signet.createUser({
      name: NAME,
      given_name: 'Grace',
      family_name: 'Hopper',
      email: EMAIL,
      email_verified: true,
      credential: CREDENTIAL,
    });
    faces = await FaceSignIn.for(signet, client);
    await faces.enrol(person.id, 'hopper');

    // 2. The integrator: her id_token (code flow with her face) and its own access token.
    const tokens = await faces.signIn(person.username, 'hopperTransformed');
    idToken = tokens.id_token as string;
    assert.equal(tokens.claims()?.acr, 'urn:acr:face');
    const grant = await clientCredentialsGrant(faces.config, { audience: signer.audience });
    accessToken = grant.access_token;
    assert.equal(grant.expires_in, 3600);
    assert.equal(decodeProtectedHeader(accessToken).typ, 'at+jwt');

    // The webhook secret, known before any delivery (docs/webhooks.md).
    const secret = await api('/v1/webhook/secret', { method: 'POST' });
    const secretBody = (await secret.json()) as { secret?: string };
    assert.equal(secret.status, 201, JSON.stringify(secretBody));
    assert.match(secretBody.secret ?? '', /^whsec_[\w-]{43}$/);
    webhookSecret = secretBody.secret as string;

    // 3. The envelope: one PDF, one person identified by her id_token, a callback.
    createBody = {
      issuer: { initiative: client.client_id, personIndex: 0, nonce: `order-${randomUUID()}` },
      documents: [{ name: 'contract.pdf', content: Buffer.from(await makePdf(2)).toString('base64') }],
      persons: [{ id_token: idToken }],
      signatures: [{ person: 0, document: 0 }],
      callbackUrl: receiver.url,
    };
    created = await postJson('/v1/envelopes', createBody);
    envelope = (await created.json()) as Envelope;
    assert.equal(created.status, 201, JSON.stringify(envelope));

    const download = await api(`/v1/envelopes/${envelope.id}/documents/0`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get('content-type'), 'application/pdf');
    signedPdf = Buffer.from(await download.arrayBuffer());
    const root = await fetch(`${signer.url}/v1/ca/root.pem`);
    assert.equal(root.status, 200);
    rootPem = await root.text();
  });

  after(async () => {
    await receiver?.close();
    await signer?.close();
    await signet?.close();
    files?.dispose();
  });

  it('the id_token person signs at once: the envelope is completed and says who signed', () => {
    assert.equal(created.headers.get('location'), `/v1/envelopes/${envelope.id}`);
    assert.equal(envelope.status, 'completed');
    assert.deepEqual(envelope.issuer, {
      initiative: client.client_id,
      personIndex: 0,
      nonce: (createBody.issuer as { nonce: string }).nonce,
      // The sender's name for the emails (`issuer.name`): none given, so the client id is used.
      name: null,
    });
    const [signedBy] = envelope.persons;
    assert.equal(signedBy?.identifiedBy, 'id_token');
    assert.equal(signedBy?.name, NAME);
    assert.equal(signedBy?.email, EMAIL);
    assert.equal(signedBy?.status, 'signed');
    assert.equal(envelope.signatures[0]?.status, 'signed');
    assert.equal(envelope.documents[0]?.signatureCount, 1);
    assert.equal(envelope.documents[0]?.pageCount, 2);
  });

  it('pdfsig validates the signed PDF and its chain to the root served over HTTP', async () => {
    assert.match(rootPem, /^-----BEGIN CERTIFICATE-----/);
    // The certificates name the Signer's OCSP responder (AIA): pdfsig asks it online (the last test
    // shows it does, by the answer changing after a revocation).
    const { signatures, output } = await pdfsig(files.write('signed.pdf', signedPdf), { trust: rootPem });
    assert.deepEqual(
      signatures.map((s) => s.field),
      ['Signature_1', 'Timestamp_1'],
      output,
    );
    const [signature] = signatures;
    assert.equal(signature?.valid, true, output);
    assert.equal(signature?.certificateTrusted, true, output);
    // B-LTA: the DSS and the document timestamp come after her signature.
    assert.equal(signature?.totalDocumentSigned, false, output);
    assert.equal(signature?.type, 'ETSI.CAdES.detached', output);
    assert.equal(signature?.commonName, NAME, output);
  });

  it("openssl verifies the signer's certificate against the root; its subject carries her credential", async () => {
    const cms = files.write('signature.der', signatureCms(signedPdf));
    const bundle = await openssl('pkcs7', '-inform', 'DER', '-in', cms, '-print_certs');
    const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
    assert.ok(certificates.length >= 1, bundle);
    const subjects = await Promise.all(
      certificates.map((pem, i) =>
        openssl('x509', '-noout', '-subject', '-nameopt', 'RFC2253', '-in', files.write(`cert-${i}.pem`, pem)),
      ),
    );
    const index = subjects.findIndex((s) => s.includes(`CN=${NAME}`));
    assert.ok(index >= 0, subjects.join(''));
    const subject = subjects[index] ?? '';
    assert.match(subject, new RegExp(`serialNumber=${SERIAL_NUMBER}(,|$)`, 'm'), subject);
    assert.match(subject, /(^subject=|,)C=ES(,|$)/m, subject);

    const root = files.write('root.pem', rootPem);
    const others = certificates.filter((_, i) => i !== index).join('');
    const verifyArgs = ['verify', '-CAfile', root];
    if (others) verifyArgs.push('-untrusted', files.write('intermediates.pem', others));
    const verified = await openssl(...verifyArgs, files.write('signer.pem', certificates[index] ?? ''));
    assert.match(verified, /signer\.pem: OK/);
    // The same certificate is not trusted without the root: the witness is not vacuous.
    await assert.rejects(openssl('verify', files.write('signer-alone.pem', certificates[index] ?? '')));
  });

  it('a byte changed inside the signed range: pdfsig and /v1/verify both say so; the good file verifies', async () => {
    const [start, length] = byteRange(signedPdf);
    assert.equal(start, 0);
    // Byte 10 is inside the binary comment on the PDF's second line: the file still parses.
    assert.ok(length !== undefined && length > 10);
    assert.equal(signedPdf.subarray(0, 10).toString('latin1'), '%PDF-1.7\n%');
    const tampered = Buffer.from(signedPdf);
    tampered[10] = (tampered[10] ?? 0) ^ 0x01;

    const report = await pdfsig(files.write('tampered.pdf', tampered), { trust: rootPem });
    assert.equal(report.signatures[0]?.field, 'Signature_1', report.output);
    assert.equal(report.signatures[0]?.valid, false, report.output);

    const verifyPdf = (bytes: Buffer) =>
      api('/v1/verify', { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes });
    let res = await verifyPdf(tampered);
    const bad = (await res.json()) as VerifyResponse;
    assert.equal(res.status, 200, JSON.stringify(bad));
    assert.equal(bad.valid, false);
    assert.equal(bad.signatures[0]?.integrity, 'invalid');

    res = await verifyPdf(signedPdf);
    const good = (await res.json()) as VerifyResponse;
    assert.equal(res.status, 200, JSON.stringify(good));
    assert.equal(good.valid, true);
    assert.equal(good.signatures.length, 1);
    assert.equal(good.signatures[0]?.integrity, 'valid');
    assert.equal(good.signatures[0]?.chain, 'trusted');
    assert.equal(good.signatures[0]?.coversWholeDocument, false, 'the DSS and document timestamp follow it');
    assert.equal(good.signatures[0]?.signer.name, NAME);
    assert.equal(good.signatures[0]?.signer.serialNumber, SERIAL_NUMBER);
    assert.equal(good.signatures[0]?.signer.country, CREDENTIAL.country);
  });

  it('the signature is PAdES B-LTA: the DSS holds OCSP and CRL that openssl verifies, the document timestamp verifies', async () => {
    const found = await extractSignatures(signedPdf);
    assert.deepEqual(
      found.map((f) => f.kind),
      ['signature', 'timestamp'],
    );
    const root = files.write('lta-root.pem', rootPem);
    const dss = await readDss(signedPdf);
    assert.ok(dss.ocsps.length >= 2, 'her certificate and the TSA');
    for (const [i, der] of dss.ocsps.entries()) {
      const out = await openssl(
        'ocsp',
        '-respin',
        files.write(`lta-ocsp-${i}.der`, der),
        '-resp_text',
        '-CAfile',
        root,
      );
      assert.match(out, /Cert Status: good/);
    }
    assert.ok(dss.crls[0], 'the root CRL');
    const crl = await fetch(`${signer.url}/v1/ca/crl`);
    assert.equal(crl.status, 200);
    await openssl('crl', '-inform', 'DER', '-in', files.write('lta.crl', dss.crls[0]), '-CAfile', root, '-noout');
    const [, timestamp] = found;
    assert.ok(timestamp);
    const verified = await openssl(
      'ts',
      '-verify',
      '-data',
      files.write('lta-range.bin', timestamp.signedBytes),
      '-in',
      files.write('lta-token.der', timestamp.cms),
      '-token_in',
      '-CAfile',
      root,
    );
    assert.match(verified, /Verification: OK/);
  });

  it('the audit trail records creation and signature with time, actor, IP and user agent; as PDF too', async () => {
    const res = await api(`/v1/envelopes/${envelope.id}/audit-trail`);
    const trail = (await res.json()) as AuditTrail;
    assert.equal(res.status, 200, JSON.stringify(trail));
    assert.equal(trail.envelopeId, envelope.id);
    assert.equal(trail.status, 'completed');
    const types = trail.events.map((e) => e.type);
    for (const type of ['envelope.created', 'document.signed', 'envelope.completed'] as const) {
      assert.ok(types.includes(type), `${type} in ${types.join(', ')}`);
    }
    const creation = trail.events.find((e) => e.type === 'envelope.created');
    assert.deepEqual(creation?.actor, { type: 'client', id: client.client_id });
    const signature = trail.events.find((e) => e.type === 'document.signed');
    assert.equal(signature?.actor.type, 'person');
    assert.equal(signature?.actor.name, NAME);
    assert.equal(signature?.actor.personIndex, 0);
    // The event names what was signed: the hash of exactly the bytes the API hands out.
    assert.equal(
      signature?.data.sha256,
      createHash('sha256').update(signedPdf).digest('hex'),
      JSON.stringify(signature),
    );
    for (const event of [creation, signature]) {
      assert.ok(event && !Number.isNaN(Date.parse(event.occurredAt)), JSON.stringify(event));
      assert.ok(Math.abs(Date.parse(event.occurredAt) - Date.now()) < 120_000, event.occurredAt);
      assert.equal(event.ip, '127.0.0.1');
      assert.equal(event.userAgent, USER_AGENT);
    }
    const sequences = trail.events.map((e) => e.sequence);
    assert.deepEqual(
      sequences,
      [...sequences].sort((a, b) => a - b),
    );

    const pdf = await api(`/v1/envelopes/${envelope.id}/audit-trail`, { headers: { accept: 'application/pdf' } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
      '%PDF-',
    );
  });

  it('the callback receives envelope.completed, signed with the client’s webhook secret', async () => {
    const delivery = await receiver.next();
    const header = delivery.headers['signet-signature'];
    assert.equal(typeof header, 'string');
    assert.equal(webhookSignatureValid(header as string, delivery.body, webhookSecret), true);
    assert.equal(webhookSignatureValid(header as string, `${delivery.body} `, webhookSecret), false);
    assert.equal(webhookSignatureValid(header as string, delivery.body, `${webhookSecret}x`), false);
    assert.match(String(delivery.headers['content-type']), /^application\/json/);
    const event = JSON.parse(delivery.body) as { id: string; type: string; envelope_id: string; data: unknown };
    assert.equal(event.type, 'envelope.completed');
    assert.equal(event.envelope_id, envelope.id);
    assert.deepEqual(event.data, { status: 'completed' });
    assert.equal(delivery.headers['signet-event-id'], event.id);
  });

  it('replaying the nonce is 409 nonce_reused naming the envelope', async () => {
    const res = await postJson('/v1/envelopes', createBody);
    const body = (await res.json()) as EnvelopeErrorBody;
    assert.equal(res.status, 409, JSON.stringify(body));
    assert.equal(body.error, 'nonce_reused');
    assert.equal(body.envelopeId, envelope.id);
  });

  it('the same id_token in a new envelope is 422 invalid_id_token, reason reused', async () => {
    const res = await postJson('/v1/envelopes', {
      ...createBody,
      issuer: { initiative: client.client_id, personIndex: 0, nonce: `order-${randomUUID()}` },
    });
    const body = (await res.json()) as EnvelopeErrorBody;
    assert.equal(res.status, 422, JSON.stringify(body));
    assert.equal(body.error, 'invalid_id_token');
    assert.equal(body.reason, 'reused');
    assert.equal(body.field, 'persons[0].id_token');
  });

  it("another client's access token does not find this envelope (404)", async () => {
    const other = await signet.createClient({ client_name: 'Someone else', grant_types: ['client_credentials'] });
    const token = await fetch(`${signet.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${other.client_id}:${other.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: signer.audience }),
    });
    const { access_token: otherToken } = (await token.json()) as { access_token: string };
    assert.equal(token.status, 200);
    for (const path of [
      `/v1/envelopes/${envelope.id}`,
      `/v1/envelopes/${envelope.id}/documents/0`,
      `/v1/envelopes/${envelope.id}/audit-trail`,
    ]) {
      const res = await api(path, {}, otherToken);
      const body = (await res.json()) as EnvelopeErrorBody;
      assert.equal(res.status, 404, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.error, 'not_found');
    }
    // Its owner still sees it.
    assert.equal((await api(`/v1/envelopes/${envelope.id}`)).status, 200);
  });

  it('revoking her certificate: pdfsig, asking the responder online, now says revoked; the DSS still holds the good answer of signing time', async () => {
    const [first] = await revokeAll(signer);
    assert.ok(first, 'her certificate was revoked');
    const { signatures, output } = await pdfsig(files.write('after-revocation.pdf', signedPdf), { trust: rootPem });
    assert.equal(signatures[0]?.valid, true, output);
    assert.match(signatures[0]?.certificateValidation ?? '', /Revoked/i, output);
    const root = files.write('revoked-root.pem', rootPem);
    const dss = await readDss(signedPdf);
    const texts = await Promise.all(
      dss.ocsps.map((der, i) =>
        openssl('ocsp', '-respin', files.write(`kept-${i}.der`, der), '-resp_text', '-CAfile', root),
      ),
    );
    assert.ok(
      texts.every((t) => /Cert Status: good/.test(t)),
      'the evidence embedded at signing time',
    );
  });
});

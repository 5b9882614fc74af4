import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AuditTrail, Envelope, EnvelopeErrorBody, EnvelopeList, VerifyResponse } from '@signet/protocol';
import { makePdf } from '@signet/testing/pdf';
import { verifyPdf } from '../pdf/verify.js';
import { signerTestBackends } from '../store/testing.js';
import { findInvitation, rejectInvitation, signAsInvitee } from './invitations.js';
import { expireEnvelopes } from './lifecycle.js';
import { type EnvelopeHarness, encryptedPdf, envelopeHarness, pdfBase64 } from './testing.js';

const ACME = 'acme-client';
const OTHER = 'other-client';

for (const backend of signerTestBackends()) {
  describe(`envelopes (${backend.name})`, { skip: backend.skip }, () => {
    let h: EnvelopeHarness;
    let dispose: () => Promise<void>;
    let pdf: string;
    let nonce = 0;

    before(async () => {
      const opened = await backend.open();
      h = await envelopeHarness(opened.store, { SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '200000' });
      dispose = async () => {
        await h.dispose();
        await opened.dispose();
      };
      pdf = await pdfBase64(2);
    });
    after(() => dispose());

    const post = (client: string, body: unknown) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: { ...h.as(client), 'user-agent': 'envelope-tests/1' },
        payload: body as object,
      });
    const body = (overrides: Record<string, unknown> = {}) => ({
      issuer: { initiative: ACME, nonce: `n-${++nonce}` },
      documents: [{ name: 'contract.pdf', content: pdf }],
      persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
      signatures: [{ document: 0, person: 0 }],
      ...overrides,
    });
    const countRows = async () => {
      const tables = ['envelopes', 'envelope_documents', 'envelope_persons', 'used_id_tokens', 'audit_events'] as const;
      const counts: number[] = [];
      for (const table of tables) {
        const row = await h.context.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        counts.push(Number(row.n));
      }
      return counts;
    };
    const expectError = async (
      response: { statusCode: number; json(): unknown },
      status: number,
      error: string,
      field?: string,
      reason?: string,
    ) => {
      const answer = response.json() as EnvelopeErrorBody;
      assert.equal(response.statusCode, status, JSON.stringify(answer));
      assert.equal(answer.error, error);
      if (field !== undefined) {
        assert.equal(answer.field, field);
        assert.match(answer.error_description, new RegExp(field.replace(/[[\].]/g, '\\$&')));
      }
      if (reason !== undefined) assert.equal(answer.reason, reason);
      return answer;
    };

    test('an id_token person signs at once: completed, the PDF carries a valid, trusted signature', async () => {
      const idToken = await h.idToken(ACME);
      const res = await post(ACME, body({ persons: [{ id_token: idToken }] }));
      assert.equal(res.statusCode, 201, res.body);
      const envelope = res.json() as Envelope;
      assert.equal(envelope.status, 'completed');
      assert.equal(envelope.persons[0]?.name, 'Ana Ruiz');
      assert.equal(envelope.persons[0]?.status, 'signed');
      assert.equal(envelope.signatures[0]?.status, 'signed');
      assert.equal(envelope.documents[0]?.signatureCount, 1);

      const download = await h.app.inject({ url: `/v1/envelopes/${envelope.id}/documents/0`, headers: h.as(ACME) });
      assert.equal(download.statusCode, 200);
      assert.equal(download.headers['content-type'], 'application/pdf');
      const reports = (await verifyPdf(download.rawPayload, [h.context.ca.rootCertificatePem])).signatures;
      assert.equal(reports.length, 1);
      assert.equal(reports[0]?.integrity, 'valid');
      assert.equal(reports[0]?.chain, 'trusted');
      assert.equal(reports[0]?.signer.name, 'Ana Ruiz');

      const original = await h.app.inject({
        url: `/v1/envelopes/${envelope.id}/documents/0?version=original`,
        headers: h.as(ACME),
      });
      assert.equal(original.rawPayload.toString('base64'), pdf);

      const verify = await h.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...h.as(ACME), 'content-type': 'application/pdf' },
        payload: download.rawPayload,
      });
      assert.equal(verify.statusCode, 200, verify.body);
      const verified = verify.json() as VerifyResponse;
      assert.equal(verified.valid, true);
      assert.equal(
        verified.signatures[0]?.signer.serialNumber,
        'IDCES-12345678Z',
        'id_card from ES: EN 319 412-1 semantics identifier',
      );

      const tampered = Buffer.from(download.rawPayload);
      // One byte inside the first (compressed) content stream, well within the signed range.
      const at = tampered.indexOf('stream') + 20;
      assert.ok(at > 20 && at < tampered.length / 2);
      tampered[at] = (tampered[at] ?? 0) ^ 0xff;
      const refused = await h.app.inject({
        method: 'POST',
        url: '/v1/verify',
        headers: { ...h.as(ACME), 'content-type': 'application/json' },
        payload: { content: tampered.toString('base64') },
      });
      assert.equal(refused.statusCode, 200);
      assert.equal((refused.json() as VerifyResponse).valid, false);
      assert.equal((refused.json() as VerifyResponse).signatures[0]?.integrity, 'invalid');
    });

    test('an invited person earlier in the order holds the id_token person back until they sign', async () => {
      const idToken = await h.idToken(ACME, { name: 'Bea Gil', sub: 'bea' });
      const res = await post(
        ACME,
        body({
          persons: [{ name: 'Carl Invited', email: 'carl@example.com' }, { id_token: idToken }],
          signatures: [
            { document: 0, person: 0, position: { page: 1, x: 50, y: 50, width: 200, height: 60 } },
            { document: 0, person: 1 },
          ],
        }),
      );
      assert.equal(res.statusCode, 201, res.body);
      const envelope = res.json() as Envelope;
      assert.equal(envelope.status, 'in_progress');
      assert.deepEqual(
        envelope.signatures.map((s) => s.status),
        ['pending', 'pending'],
      );
      const url = envelope.persons[0]?.signingUrl ?? '';
      assert.match(url, /^http:\/\/localhost:4446\/sign\/[A-Za-z0-9_-]{43}$/);
      const token = url.split('/').at(-1) ?? '';
      // Only the hash is stored.
      const stored = await h.context.store.db.selectFrom('envelope_invitations').select('token_hash').execute();
      assert.ok(stored.every((row) => row.token_hash !== token));
      // The link is not shown again.
      const again = await h.app.inject({ url: `/v1/envelopes/${envelope.id}`, headers: h.as(ACME) });
      assert.equal((again.json() as Envelope).persons[0]?.signingUrl, undefined);

      const invitation = await findInvitation(h.context, token);
      assert.equal(invitation.person.index, 0);
      assert.equal(invitation.theirTurn, true);
      const signed = await signAsInvitee(
        h.context,
        token,
        { subject: `${'https://other.example'} carl`, name: 'Carl Invited', email: 'carl@example.com' },
        { ip: '203.0.113.9', userAgent: 'signing-page' },
      );
      assert.equal(signed.status, 'completed');
      const done = (
        await h.app.inject({ url: `/v1/envelopes/${envelope.id}`, headers: h.as(ACME) })
      ).json() as Envelope;
      assert.equal(done.status, 'completed');
      assert.deepEqual(
        done.persons.map((p) => p.status),
        ['signed', 'signed'],
      );
      assert.equal(done.documents[0]?.signatureCount, 2);
      const bytes = await h.app.inject({ url: `/v1/envelopes/${envelope.id}/documents/0`, headers: h.as(ACME) });
      const reports = (await verifyPdf(bytes.rawPayload, [h.context.ca.rootCertificatePem])).signatures;
      assert.deepEqual(
        reports.map((r) => [r.signer.name, r.integrity, r.chain]),
        [
          ['Carl Invited', 'valid', 'trusted'],
          ['Bea Gil', 'valid', 'trusted'],
        ],
      );
      await assert.rejects(findInvitation(h.context, token), { name: 'EnvelopeError', status: 410 });

      const trail = await h.app.inject({ url: `/v1/envelopes/${envelope.id}/audit-trail`, headers: h.as(ACME) });
      const events = (trail.json() as AuditTrail).events;
      assert.deepEqual(
        events.map((e) => e.type),
        [
          'envelope.created',
          'invitation.created',
          'person.identified',
          'person.identified',
          'document.signed',
          'document.signed',
          'person.signed',
          'person.signed',
          'envelope.completed',
          'document.downloaded',
        ],
      );
      assert.equal(events[0]?.actor.id, ACME);
      assert.equal(events[0]?.userAgent, 'envelope-tests/1');
      assert.equal(events[0]?.ip, '127.0.0.1');
      assert.equal(events[4]?.ip, '203.0.113.9');
      assert.equal(events[4]?.actor.name, 'Carl Invited');
      assert.equal(events[5]?.actor.name, 'Bea Gil');

      const certificate = await h.app.inject({
        url: `/v1/envelopes/${envelope.id}/audit-trail`,
        headers: { ...h.as(ACME), accept: 'application/pdf' },
      });
      assert.equal(certificate.statusCode, 200);
      assert.equal(certificate.headers['content-type'], 'application/pdf');
      assert.equal(certificate.rawPayload.subarray(0, 5).toString(), '%PDF-');
    });

    test('a nonce reused by the same initiative is 409 nonce_reused naming the first envelope; another client may use it', async () => {
      const first = await post(ACME, body({ issuer: { initiative: ACME, nonce: 'order-1' } }));
      assert.equal(first.statusCode, 201);
      const before = await countRows();
      const replay = await post(ACME, body({ issuer: { initiative: ACME, nonce: 'order-1' } }));
      const error = await expectError(replay, 409, 'nonce_reused', 'issuer.nonce');
      assert.equal(error.envelopeId, (first.json() as Envelope).id);
      assert.deepEqual(await countRows(), before);
      const concurrent = await Promise.all([
        post(ACME, body({ issuer: { initiative: ACME, nonce: 'order-2' } })),
        post(ACME, body({ issuer: { initiative: ACME, nonce: 'order-2' } })),
      ]);
      assert.deepEqual(concurrent.map((r) => r.statusCode).sort(), [201, 409]);
      const other = await post(OTHER, body({ issuer: { initiative: OTHER, nonce: 'order-1' } }));
      assert.equal(other.statusCode, 201);
    });

    test('an initiative other than the caller is 422 naming issuer.initiative', async () => {
      const before = await countRows();
      await expectError(
        await post(ACME, body({ issuer: { initiative: OTHER, nonce: 'x' } })),
        422,
        'invalid_request',
        'issuer.initiative',
      );
      assert.deepEqual(await countRows(), before);
    });

    test('id_token misuse is 422 invalid_id_token naming the person, and creates nothing', async () => {
      const cases: [string, () => Promise<string>, string][] = [
        ['another client (aud)', () => h.idToken(OTHER), 'audience'],
        ['another authorized party (azp)', () => h.idToken(ACME, { aud: [ACME, OTHER], azp: OTHER }), 'audience'],
        ['several audiences without azp', () => h.idToken(ACME, { aud: [ACME, OTHER] }), 'audience'],
        ['a password-only acr', () => h.idToken(ACME, { acr: 'urn:acr:pwd' }), 'acr'],
        ['no acr', () => h.idToken(ACME, { acr: undefined }), 'acr'],
        ['a stale auth_time', () => h.idToken(ACME, { auth_time: h.clock.now - 901 }), 'auth_time'],
        ['no auth_time', () => h.idToken(ACME, { auth_time: undefined }), 'auth_time'],
        ['an expired token', () => h.idToken(ACME, { exp: h.clock.now - 120 }), 'expired'],
        ['a key the issuer never published', () => h.foreignIdToken(ACME), 'signature'],
        ['an access token', () => h.idToken(ACME, {}, { typ: 'at+jwt' }), 'malformed'],
        ['not a JWT', async () => 'not-a-jwt', 'malformed'],
      ];
      const before = await countRows();
      for (const [what, make, reason] of cases) {
        const res = await post(
          ACME,
          body({
            persons: [{ name: 'Carl', email: 'carl@example.com' }, { id_token: await make() }],
            signatures: [
              { document: 0, person: 0 },
              { document: 0, person: 1 },
            ],
          }),
        );
        await expectError(res, 422, 'invalid_id_token', 'persons[1].id_token', reason).catch((error: Error) => {
          throw new Error(`${what}: ${error.message}`);
        });
      }
      assert.deepEqual(await countRows(), before);
    });

    test('an id_token identifies one person of one envelope only', async () => {
      const idToken = await h.idToken(ACME);
      const twice = await post(
        ACME,
        body({
          persons: [{ id_token: idToken }, { id_token: idToken }],
          signatures: [
            { document: 0, person: 0 },
            { document: 0, person: 1 },
          ],
        }),
      );
      await expectError(twice, 422, 'invalid_id_token', 'persons[1].id_token', 'reused');
      assert.equal((await post(ACME, body({ persons: [{ id_token: idToken }] }))).statusCode, 201);
      const before = await countRows();
      await expectError(
        await post(ACME, body({ persons: [{ id_token: idToken }] })),
        422,
        'invalid_id_token',
        'persons[0].id_token',
        'reused',
      );
      assert.deepEqual(await countRows(), before);
      // Concurrent use: the unique key lets exactly one envelope have it.
      const shared = await h.idToken(ACME);
      const raced = await Promise.all([
        post(ACME, body({ persons: [{ id_token: shared }] })),
        post(ACME, body({ persons: [{ id_token: shared }] })),
      ]);
      assert.deepEqual(raced.map((r) => r.statusCode).sort(), [201, 422]);
    });

    test('malformed documents are refused with the exact status, error and field, creating nothing', async () => {
      const before = await countRows();
      const valid = await makePdf(1);
      const doc = (content: string) => body({ documents: [{ content: pdf }, { content }] });
      await expectError(
        await post(ACME, doc(Buffer.from('hello, not a pdf').toString('base64'))),
        422,
        'invalid_document',
        'documents[1].content',
        'not_pdf',
      );
      await expectError(
        await post(ACME, doc(Buffer.from(valid.subarray(0, Math.floor(valid.length / 2))).toString('base64'))),
        422,
        'invalid_document',
        'documents[1].content',
        'corrupt',
      );
      await expectError(
        await post(ACME, doc(Buffer.from(await encryptedPdf()).toString('base64'))),
        422,
        'invalid_document',
        'documents[1].content',
        'encrypted',
      );
      await expectError(
        await post(ACME, doc(Buffer.alloc(200_001, 1).toString('base64'))),
        422,
        'document_too_large',
        'documents[1].content',
      );
      await expectError(await post(ACME, doc('%%%not base64%%%')), 400, 'invalid_request', 'documents[1].content');
      await expectError(
        await post(ACME, body({ documents: [{ name: 'x.pdf' }] })),
        400,
        'invalid_request',
        'documents[0].content',
      );
      assert.deepEqual(await countRows(), before);
    });

    test('bad indexes and fields are 400 invalid_request naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ signatures: [{ document: 1, person: 0 }] }, 'signatures[0].document'],
        [{ signatures: [{ document: 0, person: 3 }] }, 'signatures[0].person'],
        [{ issuer: { initiative: ACME, nonce: 'i', personIndex: 5 } }, 'issuer.personIndex'],
        [
          { signatures: [{ document: 0, person: 0, position: { page: 9, x: 1, y: 1, width: 10, height: 10 } }] },
          'signatures[0].position.page',
        ],
        [{ persons: [{ name: 'No Email' }] }, 'persons[0].email'],
        [{ persons: [{ name: 'A', email: 'not-an-email' }] }, 'persons[0].email'],
        [
          {
            persons: [
              { name: 'A', email: 'a@example.com' },
              { name: 'B', email: 'b@example.com' },
            ],
          },
          'persons[1]',
        ],
        [{ expiresAt: '2000-01-01T00:00:00Z' }, 'expiresAt'],
        [{ callbackUrl: 'http://example.com/hook' }, 'callbackUrl'],
        [{ signatures: [] }, 'signatures'],
      ];
      for (const [overrides, field] of cases) {
        await expectError(await post(ACME, body(overrides)), 400, 'invalid_request', field);
      }
    });

    test("tenant isolation: another client's envelope is 404 everywhere and absent from its list", async () => {
      const created = (await post(ACME, body())).json() as Envelope;
      for (const [method, url] of [
        ['GET', `/v1/envelopes/${created.id}`],
        ['POST', `/v1/envelopes/${created.id}/cancel`],
        ['GET', `/v1/envelopes/${created.id}/documents/0`],
        ['GET', `/v1/envelopes/${created.id}/audit-trail`],
        ['GET', '/v1/envelopes/env_does_not_exist'],
      ] as const) {
        await expectError(await h.app.inject({ method, url, headers: h.as(OTHER) }), 404, 'not_found');
      }
      const list = (
        await h.app.inject({ url: '/v1/envelopes?limit=100', headers: h.as(OTHER) })
      ).json() as EnvelopeList;
      assert.ok(list.envelopes.every((e) => e.issuer.initiative === OTHER));
      assert.ok(!list.envelopes.some((e) => e.id === created.id));
      const mine = (await h.app.inject({ url: `/v1/envelopes/${created.id}`, headers: h.as(ACME) })).json() as Envelope;
      assert.equal(mine.status, 'in_progress');
    });

    test('list: newest first, by status, with a cursor through every page', async () => {
      const client = `lister-${backend.name}`;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        h.clock.advance(1);
        const res = await post(client, body({ issuer: { initiative: client, nonce: `l${i}` } }));
        ids.push((res.json() as Envelope).id);
      }
      await h.app.inject({ method: 'POST', url: `/v1/envelopes/${ids[1]}/cancel`, headers: h.as(client) });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/v1/envelopes?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await h.app.inject({ url, headers: h.as(client) })).json() as EnvelopeList;
        assert.ok(page.envelopes.length <= 2);
        seen.push(...page.envelopes.map((e) => e.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, [...ids].reverse());
      const canceled = (
        await h.app.inject({ url: '/v1/envelopes?status=canceled', headers: h.as(client) })
      ).json() as EnvelopeList;
      assert.deepEqual(
        canceled.envelopes.map((e) => e.id),
        [ids[1]],
      );
      await expectError(
        await h.app.inject({ url: '/v1/envelopes?cursor=garbage', headers: h.as(client) }),
        400,
        'invalid_request',
        'cursor',
      );
      await expectError(
        await h.app.inject({ url: '/v1/envelopes?status=lost', headers: h.as(client) }),
        400,
        'invalid_request',
        'querystring.status',
      );
    });

    test('cancel ends an envelope in progress and its signing links; a second cancel is 409', async () => {
      const created = (await post(ACME, body())).json() as Envelope;
      const token = created.persons[0]?.signingUrl?.split('/').at(-1) ?? '';
      const res = await h.app.inject({
        method: 'POST',
        url: `/v1/envelopes/${created.id}/cancel`,
        headers: h.as(ACME),
        payload: { reason: 'wrong contract' },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as Envelope).status, 'canceled');
      assert.equal((res.json() as Envelope).statusReason, 'wrong contract');
      await expectError(
        await h.app.inject({ method: 'POST', url: `/v1/envelopes/${created.id}/cancel`, headers: h.as(ACME) }),
        409,
        'invalid_state',
      );
      await assert.rejects(findInvitation(h.context, token), { status: 410 });
    });

    test('an invited person may reject: the envelope is rejected with the reason', async () => {
      const created = (await post(ACME, body())).json() as Envelope;
      const token = created.persons[0]?.signingUrl?.split('/').at(-1) ?? '';
      const rejected = await rejectInvitation(h.context, token, 'not my contract', {
        ip: '198.51.100.1',
        userAgent: 'ua',
      });
      assert.equal(rejected.status, 'rejected');
      const shown = (
        await h.app.inject({ url: `/v1/envelopes/${created.id}`, headers: h.as(ACME) })
      ).json() as Envelope;
      assert.equal(shown.status, 'rejected');
      assert.equal(shown.statusReason, 'not my contract');
      assert.equal(shown.persons[0]?.status, 'rejected');
      await assert.rejects(findInvitation(h.context, 'unknown-token'), { status: 404 });
    });

    test('expireEnvelopes moves past-expiresAt envelopes in progress to expired, once', async () => {
      const expiresAt = new Date((h.clock.now + 3600) * 1000).toISOString();
      const created = (await post(ACME, body({ expiresAt }))).json() as Envelope;
      assert.equal(created.expiresAt, expiresAt);
      assert.equal(created.persons[0]?.invitationExpiresAt, expiresAt);
      assert.equal(await expireEnvelopes(h.context), 0);
      h.clock.advance(3601);
      assert.ok((await expireEnvelopes(h.context)) >= 1);
      assert.equal(await expireEnvelopes(h.context), 0);
      const shown = (
        await h.app.inject({ url: `/v1/envelopes/${created.id}`, headers: h.as(ACME) })
      ).json() as Envelope;
      assert.equal(shown.status, 'expired');
      const trail = (
        await h.app.inject({ url: `/v1/envelopes/${created.id}/audit-trail`, headers: h.as(ACME) })
      ).json() as AuditTrail;
      assert.equal(trail.events.at(-1)?.type, 'envelope.expired');
      assert.equal(trail.events.at(-1)?.actor.type, 'system');
    });

    test('verify refuses what is not a PDF', async () => {
      await expectError(
        await h.app.inject({
          method: 'POST',
          url: '/v1/verify',
          headers: { ...h.as(ACME), 'content-type': 'application/pdf' },
          payload: Buffer.from('plain text'),
        }),
        422,
        'invalid_document',
        'body',
        'not_pdf',
      );
      await expectError(
        await h.app.inject({ method: 'POST', url: '/v1/verify', headers: h.as(ACME), payload: { nothing: 1 } }),
        400,
        'invalid_request',
        'content',
      );
    });
  });
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type AuditTrail, ENVELOPE_EVENT_TYPES, type Envelope } from '@signet/protocol';
import { makePdf, scratchDir } from '@signet/testing/pdf';
import { type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';

const run = promisify(execFile);
const docs = (name: string) => readFileSync(new URL(`../../../../docs/${name}`, import.meta.url), 'utf8');

let h: SigningPageHarness;
before(async () => {
  h = await signingPageHarness();
});
after(() => h?.dispose());

/** The events of `GET /v1/events` with `Last-Event-ID: 0` for the token's client, read until `done` says so (5 s at most). */
async function streamedEvents(authorization: string, done: (types: string[]) => boolean) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5000);
  const events: { type: string; envelope_id: string; data: Record<string, unknown> }[] = [];
  try {
    const res = await fetch(`${h.publicUrl}/v1/events`, {
      headers: { authorization, 'last-event-id': '0' },
      signal: controller.signal,
    });
    assert.equal(res.status, 200);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split('\n').find((line) => line.startsWith('data: '));
        if (data) events.push(JSON.parse(data.slice(6)));
        end = buffer.indexOf('\n\n');
      }
      if (done(events.map((e) => e.type))) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return events;
}

describe('invitation.opened and the full event feed', () => {
  test('opening a link records invitation.opened once per opening session, in the trail, the certificate and the feed', async () => {
    const integrator = await h.t.newClient();
    const create = await h.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: integrator.authorization },
      payload: {
        issuer: { initiative: integrator.clientId, nonce: 'opened-1' },
        documents: [{ name: 'lease.pdf', content: Buffer.from(await makePdf(1, 'Lease')).toString('base64') }],
        persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
    assert.equal(create.statusCode, 201, create.body);
    const envelope = create.json() as Envelope;
    const link = envelope.persons[0]?.signingUrl as string;
    const trail = async () =>
      (
        await h.app.inject({
          url: `/v1/envelopes/${envelope.id}/audit-trail`,
          headers: { authorization: integrator.authorization },
        })
      ).json() as AuditTrail;

    // Opened, reloaded, opened again ten minutes later: one opening session.
    for (const wait of [0, 5, 600]) {
      h.t.clock.advance(wait);
      assert.equal((await h.browser({ 'user-agent': 'Mail client' }).get(link)).status, 303);
    }
    let opened = (await trail()).events.filter((e) => e.type === 'invitation.opened');
    assert.equal(opened.length, 1);
    assert.deepEqual(opened[0]?.actor, { type: 'person', id: 'invitation:0', name: 'Ana Ruiz', personIndex: 0 });
    assert.equal(opened[0]?.userAgent, 'Mail client');
    assert.equal(opened[0]?.ip, '127.0.0.1');
    // Past the session: a new opening.
    h.t.clock.advance(31 * 60);
    await h.browser().get(link);
    opened = (await trail()).events.filter((e) => e.type === 'invitation.opened');
    assert.equal(opened.length, 2);

    // The certificate of completion tells it in words.
    const pdf = await h.app.inject({
      url: `/v1/envelopes/${envelope.id}/audit-trail`,
      headers: { authorization: integrator.authorization, accept: 'application/pdf' },
    });
    assert.equal(pdf.statusCode, 200);
    const scratch = scratchDir();
    try {
      const file = join(scratch.dir, 'certificate.pdf');
      writeFileSync(file, pdf.rawPayload);
      const text = (await run('/usr/bin/pdftotext', ['-layout', file, '-'])).stdout.replace(/\s+/g, ' ');
      assert.ok(text.includes('Ana Ruiz opened the signing link.'), text);
    } finally {
      scratch.dispose();
    }

    // A download and a cancel, then: every audit event is on the feed, with its type, in order.
    await h.app.inject({
      url: `/v1/envelopes/${envelope.id}/documents/0`,
      headers: { authorization: integrator.authorization },
    });
    const cancel = await h.app.inject({
      method: 'POST',
      url: `/v1/envelopes/${envelope.id}/cancel`,
      headers: { authorization: integrator.authorization },
      payload: {},
    });
    assert.equal(cancel.statusCode, 200, cancel.body);
    // A dead link is not an opening.
    await h.browser().get(link);
    const audit = (await trail()).events.map((e) => e.type);
    assert.deepEqual(audit, [
      'envelope.created',
      'invitation.created',
      'invitation.opened',
      'invitation.opened',
      'document.downloaded',
      'envelope.canceled',
    ]);
    const streamed = await streamedEvents(integrator.authorization, (types) => types.includes('envelope.canceled'));
    const ofEnvelope = streamed.filter((e) => e.envelope_id === envelope.id);
    assert.deepEqual(
      ofEnvelope.map((e) => e.type),
      audit,
    );
    const openedEvent = ofEnvelope.find((e) => e.type === 'invitation.opened');
    assert.deepEqual(openedEvent?.data, {
      person: 0,
      actor: { type: 'person', id: 'invitation:0', name: 'Ana Ruiz', person_index: 0 },
    });
    // The final event keeps the webhook body integrators already read.
    assert.deepEqual(ofEnvelope.at(-1)?.data, { status: 'canceled' });
  });

  test('the docs list every event type the feed carries, and the API schema allows each', async () => {
    for (const file of ['signer-api.md', 'webhooks.md']) {
      const text = docs(file);
      for (const type of ENVELOPE_EVENT_TYPES) assert.ok(text.includes(`\`${type}\``), `${file} lacks ${type}`);
    }
    const openapi = (await h.app.inject({ url: '/openapi.json' })).json() as Record<string, unknown>;
    const json = JSON.stringify(openapi);
    for (const type of ENVELOPE_EVENT_TYPES) assert.ok(json.includes(`"${type}"`), `OpenAPI lacks ${type}`);
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SignerStore } from '../store/signer-store.js';
import { signerTestBackends } from '../store/testing.js';
import { type Notifications, startNotifications } from './notifications.js';
import { type EnvelopeEventType, recordEnvelopeEvent } from './outbox-repository.js';
import { notificationsTestApp, recordingLogger, waitFor } from './testing.js';

interface Message {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A Server-Sent Events client over real HTTP (its own connection, as a browser's EventSource) that parses what arrives. */
async function connect(base: string, clientId: string, lastEventId?: string) {
  const headers = { 'x-test-client': clientId, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(`${base}/v1/events`, { headers, agent: false }, resolve).on('error', reject),
  );
  const messages: Message[] = [];
  let ended = false;
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const message: Message = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) message.comment = line.slice(1).trim();
        else {
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'id' || field === 'event' || field === 'data') message[field] = value;
        }
      }
      messages.push(message);
      end = buffer.indexOf('\n\n');
    }
  });
  const done = new Promise<void>((resolve) =>
    response.on('close', () => {
      ended = true;
      resolve();
    }),
  );
  return {
    status: response.statusCode,
    headers: response.headers,
    messages,
    events: () => messages.filter((m) => m.data !== undefined),
    ended: () => ended,
    async close() {
      response.destroy();
      await done;
    },
  };
}

for (const backend of signerTestBackends()) {
  describe(`SSE /v1/events on ${backend.name}`, { skip: backend.skip }, () => {
    let store: SignerStore;
    let dispose: () => Promise<void>;
    let notifications: Notifications;
    let app: FastifyInstance;
    let base: string;
    let n = 0;

    before(async () => {
      ({ store, dispose } = await backend.open());
      notifications = startNotifications({
        store,
        masterKey: randomBytes(32),
        now: () => Date.now() / 1000,
        log: recordingLogger(),
        pollIntervalMs: 25,
        heartbeatMs: 100,
      });
      app = await notificationsTestApp(notifications);
      base = await app.listen({ host: '127.0.0.1', port: 0 });
    });
    after(async () => {
      await app?.close();
      await notifications?.close();
      await dispose?.();
    });

    async function record(clientId: string, type: EnvelopeEventType = 'envelope.signed', poke = true) {
      const envelopeId = `env-${++n}`;
      await store.db.transaction().execute((tx) =>
        recordEnvelopeEvent(tx, {
          clientId,
          envelopeId,
          type,
          occurredAt: 1_767_225_600 + n,
          callbackUrl: null,
          data: { n },
        }),
      );
      if (poke) notifications.poke();
      return envelopeId;
    }

    it('streams a client its own events live, never another client’s', async (t) => {
      const alice = await connect(base, 'alice');
      const bob = await connect(base, 'bob');
      t.after(() => Promise.all([alice.close(), bob.close()]));
      assert.equal(alice.status, 200);
      assert.match(String(alice.headers['content-type']), /^text\/event-stream/);
      assert.equal(alice.headers['cache-control'], 'no-store');
      assert.equal(alice.headers['x-content-type-options'], 'nosniff');

      const a1 = await record('alice', 'envelope.created');
      const b1 = await record('bob', 'envelope.created');
      const a2 = await record('alice', 'envelope.completed');
      // Committed without a poke, as on another node: the poll finds it.
      const a3 = await record('alice', 'envelope.expired', false);
      await waitFor(() => alice.events().length === 3, 3000, 'alice’s events');
      await waitFor(() => bob.events().length === 1, 3000, 'bob’s event');
      assert.deepEqual(
        alice.events().map((m) => [m.event, JSON.parse(String(m.data)).envelope_id]),
        [
          ['envelope.created', a1],
          ['envelope.completed', a2],
          ['envelope.expired', a3],
        ],
      );
      const [bobEvent] = bob.events();
      assert.equal(JSON.parse(String(bobEvent?.data)).envelope_id, b1);
      const payload = JSON.parse(String(alice.events()[1]?.data));
      assert.deepEqual(Object.keys(payload).sort(), ['data', 'envelope_id', 'id', 'occurred_at', 'type']);
      assert.equal(payload.id, alice.events()[1]?.id, 'the SSE id is the event id');
      const ids = alice.events().map((m) => Number(m.id));
      assert.deepEqual(
        ids,
        [...ids].sort((x, y) => x - y),
      );
      // Heartbeat comments keep a quiet stream open.
      await waitFor(() => alice.messages.some((m) => m.comment === 'heartbeat'), 2000, 'a heartbeat');
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(alice.events().length, 3);
      assert.equal(bob.events().length, 1);
    });

    it('replays what a client missed when it reconnects with Last-Event-ID', async (t) => {
      const first = await connect(base, 'carol');
      await record('carol');
      await waitFor(() => first.events().length === 1, 3000, 'the first event');
      const lastSeen = String(first.events()[0]?.id);
      await first.close();

      const missed = [await record('carol'), await record('dave'), await record('carol', 'envelope.canceled')];
      const again = await connect(base, 'carol', lastSeen);
      t.after(() => again.close());
      await waitFor(() => again.events().length === 2, 3000, `the missed events ${JSON.stringify(again.messages)}`);
      assert.deepEqual(
        again.events().map((m) => JSON.parse(String(m.data)).envelope_id),
        [missed[0], missed[2]],
      );
      // Then it goes on live, without repeating anything.
      const live = await record('carol', 'envelope.completed');
      await waitFor(() => again.events().length === 3, 3000, 'the live event');
      assert.equal(JSON.parse(String(again.events()[2]?.data)).envelope_id, live);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(again.events().length, 3);
      const ids = again.events().map((m) => m.id);
      assert.equal(new Set(ids).size, ids.length);
    });

    it('refuses a malformed Last-Event-ID with 400 invalid_request', async () => {
      const res = await app.inject({
        url: '/v1/events',
        headers: { 'x-test-client': 'erin', 'last-event-id': 'abc' },
      });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().error, 'invalid_request');
      assert.match(res.json().error_description, /Last-Event-ID/);
    });

    it('ends open streams when the server closes', async () => {
      const own = startNotifications({
        store,
        masterKey: randomBytes(32),
        now: () => Date.now() / 1000,
        log: recordingLogger(),
        pollIntervalMs: 25,
      });
      const server = await notificationsTestApp(own);
      const url = await server.listen({ host: '127.0.0.1', port: 0 });
      const stream = await connect(url, 'frank');
      assert.equal(stream.status, 200);
      const started = Date.now();
      await server.close();
      await own.close();
      await waitFor(() => stream.ended(), 2000, 'the stream to end');
      assert.ok(Date.now() - started < 2000, 'closing does not wait for the stream');
    });
  });
}

import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { testLocations } from '@signet/store/testing';
import type { FastifyInstance } from 'fastify';
import { openSignerStore, type SignerStore } from '../store/signer-store.js';
import { signerTestBackends } from '../store/testing.js';
import { type Notifications, startNotifications } from './notifications.js';
import { type EnvelopeEvent, recordEnvelopeEvent } from './outbox-repository.js';
import { verifyWebhookSignature } from './signature.js';
import { notificationsTestApp, recordingLogger, startReceiver, waitFor } from './testing.js';

// Fractional seconds: the dispatcher schedules in milliseconds, and these backoffs are short.
const now = () => Date.now() / 1000;
const FAST = { baseMs: 50, maxMs: 400, maxAttempts: 7 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
const envelopeId = () => `env-${++counter}-${randomBytes(3).toString('hex')}`;

function finalEvent(clientId: string, envelope: string, callbackUrl: string | null): EnvelopeEvent {
  return {
    clientId,
    envelopeId: envelope,
    type: 'envelope.completed',
    occurredAt: 1_767_225_600,
    callbackUrl,
    data: { status: 'completed', note: 'ünïcode ✓' },
  };
}

async function record(store: SignerStore, event: EnvelopeEvent): Promise<void> {
  await store.db.transaction().execute((tx) => recordEnvelopeEvent(tx, event));
}

async function deliveryRows(store: SignerStore, envelope: string) {
  return store.db.selectFrom('webhook_deliveries').selectAll().where('envelope_id', '=', envelope).execute();
}

async function attemptRows(store: SignerStore, envelope: string) {
  return store.db
    .selectFrom('webhook_attempts as a')
    .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
    .selectAll('a')
    .where('d.envelope_id', '=', envelope)
    .orderBy('a.id')
    .execute();
}

for (const backend of signerTestBackends()) {
  describe(`webhooks on ${backend.name}`, { skip: backend.skip }, () => {
    let store: SignerStore;
    let dispose: () => Promise<void>;
    let notifications: Notifications;
    let app: FastifyInstance;
    const log = recordingLogger();
    const masterKey = randomBytes(32);

    before(async () => {
      ({ store, dispose } = await backend.open());
      notifications = startNotifications({ store, masterKey, now, log, pollIntervalMs: 20, backoff: FAST });
      app = await notificationsTestApp(notifications);
    });
    after(async () => {
      await app?.close();
      await notifications?.close();
      await dispose?.();
    });

    const call = (clientId: string, method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown) =>
      app.inject({
        method,
        url,
        headers: { 'x-test-client': clientId },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });

    it('signs each webhook with HMAC-SHA256 over the raw body and a timestamp, with the client secret', async (t) => {
      const receiver = await startReceiver();
      t.after(() => receiver.stop());
      const put = await call('acme', 'PUT', '/v1/webhook', { url: receiver.url });
      assert.equal(put.statusCode, 200);
      const { secret, url, has_secret } = put.json();
      assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.equal(url, receiver.url);
      assert.equal(has_secret, true);
      assert.equal(put.headers['cache-control'], 'no-store');
      // The secret is shown once: a second PUT and a GET never return it.
      const again = await call('acme', 'PUT', '/v1/webhook', { url: receiver.url });
      assert.equal(again.json().secret, undefined);
      assert.deepEqual((await call('acme', 'GET', '/v1/webhook')).json(), { url: receiver.url, has_secret: true });

      const envelope = envelopeId();
      await record(store, { ...finalEvent('acme', envelope, null), type: 'envelope.created' });
      await record(store, finalEvent('acme', envelope, null));
      notifications.poke();
      await waitFor(() => receiver.received.length >= 1, 5000, 'the webhook');
      await sleep(100);
      assert.equal(receiver.received.length, 1, 'only the final state is sent as a webhook');
      const [hit] = receiver.received;
      assert.ok(hit);
      assert.equal(hit.headers['content-type'], 'application/json');
      const payload = JSON.parse(hit.body);
      assert.deepEqual(payload, {
        id: payload.id,
        type: 'envelope.completed',
        occurred_at: 1_767_225_600,
        envelope_id: envelope,
        data: { status: 'completed', note: 'ünïcode ✓' },
      });
      assert.equal(hit.headers['signet-event-id'], payload.id);
      const header = String(hit.headers['signet-signature']);
      assert.ok(verifyWebhookSignature(header, hit.body, secret, now()));
      // The documented computation, done by hand as a receiver would.
      const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
      assert.ok(match);
      assert.equal(createHmac('sha256', secret).update(`${match[1]}.${hit.body}`).digest('hex'), match[2]);
      assert.ok(Math.abs(Number(match[1]) - now()) < 10);
      // Tampered body, another secret, or a replay long after: refused.
      assert.equal(verifyWebhookSignature(header, hit.body.replace('completed', 'canceled'), secret, now()), false);
      assert.equal(verifyWebhookSignature(header, `${hit.body} `, secret, now()), false);
      assert.equal(verifyWebhookSignature(header, hit.body, `${secret}x`, now()), false);
      assert.equal(verifyWebhookSignature(header, hit.body, secret, now() + 3600), false);

      // After a rotation every delivery is signed with the new secret only.
      const rotated = await call('acme', 'POST', '/v1/webhook/secret');
      assert.equal(rotated.statusCode, 201);
      const newSecret = rotated.json().secret;
      assert.notEqual(newSecret, secret);
      await record(store, finalEvent('acme', envelopeId(), null));
      notifications.poke();
      await waitFor(() => receiver.received.length === 2, 5000, 'the second webhook');
      const second = receiver.received[1];
      assert.ok(second);
      assert.ok(verifyWebhookSignature(String(second.headers['signet-signature']), second.body, newSecret, now()));
      assert.equal(
        verifyWebhookSignature(String(second.headers['signet-signature']), second.body, secret, now()),
        false,
      );

      for (const s of [secret, newSecret]) {
        assert.ok(!log.lines.some((line) => line.includes(s)), 'no secret in the logs');
      }
      assert.ok(
        log.lines.some((line) => line.includes('webhook delivered')),
        'deliveries are logged (without secrets)',
      );
    });

    it('retries a receiver that is down with growing delays, then delivers once, all visible through the API', async (t) => {
      const receiver = await startReceiver({ down: true });
      t.after(() => receiver.stop());
      const envelope = envelopeId();
      await record(store, finalEvent('retry-client', envelope, receiver.url));
      notifications.poke();
      await waitFor(async () => (await attemptRows(store, envelope)).length >= 4, 5000, 'four failed attempts');
      const failed = await attemptRows(store, envelope);
      for (const a of failed) {
        assert.equal(a.status_code, null);
        assert.match(String(a.error), /ECONNREFUSED/);
        assert.equal(a.url, receiver.url);
      }
      const delays = failed.map((a) => Number(a.next_attempt_at_ms) - Number(a.attempted_at_ms) - a.duration_ms);
      // 50 ms doubling, ±20 % jitter: the ranges [40,60], [80,120], [160,240] never overlap.
      assert.ok((delays[0] ?? 0) >= 40 && (delays[0] ?? 0) <= 60, `first delay ${delays[0]}`);
      assert.ok((delays[1] ?? 0) > (delays[0] ?? 0) && (delays[2] ?? 0) > (delays[1] ?? 0), `delays ${delays}`);
      for (let i = 1; i < failed.length; i++) {
        // No attempt runs before the time the previous one scheduled.
        assert.ok(Number(failed[i]?.attempted_at_ms) >= Number(failed[i - 1]?.next_attempt_at_ms));
      }
      const pending = (await call('retry-client', 'GET', `/v1/envelopes/${envelope}/deliveries`)).json();
      assert.equal(pending.deliveries.length, 1);
      assert.equal(pending.deliveries[0].status, 'pending');
      assert.ok(pending.deliveries[0].attempts.length >= 4);
      assert.match(pending.deliveries[0].attempts[0].error, /ECONNREFUSED/);
      assert.equal(typeof pending.deliveries[0].attempts[0].next_attempt_at, 'number');

      await receiver.start();
      await waitFor(() => receiver.received.length === 1, 5000, 'the delivery once the receiver is up');
      await waitFor(async () => (await deliveryRows(store, envelope))[0]?.status === 'delivered', 2000, 'delivered');
      await sleep(300); // many poll intervals: a delivered event is never sent again
      assert.equal(receiver.received.length, 1);
      const res = await call('retry-client', 'GET', `/v1/envelopes/${envelope}/deliveries`);
      assert.equal(res.statusCode, 200);
      const [delivery] = res.json().deliveries;
      assert.equal(delivery.status, 'delivered');
      assert.equal(delivery.url, receiver.url);
      assert.equal(delivery.event_type, 'envelope.completed');
      assert.equal(typeof delivery.delivered_at, 'number');
      assert.equal(delivery.next_attempt_at, null);
      const last = delivery.attempts.at(-1);
      assert.equal(last.status_code, 200);
      assert.equal(last.error, null);
      assert.equal(last.next_attempt_at, null);
      assert.equal(delivery.attempt_count, delivery.attempts.length);
      // The receiver can verify it: the secret was made at first delivery and is revealed by rotating.
      assert.equal((await call('retry-client', 'GET', '/v1/webhook')).json().has_secret, true);
    });

    it('answers 2xx only counts: an error status is a failed attempt with its code', async (t) => {
      const receiver = await startReceiver();
      t.after(() => receiver.stop());
      receiver.status = 500;
      const envelope = envelopeId();
      await record(store, finalEvent('status-client', envelope, receiver.url));
      notifications.poke();
      await waitFor(async () => (await attemptRows(store, envelope)).length >= 2, 5000, 'two attempts');
      const [first] = await attemptRows(store, envelope);
      assert.equal(first?.status_code, 500);
      assert.equal(first?.error, 'HTTP 500');
      receiver.status = 204;
      await waitFor(async () => (await deliveryRows(store, envelope))[0]?.status === 'delivered', 5000, 'delivered');
    });

    it('gives up after maxAttempts as failed, and POST …/deliveries/retry queues it again', async (t) => {
      const receiver = await startReceiver({ down: true });
      t.after(() => receiver.stop());
      const envelope = envelopeId();
      await record(store, finalEvent('giveup-client', envelope, receiver.url));
      notifications.poke();
      await waitFor(async () => (await deliveryRows(store, envelope))[0]?.status === 'failed', 8000, 'failed');
      const attempts = await attemptRows(store, envelope);
      assert.equal(attempts.length, FAST.maxAttempts);
      assert.equal(attempts.at(-1)?.next_attempt_at_ms, null);
      const listed = (await call('giveup-client', 'GET', `/v1/envelopes/${envelope}/deliveries`)).json();
      assert.equal(listed.deliveries[0].status, 'failed');
      assert.equal(listed.deliveries[0].next_attempt_at, null);

      assert.equal((await call('someone-else', 'POST', `/v1/envelopes/${envelope}/deliveries/retry`)).statusCode, 404);
      await receiver.start();
      const retry = await call('giveup-client', 'POST', `/v1/envelopes/${envelope}/deliveries/retry`);
      assert.equal(retry.statusCode, 202);
      assert.deepEqual(retry.json(), { retried: 1 });
      await waitFor(() => receiver.received.length === 1, 5000, 'the retried delivery');
      await waitFor(async () => (await deliveryRows(store, envelope))[0]?.status === 'delivered', 2000, 'delivered');
    });

    it('shows deliveries only to the envelope owner: another client gets 404 not_found', async () => {
      const envelope = envelopeId();
      await record(store, { ...finalEvent('owner', envelope, null), type: 'envelope.created' });
      const own = await call('owner', 'GET', `/v1/envelopes/${envelope}/deliveries`);
      assert.equal(own.statusCode, 200);
      assert.deepEqual(own.json(), { deliveries: [] });
      for (const [client, id] of [
        ['intruder', envelope],
        ['owner', 'no-such-envelope'],
      ] as const) {
        const res = await call(client, 'GET', `/v1/envelopes/${id}/deliveries`);
        assert.equal(res.statusCode, 404);
        assert.equal(res.json().error, 'not_found');
      }
    });

    it('refuses webhook URLs that are not https (or http on localhost), naming the field', async () => {
      for (const url of [
        'http://example.com/hook',
        'ftp://example.com/hook',
        'not a url',
        'https://user:pw@example.com/hook',
        'https://example.com/hook#frag',
        `https://example.com/${'a'.repeat(2100)}`,
        '',
      ]) {
        const res = await call('validation', 'PUT', '/v1/webhook', { url });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error, 'invalid_request');
        assert.match(res.json().error_description, /url/);
      }
      for (const payload of [{}, { uri: 'https://example.com' }]) {
        const res = await call('validation', 'PUT', '/v1/webhook', payload);
        assert.equal(res.statusCode, 400);
        assert.match(res.json().error_description, /url/);
      }
      const bad = await app.inject({
        method: 'PUT',
        url: '/v1/webhook',
        headers: { 'x-test-client': 'validation', 'content-type': 'application/json' },
        payload: '{"url":',
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((await call('validation', 'GET', '/v1/webhook')).json().url, null, 'nothing was stored');

      for (const url of ['https://example.com/hook?x=1', 'http://localhost:8080/hook', 'http://127.0.0.1/hook']) {
        const res = await call('validation', 'PUT', '/v1/webhook', { url });
        assert.equal(res.statusCode, 200, url);
        assert.equal(res.json().url, url);
      }
      const removed = await call('validation', 'PUT', '/v1/webhook', { url: null });
      assert.deepEqual(removed.json(), { url: null, has_secret: true });
      // Without any URL, a final event queues no webhook (the client follows events on SSE).
      const envelope = envelopeId();
      await record(store, finalEvent('validation', envelope, null));
      assert.equal((await deliveryRows(store, envelope)).length, 0);
    });
  });
}

for (const location of testLocations()) {
  describe(`webhook outbox across restarts and nodes on ${location.name}`, { skip: location.skip }, () => {
    it('delivers an event recorded before a restart while the receiver was down', async (t) => {
      const { options, dispose } = await location.create();
      t.after(() => dispose());
      const masterKey = randomBytes(32);
      const receiver = await startReceiver({ down: true });
      t.after(() => receiver.stop());

      // The first Signer: the event is recorded, the receiver refuses, the Signer stops.
      const first = openSignerStore(options);
      await first.migrate();
      const before = startNotifications({
        store: first,
        masterKey,
        now,
        log: recordingLogger(),
        pollIntervalMs: 20,
        backoff: { baseMs: 200, maxMs: 200, maxAttempts: 50 },
      });
      const app = await notificationsTestApp(before);
      const { secret } = (
        await app.inject({ method: 'POST', url: '/v1/webhook/secret', headers: { 'x-test-client': 'restart' } })
      ).json();
      const envelope = envelopeId();
      await record(first, finalEvent('restart', envelope, receiver.url));
      before.poke();
      await waitFor(async () => (await attemptRows(first, envelope)).length >= 1, 5000, 'a failed attempt');
      await app.close();
      await before.close();
      await first.close();
      assert.equal(receiver.received.length, 0);

      // The receiver comes back; a new Signer on the same database sends what was left.
      await receiver.start();
      const second = openSignerStore(options);
      t.after(() => second.close());
      await second.migrate();
      const afterRestart = startNotifications({
        store: second,
        masterKey,
        now,
        log: recordingLogger(),
        pollIntervalMs: 20,
        backoff: FAST,
      });
      t.after(() => afterRestart.close());
      await waitFor(() => receiver.received.length === 1, 5000, 'the delivery after the restart');
      const [hit] = receiver.received;
      assert.ok(hit);
      assert.equal(JSON.parse(hit.body).envelope_id, envelope);
      assert.ok(verifyWebhookSignature(String(hit.headers['signet-signature']), hit.body, secret, now()));
      await waitFor(async () => (await deliveryRows(second, envelope))[0]?.status === 'delivered', 2000, 'delivered');
      const attempts = await attemptRows(second, envelope);
      assert.ok(attempts.length >= 2);
      assert.match(String(attempts[0]?.error), /ECONNREFUSED/);
      assert.equal(attempts.at(-1)?.status_code, 200);
    });

    // Several nodes share PostgreSQL only; SQLite is the embedded single-node backend (and two
    // connections to one file in one thread would block each other on its write lock).
    if (location.name === 'postgres')
      it('two dispatchers on one database deliver each event exactly once', async (t) => {
        const { options, dispose } = await location.create();
        t.after(() => dispose());
        const masterKey = randomBytes(32);
        const receiver = await startReceiver();
        t.after(() => receiver.stop());
        receiver.delayMs = 15;
        const stores = [openSignerStore(options), openSignerStore(options)] as const;
        await stores[0].migrate();
        await stores[1].migrate();
        t.after(async () => {
          for (const s of stores) await s.close();
        });
        const nodes = stores.map((store) =>
          startNotifications({ store, masterKey, now, log: recordingLogger(), pollIntervalMs: 5, backoff: FAST }),
        );
        t.after(async () => {
          for (const n of nodes) await n.close();
        });
        const events = 30;
        for (let i = 0; i < events; i++) {
          await record(stores[i % 2] as SignerStore, finalEvent('cluster', `cluster-env-${i}`, receiver.url));
          for (const n of nodes) n.poke();
        }
        await waitFor(() => receiver.received.length >= events, 10_000, 'every delivery');
        await sleep(200);
        const ids = receiver.received.map((r) => JSON.parse(r.body).id);
        assert.equal(ids.length, events, 'no event was sent twice');
        assert.equal(new Set(ids).size, events);
        const attempts = await stores[0].db.selectFrom('webhook_attempts').select('delivery_id').execute();
        assert.equal(attempts.length, events, 'one attempt per delivery');
      });
  });
}

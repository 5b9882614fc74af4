import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EnvelopeErrorBody } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import { envelopeHarness, pdfBase64 } from '../envelopes/testing.js';
import type { SignerStore } from '../store/signer-store.js';
import { signerTestBackends } from '../store/testing.js';
import { type Notifications, startNotifications } from './notifications.js';
import { recordEnvelopeEvent } from './outbox-repository.js';
import type { PrivateNetworkPolicy } from './private-networks.js';
import { notificationsTestApp, recordingLogger, startReceiver, waitFor } from './testing.js';

const now = () => Date.now() / 1000;
const FAST = { baseMs: 50, maxMs: 100, maxAttempts: 5 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const REFUSED = /points at a private network address; SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS=allow permits it/;

/** URLs of the operator's own network, each spelled as an integrator might. */
const privateUrls = (port: string) => [
  `http://127.0.0.1:${port}/hook`,
  `http://localhost:${port}/hook`,
  'https://10.0.0.1/hook',
  'https://[::1]/',
  'https://169.254.169.254/latest/meta-data/',
  'https://[::ffff:169.254.169.254]/',
  'https://2130706433/',
  'https://192.168.1.10:4445/admin',
  'https://[fd00::1]/hook',
];

for (const backend of signerTestBackends()) {
  describe(`webhooks to private networks on ${backend.name}`, { skip: backend.skip }, () => {
    let store: SignerStore;
    let dispose: () => Promise<void>;
    const running: { notifications: Notifications; app: FastifyInstance }[] = [];
    // One key for every dispatcher here, as all nodes of a deployment share it: the dispatchers of
    // earlier tests keep running on this database, and with keys of their own they could not open
    // the client's webhook secret (an extra "internal error" attempt).
    const masterKey = randomBytes(32);

    before(async () => {
      ({ store, dispose } = await backend.open());
    });
    after(async () => {
      for (const { app, notifications } of running) {
        await app.close();
        await notifications.close();
      }
      await dispose?.();
    });

    const start = async (privateNetworks: PrivateNetworkPolicy) => {
      // One dispatcher at a time: an earlier test's, under the other policy, could claim this
      // test's delivery first (a timed-out 'allow' delivery refused as private, seen on PostgreSQL).
      for (const { app, notifications } of running.splice(0)) {
        await app.close();
        await notifications.close();
      }
      const notifications = startNotifications({
        store,
        masterKey,
        now,
        log: recordingLogger(),
        pollIntervalMs: 20,
        backoff: FAST,
        privateNetworks,
      });
      const app = await notificationsTestApp(notifications);
      running.push({ notifications, app });
      return { notifications, app };
    };

    const attemptsOf = (envelopeId: string) =>
      store.db
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
        .select(['a.error', 'a.status_code', 'a.url', 'd.status'])
        .where('d.envelope_id', '=', envelopeId)
        .orderBy('a.id')
        .execute();

    const recordFinal = (clientId: string, envelopeId: string, callbackUrl: string | null) =>
      store.db.transaction().execute((tx) =>
        recordEnvelopeEvent(tx, {
          clientId,
          envelopeId,
          type: 'envelope.completed',
          occurredAt: Math.floor(now()),
          callbackUrl,
          data: { status: 'completed' },
        }),
      );

    it('with deny, PUT /v1/webhook refuses private destinations with 400 naming url, and keeps public ones', async (t) => {
      const { app } = await start('deny');
      const receiver = await startReceiver();
      t.after(() => receiver.stop());
      const put = (url: string) =>
        app.inject({ method: 'PUT', url: '/v1/webhook', headers: { 'x-test-client': 'deny-put' }, payload: { url } });
      for (const url of privateUrls(new URL(receiver.url).port)) {
        const res = await put(url);
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error, 'invalid_request');
        assert.match(res.json().error_description, /^url: /, url);
        assert.match(res.json().error_description, REFUSED, url);
      }
      const stored = await app.inject({ url: '/v1/webhook', headers: { 'x-test-client': 'deny-put' } });
      assert.equal(stored.json().url, null, 'nothing was stored');
      // A host name is checked when it is resolved, at delivery: here it is accepted.
      const res = await put('https://hooks.example.com/signet');
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().url, 'https://hooks.example.com/signet');
    });

    it('with deny, a delivery to a private address is one failed attempt naming it, and the receiver gets nothing', async (t) => {
      const { notifications } = await start('deny');
      const receiver = await startReceiver();
      t.after(() => receiver.stop());
      const { port } = new URL(receiver.url);
      // Inserted directly, as if validated under allow before the operator switched to deny.
      for (const [envelopeId, url, host] of [
        ['deny-literal', receiver.url, '127.0.0.1'],
        ['deny-mapped', `http://[::ffff:127.0.0.1]:${port}/hook`, '::ffff:7f00:1'],
        ['deny-localhost', `http://localhost:${port}/hook`, 'localhost'],
      ] as const) {
        await recordFinal('deny-client', envelopeId, url);
        notifications.poke();
        await waitFor(async () => (await attemptsOf(envelopeId))[0]?.status === 'failed', 5000, `${envelopeId} failed`);
        const attempts = await attemptsOf(envelopeId);
        assert.equal(attempts.length, 1, 'refused by policy: not retried');
        assert.equal(attempts[0]?.error, `destination ${host} is a private network address`);
        assert.equal(attempts[0]?.status_code, null);
      }
      await sleep(FAST.maxMs * 3);
      assert.equal(receiver.received.length, 0);
      for (const envelopeId of ['deny-literal', 'deny-mapped', 'deny-localhost']) {
        assert.equal((await attemptsOf(envelopeId)).length, 1);
      }
    });

    it('with allow, the same delivery to 127.0.0.1 is sent', async (t) => {
      const { notifications } = await start('allow');
      const receiver = await startReceiver();
      t.after(() => receiver.stop());
      await recordFinal('allow-client', 'allow-literal', receiver.url);
      notifications.poke();
      await waitFor(() => receiver.received.length === 1, 5000, 'the delivery');
      await waitFor(async () => (await attemptsOf('allow-literal'))[0]?.status === 'delivered', 2000, 'delivered');
      assert.equal((await attemptsOf('allow-literal'))[0]?.status_code, 200);
    });

    it('does not follow redirects: a 3xx is a failed attempt and the target gets nothing', async (t) => {
      const { notifications } = await start('allow');
      const target = await startReceiver();
      t.after(() => target.stop());
      const redirecting = createServer((_request, response) => {
        response.writeHead(307, { location: target.url }).end();
      });
      await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
      t.after(() => new Promise<void>((resolve) => redirecting.close(() => resolve())));
      const url = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/hook`;
      await recordFinal('redirect-client', 'redirected', url);
      notifications.poke();
      await waitFor(async () => (await attemptsOf('redirected')).length >= 2, 5000, 'two attempts');
      const [first] = await attemptsOf('redirected');
      assert.equal(first?.status_code, 307);
      assert.equal(first?.error, 'HTTP 307');
      assert.equal(first?.url, url);
      assert.equal(target.received.length, 0);
    });
  });
}

describe('envelope callbackUrl under SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS=deny', () => {
  const [sqlite] = signerTestBackends();

  it('refuses private destinations with 400 naming callbackUrl, and accepts a public one', async (t) => {
    assert.ok(sqlite);
    const { store, dispose } = await sqlite.open();
    t.after(() => dispose());
    const h = await envelopeHarness(store, { SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS: 'deny' });
    t.after(() => h.dispose());
    assert.equal(h.context.config.webhookPrivateNetworks, 'deny');
    const pdf = await pdfBase64(1);
    let nonce = 0;
    const create = (callbackUrl: string) =>
      h.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: h.as('acme'),
        payload: {
          issuer: { initiative: 'acme', nonce: `n-${++nonce}` },
          documents: [{ name: 'contract.pdf', content: pdf }],
          persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
          signatures: [{ document: 0, person: 0 }],
          callbackUrl,
        },
      });
    for (const url of privateUrls('8080')) {
      const res = await create(url);
      const body = res.json() as EnvelopeErrorBody;
      assert.equal(res.statusCode, 400, url);
      assert.equal(body.error, 'invalid_request');
      assert.equal(body.field, 'callbackUrl', url);
      assert.match(body.error_description, /^callbackUrl: /);
      assert.match(body.error_description, REFUSED);
    }
    const count = await store.db
      .selectFrom('envelopes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0, 'no envelope was created');
    const ok = await create('https://hooks.example.com/signet');
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().callbackUrl, 'https://hooks.example.com/signet');
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openStore } from '@signet/accounts';
import { openSignerStore } from '@signet/signer';
import { pdfBase64 } from '@signet/signer/testing';
import { isDatabaseUnavailable, type StoreOptions } from '@signet/store';
import { testLocations } from '@signet/store/testing';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseProxy, databaseProxy } from './database-proxy.js';

const postgres = testLocations().find((l) => l.name === 'postgres');

/** The connection URL through the proxy, for a schema of its own, named so that the server can be told to end its sessions. */
function throughProxy(options: StoreOptions, port: number, applicationName: string): StoreOptions {
  const url = new URL(options.url);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  url.searchParams.set('application_name', applicationName);
  return { ...options, url: url.toString() };
}

describe('PostgreSQL goes away and comes back', { skip: postgres ? postgres.skip : 'no PostgreSQL location' }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  let proxy: DatabaseProxy;
  let t: TestSigner;
  let accountsUrl: string;
  const applicationName = `signet-outage-${randomBytes(4).toString('hex')}`;

  before(async () => {
    if (!postgres) return;
    const accountsDb = await postgres.create();
    const signerDb = await postgres.create();
    cleanups.push(accountsDb.dispose, signerDb.dispose);
    proxy = await databaseProxy(new URL(accountsDb.options.url));
    cleanups.push(() => proxy.close());
    const proxiedAccounts = throughProxy(accountsDb.options, proxy.port, applicationName);
    const url = new URL(proxiedAccounts.url);
    url.searchParams.set('options', `-c search_path=${accountsDb.options.schema}`);
    accountsUrl = url.toString();
    const signerStore = openSignerStore(throughProxy(signerDb.options, proxy.port, applicationName));
    await signerStore.migrate();
    cleanups.unshift(() => signerStore.close());
    t = await testSigner({ store: signerStore, accountsEnv: { SIGNET_DATABASE_URL: accountsUrl } });
    cleanups.unshift(() => t.dispose());
  });
  after(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  it('a server shutdown (57P01) of a connection inside a transaction fails that transaction, not the process', async () => {
    const store = openStore({ url: accountsUrl });
    try {
      const failure = await store.db
        .transaction()
        .execute(async (trx) => {
          await sql`select 1`.execute(trx);
          // An administrator (or a restart) ends our sessions while this one is checked out.
          const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
          await admin.connect();
          await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
            applicationName,
          ]);
          await admin.end();
          await new Promise((resolve) => setTimeout(resolve, 300));
          await sql`select 1`.execute(trx);
        })
        .then(
          () => null,
          (error: unknown) => error,
        );
      assert.ok(failure, 'the transaction failed');
      assert.ok(isDatabaseUnavailable(failure), `classified as unavailable: ${String(failure)}`);
      // Still here: the process did not exit on an unhandled 'error' event; the pool serves again.
      const { rows } = await sql<{ n: number }>`select 1 as n`.execute(store.db);
      assert.equal(rows[0]?.n, 1);
    } finally {
      await store.close();
    }
  });

  it('while the database is cut off every endpoint that needs it answers 503 with Retry-After; afterwards all works again', async () => {
    const client = await t.newClient();
    const create = (nonce: string) =>
      pdfBase64(1).then((content) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/envelopes',
          headers: { authorization: client.authorization },
          payload: {
            issuer: { initiative: client.clientId, nonce },
            documents: [{ name: 'a.pdf', content }],
            persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
            signatures: [{ document: 0, person: 0 }],
          },
        }),
      );
    assert.equal((await create('before')).statusCode, 201);

    await proxy.cut();
    const answers = [
      ['POST /v1/envelopes', await create('during')],
      [
        'GET /v1/envelopes',
        await t.app.inject({ url: '/v1/envelopes', headers: { authorization: client.authorization } }),
      ],
      [
        'POST /admin/clients',
        await t.accounts.adminApp.inject({
          method: 'POST',
          url: '/admin/clients',
          headers: { authorization: t.accounts.adminAuth },
          payload: { client_name: 'during the outage' },
        }),
      ],
      ['GET /health/ready', await t.accounts.publicApp.inject({ url: '/health/ready' })],
    ] as const;
    for (const [what, res] of answers) {
      assert.equal(res.statusCode, 503, `${what}: ${res.body}`);
      if (what !== 'GET /health/ready') {
        assert.equal(res.json().error, 'temporarily_unavailable', what);
        assert.ok(Number(res.headers['retry-after']) >= 1, `${what} says when to retry`);
      }
    }

    await proxy.restore();
    let recovered = 0;
    for (let attempt = 0; attempt < 50 && recovered !== 201; attempt++) {
      recovered = (await create(`after-${attempt}`)).statusCode;
      if (recovered !== 201) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(recovered, 201, 'the Signer recovered without a restart');
    const list = await t.app.inject({ url: '/v1/envelopes', headers: { authorization: client.authorization } });
    const nonces = (list.json().envelopes as { issuer: { nonce: string } }[]).map((e) => e.issuer.nonce);
    assert.ok(!nonces.includes('during'), 'nothing half-written from the refused request');
    assert.equal((await t.accounts.publicApp.inject({ url: '/health/ready' })).statusCode, 200);
  });
});

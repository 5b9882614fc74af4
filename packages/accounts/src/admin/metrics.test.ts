import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { testBackends } from '../store/testing.js';

const METRICS_TOKEN = 'scraper-token-0123456789';

/** The value of one sample of a Prometheus text exposition, or undefined. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const [, inner = '', value] = /^[^{]+\{(.*)\} (\S+)$/.exec(line) ?? [];
    const got = Object.fromEntries([...inner.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(value);
  }
  return undefined;
}

for (const backend of testBackends()) {
  test(`GET /metrics on the admin listener (${backend.name})`, { skip: backend.skip }, async () => {
    const { store, dispose } = await backend.open();
    const t: TestAccounts = await testAccounts({ store, env: { SIGNET_METRICS_TOKEN: METRICS_TOKEN } });
    after(async () => {
      await t.dispose();
      await dispose();
    });
    const scrape = (authorization?: string) =>
      t.adminApp.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });

    assert.equal((await scrape()).statusCode, 401);
    assert.equal((await scrape('Bearer wrong-token-0123456789')).statusCode, 401);
    assert.equal((await scrape(t.adminAuth)).statusCode, 200);
    const byScraper = await scrape(`Bearer ${METRICS_TOKEN}`);
    assert.equal(byScraper.statusCode, 200);
    assert.match(String(byScraper.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal(
      (await t.adminApp.inject({ url: '/admin/clients', headers: { authorization: `Bearer ${METRICS_TOKEN}` } }))
        .statusCode,
      401,
      'the metrics token opens nothing else',
    );

    const client = await t.createClient({ grant_types: ['client_credentials'] });
    const before = sample((await scrape(t.adminAuth)).body, 'signet_tokens_issued_total', {
      grant_type: 'client_credentials',
    });
    const token = await t.publicApp.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: {
        authorization: basicAuth(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: `grant_type=client_credentials&audience=${encodeURIComponent(t.config.signerAudience)}`,
    });
    assert.equal(token.statusCode, 200, token.body);
    const body = (await scrape(`Bearer ${METRICS_TOKEN}`)).body;
    assert.equal(sample(body, 'signet_tokens_issued_total', { grant_type: 'client_credentials' }), (before ?? 0) + 1);
    const labels = { service: 'accounts', route: '/oauth2/token', method: 'POST', status: '200' };
    assert.ok((sample(body, 'signet_http_requests_total', labels) ?? 0) >= 1);
    assert.ok((sample(body, 'signet_http_request_duration_seconds_count', labels) ?? 0) >= 1);
    assert.ok(
      sample(body, 'nodejs_eventloop_lag_seconds', {}) !== undefined || /nodejs_eventloop_lag_seconds /.test(body),
    );
    if (store.dialect === 'postgres') {
      assert.ok((sample(body, 'signet_db_pool_connections', { service: 'accounts', state: 'total' }) ?? 0) >= 1);
      assert.equal(
        typeof sample(body, 'signet_db_pool_connections', { service: 'accounts', state: 'waiting' }),
        'number',
      );
    } else {
      assert.equal(sample(body, 'signet_db_pool_connections', { service: 'accounts', state: 'total' }), undefined);
    }
  });
}

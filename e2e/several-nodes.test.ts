import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testLocations } from '@signet/store/testing';
import { basicAuth, freePort } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { authorizationRequest, codeFrom, REDIRECT_URI, walk } from '@signet/testing/people';
import { pdfBase64 } from '@signet/testing/signer';
import { decodeProtectedHeader } from 'jose';
import { HAPROXY, type NodeProcess, type RunningHaproxy, startHaproxy, startNode, waitFor } from './cluster.js';

/**
 * Two accounts nodes and two Signer nodes as real `signet start` processes on one PostgreSQL,
 * behind Debian's HAProxy, and every request of these tests through it. Needs
 * `TEST_DATABASE_URL` and `/usr/sbin/haproxy`; without them it is skipped, saying why, except
 * under CI (`SIGNET_CI=1`, set by .ci/run), where it fails saying what is missing.
 */
const missing = [
  ...(process.env.TEST_DATABASE_URL ? [] : ['TEST_DATABASE_URL is not set (the PostgreSQL database the nodes share)']),
  ...(existsSync(HAPROXY) ? [] : [`${HAPROXY} is missing (Debian package haproxy: apt-get install -y haproxy)`]),
];

if (missing.length > 0 && process.env.SIGNET_CI === '1') {
  describe('several nodes behind HAProxy', () => {
    it('has PostgreSQL and HAProxy', () => {
      assert.fail(`the several-nodes test cannot run under CI: ${missing.join('; ')}`);
    });
  });
} else {
  describe(
    'several nodes behind HAProxy',
    { skip: missing.length > 0 ? `SKIPPED: ${missing.join('; ')}` : false },
    () => severalNodes(),
  );
}

interface Answer {
  status: number;
  /** The server HAProxy sent the request to (`x-signet-node`). */
  node: string;
  body: Record<string, unknown>;
}

/** A request through the load balancer; `node` pins it to that server (test-only HAProxy rule). */
async function call(url: string, init: RequestInit & { node?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.node) headers.set('x-signet-node', init.node);
  const res = await fetch(url, { ...init, headers });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: res.status, node: res.headers.get('x-signet-node') ?? '', body };
}

function severalNodes(): void {
  const cleanups: (() => Promise<void>)[] = [];
  const nodes = new Map<string, NodeProcess>();
  let haproxy: RunningHaproxy;
  let accountsUrl: string;
  let signerUrl: string;
  let issuer: string;
  let audience: string;
  const adminToken = randomBytes(24).toString('base64url');
  const adminUrls = new Map<string, string>();
  let client: { client_id: string; client_secret: string };

  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  });
  const clientToken = (node?: string) =>
    call(`${accountsUrl}/oauth2/token`, {
      ...form({ grant_type: 'client_credentials', audience }),
      ...(node ? { node } : {}),
    });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const kid = (token: unknown) => decodeProtectedHeader(String(token)).kid;

  before(async () => {
    const postgres = testLocations().find((l) => l.name === 'postgres');
    assert.ok(postgres);
    const inSchema = async () => {
      const location = await postgres.create();
      cleanups.unshift(location.dispose);
      const url = new URL(location.options.url);
      url.searchParams.set('options', `-c search_path=${location.options.schema}`);
      return url.toString();
    };
    const [accountsDb, signerDb] = [await inSchema(), await inSchema()];
    const ports = {
      accounts: await freePort(),
      signer: await freePort(),
      stats: await freePort(),
      a1: await freePort(),
      a2: await freePort(),
      s1: await freePort(),
      s2: await freePort(),
    };
    accountsUrl = `http://127.0.0.1:${ports.accounts}`;
    signerUrl = `http://127.0.0.1:${ports.signer}`;
    issuer = `http://localhost:${ports.accounts}`;
    audience = `http://localhost:${ports.signer}`;
    haproxy = await startHaproxy({
      accountsPort: ports.accounts,
      signerPort: ports.signer,
      statsPort: ports.stats,
      accounts: [
        { name: 'a1', port: ports.a1 },
        { name: 'a2', port: ports.a2 },
      ],
      signers: [
        { name: 's1', port: ports.s1 },
        { name: 's2', port: ports.s2 },
      ],
      pinning: true,
      // No request is retried on the other node: a request the stopping node fails, the client sees.
      retries: 0,
    });
    cleanups.unshift(() => haproxy.stop());
    // One database and one master key per service, shared by its nodes; a data directory each.
    const accountsEnv = {
      SIGNET_ISSUER: issuer,
      SIGNET_DATABASE_URL: accountsDb,
      SIGNET_MASTER_KEY: randomBytes(32).toString('base64url'),
      SIGNET_ADMIN_TOKEN: adminToken,
      SIGNET_SIGNER_AUDIENCE: audience,
      SIGNET_DEMO_CLIENT: 'false',
      SIGNET_FACE_POOL_SIZE: '1',
    };
    const signerEnv = {
      SIGNET_ISSUER: issuer,
      SIGNET_SIGNER_DATABASE_URL: signerDb,
      SIGNET_SIGNER_MASTER_KEY: randomBytes(32).toString('base64url'),
      SIGNET_SIGNER_AUDIENCE: audience,
      SIGNET_SIGNER_PUBLIC_URL: audience,
      SIGNET_SIGNER_PDF_WORKERS: '1',
    };
    const start = async (name: string, kind: 'accounts' | 'signer', env: Record<string, string>) => {
      const dataDir = mkdtempSync(join(tmpdir(), `signet-${name}-`));
      cleanups.unshift(async () => rmSync(dataDir, { recursive: true, force: true }));
      const port = ports[name as 'a1'];
      const portEnv: Record<string, string> =
        kind === 'accounts'
          ? { SIGNET_PORT: String(port), SIGNET_ADMIN_PORT: String(await freePort()) }
          : { SIGNET_SIGNER_PORT: String(port), SIGNET_SIGNER_METRICS_PORT: String(await freePort()) };
      const node = await startNode(name, kind, port, { ...env, ...portEnv, SIGNET_DATA_DIR: dataDir });
      cleanups.unshift(async () => {
        if (node.child.exitCode === null) node.child.kill('SIGKILL');
        await node.exited;
      });
      nodes.set(name, node);
      if (kind === 'accounts') adminUrls.set(name, `http://127.0.0.1:${portEnv.SIGNET_ADMIN_PORT}`);
    };
    // One after the other, as a rollout would: the first migrates and creates the keys.
    await start('a1', 'accounts', accountsEnv);
    await start('a2', 'accounts', accountsEnv);
    await start('s1', 'signer', signerEnv);
    await start('s2', 'signer', signerEnv);
    await waitFor('HAProxy to see all four nodes up', async () => {
      const states = await haproxy.states();
      return ['accounts/a1', 'accounts/a2', 'signer/s1', 'signer/s2'].every((s) => states[s] === 'UP');
    });
    const created = await fetch(`${adminUrls.get('a1')}/admin/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Several nodes',
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        redirect_uris: [REDIRECT_URI],
      }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    client = (await created.json()) as typeof client;
  });

  after(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
  });

  it('round robin alternates nodes, and a pinned request reaches its node', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add((await call(`${accountsUrl}/health/ready`)).node);
    assert.deepEqual([...seen].sort(), ['a1', 'a2']);
    for (const node of ['a1', 'a2', 'a1'])
      assert.equal((await call(`${accountsUrl}/health/ready`, { node })).node, node);
    for (const node of ['s1', 's2', 's1']) assert.equal((await call(`${signerUrl}/health`, { node })).node, node);
  });

  it('a token issued by one node verifies on the other, and at both Signer nodes', async () => {
    for (const [issuedBy, checkedBy] of [
      ['a1', 'a2'],
      ['a2', 'a1'],
    ] as const) {
      const token = await clientToken(issuedBy);
      assert.equal(token.status, 200, JSON.stringify(token.body));
      assert.equal(token.node, issuedBy);
      const introspected = await call(`${accountsUrl}/oauth2/introspect`, {
        ...form({ token: String(token.body.access_token) }),
        node: checkedBy,
      });
      assert.equal(introspected.node, checkedBy);
      assert.equal(introspected.body.active, true, JSON.stringify(introspected.body));
      for (const signer of ['s1', 's2']) {
        const me = await call(`${signerUrl}/v1/me`, { headers: bearer(String(token.body.access_token)), node: signer });
        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.equal(me.body.client_id, client.client_id);
      }
    }
  });

  it('a code issued by one node redeems on the other; refresh rotation and reuse detection span nodes', async () => {
    const person = await fetch(`${adminUrls.get('a2')}/admin/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: `person-${randomBytes(4).toString('hex')}`,
        password: 'correct horse battery',
        name: 'Ada Lovelace',
        email: 'ada@example.com',
        email_verified: true,
      }),
    });
    assert.equal(person.status, 201, await person.clone().text());
    const { username } = (await person.json()) as { username: string };
    // The pages of a sign-in unpinned (alternating nodes), then one wholly on a1.
    for (const pin of [undefined, 'a1']) {
      const request = authorizationRequest(client.client_id);
      const browser = new TestBrowser(accountsUrl, pin ? { 'x-signet-node': pin } : {});
      const code = codeFrom((await walk(browser, request.path, { username })).callback, request.state, issuer);
      const redeemed = await call(`${accountsUrl}/oauth2/token`, {
        ...form({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: request.verifier,
        }),
        node: 'a2',
      });
      assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
      assert.equal(redeemed.node, 'a2');
      const info = await call(`${accountsUrl}/userinfo`, {
        headers: bearer(String(redeemed.body.access_token)),
        node: 'a1',
      });
      assert.equal(info.status, 200, JSON.stringify(info.body));
      assert.equal(info.body.name, 'Ada Lovelace');

      const refresh = (token: unknown, node: string) =>
        call(`${accountsUrl}/oauth2/token`, {
          ...form({ grant_type: 'refresh_token', refresh_token: String(token) }),
          node,
        });
      const r0 = redeemed.body.refresh_token;
      assert.ok(r0, 'offline_access gave a refresh token');
      const first = await refresh(r0, 'a1');
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const second = await refresh(first.body.refresh_token, 'a2');
      assert.equal(second.status, 200, JSON.stringify(second.body));
      assert.notEqual(second.body.refresh_token, first.body.refresh_token);
      // The spent token again, on the other node: refused, and the whole grant is revoked.
      const reused = await refresh(first.body.refresh_token, 'a1');
      assert.equal(reused.status, 400);
      assert.equal(reused.body.error, 'invalid_grant');
      const afterReuse = await refresh(second.body.refresh_token, 'a2');
      assert.equal(afterReuse.status, 400, JSON.stringify(afterReuse.body));
      assert.equal(afterReuse.body.error, 'invalid_grant');
      // The code again, at a1: spent.
      const replayed = await call(`${accountsUrl}/oauth2/token`, {
        ...form({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT_URI,
          code_verifier: request.verifier,
        }),
        node: 'a1',
      });
      assert.equal(replayed.status, 400);
      assert.equal(replayed.body.error, 'invalid_grant');
    }
  });

  it('a key rotation on one node reaches the other with no failed request', async () => {
    const before = await clientToken('a2');
    const oldKid = kid(before.body.access_token);
    const failures: string[] = [];
    let requests = 0;
    const rotated = await fetch(`${adminUrls.get('a1')}/admin/keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(rotated.status, 200, await rotated.clone().text());
    const { active_kid: newKid } = (await rotated.json()) as { active_kid: string };
    assert.notEqual(newKid, oldKid);
    const rotatedAt = Date.now();
    const switched = new Map<string, number>();
    // Tokens from both nodes, each checked on the other accounts node and on a Signer node, until
    // both sign with the new key (a2 reloads the keys within 10 s), and a little longer.
    for (let i = 0; switched.size < 2 || i % 8 !== 0; i++) {
      assert.ok(Date.now() - rotatedAt < 30_000, 'both nodes sign with the new key within 30 s');
      const [issuedBy, checkedBy] = i % 2 === 0 ? ['a1', 'a2'] : ['a2', 'a1'];
      const token = await clientToken(issuedBy);
      requests++;
      if (token.status !== 200) {
        failures.push(`token at ${issuedBy}: ${token.status}`);
        continue;
      }
      const tokenKid = kid(token.body.access_token);
      if (tokenKid === newKid && !switched.has(issuedBy)) switched.set(issuedBy, Date.now() - rotatedAt);
      const introspected = await call(`${accountsUrl}/oauth2/introspect`, {
        ...form({ token: String(token.body.access_token) }),
        node: checkedBy,
      });
      const me = await call(`${signerUrl}/v1/me`, {
        headers: bearer(String(token.body.access_token)),
        node: i % 4 < 2 ? 's1' : 's2',
      });
      requests += 2;
      if (introspected.body.active !== true) failures.push(`introspection at ${checkedBy} of a ${tokenKid} token`);
      if (me.status !== 200) failures.push(`/v1/me of a ${tokenKid} token: ${me.status}`);
    }
    console.log(
      `key rotation: ${requests} requests, ${failures.length} failed; new key used by a1 after ${switched.get('a1')} ms, a2 after ${switched.get('a2')} ms`,
    );
    assert.deepEqual(failures, []);
  });

  it('an envelope created on one Signer node is canceled on the other; each webhook is delivered exactly once', async () => {
    const deliveries: { id: string; type: string; envelope_id: string }[] = [];
    const receiver: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        deliveries.push(JSON.parse(body));
        // A slow receiver widens the window in which two dispatchers could both send.
        setTimeout(() => res.writeHead(200).end(), 100);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.unshift(() => new Promise((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as { port: number }).port;

    const token = String((await clientToken()).body.access_token);
    const json = (node: string, method: string, body: unknown) => ({
      method,
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: JSON.stringify(body),
      node,
    });
    const hook = await call(`${signerUrl}/v1/webhook`, json('s1', 'PUT', { url: `http://127.0.0.1:${port}/hook` }));
    assert.equal(hook.status, 200, JSON.stringify(hook.body));
    const content = await pdfBase64(1);
    const envelopes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const [creator, canceller] = i % 2 === 0 ? ['s1', 's2'] : ['s2', 's1'];
      const created = await call(
        `${signerUrl}/v1/envelopes`,
        json(creator as string, 'POST', {
          issuer: { initiative: client.client_id, nonce: `nodes-${i}-${randomBytes(4).toString('hex')}` },
          documents: [{ name: 'a.pdf', content }],
          persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
          signatures: [{ document: 0, person: 0 }],
        }),
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.node, creator);
      const id = String(created.body.id);
      envelopes.push(id);
      const canceled = await call(
        `${signerUrl}/v1/envelopes/${id}/cancel`,
        json(canceller as string, 'POST', { reason: 'several nodes' }),
      );
      assert.equal(canceled.status, 200, JSON.stringify(canceled.body));
      assert.equal(canceled.node, canceller);
      const got = await call(`${signerUrl}/v1/envelopes/${id}`, { headers: bearer(token), node: creator });
      assert.equal(got.body.status, 'canceled');
    }
    await waitFor('a webhook per envelope', () => deliveries.length >= envelopes.length);
    // Both dispatchers poll every second: give a second delivery time to happen, if it would.
    await new Promise((r) => setTimeout(r, 4000));
    console.log(`webhooks: ${envelopes.length} envelopes canceled, ${deliveries.length} deliveries`);
    assert.deepEqual(
      deliveries.map((d) => d.envelope_id).sort(),
      [...envelopes].sort(),
      'one delivery per envelope, none twice',
    );
    assert.ok(deliveries.every((d) => d.type === 'envelope.canceled'));
    assert.equal(new Set(deliveries.map((d) => d.id)).size, deliveries.length);
  });

  it('SIGTERM drains a node of each service: readiness fails, HAProxy moves on, no client request fails', async () => {
    const token = String((await clientToken()).body.access_token);
    let running = true;
    const counts = { requests: 0, failures: 0, byNode: {} as Record<string, number> };
    const failures: string[] = [];
    const loop = async (request: () => Promise<Answer>) => {
      while (running) {
        counts.requests++;
        try {
          const answer = await request();
          counts.byNode[answer.node] = (counts.byNode[answer.node] ?? 0) + 1;
          if (answer.status !== 200) {
            counts.failures++;
            failures.push(`${answer.node}: ${answer.status} ${JSON.stringify(answer.body)}`);
          }
        } catch (error) {
          counts.failures++;
          failures.push(String(error));
        }
      }
    };
    const load = [
      ...Array.from({ length: 3 }, () => loop(() => clientToken())),
      ...Array.from({ length: 3 }, () => loop(() => call(`${signerUrl}/v1/me`, { headers: bearer(token) }))),
    ];
    await new Promise((r) => setTimeout(r, 2000));
    const [a2, s2] = [nodes.get('a2'), nodes.get('s2')] as NodeProcess[];
    assert.ok(a2 && s2);
    const signalled = Date.now();
    a2.child.kill('SIGTERM');
    s2.child.kill('SIGTERM');
    // Straight at the nodes: readiness fails at once while liveness still answers; meanwhile
    // HAProxy's checks take them out. Recorded, not awaited, so a run with
    // SIGNET_SHUTDOWN_DRAIN_SECONDS=0 still reports what its clients saw.
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const stopped = () => a2.child.exitCode !== null || s2.child.exitCode !== null;
    const readiness = (async () => {
      while (!stopped()) {
        const status = (url: string) =>
          fetch(url).then(
            (r) => r.status,
            () => 0,
          );
        const [ready, health, alive] = await Promise.all([
          status(`http://127.0.0.1:${a2.port}/health/ready`),
          status(`http://127.0.0.1:${s2.port}/health`),
          status(`http://127.0.0.1:${a2.port}/health/alive`),
        ]);
        if (ready === 503 && health === 503) return { failedAfter: Date.now() - signalled, alive };
        await sleep(100);
      }
      return undefined;
    })();
    const down = (async () => {
      for (let i = 0; i < 200; i++) {
        const states = await haproxy.states();
        if (states['accounts/a2'] === 'DOWN' && states['signer/s2'] === 'DOWN') return Date.now() - signalled;
        await sleep(100);
      }
      return undefined;
    })();
    const [a2Code, s2Code] = await Promise.all([a2.exited, s2.exited]);
    const exitedAfter = Date.now() - signalled;
    await sleep(2000);
    running = false;
    await Promise.all(load);
    const [ready, downAfter] = await Promise.all([readiness, down]);
    console.log(
      `drain: ${counts.requests} requests, ${counts.failures} failed; served by ${JSON.stringify(counts.byNode)}; ` +
        `readiness failed after ${ready?.failedAfter} ms, HAProxy saw a2 and s2 down after ${downAfter} ms, ` +
        `they exited after ${exitedAfter} ms`,
    );
    assert.deepEqual(failures.slice(0, 10), []);
    assert.equal(counts.failures, 0);
    assert.ok(ready, 'readiness failed on both stopping nodes before they exited');
    assert.equal(ready.alive, 200, 'liveness still answered while draining');
    assert.equal(a2Code, 0, a2.stderr());
    assert.equal(s2Code, 0, s2.stderr());
    assert.ok(downAfter !== undefined && downAfter < exitedAfter, 'the nodes stopped only after HAProxy took them out');
    assert.ok(counts.requests > 100, `${counts.requests} requests`);
  });
}

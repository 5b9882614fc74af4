import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, it } from 'node:test';
import { TestBrowser } from '@signet/testing/browser';
import { authorizationRequest, codeFrom, REDIRECT_URI, walk } from '@signet/testing/people';
import { pdfBase64 } from '@signet/testing/signer';
import { decodeProtectedHeader } from 'jose';
import { type Cluster, call, describeCluster, type NodeName, startCluster, waitFor } from './cluster.js';

/**
 * Two accounts nodes and two Signer nodes as real `signet start` processes on one PostgreSQL,
 * behind Debian's HAProxy, and every request of these tests through it. Needs
 * `TEST_DATABASE_URL` and `/usr/sbin/haproxy` (see {@link describeCluster}).
 */
describeCluster('several nodes behind HAProxy', () => severalNodes());

function severalNodes(): void {
  const cleanups: (() => Promise<void>)[] = [];
  let cluster: Cluster;
  let accountsUrl: string;
  let signerUrl: string;
  let issuer: string;
  let adminToken: string;
  let adminUrls: Cluster['adminUrls'];
  let client: { client_id: string; client_secret: string };

  const form = (fields: Record<string, string>) => cluster.form(fields);
  const clientToken = (node?: NodeName) => cluster.clientToken(node);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const kid = (token: unknown) => decodeProtectedHeader(String(token)).kid;

  before(async () => {
    cluster = await startCluster();
    cleanups.push(() => cluster.dispose());
    ({ accountsUrl, signerUrl, issuer, adminToken, adminUrls, client } = cluster);
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
      const [issuedBy, checkedBy] = (i % 2 === 0 ? ['a1', 'a2'] : ['a2', 'a1']) as [NodeName, NodeName];
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
}

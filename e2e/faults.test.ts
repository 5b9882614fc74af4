import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { type Cluster, call, describeCluster, type NodeName, type NodeProcess, startCluster } from './cluster.js';
import { type DatabaseProxy, databaseProxy } from './database-proxy.js';
import { assertNothingLost, describeLoad, envelopeBody, steadyLoad } from './load.js';

/**
 * Faults under a steady load through HAProxy (tokens, envelope creations, reads, a refresh
 * chain), each followed by counting what the load got 2xx for against what the databases hold.
 * The nodes reach PostgreSQL through a cuttable TCP proxy, so that an outage is simulated without
 * touching the shared server.
 */
describeCluster('faults under load lose nothing', () => {
  let cluster: Cluster;
  let proxy: DatabaseProxy;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  before(async () => {
    proxy = await databaseProxy(new URL(process.env.TEST_DATABASE_URL ?? ''));
    // No request is retried on another node: a request a stopping node fails, the client sees.
    cluster = await startCluster({ databasePort: proxy.port, retries: 0 });
    // A Signer node's first envelope takes seconds (its PDF worker starts): not part of the load.
    const token = await cluster.clientToken();
    const body = await envelopeBody(cluster.client.client_id);
    for (const node of ['s1', 's2'] as const) {
      const warm = await call(`${cluster.signerUrl}/v1/envelopes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token.body.access_token}`, 'content-type': 'application/json' },
        body: body(`warm-up-${node}`),
        node,
      });
      assert.equal(warm.status, 201, JSON.stringify(warm.body));
    }
  });
  after(async () => {
    await cluster?.dispose();
    await proxy?.close();
  });

  const node = (name: NodeName): NodeProcess => {
    const found = cluster.nodes.get(name);
    assert.ok(found, name);
    return found;
  };
  /** Starts again those of `names` that stopped, and waits for HAProxy to see every node up. */
  const restart = async (...names: NodeName[]) => {
    for (const name of names)
      if (node(name).child.exitCode !== null || node(name).child.signalCode !== null) await cluster.start(name);
    await cluster.waitUp();
  };

  it('key rotations 1 s apart on one node under load on both: the first rotates, the rest wait (409), no 401 at the Signer', async () => {
    const kid = (token: unknown) =>
      JSON.parse(Buffer.from(String(token).split('.')[0] ?? '', 'base64url').toString()).kid;
    const before = await cluster.clientToken('a2');
    const oldKid = kid(before.body.access_token);
    let running = true;
    const seen = { tokens: 0, signer: 0, kids: new Map<string, Set<string>>(), failures: [] as string[] };
    // Fresh tokens through HAProxy (either accounts node), each used at once at the Signer (either node).
    const loop = async () => {
      while (running) {
        const token = await cluster.clientToken();
        seen.tokens++;
        if (token.status !== 200) {
          seen.failures.push(`token at ${token.node}: ${token.status}`);
          continue;
        }
        const tokenKid = String(kid(token.body.access_token));
        const kids = seen.kids.get(token.node) ?? new Set<string>();
        seen.kids.set(token.node, kids.add(tokenKid));
        const me = await call(`${cluster.signerUrl}/v1/me`, {
          headers: { authorization: `Bearer ${token.body.access_token}` },
        });
        seen.signer++;
        if (me.status !== 200) seen.failures.push(`/v1/me at ${me.node} with a ${tokenKid} token: ${me.status}`);
      }
    };
    const loops = [loop(), loop(), loop()];
    const rotations: { status: number; retryAfter: number; kid?: string | undefined }[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await fetch(`${cluster.adminUrls.get('a1')}/admin/keys/rotate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cluster.adminToken}` },
      });
      const body = (await res.json()) as { active_kid?: string; error?: string };
      rotations.push({ status: res.status, retryAfter: Number(res.headers.get('retry-after')), kid: body.active_kid });
      await sleep(1000);
    }
    // Past a2's key refresh (10 s), so both nodes sign with the new key.
    await sleep(2000);
    running = false;
    await Promise.all(loops);
    const newKid = rotations[0]?.kid;
    console.log(
      `rotations 1 s apart: ${rotations.map((r) => r.status).join(' ')}; ${seen.tokens} tokens, ${seen.signer} ` +
        `Signer requests, ${seen.failures.length} failed; kids signed by ${JSON.stringify(
          Object.fromEntries([...seen.kids].map(([n, k]) => [n, [...k]])),
        )}`,
    );
    assert.equal(
      rotations[0]?.status,
      200,
      'the first rotation (the next key was published with the first) goes ahead',
    );
    assert.ok(newKid && newKid !== oldKid);
    assert.deepEqual(
      rotations.slice(1).filter((r) => r.status !== 409 || !(r.retryAfter > 50)),
      [],
      'every later rotation is refused until the new next key has been published long enough',
    );
    assert.deepEqual(seen.failures, [], 'no request failed: no 401 at the Signer');
    for (const node of ['a1', 'a2']) assert.ok(seen.kids.get(node)?.has(newKid), `${node} signed with the new key`);
    assert.ok(seen.signer > 50, `${seen.signer} Signer requests`);
  });

  it('kill -9 of one node of each service: HAProxy routes around it, failures end within 5 s, nothing lost', async (t) => {
    t.after(() => restart('a2', 's2'));
    const load = await steadyLoad(cluster);
    await sleep(3000);
    const [a2, s2] = [node('a2'), node('s2')];
    const killedAt = load.elapsed();
    a2.child.kill('SIGKILL');
    s2.child.kill('SIGKILL');
    await Promise.all([a2.exited, s2.exited]);
    await sleep(9000);
    const result = await load.stop();
    const failures = result.failures();
    const counted = await assertNothingLost(cluster, result);
    const lastFailure = Math.max(killedAt, ...failures.map((f) => f.done));
    console.log(
      `kill -9: ${describeLoad(result)}; last failure ${lastFailure - killedAt} ms after the kill; ` +
        `${counted.envelopes} envelopes in the database for ${counted.answered} answered 201; ` +
        `${counted.refreshes} refresh rotations; refreshes in doubt: ${result.refresh.inDoubt}` +
        (result.refresh.endedByReuse ? ' (the retry met reuse detection: the chain was revoked)' : ''),
    );
    assert.deepEqual(
      failures.filter((f) => f.done < killedAt || f.done >= killedAt + 5000),
      [],
      `every failure within 5 s of the kill (at ${killedAt} ms)`,
    );
    const afterKill = result.answers.filter((a) => a.at > killedAt + 5000);
    assert.ok(afterKill.length > 50, `the load went on: ${afterKill.length} requests`);
    assert.ok(
      afterKill.every((a) => a.node !== 'a2' && a.node !== 's2'),
      'nothing reached the killed nodes',
    );
  });

  it('PostgreSQL unreachable for 10 s: 503 with Retry-After everywhere, not ready, recovery without restart, nothing half-written', async (t) => {
    t.after(() => proxy.restore().catch(() => {}));
    const load = await steadyLoad(cluster);
    const token = await cluster.clientToken('a1');
    const bearer = `Bearer ${token.body.access_token}`;
    const body = await envelopeBody(cluster.client.client_id);
    await sleep(3000);
    const pids = [...cluster.nodes.values()].map((n) => n.child.pid);
    const cutAt = load.elapsed();
    await proxy.cut();
    await sleep(2500);
    // Straight at each node, bypassing HAProxy (which takes them all out and answers 503 itself).
    const direct: { what: string; status: number; error: unknown; retryAfter: string | null }[] = [];
    const ask = async (what: string, url: string, init: RequestInit = {}) => {
      const res = await fetch(url, init);
      const text = await res.text();
      let error: unknown;
      try {
        error = (JSON.parse(text) as { error?: unknown }).error;
      } catch {
        error = text.slice(0, 80);
      }
      direct.push({ what, status: res.status, error, retryAfter: res.headers.get('retry-after') });
    };
    for (const name of ['a1', 'a2'] as const) {
      const base = `http://127.0.0.1:${cluster.nodes.get(name)?.port}`;
      await ask(`${name} token`, `${base}/oauth2/token`, {
        ...cluster.form({ grant_type: 'client_credentials', audience: cluster.audience }),
      });
      await ask(`${name} refresh`, `${base}/oauth2/token`, {
        ...cluster.form({ grant_type: 'refresh_token', refresh_token: 'not-a-real-one' }),
      });
    }
    for (const name of ['s1', 's2'] as const) {
      const base = `http://127.0.0.1:${cluster.nodes.get(name)?.port}`;
      await ask(`${name} create`, `${base}/v1/envelopes`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: body('during-the-outage'),
      });
      await ask(`${name} list`, `${base}/v1/envelopes`, { headers: { authorization: bearer } });
    }
    const readiness: Record<string, number> = {};
    for (const [name, node] of cluster.nodes) {
      readiness[name] = (await fetch(`http://127.0.0.1:${node.port}/health/ready`)).status;
    }
    await sleep(10_000 - (load.elapsed() - cutAt));
    await proxy.restore();
    const restoredAt = load.elapsed();
    await cluster.waitUp();
    const upAt = load.elapsed();
    await sleep(4000);
    const result = await load.stop();
    const counted = await assertNothingLost(cluster, result);
    const fromNodes = result.failures().filter((f) => f.node !== '');
    console.log(
      `database outage: ${describeLoad(result)} (${fromNodes.length} answered by a node, the rest by HAProxy with no ` +
        `node up); all four nodes up again ${upAt - restoredAt} ms after the database came back; ` +
        `${counted.envelopes} envelopes in the database for ${counted.answered} answered 201`,
    );
    assert.deepEqual(
      direct.filter((d) => d.status !== 503 || d.error !== 'temporarily_unavailable' || !(Number(d.retryAfter) >= 1)),
      [],
      'every endpoint answered 503 temporarily_unavailable with Retry-After',
    );
    assert.equal(direct.length, 8);
    assert.deepEqual(readiness, { a1: 503, a2: 503, s1: 503, s2: 503 }, 'no node said it was ready');
    assert.deepEqual(
      result.failures().filter((f) => f.status !== 503),
      [],
      'no 500, no dropped connection: every failure a 503',
    );
    assert.deepEqual(
      fromNodes.filter((f) => f.error.indexOf('temporarily_unavailable') < 0 || !(Number(f.retryAfter) >= 1)),
      [],
      'a node failing for the database says temporarily_unavailable and when to retry',
    );
    assert.deepEqual(
      [...cluster.nodes.values()].map((n) => n.child.exitCode === null && n.child.signalCode === null && n.child.pid),
      pids,
      'every node is the same process as before: none exited, none restarted',
    );
    const late = result.answers.filter((a) => a.at > upAt);
    assert.ok(late.length > 20 && late.every((a) => a.status < 300), 'every request after the recovery succeeded');
    assert.deepEqual(
      result.failures().filter((f) => f.done < cutAt || f.at > upAt),
      [],
      'failures only while the database was away',
    );
  });

  it('SIGTERM of one node of each service under load: readiness fails first, HAProxy moves on, no request fails', async (t) => {
    t.after(() => restart('a2', 's2'));
    const load = await steadyLoad(cluster);
    await sleep(2000);
    const [a2, s2] = [node('a2'), node('s2')];
    const signalled = Date.now();
    a2.child.kill('SIGTERM');
    s2.child.kill('SIGTERM');
    // Straight at the nodes: readiness fails at once while liveness still answers.
    const stopped = () => a2.child.exitCode !== null || s2.child.exitCode !== null;
    const readiness = (async () => {
      while (!stopped()) {
        const status = (url: string) =>
          fetch(url).then(
            (r) => r.status,
            () => 0,
          );
        const [ready, signerReady, alive] = await Promise.all([
          status(`http://127.0.0.1:${a2.port}/health/ready`),
          status(`http://127.0.0.1:${s2.port}/health/ready`),
          status(`http://127.0.0.1:${a2.port}/health/alive`),
        ]);
        if (ready === 503 && signerReady === 503) return { failedAfter: Date.now() - signalled, alive };
        await sleep(100);
      }
      return undefined;
    })();
    const down = (async () => {
      for (let i = 0; i < 200; i++) {
        const states = await cluster.haproxy.states();
        if (states['accounts/a2'] === 'DOWN' && states['signer/s2'] === 'DOWN') return Date.now() - signalled;
        await sleep(100);
      }
      return undefined;
    })();
    const [a2Code, s2Code] = await Promise.all([a2.exited, s2.exited]);
    const exitedAfter = Date.now() - signalled;
    await sleep(2000);
    const result = await load.stop();
    const [ready, downAfter] = await Promise.all([readiness, down]);
    const counted = await assertNothingLost(cluster, result);
    const byNode: Record<string, number> = {};
    for (const a of result.answers) byNode[a.node] = (byNode[a.node] ?? 0) + 1;
    console.log(
      `drain: ${describeLoad(result)}; served by ${JSON.stringify(byNode)}; readiness failed after ` +
        `${ready?.failedAfter} ms, HAProxy saw a2 and s2 down after ${downAfter} ms, they exited after ` +
        `${exitedAfter} ms; ${counted.envelopes} envelopes in the database for ${counted.answered} answered 201`,
    );
    assert.deepEqual(result.failures().slice(0, 10), []);
    assert.ok(ready, 'readiness failed on both stopping nodes before they exited');
    assert.equal(ready.alive, 200, 'liveness still answered while draining');
    assert.equal(a2Code, 0, a2.stderr());
    assert.equal(s2Code, 0, s2.stderr());
    assert.ok(downAfter !== undefined && downAfter < exitedAfter, 'the nodes stopped only after HAProxy took them out');
    assert.ok(result.answers.length > 100, `${result.answers.length} requests`);
  });
});

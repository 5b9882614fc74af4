/**
 * Attacks on the Signer with untrusted PDFs, through the real routes: a file that hung
 * the parser, a decompression bomb, a flood of documents, a raw PDF over the size limit. Each
 * must be refused (or answered) while the service and accounts keep answering. A watchdog kills
 * the run if the event loop is stuck, so a regression fails instead of hanging CI.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decompressionBomb, makePdf, watchdog } from '@signet/testing/pdf';
import { type TestClient, type TestSigner, testSigner } from '@signet/testing/signer';
import { UntrustedPdfs } from './untrusted.js';

const MiB = 1024 * 1024;
const hangFixture = new Uint8Array(
  readFileSync(new URL('../../test-fixtures/moddate-unopened-string.pdf', import.meta.url)),
);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('untrusted PDFs through the Signer API', () => {
  let t: TestSigner;
  let client: TestClient;
  before(async () => {
    t = await testSigner({
      env: {
        SIGNET_SIGNER_PDF_WORKERS: '1',
        SIGNET_SIGNER_PDF_QUEUE: '1',
        SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '1048576',
      },
    });
    client = await t.newClient();
  });
  after(() => t.dispose());

  const create = (content: Uint8Array) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: client.authorization },
      payload: {
        issuer: { initiative: client.clientId, nonce: `n-${Math.random()}` },
        documents: [{ name: 'a.pdf', content: Buffer.from(content).toString('base64') }],
        persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
        signatures: [{ document: 0, person: 0 }],
      },
    });
  const verify = (content: Uint8Array) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/verify',
      headers: { authorization: client.authorization, 'content-type': 'application/pdf' },
      payload: Buffer.from(content),
    });
  /** While `work` runs, the Signer's /health and accounts' discovery keep answering. */
  async function stillAnswering<T>(work: Promise<T>): Promise<T> {
    let done = false;
    let answers = 0;
    const probing = (async () => {
      while (!done) {
        const health = await t.app.inject({ url: '/health' });
        assert.equal(health.statusCode, 200);
        const discovery = await fetch(`${t.issuer}/.well-known/openid-configuration`);
        assert.equal(discovery.status, 200);
        answers++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      return await work;
    } finally {
      done = true;
      await probing;
      assert.ok(answers >= 1, 'the service answered while the document was read');
    }
  }

  it('reads the one-byte-corrupted file that hung the parser, on both routes', async () => {
    const guard = watchdog(30_000, 'the hang fixture');
    try {
      const created = await stillAnswering(create(hangFixture));
      assert.equal(created.statusCode, 201, created.body);
      assert.equal(created.json().documents[0].pageCount, 1);
      const verified = await verify(hangFixture);
      assert.equal(verified.statusCode, 200, verified.body);
      assert.deepEqual(verified.json(), {
        valid: false,
        indication: 'INDETERMINATE',
        subIndication: 'NO_SIGNATURE_FOUND',
        signatures: [],
        documentTimestamps: [],
      });
    } finally {
      await guard.disarm();
    }
  });

  it('refuses a decompression bomb as 422 too_complex, and the memory comes back', async () => {
    // ~250 KB that inflate to 256 MiB: the catalog is in the Flate object stream.
    const bomb = decompressionBomb(256 * MiB);
    assert.ok(bomb.length < 300_000);
    const guard = watchdog(60_000, 'the decompression bomb');
    try {
      gc();
      const baseline = process.memoryUsage();
      const started = performance.now();
      const created = await stillAnswering(create(bomb));
      const ms = performance.now() - started;
      assert.equal(created.statusCode, 422, created.body);
      assert.deepEqual(
        { error: created.json().error, field: created.json().field, reason: created.json().reason },
        { error: 'invalid_document', field: 'documents[0].content', reason: 'too_complex' },
      );
      assert.match(created.json().error_description, /decompresses to more than/);
      const right = process.memoryUsage();
      const verified = await stillAnswering(verify(bomb));
      assert.equal(verified.statusCode, 422, verified.body);
      assert.equal(verified.json().field, 'body');
      assert.equal(verified.json().reason, 'too_complex');
      gc();
      const settled = process.memoryUsage();
      const grew = (a: NodeJS.MemoryUsage, b: NodeJS.MemoryUsage) => Math.round((b.rss - a.rss) / MiB);
      // The main thread never inflates; the worker stops at 32 MiB and is replaced, taking its
      // memory with it. Without the limits the document loads as sound after ~500 MB of buffers.
      assert.ok(right.arrayBuffers - baseline.arrayBuffers < 64 * MiB, 'array buffers right after the refusal');
      assert.ok(grew(baseline, settled) < 150, `rss grew ${grew(baseline, settled)} MB after the refusals`);
      assert.ok(ms < 10_000, `refused in ${Math.round(ms)} ms`);
      // A sound document is still accepted afterwards, by a new worker.
      assert.equal((await create(await makePdf(1))).statusCode, 201);
    } finally {
      await guard.disarm();
    }
  });

  it('answers 503 with Retry-After when the workers and the queue are full', async () => {
    // One worker and a queue of one: of several documents sent at once, the third and later wait nowhere.
    const pdf = await makePdf(2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => create(pdf)));
    const statuses = answers.map((a) => a.statusCode);
    assert.ok(statuses.includes(201), statuses.join());
    const busy = answers.find((a) => a.statusCode === 503);
    assert.ok(busy, `no 503 among ${statuses.join()}`);
    assert.equal(busy.json().error, 'temporarily_unavailable');
    assert.match(String(busy.headers['retry-after']), /^[1-9]\d*$/);
  });

  it('answers a raw PDF over SIGNET_SIGNER_MAX_DOCUMENT_BYTES with the same 413 as any oversized body', async () => {
    const big = Buffer.alloc(1048576 + 1, 0x20);
    big.write('%PDF-1.7\n');
    const raw = await verify(big);
    assert.equal(raw.statusCode, 413, raw.body);
    // The create route's answer to a body over its limit, for comparison.
    const oversized = await t.app.inject({
      method: 'POST',
      url: '/v1/envelopes',
      headers: { authorization: client.authorization, 'content-type': 'application/json' },
      payload: Buffer.alloc(Math.ceil((1048576 * 4) / 3) * 50 + 3 * MiB, 0x20),
    });
    assert.equal(oversized.statusCode, 413);
    assert.deepEqual(raw.json(), oversized.json());
    assert.deepEqual(raw.json(), { error: 'invalid_request', error_description: 'request body is too large' });
    assert.equal(raw.headers['cache-control'], 'no-store');
    // Exactly at the limit the document is read (and refused as not a PDF it can use).
    assert.equal((await verify(big.subarray(0, 1048576))).statusCode, 422);
  });
});

describe('UntrustedPdfs', () => {
  it('terminates and replaces a worker that overruns the deadline, and the event loop keeps turning', async () => {
    const limits = {
      workers: 1,
      queue: 4,
      deadlineMs: 300,
      workerMemoryMb: 64,
      maxStreamBytes: MiB,
      maxDecodedBytes: MiB,
    };
    const spinning = new UntrustedPdfs(limits, new URL('./testing-hang-worker.ts', import.meta.url));
    try {
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 10);
      const started = performance.now();
      const [first, second] = await Promise.all([
        spinning.inspect(await makePdf(1)),
        spinning.inspect(await makePdf(1)),
      ]);
      clearInterval(ticker);
      assert.deepEqual(first, { ok: false, reason: 'too_complex', detail: 'took longer than 300 ms to read' });
      assert.deepEqual(second, first, 'the second document went to a new worker, which overran too');
      assert.ok(performance.now() - started < 10_000);
      assert.ok(ticks >= 20, `the event loop ran ${ticks} ticks meanwhile`);
    } finally {
      await spinning.close();
    }
  });
});

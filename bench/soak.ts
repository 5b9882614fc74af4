/**
 * `npm run bench:soak`: a mixed load on one node for a long time, watching its memory and event
 * loop from outside.
 *
 * `signet start` (accounts and the Signer in one process, SQLite, a fresh data directory) runs as
 * a child process; this process drives it over HTTP with `--connections` loops, each picking, in
 * turn, a `client_credentials` token (6 of 10), an envelope creation (one 1-page PDF, one person
 * by email; 2 of 10) or a read of an envelope created earlier (2 of 10). Every `--every` seconds
 * it scrapes the node's Prometheus endpoint: `process_resident_memory_bytes`,
 * `nodejs_heap_size_used_bytes` and `nodejs_eventloop_lag_p99_seconds` (prom-client resets the
 * lag histogram at each scrape, so each sample is the p99 of its interval). It prints the slopes
 * (least squares over the samples after the first fifth, the warm-up) in MB/min and ms/min, and
 * the mean lag p99 of the first and the last third.
 *
 * The load is paced at `--rate` requests per second (a steady load, as in production, not a
 * saturating one: a saturated event loop's lag says nothing about growth).
 *
 * Options: `--minutes N` (default 10), `--rate N` (default 150), `--connections N` (default 4),
 * `--every N` seconds (default 5), `--json`. See docs/benchmarks.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@signet/testing/accounts';
import { pdfBase64 } from '@signet/testing/signer';
import { startNode } from '../e2e/cluster.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    every: { type: 'string', default: '5' },
    rate: { type: 'string', default: '150' },
    json: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const connections = Number(values.connections);
const everyMs = Number(values.every) * 1000;
const rate = Number(values.rate);

/** One scrape of the node's metrics, `t` in minutes since the load began. */
interface Sample {
  t: number;
  rssMb: number;
  heapMb: number;
  lagP99Ms: number;
}

/** Least-squares slope of `y` over `t`. */
function slope(points: { t: number; y: number }[]): number {
  const n = points.length;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

const dataDir = mkdtempSync(join(tmpdir(), 'signet-soak-'));
const port = await freePort();
const metricsPort = await freePort();
const adminToken = randomBytes(24).toString('base64url');
const node = await startNode('soak', 'all', port, {
  SIGNET_DATA_DIR: dataDir,
  SIGNET_ISSUER: `http://localhost:${port}`,
  SIGNET_PORT: String(port),
  SIGNET_ADMIN_PORT: String(await freePort()),
  SIGNET_ADMIN_TOKEN: adminToken,
  SIGNET_SIGNER_PORT: String(await freePort()),
  SIGNET_SIGNER_METRICS_PORT: String(metricsPort),
  SIGNET_ACCESS_LOG: 'false',
  SIGNET_DEMO_CLIENT: 'false',
  SIGNET_FACE_POOL_SIZE: '1',
  SIGNET_SIGNER_PDF_WORKERS: '1',
});
const summary = node.summary as { public_url: string; admin_url: string; signer: { url: string; audience: string } };
const counts = { token: 0, create: 0, read: 0, failed: 0 };
const failures: string[] = [];
const samples: Sample[] = [];
try {
  const created = await fetch(`${summary.admin_url}/admin/clients`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Soak', grant_types: ['client_credentials'] }),
  });
  if (created.status !== 201) throw new Error(`client creation: ${created.status} ${await created.text()}`);
  const client = (await created.json()) as { client_id: string; client_secret: string };
  const basic = `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`;
  const token = async () => {
    const res = await fetch(`${summary.public_url}/oauth2/token`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: summary.signer.audience }).toString(),
    });
    const body = (await res.json()) as { access_token?: string };
    if (res.status !== 200 || !body.access_token) throw new Error(`token: ${res.status}`);
    return body.access_token;
  };
  let bearer = `Bearer ${await token()}`;
  const content = await pdfBase64(1);
  const ids: string[] = [];
  let nonce = 0;
  const operations = {
    async token() {
      bearer = `Bearer ${await token()}`;
    },
    async create() {
      const res = await fetch(`${summary.signer.url}/v1/envelopes`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: JSON.stringify({
          issuer: { initiative: client.client_id, nonce: `soak-${++nonce}` },
          documents: [{ name: 'a.pdf', content }],
          persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
          signatures: [{ document: 0, person: 0 }],
        }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status !== 201 || !body.id) throw new Error(`create: ${res.status}`);
      ids.push(body.id);
    },
    async read() {
      const id = ids[Math.floor(Math.random() * ids.length)];
      if (!id) return operations.create();
      const res = await fetch(`${summary.signer.url}/v1/envelopes/${id}`, { headers: { authorization: bearer } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`read: ${res.status}`);
    },
  };
  const mix = ['token', 'token', 'token', 'token', 'token', 'token', 'create', 'create', 'read', 'read'] as const;
  const started = Date.now();
  const endsAt = started + minutes * 60_000;
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    samples.push({
      t: (Date.now() - started) / 60_000,
      rssMb: metric('process_resident_memory_bytes') / 2 ** 20,
      heapMb: metric('nodejs_heap_size_used_bytes') / 2 ** 20,
      lagP99Ms: metric('nodejs_eventloop_lag_p99_seconds') * 1000,
    });
  };
  await scrape();
  const sampler = setInterval(() => void scrape(), everyMs);
  // Request n starts no earlier than n / rate seconds after the start.
  let issued = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < endsAt) {
        const n = issued++;
        const wait = started + (n * 1000) / rate - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const kind = mix[n % mix.length] ?? 'token';
        try {
          await operations[kind]();
          counts[kind]++;
        } catch (error) {
          counts.failed++;
          if (failures.length < 10) failures.push(String(error));
        }
      }
    }),
  );
  clearInterval(sampler);
  await scrape();

  const steady = samples.filter((s) => s.t >= minutes / 5);
  const thirds = Math.max(1, Math.floor(steady.length / 3));
  const seconds = (Date.now() - started) / 1000;
  const result = {
    minutes,
    connections,
    rate,
    samples: samples.length,
    requests: counts,
    requestsPerSecond: Math.round((counts.token + counts.create + counts.read) / seconds),
    failures,
    rssMb: {
      first: samples[0]?.rssMb,
      last: samples.at(-1)?.rssMb,
      slopePerMin: slope(steady.map((s) => ({ t: s.t, y: s.rssMb }))),
    },
    heapMb: {
      first: samples[0]?.heapMb,
      last: samples.at(-1)?.heapMb,
      slopePerMin: slope(steady.map((s) => ({ t: s.t, y: s.heapMb }))),
    },
    lagP99Ms: {
      firstThird: mean(steady.slice(0, thirds).map((s) => s.lagP99Ms)),
      lastThird: mean(steady.slice(-thirds).map((s) => s.lagP99Ms)),
      slopePerMin: slope(steady.map((s) => ({ t: s.t, y: s.lagP99Ms }))),
    },
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
  if (values.json) console.log(JSON.stringify(result));
  else {
    const f = (n: number | undefined) => (n ?? Number.NaN).toFixed(1);
    console.log(
      `${minutes} min at up to ${rate} req/s over ${connections} connections, ${samples.length} samples every ${everyMs / 1000} s`,
    );
    console.log(
      `requests: ${counts.token} tokens, ${counts.create} envelope creations, ${counts.read} reads ` +
        `(${result.requestsPerSecond}/s), ${counts.failed} failed`,
    );
    console.log(
      `RSS  ${f(result.rssMb.first)} → ${f(result.rssMb.last)} MB, slope ${result.rssMb.slopePerMin.toFixed(2)} MB/min`,
    );
    console.log(
      `heap ${f(result.heapMb.first)} → ${f(result.heapMb.last)} MB, slope ${result.heapMb.slopePerMin.toFixed(2)} MB/min`,
    );
    console.log(
      `event-loop lag p99: first third ${f(result.lagP99Ms.firstThird)} ms, last third ${f(result.lagP99Ms.lastThird)} ms, ` +
        `slope ${result.lagP99Ms.slopePerMin.toFixed(2)} ms/min`,
    );
    console.log(`load average at the end: ${result.loadAverage.join(' ')}`);
    for (const failure of failures) console.log(`  failed: ${failure}`);
  }
} finally {
  node.child.kill('SIGTERM');
  await node.exited;
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * `npm run bench:signer`: the Signer's two hot paths.
 *
 * 1. **Bearer check.** `signet start` (accounts and the Signer, SQLite) runs as a child pinned to
 *    CPU 0; autocannon, pinned to CPU 1, loads `GET /v1/me` with one reused access token (as an
 *    integrator uses it for its 60 minutes) and, in the same round, `GET /health/alive`, a bare
 *    route with no check. The difference of their CPU µs per request (from /proc/<pid>/stat) is
 *    what the bearer check costs. The order alternates between rounds.
 * 2. **Envelopes.** In this process, pinned to CPU 0, on a fresh Signer database for each backend
 *    (SQLite; PostgreSQL when `TEST_DATABASE_URL` is set): `POST /v1/envelopes` with one small
 *    PDF and one id_token person who signs at once, answered `completed` at B-LTA (the envelope
 *    tests' harness: the routes through `inject`, the caller named by a header, a local issuer
 *    key). One envelope at a time for latency, then `--concurrency` at once for envelopes/s and
 *    CPU µs per envelope (this process, every thread).
 * 3. **The check alone.** In this process, against a real accounts issuer: 3,000 full
 *    verifications of one token (`checkAccessToken`: signature, claims) and 3,000 cache hits
 *    (`VerifiedTokens.verify`), alternating, CPU µs each, per round.
 *
 * Options: `--rounds N` (1), `--connections N` (50), `--duration N` s (10), `--warmup N` s (3),
 * `--envelopes N` sequential envelopes per backend (50), `--concurrency N` (4), `--only
 * bearer|envelopes|check` (one leg; default all three), `--envelope-cpu N` (the CPU the envelope
 * leg pins this process to; default 0, where the load generator no longer runs), `--json`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Envelope } from '@signet/protocol';
import { checkAccessToken, VerifiedTokens } from '@signet/signer';
import { envelopeHarness, pdfBase64, signerTestBackends } from '@signet/signer/testing';
import { freePort } from '@signet/testing/accounts';
import { testSigner } from '@signet/testing/signer';
import autocannon from 'autocannon';
import {
  basic,
  cleanup,
  cpuSeconds,
  cpuSnapshot,
  machineBusySeconds,
  type Placement,
  placeProcesses,
  startChild,
  stopChild,
  tempDirs,
} from './harness.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    envelopes: { type: 'string', default: '50' },
    concurrency: { type: 'string', default: '4' },
    only: { type: 'string' },
    'envelope-cpu': { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const settings = {
  rounds: Number(values.rounds),
  connections: Number(values.connections),
  duration: Number(values.duration),
  warmup: Number(values.warmup),
  envelopes: Number(values.envelopes),
  concurrency: Number(values.concurrency),
  only: values.only,
  envelopeCpu: Number(values['envelope-cpu']),
};
const LEGS = ['bearer', 'envelopes', 'check'];
if (settings.only !== undefined && !LEGS.includes(settings.only)) {
  throw new Error(`--only: one of ${LEGS.join(', ')}`);
}
/** Whether the leg runs (`--only`). */
const runs = (leg: string) => settings.only === undefined || settings.only === leg;
const log = values.json ? (_: string) => {} : (line: string) => process.stderr.write(`${line}\n`);

/** One route's measured run. */
export interface RouteRun {
  route: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  cpuMicrosPerRequest: number;
  otherCpuPercent: number;
}

/** One backend's envelope figures. */
export interface EnvelopeRun {
  backend: string;
  /** create → completed, one at a time, in ms. */
  medianMs: number;
  p90Ms: number;
  /** With `concurrency` creators at once. */
  envelopesPerSecond: number;
  cpuMicrosPerEnvelope: number;
  otherCpuPercent: number;
}

async function bearerRounds(placement: Placement): Promise<{ me: RouteRun; alive: RouteRun }[]> {
  const [port, adminPort, signerPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-signer-'));
  tempDirs.add(dataDir);
  const issuer = `http://127.0.0.1:${port}`;
  const { child, line } = await startChild(
    'Signet',
    placement,
    ['packages/cli/src/bin.ts', 'start', '--json'],
    {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(adminPort),
      SIGNET_SIGNER_PORT: String(signerPort),
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_ISSUER: issuer,
      SIGNET_LOG_LEVEL: 'warn',
      SIGNET_WORKERS: '1',
    },
    (parsed) => typeof parsed.signer === 'object' && parsed.signer !== null,
  );
  try {
    const demo = line.demo_client as { client_id: string; client_secret: string };
    const signer = line.signer as { url: string; audience: string };
    const tokenRes = await fetch(`${issuer}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: basic(demo.client_id, demo.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: `grant_type=client_credentials&audience=${encodeURIComponent(signer.audience)}`,
    });
    if (tokenRes.status !== 200) throw new Error(`no access token: ${tokenRes.status} ${await tokenRes.text()}`);
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const routes = {
      me: { url: `${signer.url}/v1/me`, headers: { authorization: `Bearer ${token}` } },
      alive: { url: `${signer.url}/health/alive`, headers: {} },
    };
    for (const [name, route] of Object.entries(routes)) {
      const res = await fetch(route.url, { headers: route.headers });
      if (res.status !== 200) throw new Error(`${name}: ${res.status} ${await res.text()}`);
    }
    const rounds: { me: RouteRun; alive: RouteRun }[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? (['me', 'alive'] as const) : (['alive', 'me'] as const);
      const runs: Partial<Record<'me' | 'alive', RouteRun>> = {};
      for (const name of order) {
        const route = routes[name];
        log(`bench: round ${round}: ${route.url}`);
        if (settings.warmup > 0) await cannon(route.url, route.headers, settings.warmup);
        const before = cpuSnapshot(child.pid);
        const result = await cannon(route.url, route.headers, settings.duration);
        const after = cpuSnapshot(child.pid);
        const server = after.server - before.server;
        const seconds = result.duration || 1;
        runs[name] = {
          route: name === 'me' ? 'GET /v1/me' : 'GET /health/alive',
          requestsPerSecond: result.requests.average,
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          non2xx: result.non2xx + result.errors + result.timeouts,
          cpuMicrosPerRequest: (server * 1e6) / Math.max(1, result.requests.total),
          otherCpuPercent: Math.max(
            0,
            (100 * (after.machine - before.machine - server - (after.self - before.self))) / seconds,
          ),
        };
      }
      rounds.push(runs as { me: RouteRun; alive: RouteRun });
    }
    return rounds;
  } finally {
    await stopChild(child);
  }
}

function cannon(url: string, headers: Record<string, string>, duration: number) {
  return autocannon({ url, headers, connections: settings.connections, pipelining: 1, duration });
}

async function envelopeRuns(): Promise<EnvelopeRun[]> {
  // This process becomes the server: the load generator is gone, so one CPU (0 unless told) is all the envelopes get.
  spawnSync('taskset', ['-a', '-p', '-c', String(settings.envelopeCpu), String(process.pid)], { encoding: 'utf8' });
  const content = await pdfBase64(2);
  const out: EnvelopeRun[] = [];
  for (const backend of signerTestBackends()) {
    if (backend.skip) {
      log(`bench: envelopes on ${backend.name} skipped: ${backend.skip}`);
      continue;
    }
    log(`bench: envelopes on ${backend.name}`);
    const { store, dispose } = await backend.open();
    const h = await envelopeHarness(store, { SIGNET_SIGNER_MAX_DOCUMENT_BYTES: '200000' });
    try {
      const create = async () => {
        // Each envelope is a new sign-in of the same person (a sign-in signs once; her certificate is reused).
        h.clock.advance(1);
        const signIn = h.clock.now;
        const idToken = await h.idToken('acme', { sub: 'bench-ana', auth_time: signIn });
        const res = await h.app.inject({
          method: 'POST',
          url: '/v1/envelopes',
          headers: h.as('acme'),
          payload: {
            issuer: { initiative: 'acme', nonce: `bench-${signIn}` },
            documents: [{ name: 'contract.pdf', content }],
            persons: [{ id_token: idToken }],
            signatures: [{ document: 0, person: 0 }],
          },
        });
        if (res.statusCode !== 201 || (res.json() as Envelope).status !== 'completed') {
          throw new Error(`envelope not completed: ${res.statusCode} ${res.body}`);
        }
      };
      for (let i = 0; i < 5; i++) await create();
      const times: number[] = [];
      for (let i = 0; i < settings.envelopes; i++) {
        const t0 = performance.now();
        await create();
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
      // The same load unmeasured first: the PDF worker pool starts a worker per document checked at
      // once, on demand, and a worker's start (hundreds of ms of CPU) is no envelope's steady cost.
      await Promise.all(
        Array.from({ length: settings.concurrency }, async () => {
          for (let i = 0; i < 3; i++) await create();
        }),
      );
      const cpu0 = cpuSeconds(process.pid);
      const machine0 = machineBusySeconds();
      const start = performance.now();
      let done = 0;
      const deadline = start + settings.duration * 1000;
      await Promise.all(
        Array.from({ length: settings.concurrency }, async () => {
          while (performance.now() < deadline) {
            await create();
            done++;
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      const cpu = cpuSeconds(process.pid) - cpu0;
      out.push({
        backend: backend.name,
        medianMs: at(0.5),
        p90Ms: at(0.9),
        envelopesPerSecond: done / seconds,
        cpuMicrosPerEnvelope: (cpu * 1e6) / Math.max(1, done),
        otherCpuPercent: Math.max(0, (100 * (machineBusySeconds() - machine0 - cpu)) / seconds),
      });
    } finally {
      await h.dispose();
      await dispose();
    }
  }
  return out;
}

/** One round of the check alone: CPU µs of a full verification and of a cache hit. */
export interface CheckRun {
  fullMicros: number;
  hitMicros: number;
}

async function checkRounds(): Promise<CheckRun[]> {
  const t = await testSigner();
  try {
    const { accessToken } = await t.newClient();
    const { context } = t.signer;
    const check = {
      issuer: context.issuer,
      audience: t.config.audience,
      issuerKeys: context.issuerKeys,
      now: context.now,
    };
    const cache = new VerifiedTokens(check);
    const micros = async (run: () => Promise<unknown>, n = 3000) => {
      const start = process.cpuUsage();
      for (let i = 0; i < n; i++) await run();
      const used = process.cpuUsage(start);
      return (used.user + used.system) / n;
    };
    const rounds: CheckRun[] = [];
    for (let round = 0; round < settings.rounds + 1; round++) {
      const fullMicros = await micros(() => checkAccessToken(accessToken, check));
      const hitMicros = await micros(() => cache.verify(accessToken));
      // The first round warms V8 up and is not reported.
      if (round > 0) rounds.push({ fullMicros, hitMicros });
    }
    return rounds;
  } finally {
    await t.dispose();
  }
}

async function main(): Promise<void> {
  const load = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  // Placing processes pins this one to the load generator's CPU: only when there is a load generator.
  const placement = runs('bearer') ? placeProcesses() : null;
  if (placement && !placement.pinned) log(`bench: WARNING: ${placement.note}`);
  const bearer = placement ? await bearerRounds(placement) : [];
  const envelopes = runs('envelopes') ? await envelopeRuns() : [];
  const checks = runs('check') ? await checkRounds() : [];
  const report = { date: new Date().toISOString(), uptime: load, settings, placement, bearer, envelopes, checks };
  if (values.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const lines = ['', `uptime before: ${load}`];
  if (runs('bearer')) {
    lines.push(
      `Bearer check: ${settings.connections} connections, ${settings.warmup} s warm-up, ${settings.duration} s measured per route`,
      `  ${['round', 'route', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU µs/req', 'other CPU'].join('  ')}`,
    );
  }
  bearer.forEach((round, i) => {
    for (const r of [round.me, round.alive]) {
      lines.push(
        `  ${String(i + 1).padStart(5)}  ${r.route.padEnd(17)}  ${r.requestsPerSecond.toFixed(0).padStart(6)}  ${String(r.p50Ms).padStart(6)}  ${String(r.p99Ms).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${r.cpuMicrosPerRequest.toFixed(0).padStart(10)}  ${`${r.otherCpuPercent.toFixed(0)}%`.padStart(9)}`,
      );
    }
    lines.push(
      `         bearer check = ${(round.me.cpuMicrosPerRequest - round.alive.cpuMicrosPerRequest).toFixed(0)} µs CPU/request (GET /v1/me − GET /health/alive)`,
    );
  });
  if (runs('envelopes')) {
    lines.push(
      '',
      `Envelopes (one id_token signature, 2-page PDF, B-LTA), one core (CPU ${settings.envelopeCpu}): ${settings.envelopes} one at a time, then ${settings.concurrency} at once for ${settings.duration} s`,
    );
  }
  for (const e of envelopes) {
    lines.push(
      `  ${e.backend.padEnd(10)}  median ${e.medianMs.toFixed(1)} ms  p90 ${e.p90Ms.toFixed(1)} ms  ${e.envelopesPerSecond.toFixed(1)} envelopes/s  ${(e.cpuMicrosPerEnvelope / 1000).toFixed(1)} ms CPU/envelope  other CPU ${e.otherCpuPercent.toFixed(0)}%`,
    );
  }
  if (runs('check')) lines.push('', 'The check alone, in process (3,000 each per round, CPU µs):');
  checks.forEach((c, i) => {
    lines.push(
      `  round ${i + 1}: full verification ${c.fullMicros.toFixed(1)} µs, cache hit ${c.hitMicros.toFixed(1)} µs (${(c.fullMicros / c.hitMicros).toFixed(1)}x)`,
    );
  });
  console.log(lines.join('\n'));
  const failed = bearer.some((r) => r.me.non2xx || r.alive.non2xx);
  if (failed) {
    process.stderr.write('bench: !!! some responses were not 2xx: the bearer figures are not valid !!!\n');
    process.exitCode = 1;
  }
}

main()
  .then(cleanup)
  .catch(async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanup();
    process.exit(1);
  });

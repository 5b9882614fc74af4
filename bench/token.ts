/**
 * `npm run bench:token`: Signet's token endpoint against oidc-provider on the same work
 * (client_credentials, client_secret_basic, one audience, ES256 JWT access token, 3600 s).
 *
 * Each server runs as a child process pinned to CPU 0 (`taskset -c 0`); autocannon runs in
 * this process, pinned to CPU 1. The servers run one after the other, each with a warm-up and
 * then a measured run under identical settings. See docs/benchmarks.md.
 *
 * Options: `--connections N` (default 50), `--duration N` seconds (default 10),
 * `--warmup N` seconds (default 3), `--rounds N` (default 1; more alternate the order and report
 * medians), `--json` (one JSON object on stdout).
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '@signet/testing/accounts';
import autocannon, { type Result } from 'autocannon';
import {
  basic,
  type CpuSnapshot,
  calibrate,
  cleanup,
  cpuSnapshot,
  type Placement,
  placeProcesses,
  ROOT,
  startChild,
  stopChild,
  tempDirs,
} from './harness.js';

/** The audience both servers issue tokens for: Signet's default `SIGNET_SIGNER_AUDIENCE`. */
export const AUDIENCE = 'http://localhost:4446';

/** The targets the token endpoint must meet beside oidc-provider (docs/benchmarks.md). */
export const TARGETS = { minRatio: 2, maxSignetP99Ms: 10, atConnections: 50 } as const;

/** Settings shared by every measured run. */
export interface BenchSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Rounds of both servers; with more than one, the order alternates and medians are reported. */
  rounds: number;
  /** `SIGNET_WORKERS` of Signet; above 1 its processes may use every CPU (oidc-provider is one process). */
  workers: number;
  pipelining: 1;
}

/** One server's measured run. */
export interface Measurement {
  server: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  totalRequests: number;
  statusCodes: Record<string, number>;
  /**
   * CPU time (user + system, all threads) the server process used during the measured run,
   * per completed request; -1 where /proc is unavailable. Unlike req/s, it barely moves
   * when other work competes for the CPU, so it is the steadier figure on a shared machine.
   */
  cpuMicrosPerRequest: number;
  /** Server CPU time over wall time in the measured run (percent of one CPU): near 100 means the server was the bottleneck. */
  serverCpuPercent: number;
  /** CPU used during the measured run by everything but the server and autocannon (percent of one CPU); -1 if unknown. */
  otherCpuPercent: number;
  /**
   * One ES256 signature in a tight loop on the server's CPU just before the run, in µs (best of
   * several batches); -1 if it could not be taken. It rises when the CPU is shared with work this
   * machine cannot see (other virtual machines on the host), so runs can be compared.
   */
  calibrationMicros: number;
}

/** The whole benchmark report (what `--json` prints). */
export interface BenchReport {
  date: string;
  versions: Record<string, string>;
  cpus: number;
  placement: Placement;
  settings: BenchSettings;
  /** One per server; with several rounds, each figure is the median over the rounds (counts are summed). */
  results: Measurement[];
  /** Every round's measurements (Signet first), when there was more than one. */
  rounds?: Measurement[][];
  /** Signet's req/s over oidc-provider's. */
  ratio: number;
  /** oidc-provider's CPU per request over Signet's (-1 if unknown): the req/s ratio a quiet machine would show. */
  cpuRatio: number;
  targets: { ratio: TargetCheck; signetP99: TargetCheck };
  ok: boolean;
}

/**
 * Above this much CPU used by other work during a measured run (percent of one CPU), the run is
 * flagged as taken on a busy machine.
 */
export const QUIET_CPU_PERCENT = 10;

/** One target and whether the run met it. */
export interface TargetCheck {
  target: string;
  measured: number;
  pass: boolean;
}

/** A running server the load can be aimed at. */
interface Target {
  name: string;
  url: string;
  authorization: string;
  body: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      connections: { type: 'string', default: '50' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '1' },
      workers: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  });
  const settings: BenchSettings = {
    connections: positiveInt('--connections', values.connections),
    durationSeconds: positiveInt('--duration', values.duration),
    warmupSeconds: nonNegativeInt('--warmup', values.warmup),
    rounds: positiveInt('--rounds', values.rounds),
    workers: positiveInt('--workers', values.workers),
    pipelining: 1,
  };
  const log = values.json ? (_: string) => {} : (line: string) => process.stderr.write(`${line}\n`);
  const cpus = availableParallelism(); // before pinning narrows this process's affinity
  const placement = placeProcesses();
  if (!placement.pinned) log(`bench: WARNING: ${placement.note}`);

  const rounds: Measurement[][] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) log(`bench: round ${round} of ${settings.rounds}`);
    // Alternating the order (ABBA) keeps a drift in machine load from favouring one server.
    const signet = (p: Placement) => startSignet(p, settings.workers);
    const starts = round % 2 === 1 ? [signet, startOidcProvider] : [startOidcProvider, signet];
    const pair: Measurement[] = [];
    for (const start of starts) pair.push(await measureServer(start, placement, settings, log));
    rounds.push(pair.sort((a, b) => (a.server === 'Signet' ? -1 : b.server === 'Signet' ? 1 : 0)));
  }
  await cleanup();

  const results = [0, 1].map((i) => median(rounds.map((pair) => pair[i] as Measurement)));
  const [signet, oidc] = results as [Measurement, Measurement];
  const ratio = signet.requestsPerSecond / oidc.requestsPerSecond;
  const report: BenchReport = {
    date: new Date().toISOString(),
    versions: versions(),
    cpus,
    placement,
    settings,
    results,
    ...(rounds.length > 1 ? { rounds } : {}),
    ratio,
    cpuRatio:
      signet.cpuMicrosPerRequest > 0 && oidc.cpuMicrosPerRequest > 0
        ? oidc.cpuMicrosPerRequest / signet.cpuMicrosPerRequest
        : -1,
    targets: {
      ratio: {
        target: `>= ${TARGETS.minRatio}x oidc-provider req/s`,
        measured: ratio,
        pass: ratio >= TARGETS.minRatio,
      },
      signetP99: {
        target: `Signet p99 <= ${TARGETS.maxSignetP99Ms} ms at ${TARGETS.atConnections} connections`,
        measured: signet.p99Ms,
        pass: signet.p99Ms <= TARGETS.maxSignetP99Ms,
      },
    },
    ok: results.every((r) => r.non2xx === 0 && r.errors === 0 && r.timeouts === 0),
  };
  if (values.json) console.log(JSON.stringify(report));
  else console.log(formatReport(report));
  if (!report.ok) {
    for (const r of results) {
      if (r.non2xx || r.errors || r.timeouts) {
        process.stderr.write(
          `\nbench: !!! ${r.server}: ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts ` +
            `(status codes ${JSON.stringify(r.statusCodes)}); its figures are not valid !!!\n`,
        );
      }
    }
    process.exitCode = 1;
  }
}

/** Starts one server, verifies it, warms it up, measures it and stops it. */
async function measureServer(
  start: (placement: Placement) => Promise<{ target: Target; child: ChildProcess }>,
  placement: Placement,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<Measurement> {
  const { target, child } = await start(placement);
  try {
    log(`bench: ${target.name}: verifying one token request`);
    await verifyTarget(target);
    if (settings.warmupSeconds > 0) {
      log(`bench: ${target.name}: warm-up ${settings.warmupSeconds} s`);
      await load(target, settings, settings.warmupSeconds);
    }
    const calibration = calibrate(placement);
    log(`bench: ${target.name}: measuring ${settings.durationSeconds} s at ${settings.connections} connections`);
    const before = cpuSnapshot(child.pid);
    const result = await load(target, settings, settings.durationSeconds);
    const after = cpuSnapshot(child.pid);
    const m = { ...measurement(target.name, result, before, after), calibrationMicros: calibration };
    if (m.otherCpuPercent > QUIET_CPU_PERCENT) {
      log(`bench: WARNING: other work used ${m.otherCpuPercent.toFixed(0)}% of a CPU during ${target.name}'s run`);
    }
    return m;
  } finally {
    await stopChild(child);
  }
}

/** One server's rounds folded into one measurement: medians of the figures, sums of the counts. */
export function median(runs: Measurement[]): Measurement {
  const first = runs[0];
  if (!first) throw new Error('no runs');
  if (runs.length === 1) return first;
  const mid = (pick: (m: Measurement) => number): number => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    const h = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? (sorted[h] as number) : ((sorted[h - 1] as number) + (sorted[h] as number)) / 2;
  };
  const sum = (pick: (m: Measurement) => number): number => runs.reduce((a, m) => a + pick(m), 0);
  const statusCodes: Record<string, number> = {};
  for (const m of runs) {
    for (const [code, n] of Object.entries(m.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  return {
    server: first.server,
    requestsPerSecond: mid((m) => m.requestsPerSecond),
    p50Ms: mid((m) => m.p50Ms),
    p99Ms: mid((m) => m.p99Ms),
    non2xx: sum((m) => m.non2xx),
    errors: sum((m) => m.errors),
    timeouts: sum((m) => m.timeouts),
    totalRequests: sum((m) => m.totalRequests),
    statusCodes,
    cpuMicrosPerRequest: mid((m) => m.cpuMicrosPerRequest),
    serverCpuPercent: mid((m) => m.serverCpuPercent),
    otherCpuPercent: Math.max(...runs.map((m) => m.otherCpuPercent)),
    calibrationMicros: mid((m) => m.calibrationMicros),
  };
}

/** Starts Signet with a fresh data directory (SQLite) and its demo client. */
async function startSignet(placement: Placement, workers: number): Promise<{ target: Target; child: ChildProcess }> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  tempDirs.add(dataDir);
  const issuer = `http://127.0.0.1:${port}`;
  const { child, line } = await startChild(
    'Signet',
    // Several workers get every CPU, the load generator's included: all cores, as `npm start` runs.
    workers > 1 && placement.pinned ? { ...placement, serverCpu: `0-${availableParallelism() - 1}` } : placement,
    // Accounts alone: the Signer is another service, and would otherwise share this process's CPU.
    ['packages/cli/src/bin.ts', 'start', 'accounts', '--json'],
    {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(adminPort),
      SIGNET_ISSUER: issuer,
      SIGNET_LOG_LEVEL: 'warn',
      SIGNET_WORKERS: String(workers),
    },
    (parsed) => typeof parsed.demo_client === 'object' && parsed.demo_client !== null,
  );
  const demo = line.demo_client as { client_id: string; client_secret: string };
  return {
    child,
    target: {
      name: 'Signet',
      url: `${issuer}/oauth2/token`,
      authorization: basic(demo.client_id, demo.client_secret),
      body: `grant_type=client_credentials&audience=${encodeURIComponent(AUDIENCE)}`,
    },
  };
}

/** Starts bench/oidc-provider-server.ts with one client of its own. */
async function startOidcProvider(placement: Placement): Promise<{ target: Target; child: ChildProcess }> {
  const port = await freePort();
  const clientId = `bench-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const { child, line } = await startChild(
    'oidc-provider',
    placement,
    ['bench/oidc-provider-server.ts'],
    {
      BENCH_PORT: String(port),
      BENCH_CLIENT_ID: clientId,
      BENCH_CLIENT_SECRET: clientSecret,
      BENCH_AUDIENCE: AUDIENCE,
    },
    (parsed) => parsed.ready === true,
  );
  return {
    child,
    target: {
      name: 'oidc-provider',
      url: String(line.token_endpoint),
      authorization: basic(clientId, clientSecret),
      // oidc-provider knows no `audience` parameter; RFC 8707 `resource` is the same request.
      body: `grant_type=client_credentials&resource=${encodeURIComponent(AUDIENCE)}`,
    },
  };
}

/**
 * Sends the benchmark's request once and insists on a 200 with an ES256 JWT access token
 * for the audience, so neither server is measured answering errors.
 */
async function verifyTarget(target: Target): Promise<void> {
  const fail = (why: string): never => {
    throw new Error(`${target.name} did not issue the expected token (${target.url}): ${why}`);
  };
  const response = await fetch(target.url, { method: 'POST', headers: headers(target), body: target.body });
  const text = await response.text();
  if (response.status !== 200) fail(`HTTP ${response.status} ${text}`);
  let token: unknown;
  try {
    token = (JSON.parse(text) as { access_token?: unknown }).access_token;
  } catch {
    fail(`response is not JSON: ${text}`);
  }
  if (typeof token !== 'string' || token.split('.').length !== 3) return fail(`no JWT access_token in ${text}`);
  const [header, payload] = token.split('.').slice(0, 2).map(decodeJson) as [
    Record<string, unknown> | undefined,
    Record<string, unknown> | undefined,
  ];
  if (header?.alg !== 'ES256') fail(`access token header ${JSON.stringify(header)} is not ES256`);
  const aud = payload?.aud;
  if (!(aud === AUDIENCE || (Array.isArray(aud) && aud.includes(AUDIENCE)))) {
    fail(`access token aud ${JSON.stringify(aud)} is not ${AUDIENCE}`);
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** One autocannon run against a target. */
function load(target: Target, settings: BenchSettings, durationSeconds: number): Promise<Result> {
  return autocannon({
    url: target.url,
    method: 'POST',
    headers: headers(target),
    body: target.body,
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: durationSeconds,
  });
}

function measurement(server: string, result: Result, before: CpuSnapshot, after: CpuSnapshot): Measurement {
  const serverCpu = after.server - before.server;
  const otherCpu = after.machine - before.machine - serverCpu - (after.self - before.self);
  const known = (n: number) => !Number.isNaN(n);
  const seconds = result.duration || 1;
  return {
    cpuMicrosPerRequest: known(serverCpu) ? (serverCpu * 1e6) / Math.max(1, result.requests.total) : -1,
    serverCpuPercent: known(serverCpu) ? (100 * serverCpu) / seconds : -1,
    otherCpuPercent: known(otherCpu) ? Math.max(0, (100 * otherCpu) / seconds) : -1,
    calibrationMicros: -1,
    server,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    totalRequests: result.requests.total,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
  };
}

/** The human-readable report. */
export function formatReport(r: BenchReport): string {
  const { settings: s, placement: p } = r;
  const row = (columns: string[]) =>
    columns.map((c, i) => (i === 0 ? c.padEnd(20) : c.padStart(i >= 5 ? 11 : 9))).join('  ');
  const passMiss = (pass: boolean) => (pass ? 'PASS' : 'MISS');
  const signet = r.results[0] as Measurement;
  const cells = (name: string, m: Measurement): string[] => [
    name,
    m.requestsPerSecond.toFixed(0),
    m.p50Ms.toFixed(1),
    m.p99Ms.toFixed(1),
    String(m.non2xx),
    m.cpuMicrosPerRequest < 0 ? 'n/a' : m.cpuMicrosPerRequest.toFixed(0),
    m.serverCpuPercent < 0 ? 'n/a' : `${m.serverCpuPercent.toFixed(0)}%`,
    m.otherCpuPercent < 0 ? 'n/a' : `${m.otherCpuPercent.toFixed(0)}%`,
    m.calibrationMicros < 0 ? 'n/a' : m.calibrationMicros.toFixed(1),
  ];
  const lines = [
    '',
    'Token endpoint: client_credentials, client_secret_basic, one audience, ES256 JWT (3600 s)',
    `  ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}; ${r.cpus} CPUs`,
    p.pinned
      ? `  servers pinned to CPU ${p.serverCpu} (taskset -c ${p.serverCpu}), autocannon pinned to CPU ${p.loadCpu}`
      : `  UNPINNED: ${p.note}`,
    ...(s.workers > 1
      ? [`  Signet runs ${s.workers} workers (SIGNET_WORKERS) on every CPU; oidc-provider is one process`]
      : []),
    `  ${s.connections} connections, pipelining ${s.pipelining}, ${s.warmupSeconds} s warm-up, ${s.durationSeconds} s measured, per server${
      s.rounds > 1 ? `, ${s.rounds} rounds` : ''
    }`,
    '',
    row(['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU µs/req', 'server CPU', 'other CPU', 'ES256 µs']),
    ...r.results.map((m) => row(cells(m.server, m))),
    ...(r.rounds
      ? [
          '',
          `(medians of ${r.rounds.length} rounds, order alternating; other CPU is the highest round; each round:)`,
          ...r.rounds.flatMap((pair, i) => pair.map((m) => row(cells(`  ${i + 1}. ${m.server}`, m)))),
          ...r.rounds.map((pair, i) => {
            const [a, b] = pair as [Measurement, Measurement];
            return `  round ${i + 1}: Signet / oidc-provider ${(a.requestsPerSecond / b.requestsPerSecond).toFixed(2)}x`;
          }),
        ]
      : []),
    '',
    '(CPU µs/req: server CPU time per request; other CPU: work outside the benchmark, % of a CPU;',
    ' ES256 µs: one signature in a tight loop on the server CPU just before the run, a host-contention gauge)',
    '',
    `Signet / oidc-provider req/s: ${r.ratio.toFixed(2)}x`,
    ...(r.cpuRatio > 0 ? [`oidc-provider / Signet CPU per request: ${r.cpuRatio.toFixed(2)}x`] : []),
    '',
    'Targets (issue #2):',
    `  ${r.targets.ratio.target.padEnd(48)} ${`${r.ratio.toFixed(2)}x`.padStart(8)}  ${passMiss(r.targets.ratio.pass)}`,
    `  ${r.targets.signetP99.target.padEnd(48)} ${`${signet.p99Ms} ms`.padStart(8)}  ${passMiss(r.targets.signetP99.pass)}${
      s.connections === TARGETS.atConnections ? '' : ` (this run used ${s.connections} connections)`
    }`,
  ];
  const busy = r.results.filter((m) => m.otherCpuPercent > QUIET_CPU_PERCENT);
  if (busy.length) {
    lines.push(
      '',
      `WARNING: other work used the CPUs during ${busy.map((m) => `${m.server} (${m.otherCpuPercent.toFixed(0)}% of a CPU)`).join(', ')}; ` +
        'req/s and latency understate an idle machine (CPU µs/req is steadier). Run again when it is quiet.',
    );
  }
  if (!r.ok) lines.push('', '!!! some responses were not 2xx or failed: see stderr; the figures are not valid !!!');
  return `${lines.join('\n')}\n`;
}

function headers(target: Target): Record<string, string> {
  return { authorization: target.authorization, 'content-type': 'application/x-www-form-urlencoded' };
}

function versions(): Record<string, string> {
  const version = (name: string): string => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      return 'unknown';
    }
  };
  return {
    node: process.version,
    fastify: version('fastify'),
    'oidc-provider': version('oidc-provider'),
    autocannon: version('autocannon'),
  };
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function nonNegativeInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  await cleanup();
  process.exit(1);
});

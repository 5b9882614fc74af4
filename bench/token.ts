/**
 * `npm run bench:token`: Signet's token endpoint against oidc-provider and against a minimal
 * `node:http` handler doing the same work (the floor, bench/minimal-token-server.ts), on the same
 * request (client_credentials, client_secret_basic, one audience, ES256 JWT access token, 3600 s);
 * Signet twice: accounts alone, and accounts with the Signer in the same process (`signet start`).
 *
 * Each server runs as a child process pinned to CPU 0 (`taskset -c 0`); autocannon runs in
 * this process, pinned to CPU 1. The servers run one after the other, each with a warm-up and
 * then a measured run under identical settings. See docs/benchmarks.md.
 *
 * Options: `--connections N` (default 50), `--duration N` seconds (default 10),
 * `--warmup N` seconds (default 3), `--rounds N` (default 1; more rotate the order and report
 * medians), `--workers N[,M…]` (Signet's `SIGNET_WORKERS`, and the tail reference's processes, default
 * 1; a list measures each count in the same run, so `--workers 1,2` gives the 1 → 2 ratio), `--servers a,b` (default all
 * of signet, signet-signer, floor, oidc-provider, reference), `--load autocannon|wrk`,
 * `--pipelining N` (requests per connection in flight, default 1), `--reference-spin µs` (the tail
 * reference's CPU per request, default 70), `--json` (one JSON object on stdout).
 *
 * The tail reference (bench/constant-cost-server.ts) answers a constant token after a fixed spin:
 * its p99 at Signet's throughput is the tail the machine adds, which no handler can get under.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
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

/** The targets of issue 15 (docs/benchmarks.md). */
export const TARGETS = {
  minRatio: 3,
  maxSignetP99Ms: 6,
  atConnections: 50,
  maxCpuMicros: 95,
  /** The Signer in the same process may cost the token endpoint at most this share more CPU (noise). */
  maxSignerShare: 1.05,
  /** Signet's req/s with 2 workers over 1, on the token endpoint. */
  minScaling: 1.8,
} as const;

/**
 * The machine's CPUs, read when this module loads: once the load generator is pinned to one CPU,
 * `availableParallelism()` answers 1 (it follows this process's affinity).
 */
const ALL_CPUS = availableParallelism();

/** The servers the benchmark can run, in the order reports list them. */
export const SERVERS = ['signet', 'signet-signer', 'floor', 'oidc-provider', 'reference'] as const;
type ServerKey = (typeof SERVERS)[number];

/** Report names of {@link SERVERS}. */
const SERVER_NAMES: Record<ServerKey, string> = {
  signet: 'Signet',
  'signet-signer': 'Signet + Signer',
  floor: 'node:http floor',
  'oidc-provider': 'oidc-provider',
  reference: 'tail reference',
};

/** Settings shared by every measured run. */
export interface BenchSettings {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  /** Rounds of both servers; with more than one, the order alternates and medians are reported. */
  rounds: number;
  /**
   * `SIGNET_WORKERS` of Signet (and the tail reference's process count), ascending: each count is
   * measured in the same run. Above 1 the processes may use every CPU (the floor and
   * oidc-provider are one process each).
   */
  workers: number[];
  /** The servers measured, in report order. */
  servers: ServerKey[];
  /**
   * The load generator: autocannon (in this process, the default) or wrk (a C program, about a
   * tenth of autocannon's CPU per request: what lets 2 workers on 2 CPUs be measured at all).
   */
  load: 'autocannon' | 'wrk';
  /**
   * Requests each connection sends before it waits for the answers (HTTP/1.1 pipelining; 1 = a
   * closed loop). Above 1 the load generator's own CPU per request falls several-fold — what
   * lets a 2-CPU machine that also runs the load show how 2 workers scale.
   */
  pipelining: number;
  /**
   * CPU the tail reference (bench/constant-cost-server.ts) burns per request, in µs: set it so its
   * req/s lands near Signet's, and its p99 shows the tail this machine adds at that throughput.
   */
  referenceSpinMicros: number;
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
  /** One per server, in report order; with several rounds, each figure is the median over the rounds (counts are summed). */
  results: Measurement[];
  /** Every round's measurements (report order), when there was more than one. */
  rounds?: Measurement[][];
  /** Signet's req/s over oidc-provider's (-1 if either was not run). */
  ratio: number;
  /** oidc-provider's CPU per request over Signet's (-1 if unknown): the req/s ratio a quiet machine would show. */
  cpuRatio: number;
  /** Signet's CPU per request over the node:http floor's (-1 if unknown). */
  overFloor: number;
  /** Signet + Signer's CPU per request over Signet alone's (-1 if unknown). */
  signerShare: number;
  /**
   * Signet's req/s with the most workers over its req/s with the fewest, measured in the same run
   * (-1 with one worker count): the issue's 1 → 2 workers figure for `--workers 1,2`.
   */
  scaling: number;
  /** The same ratio for the tail reference (-1 if not run): how far this machine lets any server scale. */
  referenceScaling: number;
  targets: TargetCheck[];
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
      servers: { type: 'string', default: SERVERS.join(',') },
      load: { type: 'string', default: 'autocannon' },
      pipelining: { type: 'string', default: '1' },
      'reference-spin': { type: 'string', default: '70' },
      json: { type: 'boolean', default: false },
    },
  });
  const asked = (values.servers ?? '').split(',').filter(Boolean);
  for (const name of asked) {
    if (!(SERVERS as readonly string[]).includes(name))
      throw new Error(`--servers: unknown ${name}; known: ${SERVERS.join(', ')}`);
  }
  const settings: BenchSettings = {
    connections: positiveInt('--connections', values.connections),
    durationSeconds: positiveInt('--duration', values.duration),
    warmupSeconds: nonNegativeInt('--warmup', values.warmup),
    rounds: positiveInt('--rounds', values.rounds),
    workers: workerCounts(values.workers),
    servers: SERVERS.filter((name) => asked.includes(name)),
    load: loadGenerator(values.load),
    pipelining: positiveInt('--pipelining', values.pipelining),
    referenceSpinMicros: nonNegativeInt('--reference-spin', values['reference-spin']),
  };
  const log = values.json ? (_: string) => {} : (line: string) => process.stderr.write(`${line}\n`);
  const cpus = ALL_CPUS;
  const placement = placeProcesses();
  if (!placement.pinned) log(`bench: WARNING: ${placement.note}`);

  const starters: Record<
    ServerKey,
    (p: Placement, workers: number) => Promise<{ target: Target; child: ChildProcess }>
  > = {
    signet: (p, workers) => startSignet(p, workers, 'accounts'),
    'signet-signer': (p, workers) => startSignet(p, workers, 'all'),
    floor: startFloor,
    'oidc-provider': startOidcProvider,
    reference: (p, workers) =>
      startBenchServer(atWorkers(p, workers), 'reference', 'bench/constant-cost-server.ts', 'audience', {
        BENCH_SPIN_MICROS: String(settings.referenceSpinMicros),
        BENCH_WORKERS: String(workers),
      }),
  };
  const runs = plannedRuns(settings);
  const rounds: Measurement[][] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    if (settings.rounds > 1) log(`bench: round ${round} of ${settings.rounds}`);
    // Rotating the order each round keeps a drift in machine load from favouring one server.
    const n = runs.length;
    const order = runs.map((_, i) => (i + round - 1) % n);
    const measured = new Map<number, Measurement>();
    for (const i of order) {
      const run = runs[i] as Run;
      measured.set(i, await measureServer(run, (p) => starters[run.key](p, run.workers), placement, settings, log));
    }
    rounds.push(runs.map((_, i) => measured.get(i) as Measurement));
  }
  await cleanup();

  const results = runs.map((_, i) => median(rounds.map((r) => r[i] as Measurement)));
  const pick = (key: ServerKey, workers = settings.workers[0]) => {
    const i = runs.findIndex((run) => run.key === key && run.workers === workers);
    return i < 0 ? undefined : results[i];
  };
  const [signet, signer, floor, oidc] = [pick('signet'), pick('signet-signer'), pick('floor'), pick('oidc-provider')];
  const most = settings.workers[settings.workers.length - 1];
  const scaled = (key: ServerKey) => {
    const [few, many] = [pick(key), pick(key, most)];
    return few && many && few !== many ? many.requestsPerSecond / few.requestsPerSecond : -1;
  };
  const scaling = scaled('signet');
  const cpuOver = (a?: Measurement, b?: Measurement) =>
    a && b && a.cpuMicrosPerRequest > 0 && b.cpuMicrosPerRequest > 0
      ? a.cpuMicrosPerRequest / b.cpuMicrosPerRequest
      : -1;
  const ratio = signet && oidc ? signet.requestsPerSecond / oidc.requestsPerSecond : -1;
  const report: BenchReport = {
    date: new Date().toISOString(),
    versions: versions(),
    cpus,
    placement,
    settings,
    results,
    ...(rounds.length > 1 ? { rounds } : {}),
    ratio,
    cpuRatio: cpuOver(oidc, signet),
    overFloor: cpuOver(signet, floor),
    signerShare: cpuOver(signer, signet),
    scaling,
    referenceScaling: scaled('reference'),
    targets: targets(settings, {
      signet,
      signer,
      oidc,
      ratio,
      scaling,
      signetAtMost: pick('signet', most),
    }),
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

/** Issue 15's targets that this run's servers can answer. */
function targets(
  settings: BenchSettings,
  m: {
    signet?: Measurement | undefined;
    signer?: Measurement | undefined;
    oidc?: Measurement | undefined;
    ratio: number;
    scaling: number;
    signetAtMost?: Measurement | undefined;
  },
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = settings.connections === TARGETS.atConnections ? '' : ` (this run: ${settings.connections} connections)`;
  if (m.signet && m.oidc) {
    checks.push({
      target: `Signet >= ${TARGETS.minRatio}x oidc-provider req/s`,
      measured: m.ratio,
      pass: m.ratio >= TARGETS.minRatio,
    });
  }
  if (m.signet) {
    checks.push({
      target: `Signet p99 <= ${TARGETS.maxSignetP99Ms} ms at ${TARGETS.atConnections} connections${at}`,
      measured: m.signet.p99Ms,
      pass: m.signet.p99Ms <= TARGETS.maxSignetP99Ms,
    });
    checks.push({
      target: `Signet CPU <= ${TARGETS.maxCpuMicros} µs/request`,
      measured: m.signet.cpuMicrosPerRequest,
      pass: m.signet.cpuMicrosPerRequest > 0 && m.signet.cpuMicrosPerRequest <= TARGETS.maxCpuMicros,
    });
  }
  const [fewest, most] = [settings.workers[0], settings.workers[settings.workers.length - 1]];
  if (m.signetAtMost && most !== fewest) {
    checks.push({
      target: `Signet p99 <= ${TARGETS.maxSignetP99Ms} ms with ${most} workers${at}`,
      measured: m.signetAtMost.p99Ms,
      pass: m.signetAtMost.p99Ms <= TARGETS.maxSignetP99Ms,
    });
  }
  if (m.scaling > 0 && fewest === 1 && most === 2) {
    checks.push({
      target: `Signet 1 -> 2 workers >= ${TARGETS.minScaling}x req/s, same run`,
      measured: m.scaling,
      pass: m.scaling >= TARGETS.minScaling,
    });
  }
  if (m.signet && m.signer) {
    const share = m.signer.cpuMicrosPerRequest / m.signet.cpuMicrosPerRequest;
    checks.push({
      target: `Signer in the process: CPU/request <= ${TARGETS.maxSignerShare}x accounts alone`,
      measured: share,
      pass: share <= TARGETS.maxSignerShare,
    });
  }
  return checks;
}

/** One measured server: which, with how many processes, and its name in the report. */
interface Run {
  key: ServerKey;
  workers: number;
  name: string;
}

/** The servers that run several processes when asked: Signet (`SIGNET_WORKERS`) and the tail reference. */
const MULTI_PROCESS: ReadonlySet<ServerKey> = new Set(['signet', 'signet-signer', 'reference']);

/** Every run of a round, in report order: each multi-process server once per worker count. */
function plannedRuns(settings: BenchSettings): Run[] {
  const named = (key: ServerKey, workers: number): Run => ({
    key,
    workers,
    // Plain names when every run is one process, as reports before `--workers` lists.
    name: settings.workers.length === 1 && workers === 1 ? SERVER_NAMES[key] : `${SERVER_NAMES[key]} ×${workers}`,
  });
  return settings.servers.flatMap((key) =>
    MULTI_PROCESS.has(key) ? settings.workers.map((w) => named(key, w)) : [named(key, 1)],
  );
}

/** Several workers get every CPU, the load generator's included: all cores, as `npm start` runs. */
function atWorkers(placement: Placement, workers: number): Placement {
  return workers > 1 && placement.pinned ? { ...placement, serverCpu: `0-${ALL_CPUS - 1}` } : placement;
}

/** Starts one server, verifies it, warms it up, measures it and stops it. */
async function measureServer(
  run: Run,
  start: (placement: Placement) => Promise<{ target: Target; child: ChildProcess }>,
  placement: Placement,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<Measurement> {
  const started = await start(placement);
  const { child } = started;
  const target = { ...started.target, name: run.name };
  // wrk goes where autocannon would be; beside several workers it shares every CPU with them.
  const loadCpu = !placement.pinned ? 'any' : run.workers > 1 ? `0-${ALL_CPUS - 1}` : placement.loadCpu;
  try {
    log(`bench: ${target.name}: verifying one token request`);
    await verifyTarget(target);
    if (settings.warmupSeconds > 0) {
      log(`bench: ${target.name}: warm-up ${settings.warmupSeconds} s`);
      await load(target, settings, settings.warmupSeconds, loadCpu);
    }
    const calibration = calibrate(placement);
    log(`bench: ${target.name}: measuring ${settings.durationSeconds} s at ${settings.connections} connections`);
    const before = cpuSnapshot(child.pid);
    const result = await load(target, settings, settings.durationSeconds, loadCpu);
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
async function startSignet(
  placement: Placement,
  workers: number,
  services: 'accounts' | 'all',
): Promise<{ target: Target; child: ChildProcess }> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  tempDirs.add(dataDir);
  const issuer = `http://127.0.0.1:${port}`;
  const { child, line } = await startChild(
    services === 'all' ? 'Signet + Signer' : 'Signet',
    atWorkers(placement, workers),
    // `start accounts`: accounts alone; `start`: the Signer too, in the same process (its own port).
    ['packages/cli/src/bin.ts', 'start', ...(services === 'all' ? [] : ['accounts']), '--json'],
    {
      ...(services === 'all' ? { SIGNET_SIGNER_PORT: String(await freePort()), SIGNET_SIGNER_METRICS_PORT: '0' } : {}),
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
      name: SERVER_NAMES[services === 'all' ? 'signet-signer' : 'signet'],
      url: `${issuer}/oauth2/token`,
      authorization: basic(demo.client_id, demo.client_secret),
      body: `grant_type=client_credentials&audience=${encodeURIComponent(AUDIENCE)}`,
    },
  };
}

/** Starts bench/minimal-token-server.ts (the floor) with one client of its own. */
const startFloor = (placement: Placement) =>
  startBenchServer(placement, 'floor', 'bench/minimal-token-server.ts', 'audience');

/** Starts bench/oidc-provider-server.ts with one client of its own. */
// oidc-provider knows no `audience` parameter; RFC 8707 `resource` is the same request.
const startOidcProvider = (placement: Placement) =>
  startBenchServer(placement, 'oidc-provider', 'bench/oidc-provider-server.ts', 'resource');

/**
 * Starts one of the bench's own servers (`BENCH_PORT`, `BENCH_CLIENT_ID`, `BENCH_CLIENT_SECRET`,
 * `BENCH_AUDIENCE`; ready when it prints `{"ready":true,"token_endpoint":…}`) with a new client,
 * asking for the audience in the parameter the server knows.
 */
async function startBenchServer(
  placement: Placement,
  key: 'floor' | 'oidc-provider' | 'reference',
  script: string,
  audienceParameter: 'audience' | 'resource',
  extraEnv: Record<string, string> = {},
): Promise<{ target: Target; child: ChildProcess }> {
  const port = await freePort();
  const clientId = `bench-${randomBytes(6).toString('hex')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const { child, line } = await startChild(
    SERVER_NAMES[key],
    placement,
    [script],
    {
      BENCH_PORT: String(port),
      BENCH_CLIENT_ID: clientId,
      BENCH_CLIENT_SECRET: clientSecret,
      BENCH_AUDIENCE: AUDIENCE,
      ...extraEnv,
    },
    (parsed) => parsed.ready === true,
  );
  return {
    child,
    target: {
      name: SERVER_NAMES[key],
      url: String(line.token_endpoint),
      authorization: basic(clientId, clientSecret),
      body: `grant_type=client_credentials&${audienceParameter}=${encodeURIComponent(AUDIENCE)}`,
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

/** One run of the load generator against a target, in autocannon's terms. */
async function load(target: Target, settings: BenchSettings, durationSeconds: number, cpu: string): Promise<Result> {
  if (settings.load === 'wrk') return wrk(target, settings, durationSeconds, cpu);
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

/** What bench/wrk.lua prints when wrk is done. */
interface WrkSummary {
  requests: number;
  duration_us: number;
  p50_us: number;
  p99_us: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
}

/** One wrk run (one thread, pinned to `cpu`), its summary given the fields of autocannon's result the report reads. */
async function wrk(target: Target, settings: BenchSettings, durationSeconds: number, cpu: string): Promise<Result> {
  const args = [
    '-t1',
    `-c${settings.connections}`,
    `-d${durationSeconds}s`,
    '-s',
    join(ROOT, 'bench', 'wrk.lua'),
    target.url,
  ];
  const [command, commandArgs] = cpu === 'any' ? ['wrk', args] : ['taskset', ['-c', cpu, 'wrk', ...args]];
  const child = spawn(command, commandArgs, {
    env: {
      ...process.env,
      BENCH_BODY: target.body,
      BENCH_AUTHORIZATION: target.authorization,
      BENCH_PIPELINING: String(settings.pipelining),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.resume();
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) => reject(new Error(`wrk could not run (apt-get install wrk): ${error.message}`)));
    child.once('exit', resolve);
  });
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${out.trim()}`);
  const w = JSON.parse(line) as WrkSummary;
  const seconds = w.duration_us / 1e6;
  const failed = w.connect + w.read + w.write;
  return {
    duration: seconds,
    requests: { total: w.requests, average: w.requests / seconds },
    latency: { p50: w.p50_us / 1000, p99: w.p99_us / 1000 },
    non2xx: w.status,
    errors: failed,
    timeouts: w.timeout,
    statusCodeStats: { ...(w.requests - w.status > 0 ? { '2xx': { count: w.requests - w.status } } : {}) },
  } as unknown as Result;
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
    columns.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(i >= 5 ? 11 : 9))).join('  ');
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
      ? `  one-process servers pinned to CPU ${p.serverCpu} (taskset -c ${p.serverCpu}), ${s.load} pinned to CPU ${p.loadCpu}`
      : `  UNPINNED: ${p.note}`,
    ...(s.workers.some((w) => w > 1)
      ? [
          `  ×N: N processes (Signet: SIGNET_WORKERS) on every CPU, ${s.load === 'wrk' ? 'wrk' : 'the load'} beside them on every CPU; floor and oidc-provider are one process`,
        ]
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
          `(medians of ${r.rounds.length} rounds, order rotating; other CPU is the highest round; each round:)`,
          ...r.rounds.flatMap((measured, i) => measured.map((m) => row(cells(`  ${i + 1}. ${m.server}`, m)))),
        ]
      : []),
    '',
    '(CPU µs/req: server CPU time per request; other CPU: work outside the benchmark, % of a CPU;',
    ' ES256 µs: one signature in a tight loop on the server CPU just before the run, a host-contention gauge)',
    '',
    ...(r.ratio > 0 ? [`Signet / oidc-provider req/s: ${r.ratio.toFixed(2)}x`] : []),
    ...(r.cpuRatio > 0 ? [`oidc-provider / Signet CPU per request: ${r.cpuRatio.toFixed(2)}x`] : []),
    ...(r.overFloor > 0 ? [`Signet / node:http floor CPU per request: ${r.overFloor.toFixed(2)}x`] : []),
    ...(r.signerShare > 0 ? [`Signet + Signer / Signet alone CPU per request: ${r.signerShare.toFixed(2)}x`] : []),
    ...(r.scaling > 0
      ? [
          `Signet ×${s.workers[s.workers.length - 1]} / ×${s.workers[0]} req/s: ${r.scaling.toFixed(2)}x` +
            (r.referenceScaling > 0 ? ` (tail reference, same run: ${r.referenceScaling.toFixed(2)}x)` : ''),
        ]
      : []),
    ...r.results
      .filter((m) => m.server.startsWith(SERVER_NAMES.reference))
      .map(
        (m) =>
          `tail reference (constant ${s.referenceSpinMicros} µs spin, constant answer): p99 ${m.p99Ms.toFixed(1)} ms at ${m.requestsPerSecond.toFixed(0)} req/s — the machine's own tail at that throughput`,
      ),
    '',
    'Targets (issue 15):',
    ...r.targets.map(
      (t) =>
        `  ${t.target.padEnd(62)} ${(Number.isInteger(t.measured) ? String(t.measured) : t.measured.toFixed(2)).padStart(8)}  ${t.pass ? 'PASS' : 'MISS'}`,
    ),
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
    wrk: wrkVersion(),
  };
}

function wrkVersion(): string {
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'not installed';
}

/** `--workers`: one count or a comma-separated list, ascending and without repeats. */
function workerCounts(value: string | undefined): number[] {
  const counts = (value ?? '').split(',').map((v) => positiveInt('--workers', v));
  return [...new Set(counts)].sort((a, b) => a - b);
}

function loadGenerator(value: string | undefined): 'autocannon' | 'wrk' {
  if (value === 'autocannon' || value === 'wrk') return value;
  throw new Error(`--load must be autocannon or wrk, got "${value}"`);
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

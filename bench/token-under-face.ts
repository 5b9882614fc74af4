/**
 * `npm run bench:token-under-face`: the token endpoint's throughput while faces are being checked
 *. Face checks run in worker threads so that they do not stall the event loop; this
 * measures what they still cost the token endpoint when both share the machine.
 *
 * One Signet (SQLite, demo client, `SIGNET_FACE_POOL_SIZE` workers) is started as a child process.
 * Three measured phases, each after the same warm-up:
 *   1. tokens alone: autocannon on `POST /oauth2/token` (client_credentials, as bench/token.ts);
 *   2. tokens under faces: the same, while `--face-concurrency` clients keep posting the fixture
 *      portrait to `POST /admin/users/{id}/face` back to back, so the pool is never idle (each
 *      request is one face check: detection, 68 landmarks, 128-d embedding, about 0.3 s of CPU);
 *   3. faces alone: the face stream without token load, for the face checks/s it reaches by itself.
 *
 * Placement (`--placement`): `pinned` (default) puts Signet, its event loop and its face workers
 * on CPU 0 (`taskset -c 0`) and this process (autocannon and the face clients) on CPU 1: the
 * token endpoint and the model share one core, the hardest case. `shared` pins nothing: on a
 * 2-core machine Signet's event loop, its worker and the load generator share both cores.
 *
 * Options: `--connections N` (50), `--duration N` s (10), `--warmup N` s (3),
 * `--face-concurrency N` (2), `--pool-size N` (1), `--placement pinned|shared`, `--json`.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readFaceFixture } from '@signet/accounts/testing';
import { freePort } from '@signet/testing/accounts';
import autocannon, { type Result } from 'autocannon';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const AUDIENCE = 'http://localhost:4446';
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';

/** One phase's figures. */
export interface Phase {
  phase: 'tokens alone' | 'tokens under faces' | 'faces alone';
  /** Token requests per second (0 when no token load ran). */
  tokenRequestsPerSecond: number;
  tokenP50Ms: number;
  tokenP99Ms: number;
  tokenNon2xx: number;
  /** Face checks completed per second during the phase (0 when no face stream ran). */
  faceChecksPerSecond: number;
  /** Median time of one face-check request, end to end, in ms. */
  faceMedianMs: number;
  /** Face requests refused as busy (503) or failed. */
  faceRefused: number;
  /** Signet's CPU time (every thread) over wall time, in % of one CPU. */
  serverCpuPercent: number;
  /**
   * CPU used by everything but Signet and this process (other sessions' tests on a shared
   * machine), in % of one CPU; above 10 % the figures understate a quiet machine.
   */
  otherCpuPercent: number;
}

const { values } = parseArgs({
  options: {
    connections: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    'face-concurrency': { type: 'string', default: '2' },
    'pool-size': { type: 'string', default: '1' },
    placement: { type: 'string', default: 'pinned' },
    json: { type: 'boolean', default: false },
  },
});
const positive = (flag: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a positive integer, got "${value}"`);
  return n;
};
const settings = {
  connections: positive('connections', values.connections),
  durationSeconds: positive('duration', values.duration),
  warmupSeconds: positive('warmup', values.warmup),
  faceConcurrency: positive('face-concurrency', values['face-concurrency']),
  poolSize: positive('pool-size', values['pool-size']),
  placement: values.placement === 'shared' ? ('shared' as const) : ('pinned' as const),
};
if (values.placement !== 'pinned' && values.placement !== 'shared') {
  throw new Error(`--placement must be pinned or shared, got "${values.placement}"`);
}
const log = values.json ? (_: string) => {} : (line: string) => process.stderr.write(`${line}\n`);

let child: ChildProcess | undefined;
let dataDir: string | undefined;

async function main(): Promise<void> {
  const cpus = availableParallelism();
  const pinned = settings.placement === 'pinned' && cpus >= 2 && pin();
  if (settings.placement === 'pinned' && !pinned) log('bench: WARNING: could not pin; running unpinned');
  const signet = await startSignet(pinned);
  const token = {
    url: `${signet.publicUrl}/oauth2/token`,
    method: 'POST' as const,
    headers: { authorization: signet.basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&audience=${encodeURIComponent(AUDIENCE)}`,
  };
  const check = await fetch(token.url, { method: 'POST', headers: token.headers, body: token.body });
  if (check.status !== 200) throw new Error(`the token request failed: ${check.status} ${await check.text()}`);

  const user = await admin(signet.adminUrl, '/admin/users', { username: 'bench-face', name: 'Grace Hopper' });
  const portrait = readFaceFixture('hopper');
  const faceUrl = `${signet.adminUrl}/admin/users/${(user as { id: string }).id}/face`;
  log('bench: loading the face model (first check)');
  await faceRequest(faceUrl, portrait);

  const run = (seconds: number) =>
    autocannon({ ...token, connections: settings.connections, pipelining: 1, duration: seconds });

  log(`bench: warm-up ${settings.warmupSeconds} s (tokens and faces)`);
  const warm = faceStream(faceUrl, portrait);
  await run(settings.warmupSeconds);
  await warm.stop();

  const phases: Phase[] = [];
  log(`bench: tokens alone, ${settings.durationSeconds} s at ${settings.connections} connections`);
  let cpu = cpuMeter();
  const aloneTokens = await run(settings.durationSeconds);
  phases.push(phase('tokens alone', cpu(), aloneTokens));

  log(`bench: tokens under ${settings.faceConcurrency} concurrent face-check clients`);
  const stream = faceStream(faceUrl, portrait);
  await sleep(1000); // the pool is busy before the measured run starts
  stream.reset();
  cpu = cpuMeter();
  const underFaces = await run(settings.durationSeconds);
  phases.push(phase('tokens under faces', cpu(), underFaces, stream.snapshot()));
  await stream.stop();

  log(`bench: faces alone, ${settings.durationSeconds} s`);
  const alone = faceStream(faceUrl, portrait);
  await sleep(1000);
  alone.reset();
  cpu = cpuMeter();
  await sleep(settings.durationSeconds * 1000);
  phases.push(phase('faces alone', cpu(), undefined, alone.snapshot()));
  await alone.stop();

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus,
    placement: pinned
      ? 'Signet (event loop and face workers) on CPU 0; autocannon and face clients on CPU 1'
      : 'unpinned: Signet and the load generator share every CPU',
    settings,
    phases,
  };
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(format(report.placement, phases));
}

function phase(name: Phase['phase'], cpu: CpuUse, tokens?: Result, faces?: FaceSnapshot): Phase {
  return {
    serverCpuPercent: Math.round(cpu.serverPercent),
    otherCpuPercent: Math.round(cpu.otherPercent),
    phase: name,
    tokenRequestsPerSecond: tokens ? Math.round(tokens.requests.average) : 0,
    tokenP50Ms: tokens?.latency.p50 ?? 0,
    tokenP99Ms: tokens?.latency.p99 ?? 0,
    tokenNon2xx: tokens ? tokens.non2xx + tokens.errors + tokens.timeouts : 0,
    faceChecksPerSecond: faces ? Number(faces.perSecond.toFixed(2)) : 0,
    faceMedianMs: faces ? Math.round(faces.medianMs) : 0,
    faceRefused: faces?.refused ?? 0,
  };
}

function format(placement: string, phases: Phase[]): string {
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(20) : c.padStart(10))).join('  ');
  return [
    '',
    'Token endpoint while faces are checked (client_credentials, ES256 JWT; face check = one image through the pool)',
    `  ${placement}; ${settings.connections} connections, ${settings.durationSeconds} s per phase, ` +
      `${settings.faceConcurrency} face clients, ${settings.poolSize} face worker(s)`,
    '',
    row([
      'phase',
      'token r/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'faces/s',
      'face ms',
      'face 503',
      'Signet CPU',
      'other CPU',
    ]),
    ...phases.map((p) =>
      row([
        p.phase,
        p.tokenRequestsPerSecond ? String(p.tokenRequestsPerSecond) : '-',
        p.tokenRequestsPerSecond ? p.tokenP50Ms.toFixed(1) : '-',
        p.tokenRequestsPerSecond ? p.tokenP99Ms.toFixed(1) : '-',
        p.tokenRequestsPerSecond ? String(p.tokenNon2xx) : '-',
        p.faceChecksPerSecond ? p.faceChecksPerSecond.toFixed(2) : '-',
        p.faceChecksPerSecond ? String(p.faceMedianMs) : '-',
        p.faceChecksPerSecond ? String(p.faceRefused) : '-',
        `${p.serverCpuPercent}%`,
        `${p.otherCpuPercent}%`,
      ]),
    ),
    '',
    '(face ms: one face-check request end to end, median; Signet CPU: every thread, % of one CPU;',
    ' other CPU: everything but Signet and the bench, % of one CPU: above 10% the machine was not quiet)',
    '',
  ].join('\n');
}

interface CpuUse {
  serverPercent: number;
  otherPercent: number;
}

/** Starts measuring CPU use; the returned function reports it since the start. */
function cpuMeter(): () => CpuUse {
  const read = () => ({
    at: performance.now(),
    server: serverCpuSeconds(),
    machine: machineBusySeconds(),
    self: selfCpuSeconds(),
  });
  const before = read();
  return () => {
    const after = read();
    const wall = (after.at - before.at) / 1000;
    const server = after.server - before.server;
    const other = after.machine - before.machine - server - (after.self - before.self);
    return { serverPercent: (100 * server) / wall, otherPercent: Math.max(0, (100 * other) / wall) };
  };
}

const TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** Signet's user + system CPU seconds, all threads (`/proc/<pid>/stat`). */
function serverCpuSeconds(): number {
  // Under taskset the child is taskset's exec'd node: the same pid.
  const fields = readFileSync(`/proc/${child?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** Busy CPU seconds of the whole machine (`/proc/stat`: all but idle and iowait). */
function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - (cpu[3] ?? 0) - (cpu[4] ?? 0)) / TICKS;
}

function selfCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

interface FaceSnapshot {
  perSecond: number;
  medianMs: number;
  refused: number;
}

/** `--face-concurrency` clients posting the portrait back to back until stopped. */
function faceStream(url: string, image: Buffer) {
  let running = true;
  let since = performance.now();
  let times: number[] = [];
  let refused = 0;
  const loops = Array.from({ length: settings.faceConcurrency }, async () => {
    while (running) {
      const t0 = performance.now();
      const status = await faceRequest(url, image).catch(() => 0);
      if (status === 200) times.push(performance.now() - t0);
      else {
        refused++;
        await sleep(100);
      }
    }
  });
  return {
    reset() {
      since = performance.now();
      times = [];
      refused = 0;
    },
    snapshot(): FaceSnapshot {
      const seconds = (performance.now() - since) / 1000;
      const sorted = [...times].sort((a, b) => a - b);
      return { perSecond: times.length / seconds, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, refused };
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function faceRequest(url: string, image: Buffer): Promise<number> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'image/jpeg' },
    body: image,
  });
  await res.arrayBuffer();
  return res.status;
}

async function admin(adminUrl: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${adminUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Pins this process's threads to CPU 1; false when taskset is unavailable. */
function pin(): boolean {
  const result = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' });
  return result.status === 0;
}

async function startSignet(pinned: boolean) {
  const [port, adminPort] = [await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-face-'));
  const publicUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SIGNET_'))),
    SIGNET_DATA_DIR: dataDir,
    SIGNET_PORT: String(port),
    SIGNET_ADMIN_PORT: String(adminPort),
    SIGNET_ISSUER: publicUrl,
    SIGNET_ADMIN_TOKEN: ADMIN_TOKEN,
    SIGNET_LOG_LEVEL: 'warn',
    SIGNET_FACE_POOL_SIZE: String(settings.poolSize),
    SIGNET_WORKERS: '1',
  };
  const args = ['--import', 'tsx', 'packages/cli/src/bin.ts', 'start', 'accounts', '--json'];
  const [command, commandArgs] = pinned
    ? ['taskset', ['-c', '0', process.execPath, ...args]]
    : [process.execPath, args];
  const started = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  child = started;
  const line = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Signet did not start within 30 s')), 30_000);
    started.once('exit', (code) => reject(new Error(`Signet exited with code ${code}`)));
    createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        if (parsed.demo_client) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not the ready line
      }
    });
  });
  const demo = line.demo_client as { client_id: string; client_secret: string };
  return {
    publicUrl,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    basic: `Basic ${Buffer.from(`${encodeURIComponent(demo.client_id)}:${encodeURIComponent(demo.client_secret)}`).toString('base64')}`,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cleanup(): Promise<void> {
  const running = child;
  if (running && running.exitCode === null && running.signalCode === null) {
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => running.kill('SIGKILL'), 5_000);
      running.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      running.kill('SIGTERM');
    });
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

main()
  .then(cleanup)
  .catch(async (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    await cleanup();
    process.exit(1);
  });

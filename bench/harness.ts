/**
 * What the benchmarks share: where processes run (taskset), starting and stopping a server as a
 * child process, and reading CPU time from /proc. See docs/benchmarks.md for the method.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** How processes were placed on CPUs. */
export interface Placement {
  pinned: boolean;
  serverCpu: string;
  loadCpu: string;
  note?: string;
}

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const children = new Set<ChildProcess>();
export const tempDirs = new Set<string>();

/** Stops every child still running and removes the temporary directories. */
export async function cleanup(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

process.once('SIGINT', () => {
  process.stderr.write('\nbench: interrupted, stopping servers\n');
  cleanup().finally(() => process.exit(130));
});

/** Node code timing ES256 signatures: best of 10 batches of 200, in µs per signature. */
const CALIBRATION_SCRIPT = `
const { generateKeyPairSync, sign } = require('node:crypto');
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const data = Buffer.alloc(300, 7);
let best = Infinity;
for (let b = 0; b < 12; b++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 200; i++) sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  if (b >= 2) best = Math.min(best, Number(process.hrtime.bigint() - t0) / 200e3);
}
console.log(best);
`;

/** µs per ES256 signature on the server's CPU right now (see {@link Measurement.calibrationMicros}). */
export function calibrate(placement: Placement): number {
  const node = [process.execPath, '-e', CALIBRATION_SCRIPT];
  const [command, args] = placement.pinned
    ? ['taskset', ['-c', placement.serverCpu, ...node]]
    : [node[0] as string, node.slice(1)];
  const out = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  const micros = Number(out.stdout?.trim());
  return out.status === 0 && Number.isFinite(micros) ? micros : -1;
}

const CLOCK_TICKS = (() => {
  const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(out.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/**
 * User + system CPU seconds a process and its live descendants (cluster workers) have used, from
 * /proc/<pid>/stat; NaN if unavailable.
 */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
    return own + childrenOf(pid).reduce((sum, child) => sum + (cpuSeconds(child) || 0), 0);
  } catch {
    return Number.NaN;
  }
}

/** The child processes of `pid` (from /proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number | undefined): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Busy CPU seconds of the whole machine (all CPUs), from /proc/stat; NaN if unavailable. */
export function machineBusySeconds(): number {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    if (fields.length < 8) return Number.NaN;
    // user nice system idle iowait irq softirq steal: everything but idle and iowait is busy.
    return (fields.reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0)) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds so far: the server child, this process (autocannon) and the whole machine. */
export interface CpuSnapshot {
  server: number;
  self: number;
  machine: number;
}

export function cpuSnapshot(pid: number | undefined): CpuSnapshot {
  return { server: cpuSeconds(pid), self: selfSeconds(), machine: machineBusySeconds() };
}

/**
 * This process's CPU seconds and those of its children it has waited for (a load generator that
 * ran as a child, such as wrk): utime, stime, cutime and cstime of /proc/self/stat.
 */
function selfSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) / CLOCK_TICKS;
  } catch {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  }
}

/** Pins this process (autocannon) to CPU 1 and reports where the servers go, or why nothing is pinned. */
export function placeProcesses(): Placement {
  const unpinned = (note: string): Placement => ({ pinned: false, serverCpu: 'any', loadCpu: 'any', note });
  const probe = spawnSync('taskset', ['-V'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return unpinned('taskset not found; servers and load generator run unpinned');
  if (availableParallelism() < 2) return unpinned('fewer than 2 CPUs; servers and load generator run unpinned');
  // -a: every thread of this process (libuv pool, V8 workers), not only the main thread.
  const pin = spawnSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { encoding: 'utf8' });
  if (pin.status !== 0) return unpinned(`taskset could not pin the load generator: ${pin.stderr.trim()}`);
  return { pinned: true, serverCpu: '0', loadCpu: '1' };
}

/**
 * Spawns `node --import tsx <args>` (pinned when possible) and waits for the JSON line on
 * its stdout that `isReady` accepts. The child's stdout keeps being drained afterwards.
 */
export function startChild(
  name: string,
  placement: Placement,
  args: string[],
  env: Record<string, string>,
  isReady: (line: Record<string, unknown>) => boolean,
): Promise<{ child: ChildProcess; line: Record<string, unknown> }> {
  const nodeArgs = ['--import', 'tsx', ...args];
  const [command, commandArgs] = placement.pinned
    ? ['taskset', ['-c', placement.serverCpu, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  // Nothing SIGNET_* or BENCH_* from the caller's environment leaks into a child.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('SIGNET_') && !key.startsWith('BENCH_')),
  );
  const child = spawn(command, commandArgs, { cwd: ROOT, env: { ...inherited, ...env }, stdio: 'pipe' });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let ready = false;
    const fail = (why: string) => {
      clearTimeout(timer);
      if (ready) return;
      ready = true;
      void stopChild(child);
      reject(new Error(`${name} did not start: ${why}${stderr ? `\n--- its stderr ---\n${stderr.trim()}` : ''}`));
    };
    const timer = setTimeout(() => fail('no ready line within 120 s'), 120_000);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
      if (ready) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return;
      }
      if (typeof parsed === 'object' && parsed !== null && isReady(parsed as Record<string, unknown>)) {
        ready = true;
        clearTimeout(timer);
        resolve({ child, line: parsed as Record<string, unknown> });
      }
    });
  });
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the child has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** HTTP Basic as RFC 6749 §2.3.1 has it: id and secret form-urlencoded first. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { envInt } from '@signet/protocol';

/** The environment variable that tells a worker its index; index 0 runs the periodic jobs. */
const WORKER_INDEX = 'SIGNET_WORKER_INDEX';

/** A worker's first message: it listens, and this is its startup summary. */
export interface WorkerReady {
  signet: 'ready';
  summary: Record<string, unknown>;
  lines: string[];
  /** Which process this is, and whether it runs the periodic jobs. */
  worker: WorkerInfo;
}

/** One process of `signet start`, as its summary lists it. */
export interface WorkerInfo {
  pid: number;
  background_jobs: boolean;
}

/**
 * `SIGNET_WORKERS`: how many processes `signet start` runs, sharing its ports (Node's cluster
 * module). Default: one per core (`os.availableParallelism()`).
 */
export function configuredWorkers(env: Record<string, string | undefined>): number {
  return envInt(env, 'SIGNET_WORKERS', availableParallelism(), 1, 256);
}

/** Where this process stands: a lone process, or worker `index` of a cluster. */
export function workerRole(): { clustered: boolean; backgroundJobs: boolean } {
  // Read from the environment each time: cheap, and no module state to keep in step.
  if (!cluster.isWorker) return { clustered: false, backgroundJobs: true };
  return { clustered: true, backgroundJobs: process.env[WORKER_INDEX] === '0' };
}

/**
 * MiB of each of V8's two young-generation semi-spaces in a worker, by what the worker runs,
 * unless `--max-semi-space-size` is given (decision 0042). Node's default is 16 MiB.
 *
 * - **With the Signer** (`signet start`, `signet start signer`): 64. The Signer's larger heap
 *   (@libpdf/core, pkijs) makes each mark-compact dear; large semi-spaces scavenge rarely, so
 *   fewer requests in flight are promoted and the old generation fills slowly. Token p99 with two
 *   workers: 6.3–7.4 ms at 64 against 7.2–8.6 ms at 8 (the smaller semi-space brought mark-compacts
 *   into the measured run).
 * - **Accounts alone** (`signet start accounts`): 8. Its old generation is small and cheap to
 *   collect, and a scavenge's pause grows with the requests handled since the last one (array
 *   buffers swept, weak handles visited): 4.2 ms at 64 MiB, 1.1 ms at 8. Token p99 with two
 *   workers: 5.5–6.1 ms at 8 against 6.8–8.4 ms at 64, at the same CPU per request.
 */
export const WORKER_SEMI_SPACE_MIB = { withSigner: 64, accountsAlone: 8 } as const;

/** The Node options of a worker: the primary's, with `semiSpaceMib` semi-spaces unless they set their own. */
export function workerExecArgv(execArgv: readonly string[], semiSpaceMib: number): string[] {
  const set = execArgv.some((arg) => arg.startsWith('--max-semi-space-size'));
  return set ? [...execArgv] : [...execArgv, `--max-semi-space-size=${semiSpaceMib}`];
}

/** Tells the primary that this worker listens. */
export function reportReady(summary: Record<string, unknown>, lines: string[]): void {
  process.send?.({ signet: 'ready', summary, lines, worker: thisWorker() } satisfies WorkerReady);
}

/** This process as a summary lists it. */
export function thisWorker(): WorkerInfo {
  return { pid: process.pid, background_jobs: workerRole().backgroundJobs };
}

/**
 * The primary of `signet start` with several workers. Worker 0 starts alone first, so that the
 * first start's one-time work (migrations, master keys, signing keys, admin token, demo client)
 * happens once; the others start after it listens. Worker 0 also runs the periodic jobs. Prints
 * worker 0's summary once all listen; replaces a worker that dies; on SIGTERM/SIGINT stops every
 * worker (each drains as a lone process would) and exits when they have.
 */
export async function runPrimary(
  workers: number,
  semiSpaceMib: number,
  print: (first: WorkerReady, all: WorkerInfo[]) => void,
): Promise<void> {
  let stopping = false;
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, semiSpaceMib) });
  const fork = (index: number): Promise<WorkerReady> => {
    const worker = cluster.fork({ [WORKER_INDEX]: String(index) });
    return new Promise((resolve, reject) => {
      let ready = false;
      worker.on('message', (message: Partial<WorkerReady>) => {
        if (message?.signet !== 'ready' || ready) return;
        ready = true;
        resolve(message as WorkerReady);
      });
      worker.once('exit', (code, signal) => {
        if (!ready) {
          reject(new Error(`worker ${index} exited during start (${signal ?? `code ${code}`})`));
          return;
        }
        if (stopping) return;
        process.stderr.write(`signet: worker ${index} exited (${signal ?? `code ${code}`}); starting another\n`);
        // A worker that dies at once again is not restarted in a tight loop.
        setTimeout(() => {
          if (!stopping) fork(index).catch((error) => process.stderr.write(`signet: ${error.message}\n`));
        }, 1000);
      });
    });
  };
  const stop = (exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    let left = alive.length;
    if (left === 0) process.exit(exitCode);
    for (const worker of alive) {
      worker.once('exit', () => {
        if (--left === 0) process.exit(exitCode);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.once('SIGTERM', () => stop());
  process.once('SIGINT', () => stop());
  try {
    const first = await fork(0);
    const others = await Promise.all(Array.from({ length: workers - 1 }, (_, i) => fork(i + 1)));
    print(
      first,
      [first, ...others].map((ready) => ready.worker),
    );
  } catch (error) {
    stop(1);
    throw error;
  }
}

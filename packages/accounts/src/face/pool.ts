/**
 * Runs a {@link FaceVerifier} in worker threads so that face inference never blocks the event
 * loop (issue 4). The pool is itself a `FaceVerifier`: callers do not know there are workers.
 *
 * - Size: `defaultPoolSize()` — one worker per core, leaving one core to the event loop when
 *   there are several. Each worker loads the model once (≈ 2 s, ≈ 450 MB) and then serves one
 *   call at a time.
 * - Start: lazy. A worker is started when a call arrives and every running worker is busy, up to
 *   the size, so a server that never checks a face pays nothing. `warmUp()` starts them all and
 *   waits for their models, for servers that want the first check to be fast.
 * - Queue: calls wait in a first-in, first-out queue of at most `maxQueue`; beyond that a call is
 *   refused at once with {@link FaceBusyError}, which the HTTP layer answers with 503 and
 *   `Retry-After`.
 * - A worker that dies fails its call and is replaced on demand; `close()` terminates them all.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FaceEnrollment, FaceTemplate, FaceVerification, FaceVerifier } from './verifier.js';

/** The pool is full: the call was not queued. Retry after `retryAfterSeconds`. */
export class FaceBusyError extends Error {
  /** Stable code to switch on. */
  readonly code = 'face_busy';
  constructor(
    /** A whole number of seconds after which the queue has probably room again (for `Retry-After`). */
    readonly retryAfterSeconds: number,
  ) {
    super(`face checks are busy; retry in ${retryAfterSeconds} s`);
    this.name = 'FaceBusyError';
  }
}

/** The pool was closed, or a worker failed to start or died during a call. */
export class FacePoolError extends Error {
  constructor(
    /** Stable code to switch on. */
    readonly code: 'closed' | 'worker_failed',
    message: string,
  ) {
    super(message);
    this.name = 'FacePoolError';
  }
}

/**
 * Workers for a machine with `cores` cores: all but one when there are several, so the event
 * loop keeps a core; one on a single core.
 */
export function defaultPoolSize(cores: number = availableParallelism()): number {
  return Math.max(1, cores > 1 ? cores - 1 : 1);
}

/** Options of {@link FaceVerifierPool}. */
export interface FaceVerifierPoolOptions {
  /** Number of workers. Default `defaultPoolSize()` (1 on a 2-core machine). */
  size?: number;
  /** Calls that may wait for a worker before further calls get {@link FaceBusyError}. Default `4 × size`. */
  maxQueue?: number;
  /**
   * The module each worker loads (it must export `createFaceVerifier`, see `FaceVerifierModule`)
   * and the structured-cloneable options passed to it. Default: the built-in
   * `face-api-verifier.ts` with its default options; give only `options` to configure the
   * built-in verifier.
   *
   * @example { module: new URL('./face-api-verifier.ts', import.meta.url), options: { threshold: 0.45 } }
   */
  verifier?: { module?: URL; options?: unknown };
}

type Method = 'enroll' | 'verify';
type Call = {
  method: Method;
  args: unknown[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
};
/** What a worker posts back. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string };
/** What the pool posts to a worker. */
export type WorkerRequest = { id: number; method: Method; args: unknown[] };

type Slot = {
  worker: Worker;
  /** Settles when the worker has loaded its model, or failed to. */
  ready: Promise<void>;
  isReady: boolean;
  busy: (Call & { id: number; started: number }) | undefined;
};

const here = new URL('.', import.meta.url);
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/**
 * Source of a worker that registers tsx in its own thread, then imports `entry`. On Node 20 a
 * `.ts` worker fails with "Unknown file extension" even with `execArgv: ['--import', 'tsx']`
 * (checked on 20.20); tsx's register() API works. Resolved from here, not from the cwd.
 */
function tsBootstrap(entry: URL): string {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${api}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

/**
 * A {@link FaceVerifier} that runs the built-in (or another) verifier in a pool of worker
 * threads, with a bounded queue.
 *
 * @example
 * const faces = new FaceVerifierPool({ verifier: { module, options: { threshold: 0.5 } } });
 * try { await faces.verify(template, frames) } catch (e) { if (e instanceof FaceBusyError) reply503(e.retryAfterSeconds) }
 * await faces.close();
 */
export class FaceVerifierPool implements FaceVerifier {
  readonly size: number;
  readonly maxQueue: number;
  readonly #module: URL;
  readonly #options: unknown;
  readonly #slots = new Set<Slot>();
  readonly #queue: Call[] = [];
  #nextId = 1;
  #closed = false;
  /** Moving average of a call's duration, for `Retry-After`. */
  #averageMs = 1000;

  constructor(options: FaceVerifierPoolOptions = {}) {
    this.size = options.size ?? defaultPoolSize();
    this.maxQueue = options.maxQueue ?? 4 * this.size;
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError('pool size must be a positive integer');
    if (!Number.isInteger(this.maxQueue) || this.maxQueue < 0) {
      throw new RangeError('maxQueue must be a non-negative integer');
    }
    this.#module = options.verifier?.module ?? new URL(`./face-api-verifier${ext}`, here);
    this.#options = options.verifier?.options ?? {};
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Calls being run by a worker. */
  get running(): number {
    return [...this.#slots].filter((slot) => slot.busy !== undefined).length;
  }

  enroll(image: Uint8Array): Promise<FaceEnrollment> {
    return this.#call('enroll', [image]) as Promise<FaceEnrollment>;
  }

  verify(template: FaceTemplate, frames: readonly Uint8Array[]): Promise<FaceVerification> {
    return this.#call('verify', [template, frames]) as Promise<FaceVerification>;
  }

  /** Starts every worker and waits until each has loaded its model. Rejects if one fails to start. */
  async warmUp(): Promise<void> {
    if (this.#closed) throw new FacePoolError('closed', 'the face verifier pool is closed');
    while (this.#slots.size < this.size) this.#start();
    await Promise.all([...this.#slots].map((slot) => slot.ready));
  }

  /** Terminates the workers; calls running or waiting fail with a `closed` {@link FacePoolError}. */
  async close(): Promise<void> {
    this.#closed = true;
    const error = new FacePoolError('closed', 'the face verifier pool is closed');
    for (const call of this.#queue.splice(0)) call.reject(error);
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const slot of slots) slot.busy?.reject(error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #call(method: Method, args: unknown[]): Promise<unknown> {
    if (this.#closed) return Promise.reject(new FacePoolError('closed', 'the face verifier pool is closed'));
    // Room: a place in the queue, or a worker (idle, starting or not yet started) that will take the call.
    const idle = [...this.#slots].filter((slot) => slot.busy === undefined).length;
    const room = this.maxQueue + idle + (this.size - this.#slots.size);
    if (this.#queue.length >= room) {
      // Waiting calls plus running ones, shared among the workers.
      const ahead = this.#queue.length + this.running;
      return Promise.reject(new FaceBusyError(Math.max(1, Math.ceil((ahead * this.#averageMs) / this.size / 1000))));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ method, args, resolve, reject });
      this.#dispatch();
    });
  }

  /** Hands waiting calls to ready idle workers, and starts a worker when all are busy. */
  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.busy === undefined && slot.isReady) this.#run(slot);
    }
    const starting = [...this.#slots].filter((slot) => !slot.isReady).length;
    if (this.#queue.length > starting && this.#slots.size < this.size) this.#start();
  }

  #run(slot: Slot): void {
    const call = this.#queue.shift();
    if (call === undefined) return;
    const id = this.#nextId++;
    slot.busy = { ...call, id, started: performance.now() };
    slot.worker.ref(); // a running call keeps the process alive; an idle pool does not
    const request: WorkerRequest = { id, method: call.method, args: call.args };
    slot.worker.postMessage(request);
  }

  #start(): void {
    const entry = new URL(`./pool-worker${ext}`, here);
    const workerData = { module: this.#module.href, options: this.#options };
    const worker =
      ext === '.ts' ? new Worker(tsBootstrap(entry), { eval: true, workerData }) : new Worker(entry, { workerData });
    worker.unref();
    let markReady: () => void = () => {};
    let markFailed: (error: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    ready.catch(() => {}); // observed by warmUp() when it cares
    const slot: Slot = { worker, ready, isReady: false, busy: undefined };
    this.#slots.add(slot);

    const fail = (message: string) => {
      if (!this.#slots.delete(slot)) return;
      const error = new FacePoolError('worker_failed', message);
      markFailed(error);
      slot.busy?.reject(error);
      slot.busy = undefined;
      void worker.terminate();
      // Without any worker left, waiting calls would wait for ever; fail them with the cause.
      if (this.#slots.size === 0 && !slot.isReady) {
        for (const call of this.#queue.splice(0)) call.reject(error);
      }
      this.#dispatch();
    };
    worker.on('message', (reply: WorkerReply) => {
      switch (reply.type) {
        case 'ready':
          slot.isReady = true;
          markReady();
          break;
        case 'failed':
          fail(`a face worker could not start: ${reply.message}`);
          return;
        case 'result':
        case 'error': {
          const call = slot.busy;
          if (call === undefined || call.id !== reply.id) return;
          slot.busy = undefined;
          worker.unref();
          this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - call.started);
          if (reply.type === 'result') call.resolve(reply.value);
          else call.reject(new Error(reply.message));
          break;
        }
      }
      this.#dispatch();
    });
    worker.on('error', (error) => fail(`a face worker failed: ${error.message}`));
    worker.on('exit', (code) => fail(`a face worker exited with code ${code}`));
  }
}

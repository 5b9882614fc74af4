/**
 * Untrusted PDFs are parsed in worker threads, so that a document that hangs the parser
 * or blows up its memory costs one worker, never the service: the event loop keeps answering
 * (`/health`, other requests) while a bad document is refused.
 *
 * - Workers: `size` threads, started on demand, each with V8 `resourceLimits` and
 *   `PdfStream.decodeLimits` (patch 004) per document; one document at a time per worker.
 * - Deadline: a document not done within `deadlineMs` has its worker terminated (the only way to
 *   stop a loop that never yields) and replaced; so does one whose worker ran out of memory or
 *   went past the decode limits (its memory goes back with the thread). The document is refused
 *   as `too_complex`.
 * - Queue: at most `maxQueue` documents wait for a worker; beyond that a call fails at once with
 *   {@link PdfPoolBusyError}, answered with 503 and `Retry-After`.
 *
 * Rule: the main thread loads a PDF (to sign it) only after a worker admitted it.
 *
 * Same shape as accounts' face verifier pool (`packages/accounts/src/face/pool.ts`), including
 * how a `.ts` worker starts under tsx.
 */
import { Worker } from 'node:worker_threads';
import type { SignerConfig } from '../config.js';
import type { PdfInspection } from './inspect.js';
import type { VerifyOptions, verifyPdf } from './verify.js';

/** What `verifyPdf` returns, passed through from the worker as it is. */
export type PdfVerifyReport = Awaited<ReturnType<typeof verifyPdf>>;

/** Whether a worker admitted a document: {@link PdfInspection}, or `too_complex` when it overran a limit. */
export type PdfAdmission = PdfInspection | { ok: false; reason: 'too_complex'; detail: string };

/** What {@link UntrustedPdfs.verify} found: the admission, and `verifyPdf`'s report when admitted. */
export interface PdfVerification {
  admission: PdfAdmission;
  report: PdfVerifyReport | null;
}

/** Limits of {@link UntrustedPdfs}; the Signer takes them from `SIGNET_SIGNER_PDF_*`. */
export interface UntrustedPdfLimits {
  /** Worker threads. */
  workers: number;
  /** Documents that may wait for a worker before calls get {@link PdfPoolBusyError}. */
  queue: number;
  /** Wall-clock time a worker may spend on one document, ms. */
  deadlineMs: number;
  /** The V8 heap (old generation) of each worker, MB. */
  workerMemoryMb: number;
  /** Bytes one stream of a document may decode (inflate) to. */
  maxStreamBytes: number;
  /** Bytes all streams of one document together may decode to. */
  maxDecodedBytes: number;
}

/** The pool is full: the document was not queued. Retry after `retryAfterSeconds`. */
export class PdfPoolBusyError extends Error {
  readonly code = 'pdf_busy';
  constructor(readonly retryAfterSeconds: number) {
    super(`PDF checks are busy; retry in ${retryAfterSeconds} s`);
    this.name = 'PdfPoolBusyError';
  }
}

/** The pool was closed, or a worker failed for a reason other than a limit. */
export class PdfPoolError extends Error {
  constructor(
    readonly code: 'closed' | 'worker_failed',
    message: string,
  ) {
    super(message);
    this.name = 'PdfPoolError';
  }
}

/** What the pool posts to a worker. */
export type UntrustedRequest =
  | { id: number; op: 'inspect'; bytes: Uint8Array }
  | { id: number; op: 'verify'; bytes: Uint8Array; trustAnchorsPem: string[]; options: VerifyOptions };
/** What a worker posts back. */
export type UntrustedReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; admission: PdfInspection; report: PdfVerifyReport | null }
  | { type: 'decode_limit'; id: number }
  | { type: 'error'; id: number; message: string };
/** The worker's `workerData`. */
export interface UntrustedWorkerData {
  maxStreamBytes: number;
  maxDecodedBytes: number;
}

type Job = {
  request: UntrustedRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
  resolve: (value: PdfVerification) => void;
  reject: (error: Error) => void;
};
type Slot = {
  worker: Worker;
  ready: boolean;
  busy: (Job & { id: number; started: number; timer: NodeJS.Timeout }) | undefined;
};

const here = new URL('.', import.meta.url);
const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** A worker that registers tsx in its own thread, then imports `entry` (as accounts' face pool does). */
function tsBootstrap(entry: URL): string {
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${api}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

/**
 * Parses untrusted PDFs in a pool of worker threads with a deadline and memory limits.
 *
 * @example
 * const pdfs = new UntrustedPdfs(limits);
 * const admission = await pdfs.inspect(bytes); // { ok: true, pageCount } or why not
 * await pdfs.close();
 */
export class UntrustedPdfs {
  readonly #limits: UntrustedPdfLimits;
  readonly #entry: URL;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Moving average of a document's time in a worker, for `Retry-After`. */
  #averageMs = 200;

  /** `entry` replaces the worker module (tests use one that never answers). */
  constructor(limits: UntrustedPdfLimits, entry: URL = new URL(`./untrusted-worker${ext}`, here)) {
    if (!Number.isInteger(limits.workers) || limits.workers < 1) throw new RangeError('workers must be at least 1');
    if (!Number.isInteger(limits.queue) || limits.queue < 0) throw new RangeError('queue must be 0 or more');
    this.#limits = limits;
    this.#entry = entry;
  }

  /** Documents waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Checks that `bytes` are a PDF the Signer can sign (see `inspectPdf`), in a worker. */
  async inspect(bytes: Uint8Array): Promise<PdfAdmission> {
    return (await this.#call({ op: 'inspect', bytes })).admission;
  }

  /** Admits `bytes` as `inspect` does and, when admitted, runs `verifyPdf` on them, in a worker. */
  verify(bytes: Uint8Array, trustAnchorsPem: string[], options: VerifyOptions = {}): Promise<PdfVerification> {
    return this.#call({ op: 'verify', bytes, trustAnchorsPem, options });
  }

  /** Terminates the workers; documents running or waiting fail with a `closed` {@link PdfPoolError}. */
  async close(): Promise<void> {
    this.#closed = true;
    const error = new PdfPoolError('closed', 'the PDF worker pool is closed');
    for (const job of this.#queue.splice(0)) job.reject(error);
    const slots = [...this.#slots];
    this.#slots.clear();
    for (const slot of slots) {
      if (slot.busy) clearTimeout(slot.busy.timer);
      slot.busy?.reject(error);
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #call(request: Job['request']): Promise<PdfVerification> {
    if (this.#closed) return Promise.reject(new PdfPoolError('closed', 'the PDF worker pool is closed'));
    const idle = [...this.#slots].filter((slot) => slot.busy === undefined).length;
    const room = this.#limits.queue + idle + (this.#limits.workers - this.#slots.size);
    if (this.#queue.length >= room) {
      const running = this.#slots.size - idle;
      const ahead = this.#queue.length + running;
      const seconds = Math.ceil((ahead * this.#averageMs) / this.#limits.workers / 1000);
      return Promise.reject(new PdfPoolBusyError(Math.max(1, seconds)));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    if (this.#closed) return;
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (slot.ready && slot.busy === undefined) this.#run(slot);
    }
    const starting = [...this.#slots].filter((slot) => !slot.ready).length;
    if (this.#queue.length > starting && this.#slots.size < this.#limits.workers) this.#start();
  }

  #run(slot: Slot): void {
    const job = this.#queue.shift();
    if (job === undefined) return;
    const id = this.#nextId++;
    const timer = setTimeout(
      () => this.#retire(slot, { tooComplex: `took longer than ${this.#limits.deadlineMs} ms to read` }),
      this.#limits.deadlineMs,
    );
    slot.busy = { ...job, id, started: performance.now(), timer };
    slot.worker.ref();
    slot.worker.postMessage({ ...job.request, id } as UntrustedRequest);
  }

  #start(): void {
    const workerData: UntrustedWorkerData = {
      maxStreamBytes: this.#limits.maxStreamBytes,
      maxDecodedBytes: this.#limits.maxDecodedBytes,
    };
    const resourceLimits = { maxOldGenerationSizeMb: this.#limits.workerMemoryMb };
    const worker =
      ext === '.ts' && this.#entry.href.endsWith('.ts')
        ? new Worker(tsBootstrap(this.#entry), { eval: true, workerData, resourceLimits })
        : new Worker(this.#entry, { workerData, resourceLimits });
    worker.unref();
    const slot: Slot = { worker, ready: false, busy: undefined };
    this.#slots.add(slot);
    worker.on('message', (reply: UntrustedReply) => {
      if (reply.type === 'ready') {
        slot.ready = true;
        this.#dispatch();
        return;
      }
      const job = slot.busy;
      if (job === undefined || job.id !== reply.id) return;
      if (reply.type === 'decode_limit') {
        const { maxStreamBytes, maxDecodedBytes } = this.#limits;
        this.#retire(slot, {
          tooComplex: `decompresses to more than ${maxStreamBytes} bytes in one stream or ${maxDecodedBytes} in all`,
        });
        return;
      }
      clearTimeout(job.timer);
      slot.busy = undefined;
      worker.unref();
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - job.started);
      if (reply.type === 'result') job.resolve({ admission: reply.admission, report: reply.report });
      else job.reject(new PdfPoolError('worker_failed', `reading a PDF failed: ${reply.message}`));
      this.#dispatch();
    });
    worker.on('error', (error: Error & { code?: string }) => {
      this.#retire(
        slot,
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { tooComplex: `needed more than ${this.#limits.workerMemoryMb} MB to read` }
          : { failed: `a PDF worker failed: ${error.message}` },
      );
    });
    worker.on('exit', (code) => this.#retire(slot, { failed: `a PDF worker exited with code ${code}` }));
  }

  /**
   * Takes a worker out of the pool and terminates it; its document (if any) is refused as
   * `too_complex`, or fails. Waiting documents go to a new worker.
   */
  #retire(slot: Slot, why: { tooComplex: string } | { failed: string }): void {
    if (!this.#slots.delete(slot)) return;
    const job = slot.busy;
    slot.busy = undefined;
    void slot.worker.terminate();
    if (job) {
      clearTimeout(job.timer);
      if ('tooComplex' in why) {
        job.resolve({ admission: { ok: false, reason: 'too_complex', detail: why.tooComplex }, report: null });
      } else {
        job.reject(new PdfPoolError('worker_failed', why.failed));
      }
    } else if ('failed' in why && !slot.ready && this.#slots.size === 0) {
      // A worker that cannot even start would leave the queue waiting for ever.
      const error = new PdfPoolError('worker_failed', why.failed);
      for (const waiting of this.#queue.splice(0)) waiting.reject(error);
    }
    this.#dispatch();
  }
}

/** The Signer's pool, with the limits of `SIGNET_SIGNER_PDF_*`. */
export function untrustedPdfs(
  config: Pick<
    SignerConfig,
    'pdfWorkers' | 'pdfQueue' | 'pdfDeadlineMs' | 'pdfWorkerMemoryMb' | 'pdfMaxStreamBytes' | 'pdfMaxDecodedBytes'
  >,
): UntrustedPdfs {
  return new UntrustedPdfs({
    workers: config.pdfWorkers,
    queue: config.pdfQueue,
    deadlineMs: config.pdfDeadlineMs,
    workerMemoryMb: config.pdfWorkerMemoryMb,
    maxStreamBytes: config.pdfMaxStreamBytes,
    maxDecodedBytes: config.pdfMaxDecodedBytes,
  });
}

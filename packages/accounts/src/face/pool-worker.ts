/**
 * One worker of `FaceVerifierPool`: loads the verifier module named in `workerData` (its model
 * once), says `ready`, then runs one call at a time and posts each answer back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from './pool.js';
import { lowerThisThreadPriority } from './thread-priority.js';
import type { FaceTemplate, FaceVerifier, FaceVerifierModule } from './verifier.js';

const port = parentPort;
if (port === null) throw new Error('pool-worker.ts runs only as a worker thread of FaceVerifierPool');
const post = (reply: WorkerReply) => port.postMessage(reply);
// Before the model loads (and any thread it starts inherits it): face checks yield to requests.
lowerThisThreadPriority();
const { module, options } = workerData as { module: string; options: unknown };

let verifier: FaceVerifier;
try {
  const loaded = (await import(module)) as Partial<FaceVerifierModule>;
  if (typeof loaded.createFaceVerifier !== 'function') throw new Error(`${module} does not export createFaceVerifier`);
  verifier = await loaded.createFaceVerifier(options);
} catch (error) {
  post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}

port.on('message', async ({ id, method, args }: WorkerRequest) => {
  try {
    const value =
      method === 'enroll'
        ? await verifier.enroll(args[0] as Uint8Array)
        : await verifier.verify(args[0] as FaceTemplate, args[1] as Uint8Array[]);
    post({ type: 'result', id, value });
  } catch (error) {
    post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  }
});
post({ type: 'ready' });

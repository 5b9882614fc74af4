/**
 * A stand-in for `untrusted-worker.ts` in tests: ready at once, then never answers a document,
 * spinning as a parser stuck in a loop would (the pool must terminate it at the deadline).
 */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {
  let turns = 0;
  while (turns >= 0) turns = (turns + 1) % 1_000_000;
});
parentPort?.postMessage({ type: 'ready' });

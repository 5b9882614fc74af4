import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FaceVerifierPool } from './pool.js';
import { FACE_WORKER_NICE } from './thread-priority.js';

/** The nice value of each thread of this process, by thread id (/proc/self/task/<tid>/stat, field 19). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

// A verifier that costs nothing: the pool's threads are under test, not face-api.
const NOOP_VERIFIER = new URL(
  `data:text/javascript,${encodeURIComponent(
    'export function createFaceVerifier() { return { enroll: async () => ({ ok: true }), verify: async () => ({ ok: true }) }; }',
  )}`,
);

describe('face worker threads', () => {
  it(`run at nice ${FACE_WORKER_NICE} while every other thread of the process keeps its priority`, async () => {
    const before = niceByThread();
    assert.ok(![...before.values()].includes(FACE_WORKER_NICE), 'no thread is lowered before the pool starts');
    const pool = new FaceVerifierPool({ size: 2, verifier: { module: NOOP_VERIFIER } });
    try {
      await pool.warmUp();
      await pool.enroll(new Uint8Array([1]));
      const after = niceByThread();
      const lowered = [...after].filter(([, nice]) => nice === FACE_WORKER_NICE).map(([tid]) => tid);
      assert.equal(lowered.length, 2, `one lowered thread per worker: ${JSON.stringify([...after])}`);
      assert.equal(after.get(process.pid), before.get(process.pid), 'the main thread (the event loop) is untouched');
      for (const tid of lowered) assert.ok(!before.has(tid), 'only the new worker threads were lowered');
    } finally {
      await pool.close();
    }
  });
});

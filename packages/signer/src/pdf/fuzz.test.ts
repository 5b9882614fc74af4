/**
 * Seeded fuzz of the PDF parser: mutated copies of a sound PDF (a byte replaced by a
 * delimiter or any byte, bytes deleted or duplicated) must each load or be refused within a
 * deadline, never spin. The loads run in a worker that is terminated when one stalls, and the
 * failure names the seed and case so it can be replayed and kept as a fixture.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { makePdf } from '@signet/testing/pdf';
import { prng } from '@signet/testing/prng';

const LIBPDF = import.meta.resolve('@libpdf/core');
const SEED = Number(process.env.SIGNET_FUZZ_SEED ?? 9_001);
const CASES = Number(process.env.SIGNET_FUZZ_CASES ?? 400);
/** Longest a single load may take before the case counts as a hang. */
const STALL_MS = 3000;

/** `count` mutations of `pdf`, each one to four edits, from `seed`. */
function mutations(pdf: Uint8Array, seed: number, count: number): Uint8Array[] {
  const rng = prng(seed);
  const delimiters = [...'()<>[]{}/%'].map((c) => c.charCodeAt(0));
  return Array.from({ length: count }, () => {
    let bytes = Buffer.from(pdf);
    for (let edits = 1 + rng.int(4); edits > 0; edits--) {
      const at = rng.int(bytes.length);
      switch (rng.int(4)) {
        case 0:
          bytes[at] = rng.pick(delimiters);
          break;
        case 1:
          bytes[at] = rng.int(256);
          break;
        case 2:
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + rng.int(8))]);
          break;
        default:
          bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + 1 + rng.int(8)), bytes.subarray(at)]);
      }
    }
    return new Uint8Array(bytes);
  });
}

/** Loads every case in one worker; resolves with the index of the first that stalled, or -1. */
async function firstStall(cases: Uint8Array[]): Promise<number> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.libpdf).then(async ({ PDF }) => {
      for (let i = 0; i < workerData.cases.length; i++) {
        try { await PDF.load(workerData.cases[i]); } catch {}
        parentPort.postMessage(i);
      }
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { libpdf: LIBPDF, cases },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  let next = 0;
  try {
    return await new Promise<number>((resolve) => {
      let timer = setTimeout(() => resolve(next), STALL_MS * 3); // the first case also pays for the import
      worker.on('message', (done: number) => {
        next = done + 1;
        clearTimeout(timer);
        if (next === cases.length) resolve(-1);
        else timer = setTimeout(() => resolve(next), STALL_MS);
      });
      worker.on('error', () => {
        clearTimeout(timer);
        resolve(next); // out of memory: the loop allocates until the heap is gone
      });
    });
  } finally {
    await worker.terminate();
  }
}

describe('PDF parser fuzz', () => {
  it(`loads or refuses ${CASES} mutated PDFs (seed ${SEED}), none hangs`, async () => {
    const pdf = await makePdf(3);
    const cases = mutations(pdf, SEED, CASES);
    const stalled = await firstStall(cases);
    assert.equal(
      stalled,
      -1,
      `case ${stalled} of seed ${SEED} did not load within ${STALL_MS} ms (replay: mutations(makePdf(3), ${SEED}, ${CASES})[${stalled}])`,
    );
  });
});

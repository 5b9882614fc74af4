/**
 * The fixes patch-package applies to @libpdf/core (patches/@libpdf+core+0.4.2+*.patch), tested
 * on the library itself: without them these inputs hang `PDF.load` or inflate without bound.
 * Each load runs in a worker thread that is terminated when it overruns, so a regression fails
 * the test instead of hanging the run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';

const LIBPDF = import.meta.resolve('@libpdf/core');
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../test-fixtures/${name}`, import.meta.url)));

/** What loading `bytes` in a fresh worker came to within `timeoutMs`: loaded, threw, or still running. */
export async function loadInWorker(
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<{ outcome: 'loaded'; pages: number } | { outcome: 'threw'; message: string } | { outcome: 'timeout' }> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.libpdf).then(async ({ PDF }) => {
      try {
        const document = await PDF.load(workerData.bytes);
        parentPort.postMessage({ outcome: 'loaded', pages: document.getPageCount() });
      } catch (error) {
        parentPort.postMessage({ outcome: 'threw', message: String(error && error.message) });
      }
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { libpdf: LIBPDF, bytes },
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  });
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ outcome: 'timeout' }), timeoutMs);
      worker.once('message', (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } finally {
    await worker.terminate();
  }
}

describe('@libpdf/core patches', () => {
  it('001 tokenizer-progress: a stray ")" where a value belongs no longer loops for ever', async () => {
    // A one-page PDF from PDF.create() whose "/ModDate (" lost its "(": the ")" that closed the
    // string is then read as an empty keyword that never advances, and the dictionary parser's
    // recovery skips it for ever (and runs out of memory).
    const bytes = fixture('moddate-unopened-string.pdf');
    assert.match(Buffer.from(bytes).toString('latin1'), /\/ModDate AD:\d+Z\)/);
    const result = await loadInWorker(bytes, 5000);
    assert.notEqual(result.outcome, 'timeout', 'PDF.load did not finish within 5 s');
    for (const stray of ['{', '}']) {
      const mutated = Buffer.from(bytes).toString('latin1').replace('/ModDate A', `/ModDate ${stray}`);
      const other = await loadInWorker(new Uint8Array(Buffer.from(mutated, 'latin1')), 5000);
      assert.notEqual(other.outcome, 'timeout', `a stray "${stray}" hangs PDF.load`);
    }
  });
});

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
import { decompressionBomb, makePdf } from '@signet/testing/pdf';

const LIBPDF = import.meta.resolve('@libpdf/core');
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`../../test-fixtures/${name}`, import.meta.url)));

/** What loading `bytes` in a fresh worker came to within `timeoutMs`: loaded, threw, or still running. */
async function loadInWorker(
  bytes: Uint8Array,
  timeoutMs: number,
  limits?: { maxStreamBytes: number; remainingBytes: number },
): Promise<
  | { outcome: 'loaded'; pages: number; exceeded?: boolean }
  | { outcome: 'threw'; message: string; exceeded?: boolean }
  | { outcome: 'timeout' }
> {
  const source = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.libpdf).then(async ({ PDF, PdfStream }) => {
      if (workerData.limits) Object.assign(PdfStream.decodeLimits, workerData.limits);
      const exceeded = () => PdfStream.decodeLimits?.exceeded;
      try {
        const document = await PDF.load(workerData.bytes);
        parentPort.postMessage({ outcome: 'loaded', pages: document.getPageCount(), exceeded: exceeded() });
      } catch (error) {
        parentPort.postMessage({ outcome: 'threw', message: String(error && error.message), exceeded: exceeded() });
      }
    });`;
  const worker = new Worker(source, {
    eval: true,
    workerData: { libpdf: LIBPDF, bytes, limits },
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
    // What the seeded fuzz (fuzz.test.ts, seed 9001, case 27) found first: "/MediaBox" became "/MediaBo}".
    const fuzzFind = await loadInWorker(fixture('fuzz-seed9001-case27.pdf'), 5000);
    assert.notEqual(fuzzFind.outcome, 'timeout', 'PDF.load did not finish the fuzz find within 5 s');
    for (const stray of ['{', '}']) {
      const mutated = Buffer.from(bytes).toString('latin1').replace('/ModDate A', `/ModDate ${stray}`);
      const other = await loadInWorker(new Uint8Array(Buffer.from(mutated, 'latin1')), 5000);
      assert.notEqual(other.outcome, 'timeout', `a stray "${stray}" hangs PDF.load`);
    }
  });

  it('004 decode-limits: inflating stops at PdfStream.decodeLimits, per stream and per document', async () => {
    const mb = 1024 * 1024;
    // 64 MB of Flate in one object stream holding the catalog, about 64 KB on disk.
    const bomb = decompressionBomb(64 * mb);
    const perStream = await loadInWorker(bomb, 10_000, { maxStreamBytes: 8 * mb, remainingBytes: 1024 * mb });
    assert.notEqual(perStream.outcome, 'timeout');
    assert.equal('exceeded' in perStream && perStream.exceeded, true, JSON.stringify(perStream));
    const perDocument = await loadInWorker(bomb, 10_000, { maxStreamBytes: 1024 * mb, remainingBytes: 8 * mb });
    assert.equal('exceeded' in perDocument && perDocument.exceeded, true, JSON.stringify(perDocument));
    // Without limits the same file loads (the library's default is unchanged), and a sound file
    // loads under them.
    assert.equal((await loadInWorker(bomb, 10_000)).outcome, 'loaded');
    const sound = await loadInWorker(await makePdf(2), 10_000, { maxStreamBytes: 8 * mb, remainingBytes: 8 * mb });
    assert.deepEqual(sound, { outcome: 'loaded', pages: 2, exceeded: false });
  });
});

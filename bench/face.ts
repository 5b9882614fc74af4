/**
 * `node --import tsx bench/face.ts`: face checks per second on one core.
 *
 * Enrols the Grace Hopper fixture, then verifies one frame against the template `--runs` times
 * in a row, for the 512×512 fixture and for a 640×480 frame made from it (the size a laptop
 * camera sends). The model runs single-threaded on TensorFlow.js's wasm backend, so one
 * sequential loop uses one core. Prints the median and p90 milliseconds per frame, checks per
 * second, and the process's resident memory.
 *
 * Options: `--runs N` (default 30), `--pool` (through a one-worker `FaceVerifierPool`, as the
 * server runs it, instead of in this thread), `--json` (one JSON object on stdout).
 */
import { parseArgs } from 'node:util';
import type { FaceVerifier } from '@signet/accounts/testing';
import { createInThreadFaceVerifier, FaceVerifierPool, readFaceFixture } from '@signet/accounts/testing';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    pool: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');

const log = (line: string) => {
  if (!values.json) console.log(line);
};

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const startedAt = performance.now();
// Imported only when used, so that in --pool mode this process does not hold a model of its own.
const inThread = createInThreadFaceVerifier;
const verifier: FaceVerifier = values.pool ? new FaceVerifierPool({ size: 1, maxQueue: 0 }) : await inThread();
if (verifier instanceof FaceVerifierPool) await verifier.warmUp();
const loadMs = performance.now() - startedAt;
log(`model loaded in ${loadMs.toFixed(0)} ms (${values.pool ? 'one worker' : 'this thread'})`);

const portrait = readFaceFixture('hopper');
const enrolled = await verifier.enroll(portrait);
if (!enrolled.ok) throw new Error(`enrolment failed: ${enrolled.message}`);
const vga = await sharp(portrait)
  .resize(480, 480)
  .extend({ left: 80, right: 80, background: '#808080' })
  .jpeg({ quality: 85 })
  .toBuffer();

const results = [];
for (const [name, frame] of [
  ['512x512', portrait],
  ['640x480', vga],
] as const) {
  await verifier.verify(enrolled.template, [frame]); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const result = await verifier.verify(enrolled.template, [frame]);
    times.push(performance.now() - t0);
    if (!result.ok || !result.match) throw new Error(`the fixture did not match itself: ${JSON.stringify(result)}`);
  }
  times.sort((a, b) => a - b);
  const medianMs = quantile(times, 0.5);
  const row = {
    frame: name,
    runs,
    medianMs: Math.round(medianMs),
    p90Ms: Math.round(quantile(times, 0.9)),
    checksPerSecond: Number((1000 / medianMs).toFixed(2)),
  };
  results.push(row);
  log(`${name}: median ${row.medianMs} ms, p90 ${row.p90Ms} ms, ${row.checksPerSecond} frames/s on one core`);
}
const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
log(`resident memory: ${rssMb} MiB${values.pool ? ' (this process with its one worker)' : ''}`);
await verifier.close();

if (values.json) {
  console.log(
    JSON.stringify({ mode: values.pool ? 'pool' : 'thread', loadMs: Math.round(loadMs), results, rssMb }, null, 2),
  );
}

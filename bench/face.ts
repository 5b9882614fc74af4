/**
 * `npm run bench:face` (`taskset -c 0 node --import tsx bench/face.ts`): face checks per frame on
 * one core, what ships against the detectors it was chosen over, in the same run.
 *
 * Pipelines, each one frame = decode (sharp, as the verifier does) + detect + 68 landmarks +
 * 128-d embedding + distance to the enrolled template:
 *
 * - `shipped`: the built-in verifier (BlazeFace on the whole frame, BlazeFace again on a crop
 *   around the face, face-api's landmarks and recognition net);
 * - `ssd`: face-api's SSD MobileNet v1 detector, the pipeline before decision 0027;
 * - `tiny320`, `tiny416`: face-api's Tiny Face Detector at those input sides.
 *
 * The pipelines take turns frame by frame, so a change of load on the machine hits them alike.
 * For each frame size (the 512×512 fixture, and a 640×480 frame made from it, the size a laptop
 * camera sends) prints the median and p90 ms per frame and frames per second. Then, per pipeline,
 * the embedding distances of same-person and different-person pairs of fixtures, and how many
 * faces it finds in a portrait turned 30° either way, a small second person beside the portrait,
 * and the two-faces fixture. Last the process's resident memory (all four pipelines loaded).
 *
 * Options: `--runs N` (default 20), `--pool` (only the shipped verifier, through a one-worker
 * `FaceVerifierPool` as the server runs it: its load time and the resident memory of this
 * process with one worker), `--json` (one JSON object on stdout).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { FaceVerifier } from '@signet/accounts/testing';
import {
  createInThreadFaceVerifier,
  euclideanDistance,
  FaceVerifierPool,
  readFaceFixture,
  turnHead,
} from '@signet/accounts/testing';
import * as tf from '@tensorflow/tfjs';
import * as faceapi from '@vladmandic/face-api/dist/face-api.node-wasm.js';
import sharp from 'sharp';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
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
const rssMb = () => Math.round(process.memoryUsage().rss / 2 ** 20);

const hopper = readFaceFixture('hopper');
const vga = await sharp(hopper)
  .resize(480, 480)
  .extend({ left: 80, right: 80, background: '#808080' })
  .jpeg({ quality: 85 })
  .toBuffer();
const frames = [
  ['512x512', hopper],
  ['640x480', vga],
] as const;

/** One pipeline: embeds the one face of a frame, or says how many faces it saw. */
interface Pipeline {
  name: string;
  embed(image: Uint8Array): Promise<{ faces: number; embedding?: number[] }>;
}

const startedAt = performance.now();
const shippedVerifier: FaceVerifier = values.pool
  ? new FaceVerifierPool({ size: 1, maxQueue: 0 })
  : await createInThreadFaceVerifier();
if (shippedVerifier instanceof FaceVerifierPool) await shippedVerifier.warmUp();
const loadMs = performance.now() - startedAt;
log(`shipped verifier loaded in ${loadMs.toFixed(0)} ms (${values.pool ? 'one worker' : 'this thread'})`);

const enrolled = await shippedVerifier.enroll(hopper);
if (!enrolled.ok) throw new Error(`enrolment failed: ${enrolled.message}`);
const template = enrolled.template;

const shipped: Pipeline = {
  name: 'shipped',
  async embed(image) {
    const result = await shippedVerifier.enroll(image);
    if (result.ok) return { faces: 1, embedding: result.template.embedding };
    return { faces: result.problem === 'multiple_faces' ? Number.parseInt(result.message, 10) : 0 };
  },
};

/** A face-api pipeline with another detector, decoding as the verifier does (sharp, ≤ 640 px). */
function faceApiPipeline(name: string, detector: () => faceapi.FaceDetectionOptions): Pipeline {
  return {
    name,
    async embed(image) {
      const { data, info } = await sharp(image)
        .rotate()
        .resize({ width: 640, height: 640, fit: 'inside', withoutEnlargement: true })
        .removeAlpha()
        .toColourspace('srgb')
        .raw()
        .toBuffer({ resolveWithObject: true });
      const tensor = tf.tensor3d(data, [info.height, info.width, 3], 'int32');
      try {
        const input = tensor as unknown as faceapi.TNetInput;
        const faces = await faceapi.detectAllFaces(input, detector()).withFaceLandmarks().withFaceDescriptors();
        const [face] = faces;
        return faces.length === 1 && face
          ? { faces: 1, embedding: Array.from(face.descriptor) }
          : { faces: faces.length };
      } finally {
        tensor.dispose();
      }
    },
  };
}

const pipelines: Pipeline[] = [shipped];
if (!values.pool) {
  // the shipped verifier set up the wasm backend and loaded the landmark and recognition nets in this thread
  const require = createRequire(import.meta.url);
  const models = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
  await faceapi.nets.ssdMobilenetv1.loadFromDisk(models);
  await faceapi.nets.tinyFaceDetector.loadFromDisk(models);
  pipelines.push(
    faceApiPipeline('ssd', () => new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5, maxResults: 10 })),
    faceApiPipeline('tiny320', () => new faceapi.TinyFaceDetectorOptions({ inputSize: 320, scoreThreshold: 0.5 })),
    faceApiPipeline('tiny416', () => new faceapi.TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 })),
  );
}

// time per frame: one frame of each pipeline in turn, `runs` rounds, after one warm-up round
const timing = [];
for (const [size, frame] of frames) {
  const times = new Map(pipelines.map((p) => [p.name, [] as number[]]));
  for (let round = -1; round < runs; round++) {
    for (const pipeline of pipelines) {
      const t0 = performance.now();
      const found = await pipeline.embed(frame);
      const ms = performance.now() - t0;
      if (!found.embedding) throw new Error(`${pipeline.name} found ${found.faces} faces in the ${size} fixture`);
      if (pipeline === shipped && euclideanDistance(found.embedding, template.embedding) >= 0.5) {
        throw new Error('the fixture did not match itself');
      }
      if (round >= 0) times.get(pipeline.name)?.push(ms);
    }
  }
  for (const pipeline of pipelines) {
    const sorted = (times.get(pipeline.name) ?? []).sort((a, b) => a - b);
    const medianMs = quantile(sorted, 0.5);
    const row = {
      pipeline: pipeline.name,
      frame: size,
      runs,
      medianMs: Math.round(medianMs),
      p90Ms: Math.round(quantile(sorted, 0.9)),
      framesPerSecond: Number((1000 / medianMs).toFixed(2)),
    };
    timing.push(row);
    log(
      `${size} ${pipeline.name.padEnd(8)} median ${row.medianMs} ms, p90 ${row.p90Ms} ms, ${row.framesPerSecond} frames/s`,
    );
  }
}

// distances and face counts on the fixtures
const pictures = {
  hopper,
  hopperTransformed: readFaceFixture('hopperTransformed'),
  hopperMatplotlib: readFaceFixture('hopperMatplotlib'),
  collins: readFaceFixture('collins'),
  cameraman: readFaceFixture('cameraman'),
};
const pairs = [
  ['hopper', 'hopperTransformed', 'same'],
  ['hopper', 'hopperMatplotlib', 'same'],
  ['hopperTransformed', 'hopperMatplotlib', 'same'],
  ['hopper', 'collins', 'different'],
  ['hopper', 'cameraman', 'different'],
  ['collins', 'cameraman', 'different'],
] as const;
const collinsSmall = await sharp(readFaceFixture('collins'))
  .extract({ left: 120, top: 0, width: 240, height: 240 })
  .resize(120, 120)
  .toBuffer();
const scenes = {
  'turned 30° left': await turnHead(hopper, enrolled.face.box, 30),
  'turned 30° right': await turnHead(hopper, enrolled.face.box, -30),
  'small second person': await sharp({ create: { width: 632, height: 512, channels: 3, background: '#808080' } })
    .composite([
      { input: hopper, left: 0, top: 0 },
      { input: collinsSmall, left: 512, top: 100 },
    ])
    .jpeg()
    .toBuffer(),
  'two faces': readFaceFixture('twoFaces'),
  'no face (coffee)': readFaceFixture('coffee'),
};
const quality = [];
const embeddingsOf: Record<string, Record<string, number[] | undefined>> = {};
for (const pipeline of pipelines) {
  const embeddings: Record<string, number[] | undefined> = {};
  for (const [name, image] of Object.entries(pictures)) embeddings[name] = (await pipeline.embed(image)).embedding;
  embeddingsOf[pipeline.name] = embeddings;
  const distances = Object.fromEntries(
    pairs.map(([a, b, kind]) => {
      const ea = embeddings[a];
      const eb = embeddings[b];
      return [`${kind} ${a}/${b}`, ea && eb ? Number(euclideanDistance(ea, eb).toFixed(3)) : null];
    }),
  );
  const faces: Record<string, number> = {};
  for (const [name, image] of Object.entries(scenes)) faces[name] = (await pipeline.embed(image)).faces;
  quality.push({ pipeline: pipeline.name, distances, faces });
}
// templates enrolled with the SSD pipeline against frames embedded by the shipped one
const ssdHopper = embeddingsOf.ssd?.hopper;
const acrossPipelines = ssdHopper
  ? Object.fromEntries(
      Object.entries(embeddingsOf.shipped ?? {}).map(([name, e]) => [
        `ssd hopper/shipped ${name}`,
        e ? Number(euclideanDistance(ssdHopper, e).toFixed(3)) : null,
      ]),
    )
  : {};
if (!values.json) {
  console.table(Object.fromEntries(quality.map((q) => [q.pipeline, q.distances])));
  log('faces detected (shipped: people counted as the verifier does; the others: raw detections ≥ 0.5)');
  console.table(Object.fromEntries(quality.map((q) => [q.pipeline, q.faces])));
  if (ssdHopper) console.table(acrossPipelines);
}

const memory = rssMb();
log(
  `resident memory: ${memory} MiB (${values.pool ? 'this process with its one worker' : 'this thread, all pipelines loaded'})`,
);
await shippedVerifier.close();

if (values.json) {
  console.log(
    JSON.stringify(
      {
        mode: values.pool ? 'pool' : 'thread',
        loadMs: Math.round(loadMs),
        timing,
        quality,
        acrossPipelines,
        rssMb: memory,
      },
      null,
      2,
    ),
  );
}

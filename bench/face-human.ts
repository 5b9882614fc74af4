/**
 * `node --import tsx bench/face-human.ts`: measures `@vladmandic/human` (BlazeFace + FaceMesh +
 * FaceRes, with and without its `antispoof` and `liveness` models) against the shipped verifier
 * (BlazeFace + face-api's 68 landmarks + 128-d recognition, decision 0027) on the fixtures:
 *
 * - time per 640×480 frame on one core (wasm backend, one thread), median of `--runs`;
 * - embedding distances, same person (Hopper's three pictures) and different people;
 * - the presentation-attack scores (`real`, `live`) on genuine frames and on the attack corpus
 *   of `e2e/face-attacks.test.ts` (warped photo, tilted photo, looped photo).
 *
 * Run under `taskset -c 0` for one core. Options: `--runs N` (default 10), `--json`.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  closeEyes,
  createInThreadFaceVerifier as createFaceVerifier,
  euclideanDistance,
  openMouth,
  readFaceFixture,
  smile,
  tiltFlatPicture,
  turnHead,
} from '@signet/accounts/testing';
import sharp from 'sharp';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, json: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const require = createRequire(import.meta.url);
// the package's main entry is in dist/; its export map lists no usable subpaths, so files are reached from there
const humanDir = dirname(dirname(require.resolve('@vladmandic/human')));
const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));

// The wasm build fetches its models; Node's fetch cannot read file:// URLs, so those are read from disk.
const networkFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (!url.startsWith('file://')) return networkFetch(input, init);
  return new Response(await readFile(fileURLToPath(url)));
};
// The wasm build of the bundle (its typings are not in the package's export map, so it is loaded by name).
const bundle = pathToFileURL(`${humanDir}/dist/human.node-wasm.js`).href;
// biome-ignore lint/suspicious/noExplicitAny: the bundle is loaded untyped
const H: any = await import(bundle);
const Human = H.default?.Human ?? H.Human ?? H.default;
const human = new Human({
  backend: 'wasm',
  wasmPath: `${wasmDir}/`,
  modelBasePath: `file://${humanDir}/models/`,
  debug: false,
  async: false,
  cacheSensitivity: 0,
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 3, minConfidence: 0.3, return: false },
    mesh: { enabled: true },
    iris: { enabled: false },
    attention: { enabled: false },
    description: { enabled: true },
    emotion: { enabled: false },
    antispoof: { enabled: true },
    liveness: { enabled: true },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
});
await human.load();
await human.warmup();

async function tensor(image: Buffer) {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return human.tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
}
// with and without the two presentation-attack models; human merges a call's config into its
// own for good, so every call states which it wants
const withPad = { face: { antispoof: { enabled: true }, liveness: { enabled: true } } };
const withoutPad = { face: { antispoof: { enabled: false }, liveness: { enabled: false } } };
async function humanFace(image: Buffer, config = withPad) {
  const t = await tensor(image);
  const t0 = performance.now();
  const result = await human.detect(t, config);
  const ms = performance.now() - t0;
  human.tf.dispose(t);
  const face = result.face[0];
  return {
    ms,
    count: result.face.length,
    real: face?.real as number | undefined,
    live: face?.live as number | undefined,
    embedding: face?.embedding as number[] | undefined,
  };
}

const vga = async (image: Buffer) =>
  sharp(image).resize(480, 480).extend({ left: 80, right: 80, background: '#808080' }).jpeg({ quality: 85 }).toBuffer();

// time per 640×480 frame: human vs face-api, same frame
const faceApi = await createFaceVerifier();
const hopper = readFaceFixture('hopper');
const enrolled = await faceApi.enroll(hopper);
if (!enrolled.ok) throw new Error('enrolment failed');
const frame = await vga(hopper);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const humanMs: number[] = [];
const humanWithoutPadMs: number[] = [];
const faceApiMs: number[] = [];
await humanFace(frame);
await humanFace(frame, withoutPad);
await faceApi.verify(enrolled.template, [frame]);
for (let i = 0; i < runs; i++) {
  humanMs.push((await humanFace(frame)).ms);
  humanWithoutPadMs.push((await humanFace(frame, withoutPad)).ms);
  const t0 = performance.now();
  await faceApi.verify(enrolled.template, [frame]);
  faceApiMs.push(performance.now() - t0);
}
const speed = {
  humanMedianMs: Math.round(median(humanMs)),
  humanWithoutPadMedianMs: Math.round(median(humanWithoutPadMs)),
  faceApiMedianMs: Math.round(median(faceApiMs)),
};

// distances: same person (Hopper ×3), different people (Hopper vs Collins, cameraman)
const pictures = {
  hopper,
  hopperTransformed: readFaceFixture('hopperTransformed'),
  hopperMatplotlib: readFaceFixture('hopperMatplotlib'),
  collins: readFaceFixture('collins'),
  cameraman: readFaceFixture('cameraman'),
};
const humanEmb: Record<string, number[]> = {};
const faceApiEmb: Record<string, number[]> = {};
for (const [name, image] of Object.entries(pictures)) {
  const h = await humanFace(image);
  if (h.embedding) humanEmb[name] = h.embedding;
  const f = await faceApi.enroll(image);
  if (f.ok) faceApiEmb[name] = f.template.embedding;
}
const pairs = [
  ['hopper', 'hopperTransformed', 'same'],
  ['hopper', 'hopperMatplotlib', 'same'],
  ['hopperTransformed', 'hopperMatplotlib', 'same'],
  ['hopper', 'collins', 'different'],
  ['hopper', 'cameraman', 'different'],
  ['collins', 'cameraman', 'different'],
] as const;
const distances = pairs.map(([a, b, kind]) => {
  const ha = humanEmb[a];
  const hb = humanEmb[b];
  const fa = faceApiEmb[a];
  const fb = faceApiEmb[b];
  return {
    pair: `${a}/${b}`,
    kind,
    // human's own similarity (0…1, higher is more alike) and face-api's euclidean distance
    humanSimilarity: ha && hb ? Number(human.match.similarity(ha, hb).toFixed(3)) : null,
    faceApiDistance: fa && fb ? Number(euclideanDistance(fa, fb).toFixed(3)) : null,
  };
});

// PAD scores: genuine pictures, genuine (synthesised) expressions, and the attack corpus
const box = enrolled.face.box;
const lm = enrolled.face.landmarks;
const corpus: [string, string, Buffer][] = [
  ['genuine', 'hopper', hopper],
  ['genuine', 'hopperTransformed', pictures.hopperTransformed],
  ['genuine', 'collins', pictures.collins],
  ['genuine (synthesised)', 'hopper smiling', await smile(hopper, lm, 1.5)],
  ['genuine (synthesised)', 'hopper mouth open', await openMouth(hopper, lm, 1)],
  ['genuine (synthesised)', 'hopper eyes closed', await closeEyes(hopper, lm, 1)],
  ['attack', 'photo warped 30° left', await turnHead(hopper, box, 30)],
  ['attack', 'photo warped 30° right', await turnHead(hopper, box, -30)],
  ['attack', 'flat photo tilted 45°', await tiltFlatPicture(hopper, 45)],
  [
    'attack',
    'photo rotated 10°',
    await sharp(hopper).rotate(10, { background: '#808080' }).resize(512, 512).jpeg().toBuffer(),
  ],
  ['attack', 'enrolment photo looped (640×480)', frame],
];
const pad = [];
for (const [kind, name, image] of corpus) {
  const h = await humanFace(image);
  pad.push({
    kind,
    name,
    faces: h.count,
    real: h.real === undefined ? null : Number(h.real.toFixed(3)),
    live: h.live === undefined ? null : Number(h.live.toFixed(3)),
  });
}
await faceApi.close();

const report = { runs, speed, distances, pad };
if (values.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(
    `640×480 frame, one thread: human (BlazeFace+FaceMesh+FaceRes+antispoof+liveness) median ${speed.humanMedianMs} ms, without antispoof and liveness ${speed.humanWithoutPadMedianMs} ms; shipped verifier (BlazeFace+face-api 68+128) median ${speed.faceApiMedianMs} ms`,
  );
  console.table(distances);
  console.table(pad);
}

/**
 * MediaPipe's BlazeFace face detector (the 256×256 "back camera" model as `@vladmandic/human`
 * ships it), run on TensorFlow.js: it finds the faces of a frame for the face-api landmark and
 * recognition nets of `face-api-verifier.ts`. It replaced face-api's SSD MobileNet v1, which
 * spent ≈ 90 % of a frame's time on detection (decision 0027).
 *
 * The model is read from `node_modules`; nothing is fetched from the network. Like the rest of the
 * face pipeline it runs inside the `FaceVerifierPool` workers, on the backend their thread set up.
 */

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** A face BlazeFace found: its confidence (0…1) and its box in the frame's pixels. */
export interface BlazeFaceDetection {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

/** The model's square input side. */
const SIDE = 256;
/** The side of {@link confirmFace}'s crop, in face boxes. */
const CONFIRM_CROP = 3;
/** Two detections overlapping more than this (intersection over union) are one face. */
const SAME_FACE_OVERLAP = 0.3;
/**
 * BlazeFace's box is a square around the face; face-api's landmark net was trained on boxes like
 * SSD MobileNet's, taller (forehead to chin) and a little narrower, and its landmarks follow the
 * box. On the four frontal fixtures the SSD box was 0.81–0.97 × BlazeFace's side wide,
 * 1.01–1.10 × high, its centre 0.04–0.08 × side higher. Of the shapes tried around that, this one
 * read the synthesised open mouths as SSD's boxes did (an open jaw must stay inside the box:
 * mouth opening 0.42–0.45 against 0.20 with a 1.05 × side high box), with smiles and turns
 * unchanged; the measures are in decision 0027.
 */
const TO_LANDMARK_BOX = { width: 0.9, height: 1.15, raise: 0.07 };

/** The anchors of the model's two output grids (16×16 with 2 per cell, 8×8 with 6), in input pixels. */
const ANCHORS: readonly (readonly [number, number])[] = [
  [16, 2],
  [32, 6],
].flatMap(([stride = 0, perCell = 0]) => {
  const cells = SIDE / stride;
  return Array.from({ length: cells * cells * perCell }, (_, i) => {
    const cell = Math.floor(i / perCell);
    return [stride * ((cell % cells) + 0.5), stride * (Math.floor(cell / cells) + 0.5)] as const;
  });
});

const require = createRequire(import.meta.url);
let model: Promise<tf.GraphModel> | undefined;

/** Loads the model once per thread (the TensorFlow.js backend must already be set). */
export function loadBlazeFace(): Promise<tf.GraphModel> {
  model ??= (async () => {
    // The package's export map names no subpaths; its main entry is in dist/, the models beside it.
    const models = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'models');
    const topology = JSON.parse(await readFile(join(models, 'blazeface.json'), 'utf8'));
    const weights = await readFile(join(models, 'blazeface.bin'));
    return tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: topology.modelTopology,
        weightSpecs: topology.weightsManifest.flatMap((group: { weights: unknown[] }) => group.weights),
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
  })();
  model.catch(() => {
    model = undefined;
  });
  return model;
}

const overlap = (a: BlazeFaceDetection['box'], b: BlazeFaceDetection['box']): number => {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const both = w * h;
  return both / (a.width * a.height + b.width * b.height - both);
};

/** The model's rows for a batch of one `[1, 256, 256, 3]` float image: `[logit, dx, dy, w, h, …keypoints]` per anchor. */
async function run(input: tf.Tensor4D): Promise<number[][]> {
  const net = await loadBlazeFace();
  const rows = tf.tidy(() => {
    const normalised = tf.sub(tf.div(input, 127.5), 1);
    // four outputs: scores and boxes of the 16×16 grid (512 rows) and of the 8×8 grid (384), told apart by size
    const [scores8, scores16, boxes8, boxes16] = (net.execute(normalised) as tf.Tensor[]).sort(
      (a, b) => a.size - b.size,
    );
    const grid16 = tf.concat([scores16 as tf.Tensor, boxes16 as tf.Tensor], 2);
    const grid8 = tf.concat([scores8 as tf.Tensor, boxes8 as tf.Tensor], 2);
    return tf.squeeze(tf.concat([grid16, grid8], 1), [0]) as tf.Tensor2D;
  });
  const raw = await rows.array();
  rows.dispose();
  return raw;
}

const sigmoid = (logit: number): number => 1 / (1 + Math.exp(-logit));

/**
 * The faces in an RGB frame (`[height, width, 3]`) with a confidence of at least `minScore`, most
 * confident first, each box already in the shape face-api's landmark net expects.
 */
export async function detectFaces(image: tf.Tensor3D, minScore: number): Promise<BlazeFaceDetection[]> {
  const [height, width] = image.shape;
  const side = Math.max(height, width);
  // padded at the bottom and right to a square, so the model sees the face undistorted
  const input = tf.tidy(() => {
    const square = tf.pad(tf.cast(image, 'float32'), [
      [0, side - height],
      [0, side - width],
      [0, 0],
    ]) as tf.Tensor3D;
    return tf.image.resizeBilinear(square, [SIDE, SIDE]).expandDims(0) as tf.Tensor4D;
  });
  const raw = await run(input);
  input.dispose();
  const scale = side / SIDE;
  const found: BlazeFaceDetection[] = [];
  raw.forEach(([logit = 0, dx = 0, dy = 0, w = 0, h = 0], i) => {
    const score = sigmoid(logit);
    const anchor = ANCHORS[i];
    if (score < minScore || anchor === undefined) return;
    const size = Math.max(w, h) * scale;
    const cx = (anchor[0] + dx) * scale;
    const cy = (anchor[1] + dy) * scale - TO_LANDMARK_BOX.raise * size;
    const box = {
      x: cx - (TO_LANDMARK_BOX.width * size) / 2,
      y: cy - (TO_LANDMARK_BOX.height * size) / 2,
      width: TO_LANDMARK_BOX.width * size,
      height: TO_LANDMARK_BOX.height * size,
    };
    found.push({ score, box });
  });
  found.sort((a, b) => b.score - a.score);
  const faces: BlazeFaceDetection[] = [];
  for (const face of found) {
    if (faces.every((kept) => overlap(kept.box, face.box) < SAME_FACE_OVERLAP)) faces.push(face);
  }
  return faces;
}

/**
 * BlazeFace's confidence that a face is at `box`, looked at again in a square crop of
 * {@link CONFIRM_CROP} × the box's side around it: the whole-frame pass sees a selfie's face at
 * a scale the model was not trained for and gives clear faces only 0.76–0.94 (and a coffee cup
 * 0.55); in the crop, the fixtures' faces score 0.93–0.95, 30° turns included, and the cup 0.30.
 */
export async function confirmFace(image: tf.Tensor3D, box: BlazeFaceDetection['box']): Promise<number> {
  const [height, width] = image.shape;
  const side = Math.max(box.width, box.height) * CONFIRM_CROP;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const crop = tf.tidy(() => {
    const batch = tf.cast(image, 'float32').expandDims(0) as tf.Tensor4D;
    const region = [
      (cy - side / 2) / height,
      (cx - side / 2) / width,
      (cy + side / 2) / height,
      (cx + side / 2) / width,
    ];
    return tf.image.cropAndResize(batch, [region], [0], [SIDE, SIDE]);
  });
  const raw = await run(crop);
  crop.dispose();
  return raw.reduce((best, [logit = -Infinity]) => Math.max(best, sigmoid(logit)), 0);
}

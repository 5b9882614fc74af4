/**
 * Test helpers for the face checks: the fixture pictures of `test-fixtures/faces/` (origins and
 * licences in its README) and synthetic head turns made from a frontal portrait.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { CAPTURE_SCHEDULE, type FaceAction } from './challenge.js';
import type { FaceBox, FacePoint } from './verifier.js';

/** The fixture pictures, by what they show. */
export const FACE_FIXTURES = {
  /** Grace Hopper, frontal (facedetect's example, 512×512). */
  hopper: 'grace-hopper.jpg',
  /** The same photograph cropped, rotated, darkened and recompressed. */
  hopperTransformed: 'grace-hopper-transformed.jpg',
  /** The same photograph as matplotlib ships it (another crop and encoding). */
  hopperMatplotlib: 'grace-hopper-matplotlib.jpg',
  /** Eileen Collins, frontal (scikit-image's astronaut). */
  collins: 'astronaut.jpg',
  /** A man with a camera, face in three-quarter profile (scikit-image's camera). */
  cameraman: 'cameraman.jpg',
  /** A cup of coffee: no face. */
  coffee: 'coffee.jpg',
  /** Hopper and Collins side by side. */
  twoFaces: 'two-faces.jpg',
} as const;

/** A fixture's name in {@link FACE_FIXTURES}. */
export type FaceFixture = keyof typeof FACE_FIXTURES;

/** Reads a fixture picture. */
export function readFaceFixture(name: keyof typeof FACE_FIXTURES): Buffer {
  return readFileSync(new URL(`../../test-fixtures/faces/${FACE_FIXTURES[name]}`, import.meta.url));
}

/**
 * Synthesises a head turn from a frontal portrait: the head is modelled as a vertical cylinder
 * through the face's centre, of radius `radius × face width`, and rotated by `degrees` (positive:
 * the nose moves towards the image's right, as when a person facing the camera turns to their
 * left). Points near the face's centre (the nose) move further than its sides, as on a real head;
 * the far side's hidden strip is filled by stretching the edge. Only columns move, so the result
 * stays a plausible photo for the detector. Returns a JPEG.
 */
export async function turnHead(image: Uint8Array, face: FaceBox, degrees: number, radius = 0.65): Promise<Buffer> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  const cx = face.x + face.width / 2;
  const r = face.width * radius;
  const theta = (degrees * Math.PI) / 180;
  // for each output column, the source column (fractional)
  const source = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const u = (x - cx) / r;
    if (Math.abs(u) >= 1) {
      source[x] = x;
      continue;
    }
    const phi = Math.max(-Math.PI / 2, Math.min(Math.PI / 2, Math.asin(u) - theta));
    source[x] = cx + r * Math.sin(phi);
  }
  const out = Buffer.alloc(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let x = 0; x < width; x++) {
      const s = Math.max(0, Math.min(width - 1, source[x] ?? x));
      const x0 = Math.floor(s);
      const x1 = Math.min(width - 1, x0 + 1);
      const f = s - x0;
      for (let c = 0; c < channels; c++) {
        const a = data[row + x0 * channels + c] ?? 0;
        const b = data[row + x1 * channels + c] ?? 0;
        out[row + x * channels + c] = Math.round(a + (b - a) * f);
      }
    }
  }
  return sharp(out, { raw: { width, height, channels } }).jpeg({ quality: 85 }).toBuffer();
}

/**
 * Tilts a flat picture about a vertical axis, as someone turning a printed photo in front of the
 * camera would (orthographic view: every column squeezed alike by cos(degrees)). Returns a JPEG
 * of the same size, the picture centred on grey.
 */
export async function tiltFlatPicture(image: Uint8Array, degrees: number): Promise<Buffer> {
  const { width = 0, height = 0 } = await sharp(image).metadata();
  const squeezed = await sharp(image)
    .resize({ width: Math.round(width * Math.cos((degrees * Math.PI) / 180)), height, fit: 'fill' })
    .toBuffer();
  const left = Math.round((width - Math.round(width * Math.cos((degrees * Math.PI) / 180))) / 2);
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([{ input: squeezed, left, top: 0 }])
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Mirrors a picture left to right, as a selfie preview shows it. Returns a JPEG. */
export function mirror(image: Uint8Array): Promise<Buffer> {
  return sharp(image).flop().jpeg({ quality: 85 }).toBuffer();
}

/**
 * A YUV4MPEG2 (4:2:0) video for Chromium's fake camera (`--use-file-for-fake-video-capture`):
 * each picture shown for its `seconds`, at `fps` frames per second, all at the first picture's
 * size (rounded down to even).
 */
export async function y4mVideo(segments: { image: Buffer; seconds: number }[], fps = 10): Promise<Buffer> {
  const first = await sharp(segments[0]?.image).metadata();
  const width = (first.width ?? 0) & ~1;
  const height = (first.height ?? 0) & ~1;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${fps}:1 Ip A1:1 C420jpeg\n`)];
  for (const { image, seconds } of segments) {
    const { data } = await sharp(image)
      .resize(width, height, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const y = Buffer.alloc(width * height);
    const u = Buffer.alloc((width / 2) * (height / 2));
    const v = Buffer.alloc((width / 2) * (height / 2));
    for (let row = 0; row < height; row++) {
      for (let col = 0; col < width; col++) {
        const i = (row * width + col) * 3;
        const r = data[i] ?? 0;
        const g = data[i + 1] ?? 0;
        const b = data[i + 2] ?? 0;
        y[row * width + col] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
        if (row % 2 === 0 && col % 2 === 0) {
          const c = (row / 2) * (width / 2) + col / 2;
          u[c] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
          v[c] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
        }
      }
    }
    const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
    for (let n = 0; n < Math.round(seconds * fps); n++) parts.push(frame);
  }
  return Buffer.concat(parts);
}

/** Raw RGB pixels of a picture, for the landmark-guided edits below. */
interface Pixels {
  data: Buffer;
  width: number;
  height: number;
}

async function pixels(image: Uint8Array): Promise<Pixels> {
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

const jpeg = ({ data, width, height }: Pixels) =>
  sharp(data, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();

function sample(src: Pixels, x: number, y: number, c: number): number {
  const cx = Math.max(0, Math.min(src.width - 1.001, x));
  const cy = Math.max(0, Math.min(src.height - 1.001, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const fx = cx - x0;
  const fy = cy - y0;
  const v = (xx: number, yy: number) => src.data[(yy * src.width + xx) * 3 + c] ?? 0;
  const top = v(x0, y0) * (1 - fx) + v(x0 + 1, y0) * fx;
  const bottom = v(x0, y0 + 1) * (1 - fx) + v(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** A control point moved by (dx, dy), its pull fading with distance as a Gaussian of `radius`. */
interface Pull {
  x: number;
  y: number;
  dx: number;
  dy: number;
  radius: number;
}

/**
 * Moves the picture's content around the control points (a backward warp: each output pixel reads
 * the input where the pulls say it came from), as one would retouch a portrait. Returns new pixels.
 */
function warp(src: Pixels, pulls: readonly Pull[]): Pixels {
  const out = Buffer.alloc(src.data.length);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let dx = 0;
      let dy = 0;
      let weight = 0;
      for (const p of pulls) {
        const d2 = (x - p.x - p.dx) ** 2 + (y - p.y - p.dy) ** 2;
        const w = Math.exp(-d2 / (2 * p.radius * p.radius));
        dx += w * p.dx;
        dy += w * p.dy;
        weight += w;
      }
      // overlapping pulls average rather than add up, so the picture does not fold
      if (weight > 1) {
        dx /= weight;
        dy /= weight;
      }
      const i = (y * src.width + x) * 3;
      for (let c = 0; c < 3; c++) out[i + c] = Math.round(sample(src, x - dx, y - dy, c));
    }
  }
  return { data: out, width: src.width, height: src.height };
}

const pt = (landmarks: readonly FacePoint[], i: number): FacePoint => landmarks[i] ?? { x: 0, y: 0 };

/**
 * A blink synthesised from a photograph and its 68 landmarks: over each eye, the upper lid's skin
 * (taken from just above the eye) is drawn down to the lower lid, with a dark line of lashes where
 * the lids meet. `amount` 1 closes the eyes, 0.5 half closes them. Returns a JPEG.
 *
 * Honest note (issue 10): the fixtures hold no real photograph of a closed eye of the same person;
 * this edit is what the tests' "genuine" blink is, and an attacker can make it too.
 */
export async function closeEyes(image: Uint8Array, landmarks: readonly FacePoint[], amount = 1): Promise<Buffer> {
  const src = await pixels(image);
  const pulls: Pull[] = [];
  for (const o of [36, 42]) {
    const width = Math.hypot(pt(landmarks, o + 3).x - pt(landmarks, o).x, pt(landmarks, o + 3).y - pt(landmarks, o).y);
    const lower = (pt(landmarks, o + 4).y + pt(landmarks, o + 5).y) / 2;
    for (const i of [o + 1, o + 2]) {
      const p = pt(landmarks, i);
      // the upper lid comes down to just above the lower one
      pulls.push({ x: p.x, y: p.y, dx: 0, dy: (lower - p.y) * 0.9 * amount, radius: width * 0.3 });
    }
  }
  const out = warp(src, pulls);
  return jpeg(out);
}

/**
 * A smile synthesised from a photograph and its 68 landmarks: the mouth's corners pulled outwards
 * and up, the cheeks with them (`amount` 1: each corner by 12 % of the mouth's width outwards and
 * 8 % up). Returns a JPEG. Like {@link closeEyes}, an edit an attacker can make too.
 */
export async function smile(image: Uint8Array, landmarks: readonly FacePoint[], amount = 1): Promise<Buffer> {
  const src = await pixels(image);
  const left = pt(landmarks, 48);
  const right = pt(landmarks, 54);
  const width = Math.hypot(right.x - left.x, right.y - left.y);
  const out = warp(src, [
    { x: left.x, y: left.y, dx: -0.12 * width * amount, dy: -0.08 * width * amount, radius: width * 0.22 },
    { x: right.x, y: right.y, dx: 0.12 * width * amount, dy: -0.08 * width * amount, radius: width * 0.22 },
  ]);
  return jpeg(out);
}

/**
 * An open mouth synthesised from a photograph and its 68 landmarks: the lower lip and the chin
 * moved down by `amount` × half the mouth's width, the gap between the lips painted as a dark
 * mouth. Returns a JPEG. Like {@link closeEyes}, an edit an attacker can make too.
 */
export async function openMouth(image: Uint8Array, landmarks: readonly FacePoint[], amount = 1): Promise<Buffer> {
  const src = await pixels(image);
  const left = pt(landmarks, 48);
  const right = pt(landmarks, 54);
  const width = Math.hypot(right.x - left.x, right.y - left.y);
  const drop = 0.5 * width * amount;
  const pulls: Pull[] = [];
  for (const i of [5, 6, 7, 8, 9, 10, 11, 55, 56, 57, 58, 59, 65, 66, 67]) {
    const p = pt(landmarks, i);
    pulls.push({ x: p.x, y: p.y, dx: 0, dy: drop * (i < 17 ? 0.9 : 1), radius: width * 0.18 });
  }
  const moved = warp(src, pulls);
  // the inside of the mouth between the upper inner lip and the lowered lower one
  const top = (pt(landmarks, 61).y + pt(landmarks, 62).y + pt(landmarks, 63).y) / 3;
  const bottom = (pt(landmarks, 65).y + pt(landmarks, 66).y + pt(landmarks, 67).y) / 3 + drop;
  const cx = (pt(landmarks, 60).x + pt(landmarks, 64).x) / 2;
  const cy = (top + bottom) / 2 + 1;
  const rx = Math.abs(pt(landmarks, 64).x - pt(landmarks, 60).x) / 2;
  const ry = Math.max(1, (bottom - top) / 2 - 2);
  for (let y = Math.floor(cy - ry); y <= Math.ceil(cy + ry); y++) {
    for (let x = Math.floor(cx - rx); x <= Math.ceil(cx + rx); x++) {
      if (x < 0 || y < 0 || x >= src.width || y >= src.height) continue;
      const e = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2;
      if (e >= 1) continue;
      const alpha = Math.min(1, (1 - e) * 4);
      const i = (y * src.width + x) * 3;
      const inside = [70, 30, 35];
      for (let c = 0; c < 3; c++) {
        moved.data[i + c] = Math.round((moved.data[i + c] ?? 0) * (1 - alpha) + (inside[c] ?? 0) * alpha);
      }
    }
  }
  return jpeg(moved);
}

/** The capture times the face page's script uses (`assets/face.js`), in ms from the capture's start, by window. */
export function captureTimes(actions: number): { neutral: number[]; action: number[][] } {
  const { neutralMs, actionMs, neutralFrames, actionFrames } = CAPTURE_SCHEDULE;
  const neutral = Array.from({ length: neutralFrames }, (_, k) => Math.round((neutralMs * (k + 0.5)) / neutralFrames));
  const react = Math.min(500, actionMs / 4);
  const spread = (actionMs - react - 150) / actionFrames;
  const action = Array.from({ length: actions }, (_, i) =>
    Array.from({ length: actionFrames }, (_, k) => Math.round(neutralMs + i * actionMs + react + k * spread)),
  );
  return { neutral, action };
}

/**
 * One frame of a face performing `action` at `strength` (0…1), synthesised from a frontal
 * portrait and its face: head turns on {@link turnHead}'s cylinder (30° at full strength),
 * smiles and open mouths by {@link smile} and {@link openMouth}. Returns a JPEG.
 */
export function performAction(
  image: Uint8Array,
  face: { box: FaceBox; landmarks: readonly FacePoint[] },
  action: FaceAction,
  strength: number,
): Promise<Buffer> {
  switch (action) {
    case 'turn_left':
      return turnHead(image, face.box, 30 * strength);
    case 'turn_right':
      return turnHead(image, face.box, -30 * strength);
    case 'smile':
      return smile(image, face.landmarks, 1.5 * strength);
    case 'open_mouth':
      return openMouth(image, face.landmarks, strength);
  }
}

/**
 * The capture the face page would post for `actions`, performed by the face in a frontal
 * portrait: two neutral frames, then in each action's window the action starting (half strength)
 * and held (full strength), at the script's own times. This is the tests' "genuine" capture; it
 * is synthesised from one photograph, so it is also what an attacker with a landmark-guided
 * editor could post (see docs/decisions/0021-face-challenge.md).
 */
export async function performChallenge(
  image: Uint8Array,
  face: { box: FaceBox; landmarks: readonly FacePoint[] },
  actions: readonly FaceAction[],
): Promise<{ image: Buffer; at: number }[]> {
  const times = captureTimes(actions.length);
  const neutral = await sharp(image).jpeg({ quality: 85 }).toBuffer();
  const frames: { image: Buffer; at: number }[] = times.neutral.map((at) => ({ image: neutral, at }));
  for (const [i, action] of actions.entries()) {
    const [half, full] = await Promise.all([
      performAction(image, face, action, 0.5),
      performAction(image, face, action, 1),
    ]);
    for (const [k, at] of (times.action[i] ?? []).entries()) frames.push({ image: k === 0 ? half : full, at });
  }
  return frames;
}

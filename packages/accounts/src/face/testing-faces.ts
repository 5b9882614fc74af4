/**
 * Test helpers for the face checks: the fixture pictures of `test-fixtures/faces/` (origins and
 * licences in its README) and synthetic head turns made from a frontal portrait.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import type { FaceBox } from './verifier.js';

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

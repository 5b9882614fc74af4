import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readFaceFixture, turnHead } from '../../packages/accounts/src/face/testing-faces.js';
import type { FaceBox } from '../../packages/accounts/src/face/verifier.js';

const FPS = 10;

/** A YUV4MPEG2 (4:2:0) video of JPEG frames, each shown for `seconds` (Chromium's fake camera format). */
async function y4m(segments: { image: Buffer; seconds: number }[]): Promise<Buffer> {
  const first = await sharp(segments[0]?.image).metadata();
  const width = (first.width ?? 0) & ~1;
  const height = (first.height ?? 0) & ~1;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F${FPS}:1 Ip A1:1 C420jpeg\n`)];
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
    for (let n = 0; n < Math.round(seconds * FPS); n++) parts.push(frame);
  }
  return Buffer.concat(parts);
}

/**
 * Writes two fake-camera videos of the Grace Hopper portrait into `dir`: frontal for 2 s, then
 * turning to the person's left (`left.y4m`) or right (`right.y4m`) by 15° and 30°, as the face
 * step's random challenge asks (the same videos as e2e/browser/face-flow.browser.test.ts).
 */
export async function writeFakeCameraVideos(dir: string, box: FaceBox): Promise<{ left: string; right: string }> {
  const portrait = readFaceFixture('hopper');
  const files = { left: join(dir, 'left.y4m'), right: join(dir, 'right.y4m') };
  for (const side of ['left', 'right'] as const) {
    const sign = side === 'left' ? 1 : -1;
    const [turned15, turned30] = await Promise.all([
      turnHead(portrait, box, sign * 15),
      turnHead(portrait, box, sign * 30),
    ]);
    writeFileSync(
      files[side],
      await y4m([
        { image: portrait, seconds: 2 },
        { image: turned15, seconds: 0.6 },
        { image: turned30, seconds: 3.4 },
      ]),
    );
  }
  return files;
}

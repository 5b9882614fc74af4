/**
 * Head pose from the 68-point landmarks, for the face challenge's head turns (issues 4 and 10).
 *
 * A printed photo or a still picture on a screen keeps its landmarks in place, and tilting a flat
 * picture squeezes the nose and the jaw alike, so neither changes the yaw estimate below; a real
 * head turn moves the nose towards one cheek. On its own this was issue 4's one-bit challenge,
 * which frames warped from one photo answered; `challenge.ts` now asks for a random sequence of
 * turns and expressions instead.
 */
import type { FacePoint } from './verifier.js';

const mean = (points: readonly FacePoint[], from: number, to: number): FacePoint => {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    const p = points[i];
    if (p === undefined) throw new RangeError(`landmark ${i} is missing`);
    x += p.x;
    y += p.y;
  }
  const n = to - from + 1;
  return { x: x / n, y: y / n };
};

/**
 * Estimates how far a face is turned sideways from its 68 landmarks (iBUG 300-W order): where
 * the nose tip (30) lies between the two sides of the jaw (0–2 and 14–16), after levelling the
 * eyes so that a tilted head does not count. 0 is a frontal face; +1 and −1 put the nose on the
 * right or left edge of the face as seen in the image. Under a cylinder model of the head it is
 * about the sine of the yaw angle; the landmark model underestimates strong turns.
 *
 * A person turning to their own left (camera frames, not mirrored) gives positive values.
 * Mirroring the image negates the value.
 *
 * @throws RangeError when fewer than 68 landmarks are given or they are degenerate.
 */
export function estimateYaw(landmarks: readonly FacePoint[]): number {
  if (landmarks.length < 68) throw new RangeError(`68 landmarks are needed, got ${landmarks.length}`);
  const leftEye = mean(landmarks, 36, 41);
  const rightEye = mean(landmarks, 42, 47);
  const roll = Math.atan2(rightEye.y - leftEye.y, rightEye.x - leftEye.x);
  // x along the levelled eye line
  const along = (p: FacePoint) => p.x * Math.cos(roll) + p.y * Math.sin(roll);
  const left = along(mean(landmarks, 0, 2));
  const right = along(mean(landmarks, 14, 16));
  const nose = along(mean(landmarks, 30, 30));
  const halfWidth = (right - left) / 2;
  if (!(halfWidth > 0)) throw new RangeError('the landmarks do not span a face');
  const yaw = (nose - (left + right) / 2) / halfWidth;
  return Math.max(-1, Math.min(1, yaw));
}

/**
 * The active liveness challenge of issue 4: the person is asked to turn their head to a randomly
 * chosen side, and the turn is confirmed from the 68-point landmarks of successive frames.
 *
 * A printed photo or a still picture on a screen keeps its landmarks in place, and tilting a flat
 * picture squeezes the nose and the jaw alike, so neither changes the yaw estimate below; a real
 * head turn moves the nose towards one cheek. This is a simple challenge, not a certified
 * presentation-attack detector: a video of the person turning to the right side defeats it.
 */
import { randomInt } from 'node:crypto';
import type { FacePoint } from './verifier.js';

/**
 * The side the person is asked to turn their head to, in the person's own terms ("turn to your
 * left"). Frames must be as the camera took them, not mirrored like a selfie preview: the
 * person's left is then the image's right.
 */
export type HeadTurn = 'left' | 'right';

/** A uniformly random head turn from a cryptographic source, so it cannot be predicted. */
export function randomHeadTurn(): HeadTurn {
  return randomInt(2) === 0 ? 'left' : 'right';
}

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

/** Thresholds of {@link checkHeadTurn}. */
export interface HeadTurnOptions {
  /**
   * How far the yaw estimate must move towards the requested side, from the first frame to the
   * furthest-turned one. Default 0.15. Measured on the fixtures' frontal portrait turned on a
   * cylinder model of the head (`turnHead` in `testing-faces.ts`): 10° moved it 0.06–0.08, 20°
   * 0.16–0.17, 30° 0.22–0.32; the flat photo tilted by 30–60° moved it 0.04 at most. Real noses
   * stand out more than a cylinder's, so real turns should move it further.
   */
  minTurn?: number;
  /** The first frame must be about frontal: its yaw estimate at most this far from 0. Default 0.25. */
  maxStartYaw?: number;
}

/** What {@link checkHeadTurn} saw: the per-frame yaw estimates and the largest turn towards the requested side. */
export interface HeadTurnResult {
  ok: boolean;
  /** Largest `yaw[i] − yaw[0]` in the requested direction (positive when the head turned the right way). */
  turn: number;
  yaws: number[];
  /** Why it failed, for the person, when `ok` is false. */
  message?: string;
}

/**
 * Confirms a head turn across frames: the first frame roughly frontal, and a later frame turned
 * towards `challenge` by at least `minTurn`. Frames are in capture order, each with the 68
 * landmarks of its one face.
 */
export function checkHeadTurn(
  challenge: HeadTurn,
  frames: readonly (readonly FacePoint[])[],
  options: HeadTurnOptions = {},
): HeadTurnResult {
  const { minTurn = 0.15, maxStartYaw = 0.25 } = options;
  const yaws = frames.map(estimateYaw);
  const [start, ...rest] = yaws;
  if (start === undefined || rest.length === 0) {
    return { ok: false, turn: 0, yaws, message: 'At least two pictures are needed to see the head turn.' };
  }
  // Positive yaw is the nose towards the image's right, which is the person's left.
  const direction = challenge === 'left' ? 1 : -1;
  const turn = Math.max(...rest.map((yaw) => direction * (yaw - start)));
  if (Math.abs(start) > maxStartYaw) {
    return { ok: false, turn, yaws, message: 'Start by looking straight at the camera.' };
  }
  if (turn < minTurn) {
    return { ok: false, turn, yaws, message: `The head turn to your ${challenge} was not seen; please try again.` };
  }
  return { ok: true, turn, yaws };
}

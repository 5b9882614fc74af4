/**
 * Expressions read from face-api's 68 landmarks (iBUG 300-W order) for the face challenge
 * (issue 10): how open the eyes are (a blink), how open the mouth is, and how wide and lifted
 * the mouth is (a smile). Each measure is divided by a length of the same face, so it does not
 * depend on the face's size or position in the picture; the smile also levels the eyes first, so
 * a tilted head does not count.
 */
import type { FacePoint } from './verifier.js';

const at = (points: readonly FacePoint[], i: number): FacePoint => {
  const p = points[i];
  if (p === undefined) throw new RangeError(`landmark ${i} is missing`);
  return p;
};
const dist = (a: FacePoint, b: FacePoint) => Math.hypot(a.x - b.x, a.y - b.y);
const centre = (points: readonly FacePoint[], from: number, to: number): FacePoint => {
  let x = 0;
  let y = 0;
  for (let i = from; i <= to; i++) {
    x += at(points, i).x;
    y += at(points, i).y;
  }
  return { x: x / (to - from + 1), y: y / (to - from + 1) };
};

/**
 * The eye aspect ratio (Soukupová and Čech, 2016) of both eyes, averaged: the two eyelid gaps
 * over the eye's width. About 0.25–0.35 for open eyes, towards 0.1 for closed ones.
 */
export function eyeOpening(landmarks: readonly FacePoint[]): number {
  const eye = (o: number) =>
    (dist(at(landmarks, o + 1), at(landmarks, o + 5)) + dist(at(landmarks, o + 2), at(landmarks, o + 4))) /
    (2 * dist(at(landmarks, o), at(landmarks, o + 3)));
  return (eye(36) + eye(42)) / 2;
}

/** The inner lips' gap (three points, 61–67, 62–66, 63–65) over the mouth's width (48–54): 0 closed, ≈ 0.5 wide open. */
export function mouthOpening(landmarks: readonly FacePoint[]): number {
  const gap =
    (dist(at(landmarks, 61), at(landmarks, 67)) +
      dist(at(landmarks, 62), at(landmarks, 66)) +
      dist(at(landmarks, 63), at(landmarks, 65))) /
    3;
  return gap / dist(at(landmarks, 48), at(landmarks, 54));
}

/** The mouth's width (corners 48–54) over the distance between the eyes' centres. */
export function mouthWidth(landmarks: readonly FacePoint[]): number {
  const eyes = dist(centre(landmarks, 36, 41), centre(landmarks, 42, 47));
  return dist(at(landmarks, 48), at(landmarks, 54)) / eyes;
}

/**
 * How far the mouth's corners (48, 54) sit above the middle of the lips (51 and 57), over the
 * distance between the eyes, with the eyes levelled: a smile lifts the corners.
 */
export function mouthCornerLift(landmarks: readonly FacePoint[]): number {
  const left = centre(landmarks, 36, 41);
  const right = centre(landmarks, 42, 47);
  const roll = Math.atan2(right.y - left.y, right.x - left.x);
  // y across the levelled eye line (down is positive)
  const down = (p: FacePoint) => -p.x * Math.sin(roll) + p.y * Math.cos(roll);
  const corners = (down(at(landmarks, 48)) + down(at(landmarks, 54))) / 2;
  const middle = (down(at(landmarks, 51)) + down(at(landmarks, 57))) / 2;
  return (middle - corners) / dist(left, right);
}

/** The expression measures of one frame. */
export interface Expression {
  eyes: number;
  mouth: number;
  width: number;
  lift: number;
}

/** All four measures of one set of 68 landmarks. */
export function readExpression(landmarks: readonly FacePoint[]): Expression {
  if (landmarks.length < 68) throw new RangeError(`68 landmarks are needed, got ${landmarks.length}`);
  return {
    eyes: eyeOpening(landmarks),
    mouth: mouthOpening(landmarks),
    width: mouthWidth(landmarks),
    lift: mouthCornerLift(landmarks),
  };
}

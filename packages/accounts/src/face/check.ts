/**
 * The decision of the face step (issue 4): exactly one face in every frame, every frame the
 * enrolled person, and the requested head turn seen across the frames. The same for any
 * {@link FaceVerifier}.
 */
import { counter, histogram, LATENCY_BUCKETS } from '@signet/web';
import { checkHeadTurn, type HeadTurn, type HeadTurnOptions } from './liveness.js';
import { FaceBusyError } from './pool.js';
import type { FaceRefusal, FaceTemplate, FaceVerifier } from './verifier.js';

/** Options of {@link checkFace}. */
export interface FaceCheckOptions extends HeadTurnOptions {
  /** The side the person was asked to turn to (chosen with `randomHeadTurn()` and kept server-side). */
  challenge: HeadTurn;
  /** Fewest frames accepted. Default 3 (a frontal start, the turn, and one in between). */
  minFrames?: number;
}

/** The outcome of {@link checkFace}; on refusal, `frame` is the index of the frame at fault when there is one. */
export type FaceCheck =
  | {
      ok: true;
      /** The largest distance of any frame to the template. */
      distance: number;
      /** How far the head turned towards the challenge (see `checkHeadTurn`). */
      turn: number;
    }
  | (FaceRefusal & { frame?: number; distance?: number; turn?: number });

/**
 * Checks frames captured during the face step against the person's template: each shows exactly
 * one face, each is the enrolled person, and the head turned towards `options.challenge`.
 *
 * @example
 * const challenge = randomHeadTurn(); // shown to the person, stored in the login transaction
 * const result = await checkFace(pool, template, frames, { challenge });
 * if (!result.ok) audit(result.problem); // e.g. 'no_match', 'no_liveness'
 */
export async function checkFace(
  verifier: FaceVerifier,
  template: FaceTemplate,
  frames: readonly Uint8Array[],
  options: FaceCheckOptions,
): Promise<FaceCheck> {
  const end = faceCheckDuration.startTimer();
  let result = 'error';
  try {
    const check = await compareFace(verifier, template, frames, options);
    result = check.ok ? 'ok' : check.problem;
    return check;
  } catch (error) {
    if (error instanceof FaceBusyError) result = 'busy';
    throw error;
  } finally {
    end({ result });
    faceChecks.inc({ result });
  }
}

const faceChecks = counter({
  name: 'signet_face_checks_total',
  help: 'Face checks (sign-ins and enrolments) by result: ok, a refusal (no_match, no_liveness, …), busy or error.',
  labelNames: ['result'],
});
const faceCheckDuration = histogram({
  name: 'signet_face_check_duration_seconds',
  help: 'Time a face check took, queueing for a worker included, by result.',
  labelNames: ['result'],
  buckets: LATENCY_BUCKETS,
});

async function compareFace(
  verifier: FaceVerifier,
  template: FaceTemplate,
  frames: readonly Uint8Array[],
  options: FaceCheckOptions,
): Promise<FaceCheck> {
  const { challenge, minFrames = 3, ...turnOptions } = options;
  if (frames.length < minFrames) {
    return { ok: false, problem: 'too_few_frames', message: `At least ${minFrames} pictures are needed.` };
  }
  const verification = await verifier.verify(template, frames);
  if (!verification.ok) return verification;

  const landmarks = [];
  let distance = 0;
  for (const [index, frame] of verification.frames.entries()) {
    if (!frame.ok) return { ...frame, frame: index };
    landmarks.push(frame.landmarks);
    distance = Math.max(distance, frame.distance);
  }
  const stranger = verification.frames.findIndex((frame) => frame.ok && !frame.match);
  if (stranger >= 0 || !verification.match) {
    return {
      ok: false,
      problem: 'no_match',
      message: 'The face does not match the enrolled face.',
      ...(stranger >= 0 && { frame: stranger }),
      distance,
    };
  }
  const turn = checkHeadTurn(challenge, landmarks, turnOptions);
  if (!turn.ok) {
    return {
      ok: false,
      problem: 'no_liveness',
      message: turn.message ?? 'The head turn was not seen.',
      distance,
      turn: turn.turn,
    };
  }
  return { ok: true, distance, turn: turn.turn };
}

/** The outcome of {@link checkEnrolment}: on success, the template to store. */
export type EnrolmentCheck =
  | (Extract<FaceCheck, { ok: true }> & { template: FaceTemplate })
  | Exclude<FaceCheck, { ok: true }>;

/**
 * Enrols a face from a live capture (a person enrolling through an operator's link): the template
 * comes from the first, frontal frame, and the frames must then pass the very check of a sign-in
 * against it ({@link checkFace}): exactly one face in each, the same person throughout, and the
 * head turned towards `options.challenge`. So a still photo cannot be enrolled this way, and
 * neither can a capture where someone else takes over.
 *
 * @example
 * const result = await checkEnrolment(pool, frames, { challenge });
 * if (result.ok) store(seal(result.template));
 */
export async function checkEnrolment(
  verifier: FaceVerifier,
  frames: readonly Uint8Array[],
  options: FaceCheckOptions,
): Promise<EnrolmentCheck> {
  const { minFrames = 3 } = options;
  const [first] = frames;
  if (first === undefined || frames.length < minFrames) {
    return { ok: false, problem: 'too_few_frames', message: `At least ${minFrames} pictures are needed.` };
  }
  const enrolment = await verifier.enroll(first);
  if (!enrolment.ok) return { ...enrolment, frame: 0 };
  const check = await checkFace(verifier, enrolment.template, frames, options);
  return check.ok ? { ...check, template: enrolment.template } : check;
}

/**
 * The decision of the face step (issues 4 and 10): exactly one face in every frame, every frame
 * the enrolled person, and the challenge's actions performed in order, each in its time window.
 * The same for any {@link FaceVerifier}.
 */
import { counter, histogram, LATENCY_BUCKETS } from '@signet/web';
import {
  type ChallengeFailure,
  type ChallengeThresholds,
  checkChallenge,
  type FaceAction,
  type FaceChallenge,
} from './challenge.js';
import { FaceBusyError } from './pool.js';
import type { FacePoint, FaceRefusal, FaceTemplate, FaceVerifier } from './verifier.js';

/** One posted frame: the picture and when it was taken, in ms from the capture's start. */
export interface TimedFrame {
  image: Uint8Array;
  at: number;
}

/** Options of {@link checkFace}. */
export interface FaceCheckOptions {
  /** The actions the person was asked for (drawn with `drawChallenge()` and kept server-side). */
  challenge: Pick<FaceChallenge, 'actions'>;
  /** Fewest frames accepted. Default 2 per window (the neutral one and each action's). */
  minFrames?: number;
  /** Thresholds of the challenge; the defaults are `CHALLENGE_THRESHOLDS`. */
  thresholds?: ChallengeThresholds;
}

/** The outcome of {@link checkFace}; on refusal, `frame` is the index of the frame at fault when there is one. */
export type FaceCheck =
  | {
      ok: true;
      /** The largest distance of any frame to the template (the face score: lower is closer). */
      distance: number;
      /** The actions performed, in order: the challenge completed. */
      actions: FaceAction[];
    }
  | (FaceRefusal & { frame?: number; distance?: number; failure?: ChallengeFailure; action?: FaceAction });

/**
 * Checks a timed capture of the face step against the person's template: each frame shows
 * exactly one face, each is the enrolled person, and the capture performs `options.challenge`
 * (see `checkChallenge`).
 *
 * @example
 * const challenge = drawChallenge(now); // shown to the person, kept on the interaction
 * const result = await checkFace(pool, template, frames, { challenge });
 * if (!result.ok) audit(result.problem); // e.g. 'no_match', 'no_liveness'
 */
export async function checkFace(
  verifier: FaceVerifier,
  template: FaceTemplate,
  frames: readonly TimedFrame[],
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
  frames: readonly TimedFrame[],
  options: FaceCheckOptions,
): Promise<FaceCheck> {
  const { challenge, minFrames = 2 * (challenge.actions.length + 1), thresholds } = options;
  if (frames.length < minFrames) {
    return { ok: false, problem: 'too_few_frames', message: `At least ${minFrames} pictures are needed.` };
  }
  const verification = await verifier.verify(
    template,
    frames.map((f) => f.image),
  );
  if (!verification.ok) return verification;

  const landmarks: FacePoint[][] = [];
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
  const answer = checkChallenge(
    challenge,
    frames.map((f, i) => ({ at: f.at, landmarks: landmarks[i] ?? [] })),
    thresholds,
  );
  if (!answer.ok) {
    return {
      ok: false,
      problem: 'no_liveness',
      message:
        answer.failure === 'bad_timing'
          ? 'The pictures were not taken as one capture.'
          : `The requested movements were not seen in order${answer.action ? ` (${answer.action})` : ''}.`,
      failure: answer.failure,
      ...(answer.action && { action: answer.action }),
      distance,
    };
  }
  return { ok: true, distance, actions: [...challenge.actions] };
}

/** The outcome of {@link checkEnrolment}: on success, the template to store. */
export type EnrolmentCheck =
  | (Extract<FaceCheck, { ok: true }> & { template: FaceTemplate })
  | Exclude<FaceCheck, { ok: true }>;

/**
 * Enrols a face from a live capture (a person enrolling through an operator's link): the template
 * comes from the first, frontal frame, and the frames must then pass the very check of a sign-in
 * against it ({@link checkFace}): exactly one face in each, the same person throughout, and the
 * challenge performed. So a still photo cannot be enrolled this way, and neither can a capture
 * where someone else takes over.
 *
 * @example
 * const result = await checkEnrolment(pool, frames, { challenge });
 * if (result.ok) store(seal(result.template));
 */
export async function checkEnrolment(
  verifier: FaceVerifier,
  frames: readonly TimedFrame[],
  options: FaceCheckOptions,
): Promise<EnrolmentCheck> {
  const { minFrames = 2 * (options.challenge.actions.length + 1) } = options;
  const [first] = frames;
  if (first === undefined || frames.length < minFrames) {
    return { ok: false, problem: 'too_few_frames', message: `At least ${minFrames} pictures are needed.` };
  }
  const enrolment = await verifier.enroll(first.image);
  if (!enrolment.ok) return { ...enrolment, frame: 0 };
  const check = await checkFace(verifier, enrolment.template, frames, options);
  return check.ok ? { ...check, template: enrolment.template } : check;
}

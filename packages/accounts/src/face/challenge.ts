/**
 * The face challenge of issue 10: the server draws a random sequence of actions (head turns and
 * expressions) for each attempt, keeps it on the interaction, and accepts one timed capture that
 * performs them in order, each in its own time window. It replaces issue 4's one-bit head turn,
 * which frames warped from a single photograph answered.
 *
 * What it stops: a still photo (printed, on a screen, tilted, looped), frames warped from one
 * photo towards one side, and the replay of an earlier capture (every attempt draws a new
 * sequence, used once). What it does not stop: a video generated or re-enacted on the fly from
 * the person's photo and injected as a camera (see docs/design/people-flow.md).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { type Expression, readExpression } from './expressions.js';
import { estimateYaw } from './liveness.js';
import type { FacePoint } from './verifier.js';

/**
 * One thing the person is asked to do, in their own terms ("turn to your left": frames as the
 * camera took them, not mirrored, so the person's left is the image's right).
 */
export type FaceAction = 'turn_left' | 'turn_right' | 'smile' | 'open_mouth';

/** Every action, head turns first. */
export const FACE_ACTIONS: readonly FaceAction[] = ['turn_left', 'turn_right', 'smile', 'open_mouth'];
const TURNS: readonly FaceAction[] = ['turn_left', 'turn_right'];
const EXPRESSIONS: readonly FaceAction[] = ['smile', 'open_mouth'];

/**
 * The timing every capture follows: the person looks straight at the camera for `neutralMs`,
 * then each action has `actionMs` from its prompt. Frame times are milliseconds from the start
 * of the capture. The browser script reads these from the page.
 */
export const CAPTURE_SCHEDULE = {
  neutralMs: 1200,
  actionMs: 2000,
  /** Frames the page takes in the neutral window, and in each action's window. */
  neutralFrames: 2,
  actionFrames: 4,
} as const;

/** How long a drawn challenge may be answered, in seconds (from when the page showed it). */
export const CHALLENGE_TTL = 300;

/** A challenge as kept on the interaction (or the enrolment link): single use, expiring. */
export interface FaceChallenge {
  /** 128 random bits, posted back with the capture: a capture answers exactly this draw. */
  id: string;
  actions: FaceAction[];
  /** When it was drawn, in the server's seconds (`ctx.now()`). */
  issuedAt: number;
}

/**
 * Draws a challenge: `length` distinct actions (default 3) in random order, at least one head
 * turn and at least one expression, from a cryptographic source: 24 sequences of three (or of
 * four), against issue 4's two.
 */
export function drawChallenge(now: number, length = 3): FaceChallenge {
  if (length < 2 || length > FACE_ACTIONS.length) throw new RangeError(`a challenge has 2–4 actions, not ${length}`);
  for (;;) {
    const pool = [...FACE_ACTIONS];
    const actions: FaceAction[] = [];
    while (actions.length < length) actions.push(...pool.splice(randomInt(pool.length), 1));
    if (actions.some((a) => TURNS.includes(a)) && actions.some((a) => EXPRESSIONS.includes(a))) {
      return { id: randomBytes(16).toString('base64url'), actions, issuedAt: now };
    }
  }
}

/** The text kept in the `face_challenge` column. */
export const encodeChallenge = (challenge: FaceChallenge): string => JSON.stringify(challenge);

/** Reads a kept challenge back; undefined for anything else (e.g. issue 4's bare `left`/`right`). */
export function decodeChallenge(text: string | null | undefined): FaceChallenge | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, actions, issuedAt } = value as Partial<FaceChallenge>;
  const valid =
    typeof id === 'string' &&
    /^[\w-]{22}$/.test(id) &&
    Array.isArray(actions) &&
    actions.length >= 2 &&
    actions.every((a) => FACE_ACTIONS.includes(a)) &&
    typeof issuedAt === 'number' &&
    Number.isFinite(issuedAt);
  return valid ? { id, actions, issuedAt } : undefined;
}

/** Milliseconds a capture for `challenge` lasts. */
export const captureDuration = (challenge: Pick<FaceChallenge, 'actions'>): number =>
  CAPTURE_SCHEDULE.neutralMs + challenge.actions.length * CAPTURE_SCHEDULE.actionMs;

/** Whether the challenge may still be answered at `now` (seconds). */
export const isLive = (challenge: FaceChallenge, now: number): boolean =>
  now >= challenge.issuedAt && now < challenge.issuedAt + CHALLENGE_TTL;

/**
 * Thresholds of {@link checkChallenge}. Chosen on real faces where there were any and on edits
 * of real photographs otherwise (see docs/decisions/0021-face-challenge.md and
 * `bench/face-challenge.ts`).
 */
export interface ChallengeThresholds {
  /** A turn: the yaw estimate moves this far from the neutral frames' towards the side. Default 0.15 (issue 4's). */
  minTurn: number;
  /** The neutral frames must be about frontal: |yaw| at most this. Default 0.25. */
  maxStartYaw: number;
  /** An open mouth: the lips' gap at least this fraction of the mouth's width… Default 0.3. */
  openMouth: number;
  /** …and at least this much more than in the neutral frames. Default 0.2. */
  openMouthRise: number;
  /** A smile: the mouth at least this many times as wide as in the neutral frames… Default 1.05. */
  smileWidth: number;
  /** …its corners lifted at least this much (in eye distances) more than in the neutral frames… Default 0.025. */
  smileLift: number;
  /** …and the mouth not open (below `openMouth`). */
}

/** The defaults of {@link ChallengeThresholds}. */
export const CHALLENGE_THRESHOLDS: ChallengeThresholds = {
  minTurn: 0.15,
  maxStartYaw: 0.25,
  openMouth: 0.3,
  openMouthRise: 0.2,
  smileWidth: 1.05,
  smileLift: 0.025,
};

/** Limits on the capture's timing: what a camera and a browser can plausibly produce. */
export const CAPTURE_TIMING = {
  /** Closest two frames may be, in ms (a camera at 30 fps and JPEG encoding). */
  minGapMs: 80,
  /** Furthest two successive frames may be, in ms. */
  maxGapMs: 1500,
  /** Frames may run this much past the schedule's end, in ms (a slow encoder). */
  slackMs: 600,
} as const;

/** One frame of a capture: when it was taken (ms from the capture's start) and its face's landmarks. */
export interface TimedLandmarks {
  at: number;
  landmarks: readonly FacePoint[];
}

/** What {@link checkChallenge} measured, frame by frame, for the audit and the tests. */
export interface ChallengeMeasures {
  yaw: number[];
  expression: Expression[];
  /** The window each frame fell in: -1 for the neutral one, i for `actions[i]`. */
  window: number[];
}

/** Why a capture does not answer its challenge. */
export type ChallengeFailure =
  | 'bad_timing' // order, spacing or total duration implausible, or a window without frames
  | 'not_frontal' // the neutral frames are not a frontal, neutral face
  | 'action_missing' // an action was not seen in its window
  | 'out_of_order'; // an action was seen before it was asked for

/** The outcome of {@link checkChallenge}. */
export type ChallengeResult =
  | { ok: true; measures: ChallengeMeasures }
  | { ok: false; failure: ChallengeFailure; action?: FaceAction; index?: number; measures?: ChallengeMeasures };

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Whether `action` shows in a frame, against the neutral frames' `base`. */
export function showsAction(
  action: FaceAction,
  frame: { yaw: number; expression: Expression },
  base: { yaw: number; expression: Expression },
  t: ChallengeThresholds = CHALLENGE_THRESHOLDS,
): boolean {
  const { expression: e } = frame;
  const b = base.expression;
  const open = e.mouth >= t.openMouth && e.mouth - b.mouth >= t.openMouthRise;
  switch (action) {
    // Positive yaw is the nose towards the image's right, which is the person's left.
    case 'turn_left':
      return frame.yaw - base.yaw >= t.minTurn;
    case 'turn_right':
      return base.yaw - frame.yaw >= t.minTurn;
    case 'open_mouth':
      return open;
    case 'smile':
      return !open && e.width >= b.width * t.smileWidth && e.lift - b.lift >= t.smileLift;
  }
}

/**
 * Checks a timed capture against its challenge, from each frame's capture time and landmarks:
 *
 * 1. timing: times strictly increasing from 0, successive frames between `minGapMs` and
 *    `maxGapMs` apart, none after the schedule's end (plus slack), and at least two frames in
 *    the neutral window and in each action's window;
 * 2. the neutral frames are frontal; their median measures are the person's own baseline;
 * 3. each action is seen in at least one frame of its window, and not in the window before it
 *    (the neutral one for the first action): it came after it was asked for, in order.
 *
 * Faces are matched elsewhere (`checkFace`): this looks only at movement and time.
 */
export function checkChallenge(
  challenge: Pick<FaceChallenge, 'actions'>,
  frames: readonly TimedLandmarks[],
  thresholds: ChallengeThresholds = CHALLENGE_THRESHOLDS,
): ChallengeResult {
  const { neutralMs, actionMs } = CAPTURE_SCHEDULE;
  const end = captureDuration(challenge) + CAPTURE_TIMING.slackMs;
  let previous = -Infinity;
  for (const [index, { at }] of frames.entries()) {
    const gap = at - previous;
    const timely =
      Number.isFinite(at) &&
      at >= 0 &&
      at <= end &&
      (index === 0 || (gap >= CAPTURE_TIMING.minGapMs && gap <= CAPTURE_TIMING.maxGapMs));
    if (!timely) return { ok: false, failure: 'bad_timing', index };
    previous = at;
  }
  const window = frames.map(({ at }) => (at < neutralMs ? -1 : Math.floor((at - neutralMs) / actionMs)));
  for (let w = -1; w < challenge.actions.length; w++) {
    if (window.filter((x) => x === w).length < 2) return { ok: false, failure: 'bad_timing', index: w };
  }
  const measures: ChallengeMeasures = {
    yaw: frames.map((f) => estimateYaw(f.landmarks)),
    expression: frames.map((f) => readExpression(f.landmarks)),
    window,
  };
  const neutral = frames.map((_, i) => i).filter((i) => window[i] === -1);
  const pick = <T>(values: T[], i: number) => values[i] as T;
  if (neutral.some((i) => Math.abs(pick(measures.yaw, i)) > thresholds.maxStartYaw)) {
    return { ok: false, failure: 'not_frontal', measures };
  }
  const base = {
    yaw: median(neutral.map((i) => pick(measures.yaw, i))),
    expression: {
      eyes: median(neutral.map((i) => pick(measures.expression, i).eyes)),
      mouth: median(neutral.map((i) => pick(measures.expression, i).mouth)),
      width: median(neutral.map((i) => pick(measures.expression, i).width)),
      lift: median(neutral.map((i) => pick(measures.expression, i).lift)),
    },
  };
  const seenIn = (action: FaceAction, w: number) =>
    frames.some(
      (_, i) =>
        window[i] === w &&
        showsAction(action, { yaw: pick(measures.yaw, i), expression: pick(measures.expression, i) }, base, thresholds),
    );
  for (const [index, action] of challenge.actions.entries()) {
    if (seenIn(action, index - 1)) return { ok: false, failure: 'out_of_order', action, index, measures };
    if (!seenIn(action, index)) return { ok: false, failure: 'action_missing', action, index, measures };
  }
  return { ok: true, measures };
}

/**
 * What the face pages (the sign-in face step and face enrolment, issues 4 and 10) post: the
 * timed capture that `assets/face.js` took, as repeated base64 `frame` fields with, in the same
 * order, repeated `at` fields (ms from the capture's start), and the `challenge` id it answers.
 */
import type { FormParams } from '../http/form.js';
import { CAPTURE_SCHEDULE } from './challenge.js';
import type { TimedFrame } from './check.js';

/** Most frames one face check accepts: the page takes 2 + 4 per action (14 for three actions). */
export const MAX_FACE_FRAMES = 20;
/** Largest face-check post: {@link MAX_FACE_FRAMES} JPEGs of 640 px, base64 in a form. */
export const FACE_BODY_LIMIT = 12 * 1024 * 1024;
/** Frames the page takes in each window (the script reads them from the page). */
export const FACE_FRAMES = { neutral: CAPTURE_SCHEDULE.neutralFrames, action: CAPTURE_SCHEDULE.actionFrames };

/** The posted capture, decoded, or why it cannot go to the model at all. */
export type PostedFrames =
  | { ok: true; frames: TimedFrame[]; challengeId: string }
  | { ok: false; problem: 'too_many_frames' | 'unreadable_image' | 'bad_timing'; count: number };

/** Reads the `frame`, `at` and `challenge` fields of a face page's form (empty frames are ignored). */
export function postedFrames(params: FormParams): PostedFrames {
  const frames = (params.get('frame') ?? []).filter((f) => f !== '');
  const times = params.get('at') ?? [];
  const challengeId = params.get('challenge')?.[0] ?? '';
  if (frames.length > MAX_FACE_FRAMES) return { ok: false, problem: 'too_many_frames', count: frames.length };
  if (frames.some((f) => !/^[A-Za-z0-9+/]+={0,2}$/.test(f))) {
    return { ok: false, problem: 'unreadable_image', count: frames.length };
  }
  if (times.length !== frames.length || times.some((t) => !/^\d{1,6}$/.test(t))) {
    return { ok: false, problem: 'bad_timing', count: frames.length };
  }
  return {
    ok: true,
    challengeId,
    frames: frames.map((f, i) => ({ image: Buffer.from(f, 'base64'), at: Number(times[i]) })),
  };
}

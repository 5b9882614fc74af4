/**
 * What the face pages (the sign-in face step and face enrolment, issue 4) post: the frames that
 * `assets/face.js` captured, as repeated base64 `frame` fields of a form.
 */
import type { FormParams } from '../http/form.js';
import type { HeadTurn } from './liveness.js';

/** Frames the face pages capture: a frontal one, then the turn. */
export const FACE_FRAMES = 5;
/** Most frames one face check accepts. */
export const MAX_FACE_FRAMES = 10;
/** Largest face-check post: {@link MAX_FACE_FRAMES} JPEGs of 640 px, base64 in a form. */
export const FACE_BODY_LIMIT = 8 * 1024 * 1024;

/** The posted frames, decoded, or why they cannot go to the model at all. */
export type PostedFrames =
  | { ok: true; frames: Buffer[] }
  | { ok: false; problem: 'too_many_frames' | 'unreadable_image'; count: number };

/** Reads the `frame` fields of a face page's form (empty ones are ignored). */
export function postedFrames(params: FormParams): PostedFrames {
  const frames = (params.get('frame') ?? []).filter((f) => f !== '');
  if (frames.length > MAX_FACE_FRAMES) return { ok: false, problem: 'too_many_frames', count: frames.length };
  if (frames.some((f) => !/^[A-Za-z0-9+/]+={0,2}$/.test(f))) {
    return { ok: false, problem: 'unreadable_image', count: frames.length };
  }
  return { ok: true, frames: frames.map((f) => Buffer.from(f, 'base64')) };
}

/** Whether a stored challenge is a head turn (it is kept as text). */
export const isHeadTurn = (value: unknown): value is HeadTurn => value === 'left' || value === 'right';

/**
 * The seam between Signet and whatever recognises faces (issue 4). The built-in implementation
 * is `face-api-verifier.ts` (a real model, run in a worker pool by `pool.ts`); an operator may
 * put another model or an external biometric service behind the same interface.
 *
 * A verifier only observes: it finds faces, embeds them and measures distances. Deciding whether
 * a sign-in passes (every frame matches, the head turned as asked) is `checkFace` in `check.ts`,
 * the same for every verifier.
 */

/** A point in the pixels of the image as the verifier analysed it (x to the right, y down). */
export interface FacePoint {
  x: number;
  y: number;
}

/** An axis-aligned rectangle in the same pixels as {@link FacePoint}. */
export interface FaceBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * What gets stored for an enrolled person (sealed at rest by the caller; never the photo).
 * `version` names the model that produced `embedding`: a template is only comparable with
 * frames embedded by the same model, and a verifier refuses any other version.
 *
 * @example { version: 'face-api/ssd-mobilenetv1+face-recognition-128', embedding: [0.013, -0.094, …] }
 */
export interface FaceTemplate {
  version: string;
  embedding: number[];
}

/**
 * Why an image cannot be used, in the words the pages and the audit log use:
 * - `unreadable_image`: not a JPEG, PNG or WebP image, or a damaged one;
 * - `image_too_large`: more pixels than the verifier accepts;
 * - `no_face`: no face was found;
 * - `multiple_faces`: more than one face was found (enrolment and every sign-in frame need exactly one).
 */
export type FaceImageProblem = 'unreadable_image' | 'image_too_large' | 'no_face' | 'multiple_faces';

/**
 * Why a face check fails as a whole: an image problem, or
 * - `incompatible_template`: the template was made by another model (re-enrol the person);
 * - `too_few_frames` / `too_many_frames`: the number of frames is outside what the check accepts;
 * - `no_match`: a frame shows a face that is not the enrolled person's;
 * - `no_liveness`: the faces match but the requested head turn was not seen.
 */
export type FaceProblem =
  | FaceImageProblem
  | 'incompatible_template'
  | 'too_few_frames'
  | 'too_many_frames'
  | 'no_match'
  | 'no_liveness';

/** A refusal: a stable `problem` to switch on, and a sentence a person can act on. */
export interface FaceRefusal<P extends FaceProblem = FaceProblem> {
  ok: false;
  problem: P;
  message: string;
}

/** The one face found in an image. */
export interface FoundFace {
  /** Where the face is. */
  box: FaceBox;
  /** The detector's confidence, 0…1. */
  score: number;
  /**
   * The 68 facial landmarks in the iBUG 300-W order (0–16 jaw from the image's left, 27–35
   * nose with the tip at 30, 36–41 and 42–47 the eyes), used by the liveness check.
   */
  landmarks: FacePoint[];
}

/** The answer to {@link FaceVerifier.enroll}. */
export type FaceEnrollment = { ok: true; template: FaceTemplate; face: FoundFace } | FaceRefusal<FaceImageProblem>;

/** One frame of a verification: its face, its distance to the template and whether that is a match. */
export type FaceFrame =
  | ({
      ok: true;
      /** Euclidean distance between the frame's embedding and the template's; smaller is more alike. */
      distance: number;
      /** `distance` is below the verifier's threshold. */
      match: boolean;
    } & FoundFace)
  | FaceRefusal<FaceImageProblem>;

/** The answer to {@link FaceVerifier.verify}: one entry per frame, in the order given. */
export type FaceVerification =
  | {
      ok: true;
      frames: FaceFrame[];
      /** Every frame shows exactly one face and it matches the template. */
      match: boolean;
    }
  | FaceRefusal<'incompatible_template' | 'too_few_frames' | 'too_many_frames'>;

/**
 * Finds faces and compares them with an enrolled template. Implementations must accept JPEG,
 * PNG and WebP bytes, must not keep the images, and must be safe to call concurrently.
 */
export interface FaceVerifier {
  /**
   * Detects exactly one face in `image` and returns its template; refuses an image with no face,
   * several faces, or that cannot be read.
   */
  enroll(image: Uint8Array): Promise<FaceEnrollment>;
  /**
   * Finds the face in each frame and measures its distance to `template`. The per-frame
   * landmarks let `checkFace` confirm the liveness challenge.
   */
  verify(template: FaceTemplate, frames: readonly Uint8Array[]): Promise<FaceVerification>;
  /** Releases what the verifier holds (workers, models). Calls after `close()` fail. */
  close(): Promise<void>;
}

/**
 * What a module must export for `FaceVerifierPool` to run it in worker threads: a factory that
 * builds a ready verifier (model loaded) from structured-cloneable options.
 */
export interface FaceVerifierModule {
  createFaceVerifier(options: unknown): Promise<FaceVerifier>;
}

/** Euclidean distance between two embeddings of the same length. */
export function euclideanDistance(a: readonly number[] | Float32Array, b: readonly number[] | Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddings differ in length (${a.length} and ${b.length})`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** Whether `value` has the shape of a {@link FaceTemplate} (for templates read back from storage). */
export function isFaceTemplate(value: unknown): value is FaceTemplate {
  if (typeof value !== 'object' || value === null) return false;
  const { version, embedding } = value as Partial<FaceTemplate>;
  return (
    typeof version === 'string' &&
    Array.isArray(embedding) &&
    embedding.length > 0 &&
    embedding.every((n) => typeof n === 'number' && Number.isFinite(n))
  );
}

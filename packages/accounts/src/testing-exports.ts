// `@signet/accounts/testing`: accounts' insides that other packages' tests, e2e/ and bench/ need
// (face fixtures, the face verifier and templates, client secret hashing). Test-only: accounts' own
// code never imports it, and shared helpers that are not accounts' live in `@signet/testing`.
export { hashClientSecret } from './crypto/client-secret.js';
export { CAPTURE_SCHEDULE, FACE_ACTIONS, type FaceAction } from './face/challenge.js';
export { FaceVerifierPool } from './face/pool.js';
export { openFaceTemplate } from './face/templates.js';
export * from './face/testing-faces.js';
export { euclideanDistance, type FaceBox, type FaceVerifier, type FoundFace } from './face/verifier.js';

/** The face-api verifier in this thread, imported on call so a process that uses only the pool never loads a model itself. */
export async function createInThreadFaceVerifier(): Promise<import('./face/verifier.js').FaceVerifier> {
  return (await import('./face/face-api-verifier.js')).createFaceVerifier();
}

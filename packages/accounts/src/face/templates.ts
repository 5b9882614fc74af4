/**
 * Face templates at rest (issue 4): sealed with AES-256-GCM under the `face` key derived from the
 * master key, with the person's id as additional data, so a template copied to another person's
 * row does not open. Only the embedding is stored, never the photo.
 */

import { seal, unseal } from '@signet/store';
import type { Store } from '../store/accounts-store.js';
import { type FaceTemplate, isFaceTemplate } from './verifier.js';

const context = (userId: string) => `face-template:${userId}`;

/** Seals `template` for the person `userId`. */
export function sealFaceTemplate(key: Buffer, userId: string, template: FaceTemplate): string {
  return seal(key, JSON.stringify(template), context(userId));
}

/** Opens a template sealed by {@link sealFaceTemplate}; throws if the key, person or data do not match. */
export function openFaceTemplate(key: Buffer, userId: string, sealed: string): FaceTemplate {
  const value: unknown = JSON.parse(unseal(key, sealed, context(userId)));
  if (!isFaceTemplate(value)) throw new Error('the stored face template is malformed');
  return value;
}

/** The person's enrolled template, opened, or undefined when none is enrolled. */
export async function loadFaceTemplate(store: Store, key: Buffer, userId: string): Promise<FaceTemplate | undefined> {
  const sealed = await store.users.getFaceTemplate(userId);
  return sealed === undefined ? undefined : openFaceTemplate(key, userId, sealed);
}

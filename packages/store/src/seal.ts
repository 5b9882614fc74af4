import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
// GCM accepts tags as short as 4 bytes unless told otherwise; a short tag is forgeable.
const TAG_BYTES = 16;

/**
 * Encrypts `plaintext` with AES-256-GCM. `context` (for example a key id) is bound as
 * additional data, so a sealed value cannot be moved to another row and still open.
 * Format: `v1.<iv>.<ciphertext>.<tag>`, base64url parts.
 */
export function seal(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Opens a value made by {@link seal}; throws if the key, context or data do not match. */
export function unseal(key: Buffer, sealed: string, context: string): string {
  const parts = sealed.split('.');
  const [version, ivPart, body, tagPart] = parts;
  // The ciphertext of an empty plaintext is empty, so only its presence is required.
  if (parts.length !== 4 || version !== VERSION || !ivPart || body === undefined || !tagPart) {
    throw new Error('unrecognized sealed value');
  }
  const iv = Buffer.from(ivPart, 'base64url');
  const tag = Buffer.from(tagPart, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('unrecognized sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

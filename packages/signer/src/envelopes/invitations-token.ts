import { createHash, randomBytes } from 'node:crypto';

/** How long a signing link works when the envelope itself does not expire sooner: 7 days. */
export const INVITATION_TTL = 7 * 86_400;

/** A new signing link token (256 random bits) and the hash that is all the database keeps. */
export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, tokenHash: hashInvitationToken(token) };
}

/** The stored form of a signing link token: a lookup by hash, so no compare on secret bytes. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The signing page's URL for a token. */
export function signingUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/sign/${token}`;
}

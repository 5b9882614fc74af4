/**
 * One-time face enrolment links (issue 4). An operator who has proofed a person's identity
 * issues a link and hands it over; the link is the person's credential to enrol their own face at
 * `/face/enrol/<token>`. The token is 256 random bits; only its HMAC under a key derived for
 * this purpose is stored, so a database leak yields no usable link.
 */
import { createHmac } from 'node:crypto';
import type { AccountsContext } from '../context.js';
import { newOpaqueToken } from '../crypto/opaque-token.js';

/** Where the enrolment page of a link lives. */
export const faceEnrolmentPath = (token: string): string => `/face/enrol/${token}`;

/** The shape of a link's token (32 random bytes, base64url): anything else is unknown without a lookup. */
export const FACE_ENROLMENT_TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** The stored form of a link's token: HMAC-SHA256 under the `faceEnrolment` key, base64url. */
export function hashFaceEnrolmentToken(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token).digest('base64url');
}

/** A link as handed to the operator. */
export interface IssuedFaceEnrolmentLink {
  /** The absolute URL to give the person (it carries the token: treat it as a secret). */
  url: string;
  /** When it stops working, in epoch seconds. */
  expiresAt: number;
}

/**
 * Issues a new link for the person `userId` (who must exist), valid for
 * `SIGNET_FACE_ENROLMENT_TTL` seconds; the person's older links stop working.
 *
 * @example
 * const { url, expiresAt } = await issueFaceEnrolmentLink(ctx, user.id);
 */
export async function issueFaceEnrolmentLink(ctx: AccountsContext, userId: string): Promise<IssuedFaceEnrolmentLink> {
  const token = newOpaqueToken();
  const now = ctx.now();
  const expiresAt = now + ctx.config.faceEnrolmentTtl;
  await ctx.faceEnrolmentLinks.issue({
    tokenHash: hashFaceEnrolmentToken(ctx.keys.faceEnrolment, token),
    userId,
    createdAt: now,
    expiresAt,
  });
  return { url: `${ctx.config.issuer}${faceEnrolmentPath(token)}`, expiresAt };
}

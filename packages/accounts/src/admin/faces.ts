import { invalidRequest, OAuthError } from '@signet/protocol';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import { issueFaceEnrolmentLink } from '../face/enrolment-links.js';
import { sealFaceTemplate } from '../face/templates.js';
import { userJson } from './users.js';

/** Largest enrolment image accepted, in bytes (raw body; a JSON body may be a third larger for base64). */
export const MAX_FACE_IMAGE_BYTES = 10 * 1024 * 1024;

/** Media types accepted as a raw enrolment body. */
export const FACE_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;

const notFound = (id: string) => new OAuthError('not_found', `user "${id}" does not exist`, 404);

/** The image of an enrolment request: the raw body, or `{ "image": "<base64>" }`. */
function imageOf(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) {
    if (body.length === 0) throw invalidRequest('the request body is empty: send the image');
    if (body.length > MAX_FACE_IMAGE_BYTES) {
      throw new OAuthError('invalid_request', 'request body is too large', 413);
    }
    return body;
  }
  const image = (body as { image?: unknown } | null)?.image;
  if (typeof image !== 'string' || image.length === 0) {
    throw invalidRequest(
      `send the image as the body (Content-Type: ${FACE_IMAGE_TYPES.join(', ')}) or as JSON { "image": "<base64>" }`,
    );
  }
  // Accept a data: URL too, as browsers produce them.
  const base64 = image.replace(/^data:image\/[a-z]+;base64,/, '');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(base64)) throw invalidRequest('body.image must be base64');
  return Buffer.from(base64, 'base64');
}

/** The answer to `POST /admin/users/{id}/face-enrolment-links`. */
export interface FaceEnrolmentLinkJson {
  /** The link to hand to the person; it is their credential to enrol, so hand it over privately. */
  url: string;
  /** When it stops working (RFC 3339). */
  expires_at: string;
}

/**
 * `POST /admin/users/{id}/face` enrols a person's face (after the operator has proofed their
 * identity) and `DELETE` removes it. Only the embedding is stored, sealed; never the photo.
 * `POST /admin/users/{id}/face-enrolment-links` issues a one-time link through which the person
 * enrols their own face with the camera (`/face/enrol/<token>`), replacing any older link.
 */
export function faceRoutes(app: FastifyInstance, ctx: AccountsContext): void {
  app.addContentTypeParser(
    [...FACE_IMAGE_TYPES],
    { parseAs: 'buffer', bodyLimit: MAX_FACE_IMAGE_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post<{ Params: { id: string } }>(
    '/admin/users/:id/face',
    { bodyLimit: Math.ceil((MAX_FACE_IMAGE_BYTES * 4) / 3) + 1024 },
    async (request) => {
      const { id } = request.params;
      const user = await ctx.store.users.get(id);
      if (!user) throw notFound(id);
      const image = imageOf(request.body);
      const enrollment = await ctx.faces.verifier.enroll(image);
      if (!enrollment.ok) {
        request.log.info({ event: 'face_enrollment', user: id, outcome: 'refused', reason: enrollment.problem });
        throw new OAuthError('invalid_request', `${enrollment.problem}: ${enrollment.message}`, 422);
      }
      const sealed = sealFaceTemplate(ctx.keys.face, id, enrollment.template);
      if (!(await ctx.store.users.setFaceTemplate(id, sealed, ctx.now()))) throw notFound(id);
      request.log.info({ event: 'face_enrollment', user: id, outcome: 'enrolled' });
      return userJson(user, true);
    },
  );

  app.post<{ Params: { id: string } }>('/admin/users/:id/face-enrolment-links', async (request, reply) => {
    const { id } = request.params;
    if (!(await ctx.store.users.get(id))) throw notFound(id);
    const link = await issueFaceEnrolmentLink(ctx, id).catch(async (error: unknown) => {
      // The person was deleted meanwhile (the link's foreign key refused it).
      if (!(await ctx.store.users.get(id))) throw notFound(id);
      throw error;
    });
    request.log.info({ event: 'face_enrolment_link', user: id, outcome: 'issued', expires_at: link.expiresAt });
    const body: FaceEnrolmentLinkJson = { url: link.url, expires_at: new Date(link.expiresAt * 1000).toISOString() };
    return reply.code(201).header('cache-control', 'no-store').send(body);
  });

  app.delete<{ Params: { id: string } }>('/admin/users/:id/face', async (request, reply) => {
    const { id } = request.params;
    if (!(await ctx.store.users.get(id))) throw notFound(id);
    if (!(await ctx.store.users.clearFaceTemplate(id))) {
      throw new OAuthError('not_found', `user "${id}" has no enrolled face`, 404);
    }
    request.log.info({ event: 'face_enrollment', user: id, outcome: 'removed' });
    return reply.code(204).send();
  });
}

import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from '../context.js';
import { FACE_BODY_LIMIT } from '../face/frames.js';
import { getInteraction, postConsent } from './interaction-consent.js';
import { getFace, postFace } from './interaction-face.js';
import { postLogin } from './interaction-login.js';
import { checkCsrf, csrfFailure, formOrigins, interactionLocale, loadInteraction } from './interaction-pages.js';
import { passkeySignInRoutes } from './passkey-sign-in.js';

/** The login, face and consent pages of an interaction: `/interaction/:id`, `…/login`, `…/face`, `…/consent`. */
export function interactionEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  type ById = { Params: { id: string } };
  app.get<ById>('/interaction/:id', (request, reply) => getInteraction(ctx, request, reply));
  app.post<ById>('/interaction/:id/login', (request, reply) => postLogin(ctx, request, reply));
  app.post<ById>('/interaction/:id/consent', (request, reply) => postConsent(ctx, request, reply));
  app.get<ById>('/interaction/:id/face', (request, reply) => getFace(ctx, request, reply));
  app.post<ById>('/interaction/:id/face', { bodyLimit: FACE_BODY_LIMIT }, (request, reply) =>
    postFace(ctx, request, reply),
  );
  passkeySignInRoutes(app, ctx, {
    load: (request, reply) => loadInteraction(ctx, request, reply),
    checkCsrf,
    csrfFailure,
    locale: interactionLocale,
    formOrigins,
  });
}

import { OAuthError } from '@signet/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath } from '../authorize/interaction-cookie.js';
import { afterLogin, facePath, type Login } from '../authorize/proceed.js';
import { redirectWithError } from '../authorize/respond.js';
import type { AccountsContext } from '../context.js';
import { decodeChallenge, drawChallenge, encodeChallenge, type FaceChallenge, isLive } from '../face/challenge.js';
import { checkFace, type FaceCheck } from '../face/check.js';
import type { PostedFrames } from '../face/frames.js';
import { postedFrames } from '../face/frames.js';
import { FaceBusyError } from '../face/pool.js';
import { loadFaceTemplate } from '../face/templates.js';
import type { FaceTemplate } from '../face/verifier.js';
import { formBody, single } from '../http/form.js';
import { type FaceError, sendPage } from '../pages/render.js';
import { ACR_FACE, AMR, achievedAcr, faceStepApplies } from '../people/acr.js';
import { startSession } from '../sessions/session-cookie.js';
import {
  checkCsrf,
  csrfFailure,
  formOrigins,
  interactionLocale,
  type Loaded,
  loadInteraction,
} from './interaction-pages.js';

/** Ends the face step without the face: the client hears `unmet_authentication_requirements`. */
export async function faceUnmet(ctx: AccountsContext, reply: FastifyReply, loaded: Loaded, why: string) {
  await ctx.store.interactions.consume(loaded.interaction.id, ctx.now());
  const error = new OAuthError('unmet_authentication_requirements', why);
  return redirectWithError(ctx, reply, loaded.req.redirectUri, error, loaded.req.state);
}

/** The face page: the challenge to perform, the attempts left, and what went wrong last time. */
export function showFace(
  ctx: AccountsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  loaded: Loaded,
  challenge: FaceChallenge,
  attempts: number,
  error?: FaceError,
  status = 200,
): FastifyReply {
  const { interaction, client, req } = loaded;
  return sendPage(
    reply,
    interactionLocale(request, req),
    {
      view: 'face',
      data: {
        action: facePath(interaction.id),
        csrf: interaction.csrfToken,
        clientName: client.clientName || client.clientId,
        challenge,
        attemptsLeft: Math.max(0, ctx.faces.maxAttempts - attempts),
        ...(error ? { error } : {}),
      },
    },
    { status, formActionOrigins: formOrigins(req), camera: true },
  );
}

/**
 * The face step applies to a person who signed in in this interaction with a factor the face may
 * lift to `urn:acr:face` (a passkey; a password only where the operator allows it, issue 10),
 * and whose face was not checked yet.
 */
export function faceStepLogin(ctx: AccountsContext, loaded: Loaded): Login | undefined {
  const login = loaded.interaction.login;
  const applies =
    login &&
    loaded.req.acrValues.includes(ACR_FACE) &&
    !login.amr.includes(AMR.face) &&
    faceStepApplies(login.amr, ctx.config);
  return applies ? login : undefined;
}

/** The interaction's challenge now stored (another request may have swapped it), or `fallback`. */
async function storedChallenge(ctx: AccountsContext, id: string, fallback: FaceChallenge): Promise<FaceChallenge> {
  return decodeChallenge((await ctx.store.interactions.get(id, ctx.now()))?.faceChallenge) ?? fallback;
}

/**
 * Runs the face check on a posted capture. A busy worker pool is not the person's failure: the
 * attempt is forgotten and the answer says when to retry.
 */
async function runFaceCheck(
  ctx: AccountsContext,
  reply: FastifyReply,
  id: string,
  template: FaceTemplate,
  posted: PostedFrames,
  challenge: FaceChallenge,
): Promise<{ problem: FaceError | undefined; result: FaceCheck | undefined }> {
  if (!posted.ok) return { problem: posted.problem, result: undefined };
  try {
    const result = await checkFace(ctx.faces.verifier, template, posted.frames, { challenge });
    return { problem: result.ok ? undefined : result.problem, result };
  } catch (error) {
    if (!(error instanceof FaceBusyError)) throw error;
    // Not the person's failure: the check did not run, so it does not count.
    await ctx.store.interactions.forgetFaceAttempt(id);
    reply.header('retry-after', String(error.retryAfterSeconds));
    return { problem: 'busy', result: undefined };
  }
}

/**
 * The audit of the sign-in: the face score (largest distance to the template), the model that
 * made it, and the challenge asked for; never images or embeddings.
 */
function faceMeasures(challenge: FaceChallenge, template: FaceTemplate, result: FaceCheck | undefined) {
  return {
    challenge: challenge.actions,
    model: template.version,
    ...(result && 'distance' in result && result.distance !== undefined && { score: result.distance }),
    ...(result && !result.ok && result.failure && { failure: result.failure, action: result.action }),
  };
}

/** `GET /interaction/:id/face`: the face page with a live challenge (the same one on reload). */
export async function getFace(
  ctx: AccountsContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const loaded = await loadInteraction(ctx, request, reply);
  if (!loaded) return reply;
  if (!faceStepLogin(ctx, loaded))
    return reply.code(303).header('location', interactionPath(loaded.interaction.id)).send();
  const stored = decodeChallenge(loaded.interaction.faceChallenge);
  // Reloading shows the same challenge while it is live; an expired one is drawn anew.
  let challenge = stored && isLive(stored, ctx.now()) ? stored : undefined;
  if (!challenge) {
    challenge = drawChallenge(ctx.now());
    await ctx.store.interactions.setFaceChallenge(loaded.interaction.id, encodeChallenge(challenge));
  }
  return showFace(ctx, request, reply, loaded, challenge, loaded.interaction.faceAttempts ?? 0);
}

/** `POST /interaction/:id/face`: checks a capture against the live challenge and the person's template. */
export async function postFace(
  ctx: AccountsContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const loaded = await loadInteraction(ctx, request, reply);
  if (!loaded) return reply;
  if (!checkCsrf(request, loaded)) return csrfFailure(request, reply, loaded.req);
  const login = faceStepLogin(ctx, loaded);
  if (!login) return reply.code(303).header('location', interactionPath(loaded.interaction.id)).send();
  const id = loaded.interaction.id;
  const audit = (outcome: string, details: Record<string, unknown> = {}) =>
    request.log.info({ event: 'face_check', interaction: id, user: login.userId, outcome, ...details }, 'face check');
  const params = formBody(request.body);

  if (single(params, 'cancel') === 'no_camera') {
    audit('no_camera');
    return faceUnmet(ctx, reply, loaded, 'the person could not use a camera for the face check');
  }
  const storedText = loaded.interaction.faceChallenge ?? '';
  const challenge = decodeChallenge(storedText);
  if (!challenge) return reply.code(303).header('location', facePath(id)).send();
  const posted = postedFrames(params);
  const attempts = loaded.interaction.faceAttempts ?? 0;
  // A capture answers one live challenge, once: an old, expired or already answered one gets
  // the page again with a new challenge, and is not counted as an attempt.
  const next = drawChallenge(ctx.now());
  const answered = single(params, 'challenge');
  if (answered !== challenge.id || !isLive(challenge, ctx.now())) {
    audit('refused', { reason: 'stale_challenge', attempt: attempts });
    await ctx.store.interactions.swapFaceChallenge(id, storedText, encodeChallenge(next), ctx.now());
    return showFace(ctx, request, reply, loaded, await storedChallenge(ctx, id, next), attempts, 'expired');
  }
  const template = await loadFaceTemplate(ctx.store, ctx.keys.face, login.userId);
  if (!template) {
    audit('no_template');
    return faceUnmet(ctx, reply, loaded, 'no face is enrolled for this person');
  }
  // Counted before the check, atomically, so parallel posts cannot exceed the limit.
  const attempt = await ctx.store.interactions.countFaceAttempt(id, ctx.now());
  if (attempt === undefined) {
    await loadInteraction(ctx, request, reply); // expired meanwhile: its error page
    return reply;
  }
  if (attempt > ctx.faces.maxAttempts) {
    audit('refused', { reason: 'too_many_attempts', attempt });
    return faceUnmet(ctx, reply, loaded, 'too many failed face checks');
  }
  // Used up now, before the check: concurrent posts of the same capture get one check.
  if (!(await ctx.store.interactions.swapFaceChallenge(id, storedText, encodeChallenge(next), ctx.now()))) {
    await ctx.store.interactions.forgetFaceAttempt(id);
    audit('refused', { reason: 'stale_challenge', attempt });
    return showFace(ctx, request, reply, loaded, await storedChallenge(ctx, id, next), attempt - 1, 'expired');
  }
  const { problem, result } = await runFaceCheck(ctx, reply, id, template, posted, challenge);
  if (problem === 'busy') {
    audit('busy', { attempt });
    return showFace(ctx, request, reply, loaded, next, attempt - 1, problem, 503);
  }
  const measures = faceMeasures(challenge, template, result);
  if (problem === undefined) {
    audit('match', { attempt, completed: result?.ok ? result.actions : [], ...measures });
    // The methods used so far, and the face: `amr` tells what happened (RFC 8176).
    const amr = [...login.amr, AMR.face];
    const upgraded: Login = { userId: login.userId, authTime: ctx.now(), acr: achievedAcr(amr, ctx.config), amr };
    await startSession(ctx, request, reply, login.userId, upgraded);
    await ctx.store.interactions.setLogin(id, upgraded);
    const interaction = { ...loaded.interaction, login: upgraded };
    return afterLogin(ctx, request, reply, loaded.client, loaded.req, upgraded, { interaction });
  }
  const count = posted.ok ? posted.frames.length : posted.count;
  audit('refused', { reason: problem, attempt, frames: count, ...measures });
  if (attempt >= ctx.faces.maxAttempts) return faceUnmet(ctx, reply, loaded, 'the face check failed too many times');
  // The next attempt answers the new challenge already stored, so a recording of this one does not.
  return showFace(ctx, request, reply, loaded, next, attempt, problem);
}

import type {} from '@fastify/cookie';
import { safeEqual } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken, newOpaqueToken } from '../crypto/opaque-token.js';
import { decodeChallenge, drawChallenge, encodeChallenge, type FaceChallenge, isLive } from '../face/challenge.js';
import { checkEnrolment, type EnrolmentCheck } from '../face/check.js';
import { FACE_ENROLMENT_TOKEN, faceEnrolmentPath, hashFaceEnrolmentToken } from '../face/enrolment-links.js';
import { FACE_BODY_LIMIT, postedFrames } from '../face/frames.js';
import { FaceBusyError } from '../face/pool.js';
import { sealFaceTemplate } from '../face/templates.js';
import { formBody, single } from '../http/form.js';
import { MESSAGES } from '../i18n/index.js';
import { type FaceError, sendPage } from '../pages/render.js';
import type { FaceEnrolmentLink, FaceEnrolmentLinkLookup } from '../people/face-enrolment-link-repository.js';
import { cookieOptions } from '../sessions/session-cookie.js';
import { pageLocale } from './home.js';
import { startLinkPasskeyStep } from './passkey-enrolment.js';

/** Why a link's page cannot be used, as the error page says it. */
export type LinkProblem = keyof (typeof MESSAGES)['en']['faceEnrol']['linkErrors'];

/** HTTP status and error code of each {@link LinkProblem}. */
const LINK_PROBLEMS: Record<LinkProblem, { status: number; code: string }> = {
  unknown: { status: 404, code: 'unknown_link' },
  expired: { status: 410, code: 'expired_link' },
  used: { status: 410, code: 'used_link' },
  revoked: { status: 410, code: 'revoked_link' },
  other_browser: { status: 403, code: 'other_browser' },
  form: { status: 403, code: 'invalid_form' },
};

/** The binding cookie's name; `__Secure-` under https. Scoped to the link's own path (and so its passkey step's). */
export const faceEnrolmentCookieName = (issuer: string): string =>
  issuer.startsWith('https:') ? '__Secure-signet_fe' : 'signet_fe';

const locale = pageLocale;

/** The localized page saying why a link cannot be used. */
export function showLinkError(request: FastifyRequest, reply: FastifyReply, problem: LinkProblem): FastifyReply {
  const t = MESSAGES[locale(request)].faceEnrol;
  const { status, code } = LINK_PROBLEMS[problem];
  return sendPage(
    reply,
    locale(request),
    {
      view: 'error',
      data: { error: code, description: t.linkErrors[problem], help: t.linkHelp, title: t.linkErrorTitle },
    },
    { status },
  );
}

/**
 * The face enrolment page of a one-time link: `GET /face/enrol/<token>` shows the face
 * page's camera and head-turn challenge, `POST` checks the capture and, when it passes, stores the
 * person's template and uses up the link in one transaction.
 *
 * The link is the only credential here: no session is read or started, so a signed-in session
 * (say, one that only used a password) can neither reach nor replace an enrolment. Like the
 * sign-in face page, the page is bound to the browser that opened it (a cookie scoped to the
 * link's path), every post carries its CSRF token, and `SIGNET_FACE_MAX_ATTEMPTS` failed checks
 * end the link. When the face is enrolled, the same visit goes on to create a passkey
 * (`passkey-enrolment.ts`, issue 10).
 */
export function faceEnrolmentEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const issuer = ctx.config.issuer;

  /** The error page of a link that is not live. */
  const notLive = (request: FastifyRequest, reply: FastifyReply, found: FaceEnrolmentLinkLookup) =>
    showLinkError(request, reply, found.status === 'live' ? 'form' : found.status);

  /** The link a token names, or undefined for a token that cannot be one (no lookup then). */
  async function find(token: string): Promise<{ hash: string; found: FaceEnrolmentLinkLookup }> {
    if (!FACE_ENROLMENT_TOKEN.test(token)) return { hash: '', found: { status: 'unknown' } };
    const hash = hashFaceEnrolmentToken(ctx.keys.faceEnrolment, token);
    return { hash, found: await ctx.faceEnrolmentLinks.find(hash, ctx.now()) };
  }

  function showEnrol(
    request: FastifyRequest,
    reply: FastifyReply,
    token: string,
    link: FaceEnrolmentLink,
    challenge: FaceChallenge,
    attempts: number,
    error?: FaceError,
    status = 200,
  ) {
    return sendPage(
      reply,
      locale(request),
      {
        view: 'face-enrol',
        data: {
          action: faceEnrolmentPath(token),
          csrf: link.csrfToken ?? '',
          challenge,
          attemptsLeft: Math.max(0, ctx.faces.maxAttempts - attempts),
          ...(error ? { error } : {}),
        },
      },
      { status, camera: true },
    );
  }

  app.get<{ Params: { token: string } }>('/face/enrol/:token', async (request, reply) => {
    const { token } = request.params;
    const { hash, found } = await find(token);
    if (found.status !== 'live') return notLive(request, reply, found);
    const browser = newOpaqueToken();
    const link = await ctx.faceEnrolmentLinks.open(hash, ctx.now(), {
      browserHash: hashOpaqueToken(browser),
      csrfToken: newOpaqueToken(),
      faceChallenge: encodeChallenge(drawChallenge(ctx.now())),
    });
    if (!link) return notLive(request, reply, await ctx.faceEnrolmentLinks.find(hash, ctx.now()));
    reply.setCookie(
      faceEnrolmentCookieName(issuer),
      browser,
      cookieOptions(issuer, faceEnrolmentPath(token), Math.max(1, link.expiresAt - ctx.now())),
    );
    // Reloading shows the same challenge while it is live; an expired one is drawn anew.
    let challenge = decodeChallenge(link.faceChallenge);
    if (!challenge || !isLive(challenge, ctx.now())) {
      challenge = drawChallenge(ctx.now());
      await ctx.faceEnrolmentLinks.setFaceChallenge(hash, encodeChallenge(challenge), ctx.now());
    }
    return showEnrol(request, reply, token, link, challenge, link.faceAttempts);
  });

  app.post<{ Params: { token: string } }>(
    '/face/enrol/:token',
    { bodyLimit: FACE_BODY_LIMIT },
    async (request, reply) => {
      const { token } = request.params;
      const { hash, found } = await find(token);
      if (found.status !== 'live') return notLive(request, reply, found);
      const { link } = found;
      const browser = request.cookies[faceEnrolmentCookieName(issuer)];
      if (!browser || link.browserHash === null || !safeEqual(hashOpaqueToken(browser), link.browserHash)) {
        return showLinkError(request, reply, 'other_browser');
      }
      const params = formBody(request.body);
      const csrf = single(params, 'csrf');
      if (!csrf || link.csrfToken === null || !safeEqual(csrf, link.csrfToken)) {
        return showLinkError(request, reply, 'form');
      }
      const storedText = link.faceChallenge ?? '';
      const challenge = decodeChallenge(storedText);
      if (!challenge) return reply.code(303).header('location', faceEnrolmentPath(token)).send();
      const audit = (outcome: string, details: Record<string, unknown> = {}) =>
        request.log.info(
          { event: 'face_enrollment', via: 'link', user: link.userId, outcome, ...details },
          'face enrolment',
        );

      // A capture answers one live challenge, once: an old, expired or already answered one gets
      // the page again with a new challenge, and is not counted as an attempt.
      const next = drawChallenge(ctx.now());
      const current = async () => {
        const now = await ctx.faceEnrolmentLinks.find(hash, ctx.now());
        return (now.status !== 'unknown' && decodeChallenge(now.link.faceChallenge)) || next;
      };
      if (single(params, 'challenge') !== challenge.id || !isLive(challenge, ctx.now())) {
        audit('refused', { reason: 'stale_challenge', attempt: link.faceAttempts });
        await ctx.faceEnrolmentLinks.swapFaceChallenge(hash, storedText, encodeChallenge(next), ctx.now());
        return showEnrol(request, reply, token, link, await current(), link.faceAttempts, 'expired');
      }
      // Counted before the check, atomically, so parallel posts cannot exceed the limit.
      const attempt = await ctx.faceEnrolmentLinks.countFaceAttempt(hash, ctx.now());
      if (attempt === undefined) return notLive(request, reply, await ctx.faceEnrolmentLinks.find(hash, ctx.now()));
      if (attempt > ctx.faces.maxAttempts) {
        await ctx.faceEnrolmentLinks.revoke(hash, ctx.now());
        audit('refused', { reason: 'too_many_attempts', attempt });
        return showLinkError(request, reply, 'revoked');
      }

      // Used up now, before the check: concurrent posts of the same capture get one check.
      if (!(await ctx.faceEnrolmentLinks.swapFaceChallenge(hash, storedText, encodeChallenge(next), ctx.now()))) {
        await ctx.faceEnrolmentLinks.forgetFaceAttempt(hash);
        audit('refused', { reason: 'stale_challenge', attempt });
        return showEnrol(request, reply, token, link, await current(), attempt - 1, 'expired');
      }
      const posted = postedFrames(params);
      let result: EnrolmentCheck | undefined;
      let problem: FaceError | undefined;
      if (!posted.ok) problem = posted.problem;
      else {
        try {
          result = await checkEnrolment(ctx.faces.verifier, posted.frames, { challenge });
          if (!result.ok) problem = result.problem;
        } catch (error) {
          if (!(error instanceof FaceBusyError)) throw error;
          // Not the person's failure: the check did not run, so it does not count.
          await ctx.faceEnrolmentLinks.forgetFaceAttempt(hash);
          audit('busy', { attempt });
          reply.header('retry-after', String(error.retryAfterSeconds));
          return showEnrol(request, reply, token, link, next, attempt - 1, 'busy', 503);
        }
      }

      if (result?.ok) {
        const { template } = result;
        const redeemed = await ctx.faceEnrolmentLinks.redeem(hash, ctx.now(), link.browserHash, (l) =>
          sealFaceTemplate(ctx.keys.face, l.userId, template),
        );
        if (redeemed.status !== 'ok') {
          audit('refused', { reason: `link_${redeemed.status}`, attempt });
          return showLinkError(request, reply, redeemed.status === 'other_browser' ? 'other_browser' : redeemed.status);
        }
        audit('enrolled', {
          attempt,
          challenge: challenge.actions,
          completed: result.actions,
          replaced: redeemed.replaced,
          score: result.distance,
          model: template.version,
        });
        // The same visit goes on to create a passkey (issue 10); the binding cookie stays for it.
        return startLinkPasskeyStep(ctx, request, reply, token, hash, redeemed.link);
      }

      const measures =
        result && !result.ok ? { score: result.distance, failure: result.failure, action: result.action } : {};
      audit('refused', { reason: problem, attempt, challenge: challenge.actions, ...measures });
      if (attempt >= ctx.faces.maxAttempts) {
        await ctx.faceEnrolmentLinks.revoke(hash, ctx.now());
        return showLinkError(request, reply, 'revoked');
      }
      // The next attempt answers the new challenge already stored, so a recording of this one does not.
      return showEnrol(request, reply, token, link, next, attempt, problem);
    },
  );
}

import type {} from '@fastify/cookie';
import { safeEqual } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { hashOpaqueToken } from '../crypto/opaque-token.js';
import { FACE_ENROLMENT_TOKEN, faceEnrolmentPath, hashFaceEnrolmentToken } from '../face/enrolment-links.js';
import { formBody, single } from '../http/form.js';
import { type PasskeyError, sendPage } from '../pages/render.js';
import {
  CHALLENGE_TTL,
  PasskeyError as PasskeyRefusal,
  readCredential,
  registrationOptions,
  relyingParty,
  takeChallenge,
  verifyRegistration,
} from '../passkeys/webauthn.js';
import type { FaceEnrolmentLink } from '../people/face-enrolment-link-repository.js';
import { cookieOptions } from '../sessions/session-cookie.js';
import { faceEnrolmentCookieName, showLinkError } from './face-enrolment.js';
import { pageLocale } from './home.js';

/** How long after the face is enrolled the same visit may create its passkey, in seconds. */
export const LINK_PASSKEY_WINDOW = 15 * 60;

/** The passkey step of an enrolment link. */
export const linkPasskeyPath = (token: string): string => `${faceEnrolmentPath(token)}/passkey`;

/** The ceremony's binding: the link (whose page is bound to one browser by its cookie). */
const binding = (tokenHash: string) => `link:${tokenHash}`;

const locale = pageLocale;

/**
 * Shows the passkey step right after the link enrolled the face: the link is used now, and this
 * ceremony (bound to the link, for the link's person, open {@link LINK_PASSKEY_WINDOW} seconds)
 * is the only thing it still allows. Called by the face enrolment page on success.
 */
export async function startLinkPasskeyStep(
  ctx: AccountsContext,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  tokenHash: string,
  link: FaceEnrolmentLink,
): Promise<FastifyReply> {
  const now = ctx.now();
  const user = await ctx.store.users.get(link.userId);
  if (!user) return showLinkError(request, reply, 'unknown');
  const options = await registrationOptions(
    relyingParty(ctx.config.issuer),
    user,
    await ctx.store.passkeys.listByUser(user.id),
  );
  await ctx.store.passkeys.issueChallenge({
    binding: binding(tokenHash),
    purpose: 'register',
    userId: user.id,
    challenge: options.challenge,
    challengeExpiresAt: now + CHALLENGE_TTL,
    expiresAt: now + LINK_PASSKEY_WINDOW,
  });
  return showStep(request, reply, token, link, options);
}

function showStep(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  link: FaceEnrolmentLink,
  options: object,
  error?: PasskeyError,
) {
  const action = linkPasskeyPath(token);
  return sendPage(
    reply,
    locale(request),
    {
      view: 'passkey',
      data: {
        purpose: 'enrol',
        ceremony: { ceremony: 'register', action, csrf: link.csrfToken ?? '', options },
        skipAction: action,
        ...(error ? { error } : {}),
      },
    },
    { status: error ? 400 : 200, script: true },
  );
}

/**
 * `GET /face/enrol/<token>/passkey` shows the step again (a fresh challenge, while the step is
 * open); `POST` registers the passkey the browser created (user verification required), or ends
 * the step on "Not now". Only the browser that enrolled the face (its binding cookie) with the
 * page's CSRF token, only on a link that was used to enrol, only while the ceremony is open.
 */
export function passkeyEnrolmentEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const issuer = ctx.config.issuer;
  const rp = relyingParty(issuer);

  /** The used link this browser enrolled with, or the error page. */
  async function load(
    request: FastifyRequest<{ Params: { token: string } }>,
    reply: FastifyReply,
  ): Promise<{ hash: string; link: FaceEnrolmentLink } | undefined> {
    const { token } = request.params;
    if (!FACE_ENROLMENT_TOKEN.test(token)) return void showLinkError(request, reply, 'unknown');
    const hash = hashFaceEnrolmentToken(ctx.keys.faceEnrolment, token);
    const found = await ctx.faceEnrolmentLinks.find(hash, ctx.now());
    if (found.status === 'unknown') return void showLinkError(request, reply, 'unknown');
    // Live: the face comes first.
    if (found.status === 'live') return void reply.code(303).header('location', faceEnrolmentPath(token)).send();
    if (found.status !== 'used') return void showLinkError(request, reply, found.status);
    const browser = request.cookies[faceEnrolmentCookieName(issuer)];
    const { link } = found;
    if (!browser || link.browserHash === null || !safeEqual(hashOpaqueToken(browser), link.browserHash)) {
      return void showLinkError(request, reply, 'other_browser');
    }
    return { hash, link };
  }

  /** A fresh challenge for the open step, or the "used" page once it closed. */
  async function again(
    request: FastifyRequest<{ Params: { token: string } }>,
    reply: FastifyReply,
    hash: string,
    link: FaceEnrolmentLink,
    error?: PasskeyError,
  ) {
    const user = await ctx.store.users.get(link.userId);
    const options = user && (await registrationOptions(rp, user, await ctx.store.passkeys.listByUser(user.id)));
    const open =
      options &&
      (await ctx.store.passkeys.renewChallenge(binding(hash), 'register', options.challenge, ctx.now(), CHALLENGE_TTL));
    if (!options || !open) return showLinkError(request, reply, 'used');
    return showStep(request, reply, request.params.token, link, options, error);
  }

  function done(request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, registered: boolean) {
    reply.clearCookie(faceEnrolmentCookieName(issuer), cookieOptions(issuer, faceEnrolmentPath(request.params.token)));
    return sendPage(reply, locale(request), { view: registered ? 'passkey-enrolled' : 'face-enrolled', data: {} });
  }

  app.get<{ Params: { token: string } }>('/face/enrol/:token/passkey', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    return again(request, reply, loaded.hash, loaded.link);
  });

  app.post<{ Params: { token: string } }>('/face/enrol/:token/passkey', async (request, reply) => {
    const loaded = await load(request, reply);
    if (!loaded) return reply;
    const { hash, link } = loaded;
    const params = formBody(request.body);
    const csrf = single(params, 'csrf');
    if (!csrf || link.csrfToken === null || !safeEqual(csrf, link.csrfToken)) {
      return showLinkError(request, reply, 'form');
    }
    const audit = (outcome: string, details: Record<string, unknown> = {}) =>
      request.log.info(
        { event: 'passkey_enrollment', via: 'link', user: link.userId, outcome, ...details },
        'passkey enrolment',
      );
    if (single(params, 'skip') === '1') {
      await ctx.store.passkeys.endCeremony(binding(hash));
      audit('skipped');
      return done(request, reply, false);
    }
    try {
      const response = readCredential<Parameters<typeof verifyRegistration>[1]>(single(params, 'credential'));
      const now = ctx.now();
      const taken = await takeChallenge(ctx.store, binding(hash), 'register', response, now);
      if (taken.userId !== link.userId) throw new PasskeyRefusal('wrong_person', 'the ceremony is for another person');
      const passkey = await verifyRegistration(rp, response, taken.challenge, link.userId, now);
      if (!(await ctx.store.passkeys.add(passkey))) {
        throw new PasskeyRefusal('already_registered', 'this credential is already registered');
      }
      await ctx.store.passkeys.endCeremony(binding(hash));
      audit('enrolled', {
        credential: passkey.credentialId,
        backup_eligible: passkey.backupEligible,
        attachment: passkey.attachment,
      });
      return done(request, reply, true);
    } catch (error) {
      if (!(error instanceof PasskeyRefusal)) throw error;
      audit('refused', { reason: error.problem, detail: error.message });
      return again(request, reply, hash, link, error.problem);
    }
  });
}

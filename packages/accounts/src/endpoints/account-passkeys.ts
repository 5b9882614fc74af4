import { createHmac } from 'node:crypto';
import { OAuthError } from '@signet/protocol';
import { safeEqual } from '@signet/store';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { showErrorPage } from '../authorize/respond.js';
import type { AccountsContext } from '../context.js';
import { formBody, single } from '../http/form.js';
import { type PasskeyError, type PasskeysView, sendPage } from '../pages/render.js';
import {
  CHALLENGE_TTL,
  PasskeyError as PasskeyRefusal,
  readCredential,
  registrationOptions,
  relyingParty,
  signInOptions,
  takeChallenge,
  verifyRegistration,
  verifySignIn,
} from '../passkeys/webauthn.js';
import { achievedAcr, hasPossession } from '../people/acr.js';
import type { Session } from '../sessions/repository.js';
import { currentSession, startSession } from '../sessions/session-cookie.js';
import { pageLocale } from './home.js';

/** The signed-in person's passkeys page. */
export const ACCOUNT_PASSKEYS_PATH = '/account/passkeys';

/**
 * How recent a passkey sign-in must be to add another passkey, in seconds. Older sessions confirm
 * with a passkey first.
 */
export const REAUTHENTICATION_MAX_AGE = 5 * 60;

const binding = (session: Session) => `session:${session.idHash}`;
const csrfOf = (key: Buffer, session: Session) =>
  createHmac('sha256', key).update(`passkeys:${session.idHash}`).digest('base64url');

/**
 * The session may add a passkey: it was started by a passkey (possession with user
 * verification) at most {@link REAUTHENTICATION_MAX_AGE} seconds ago. A password, or a password
 * and a face, never may: that is the attack of issue 10 (password and photo, then a passkey of
 * one's own), so the first passkey comes only with an operator's enrolment link.
 */
export function mayAddPasskey(session: Session, now: number): boolean {
  return hasPossession(session.amr) && now - session.authTime <= REAUTHENTICATION_MAX_AGE;
}

/**
 * `/account/passkeys` (issue 10): a signed-in person lists and removes their passkeys and, after
 * re-authenticating with one of them, adds another. `GET` shows the list and one ceremony: add
 * (registration) when {@link mayAddPasskey}, else confirm (a passkey sign-in of this person, which
 * starts a fresh session), else nothing (no passkey yet). Forms carry a CSRF token derived from the
 * session; every ceremony is bound to the session.
 */
export function accountPasskeyEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  const rp = relyingParty(ctx.config.issuer);
  const locale = pageLocale;

  async function session(request: FastifyRequest, reply: FastifyReply): Promise<Session | undefined> {
    const found = await currentSession(ctx, request);
    if (!found) {
      showErrorPage(request, reply, new OAuthError('login_required', 'no session', 401), [], 'sign_in_first');
    }
    return found;
  }

  function checkCsrf(request: FastifyRequest, reply: FastifyReply, s: Session): boolean {
    const csrf = single(formBody(request.body), 'csrf');
    if (csrf && safeEqual(csrf, csrfOf(ctx.keys.csrf, s))) return true;
    showErrorPage(
      request,
      reply,
      new OAuthError('invalid_request', 'the form expired or was not sent from this page; go back and try again', 403),
      [],
      'form_expired',
    );
    return false;
  }

  async function show(request: FastifyRequest, reply: FastifyReply, s: Session, error?: PasskeyError) {
    const user = await ctx.store.users.get(s.userId);
    if (!user)
      return showErrorPage(request, reply, new OAuthError('login_required', 'the person must sign in again', 401));
    const passkeys = await ctx.store.passkeys.listByUser(user.id);
    const now = ctx.now();
    const csrf = csrfOf(ctx.keys.csrf, s);
    let ceremony: PasskeysView['ceremony'];
    if (mayAddPasskey(s, now) || passkeys.length > 0) {
      const adding = mayAddPasskey(s, now);
      const options = adding ? await registrationOptions(rp, user, passkeys) : await signInOptions(rp);
      await ctx.store.passkeys.issueChallenge({
        binding: binding(s),
        purpose: adding ? 'register' : 'authenticate',
        userId: user.id,
        challenge: options.challenge,
        challengeExpiresAt: now + CHALLENGE_TTL,
        expiresAt: Math.min(s.expiresAt, now + CHALLENGE_TTL),
      });
      ceremony = {
        ceremony: adding ? 'register' : 'authenticate',
        action: `${ACCOUNT_PASSKEYS_PATH}/${adding ? 'add' : 'confirm'}`,
        csrf,
        options,
      };
    }
    return sendPage(
      reply,
      locale(request),
      {
        view: 'passkeys',
        data: {
          userName: typeof user.claims.name === 'string' ? user.claims.name : user.username,
          csrf,
          removeAction: `${ACCOUNT_PASSKEYS_PATH}/remove`,
          passkeys: passkeys.map((p) => ({
            id: p.credentialId,
            name: p.name,
            kind: p.backupEligible ? 'swk' : 'hwk',
            createdAt: p.createdAt,
            lastUsedAt: p.lastUsedAt,
          })),
          ...(ceremony ? { ceremony } : {}),
          ...(error ? { error } : {}),
        },
      },
      { status: error ? 400 : 200, script: ceremony !== undefined },
    );
  }

  const back = (reply: FastifyReply) => reply.code(303).header('location', ACCOUNT_PASSKEYS_PATH).send();
  const audit = (request: FastifyRequest, s: Session, event: string, outcome: string, details = {}) =>
    request.log.info({ event, via: 'session', user: s.userId, outcome, ...details }, event.replace('_', ' '));

  app.get(ACCOUNT_PASSKEYS_PATH, async (request, reply) => {
    const s = await session(request, reply);
    return s ? show(request, reply, s) : reply;
  });

  // Re-authentication: a passkey of this person, against the challenge bound to this session.
  app.post(`${ACCOUNT_PASSKEYS_PATH}/confirm`, async (request, reply) => {
    const s = await session(request, reply);
    if (!s || !checkCsrf(request, reply, s)) return reply;
    try {
      const response = readCredential<Parameters<typeof verifySignIn>[2]>(single(formBody(request.body), 'credential'));
      const now = ctx.now();
      const taken = await takeChallenge(ctx.store, binding(s), 'authenticate', response, now);
      const { passkey, amr } = await verifySignIn(ctx.store, rp, response, taken.challenge, s.userId, now);
      await startSession(ctx, request, reply, s.userId, { authTime: now, acr: achievedAcr(amr, ctx.config), amr });
      audit(request, s, 'passkey_reauthentication', 'confirmed', { credential: passkey.credentialId });
      return back(reply);
    } catch (error) {
      if (!(error instanceof PasskeyRefusal)) throw error;
      audit(request, s, 'passkey_reauthentication', 'refused', { reason: error.problem, detail: error.message });
      return show(request, reply, s, error.problem);
    }
  });

  app.post(`${ACCOUNT_PASSKEYS_PATH}/add`, async (request, reply) => {
    const s = await session(request, reply);
    if (!s || !checkCsrf(request, reply, s)) return reply;
    if (!mayAddPasskey(s, ctx.now())) {
      audit(request, s, 'passkey_enrollment', 'refused', { reason: 'reauthentication_required' });
      return showErrorPage(
        request,
        reply,
        new OAuthError('access_denied', 'confirm it is you with one of your passkeys before adding another', 403),
        [],
        'reauthenticate',
      );
    }
    try {
      const response = readCredential<Parameters<typeof verifyRegistration>[1]>(
        single(formBody(request.body), 'credential'),
      );
      const now = ctx.now();
      const taken = await takeChallenge(ctx.store, binding(s), 'register', response, now);
      if (taken.userId !== s.userId) throw new PasskeyRefusal('wrong_person', 'the ceremony is for another person');
      const passkey = await verifyRegistration(rp, response, taken.challenge, s.userId, now);
      if (!(await ctx.store.passkeys.add(passkey))) {
        throw new PasskeyRefusal('already_registered', 'this credential is already registered');
      }
      await ctx.store.passkeys.endCeremony(binding(s));
      audit(request, s, 'passkey_enrollment', 'enrolled', {
        credential: passkey.credentialId,
        backup_eligible: passkey.backupEligible,
      });
      return back(reply);
    } catch (error) {
      if (!(error instanceof PasskeyRefusal)) throw error;
      audit(request, s, 'passkey_enrollment', 'refused', { reason: error.problem, detail: error.message });
      return show(request, reply, s, error.problem);
    }
  });

  app.post(`${ACCOUNT_PASSKEYS_PATH}/remove`, async (request, reply) => {
    const s = await session(request, reply);
    if (!s || !checkCsrf(request, reply, s)) return reply;
    const id = single(formBody(request.body), 'credential_id') ?? '';
    const removed = id.length > 0 && (await ctx.store.passkeys.remove(s.userId, id));
    audit(request, s, 'passkey_removal', removed ? 'removed' : 'not_found', { credential: id.slice(0, 200) });
    return back(reply);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { interactionPath } from '../authorize/interaction-cookie.js';
import { afterLogin, type Login } from '../authorize/proceed.js';
import type { AccountsContext } from '../context.js';
import { formBody, single } from '../http/form.js';
import { type PasskeyError, sendPage } from '../pages/render.js';
import {
  CHALLENGE_TTL,
  PasskeyError as PasskeyRefusal,
  readCredential,
  relyingParty,
  signInOptions,
  takeChallenge,
  verifySignIn,
} from '../passkeys/webauthn.js';
import { achievedAcr } from '../people/acr.js';
import { startSession } from '../sessions/session-cookie.js';
import type { InteractionPages, Loaded } from './interaction-pages.js';

/** The passkey sign-in page of an interaction (issue 10). */
export const passkeyPath = (id: string): string => `${interactionPath(id)}/passkey`;

/** What a sign-in ceremony is bound to: its interaction (itself bound to one browser). */
const binding = (loaded: Loaded) => `interaction:${loaded.interaction.id}`;

/**
 * Signing in with a passkey (issue 10), usernameless: `GET /interaction/:id/passkey` starts a
 * ceremony bound to the interaction (discoverable credentials, user verification required) and
 * shows the page; `POST` takes the challenge the answer names from the interaction, once,
 * verifies the assertion, and signs the person in with `amr` = [`hwk` or `swk`, `user`] and
 * `acr` = `urn:acr:passkey`; `afterLogin` then goes on (the face step when the request asks for
 * `urn:acr:face`, consent, the code).
 */
export function passkeySignInRoutes(app: FastifyInstance, ctx: AccountsContext, pages: InteractionPages): void {
  const rp = relyingParty(ctx.config.issuer);

  async function showPasskey(request: FastifyRequest, reply: FastifyReply, loaded: Loaded, error?: PasskeyError) {
    const { interaction, client, req } = loaded;
    const options = await signInOptions(rp);
    const now = ctx.now();
    await ctx.store.passkeys.issueChallenge({
      binding: binding(loaded),
      purpose: 'authenticate',
      userId: null,
      challenge: options.challenge,
      challengeExpiresAt: Math.min(now + CHALLENGE_TTL, interaction.expiresAt),
      expiresAt: interaction.expiresAt,
    });
    return sendPage(
      reply,
      pages.locale(request, req),
      {
        view: 'passkey',
        data: {
          purpose: 'sign-in',
          clientName: client.clientName || client.clientId,
          ceremony: {
            ceremony: 'authenticate',
            action: passkeyPath(interaction.id),
            csrf: interaction.csrfToken,
            options,
          },
          passwordHref: interactionPath(interaction.id),
          ...(error ? { error } : {}),
        },
      },
      { status: error ? 400 : 200, formActionOrigins: pages.formOrigins(req), script: true },
    );
  }

  app.get<{ Params: { id: string } }>('/interaction/:id/passkey', async (request, reply) => {
    const loaded = await pages.load(request, reply);
    if (!loaded) return reply;
    return showPasskey(request, reply, loaded);
  });

  app.post<{ Params: { id: string } }>('/interaction/:id/passkey', async (request, reply) => {
    const loaded = await pages.load(request, reply);
    if (!loaded) return reply;
    if (!pages.checkCsrf(request, loaded)) return pages.csrfFailure(request, reply, loaded.req);
    const audit = (outcome: string, details: Record<string, unknown> = {}) =>
      request.log.info(
        { event: 'passkey_sign_in', interaction: loaded.interaction.id, outcome, ...details },
        'passkey sign-in',
      );
    let login: Login;
    try {
      const response = readCredential<Parameters<typeof verifySignIn>[2]>(single(formBody(request.body), 'credential'));
      const now = ctx.now();
      const taken = await takeChallenge(ctx.store, binding(loaded), 'authenticate', response, now);
      const { passkey, amr } = await verifySignIn(ctx.store, rp, response, taken.challenge, taken.userId, now);
      login = { userId: passkey.userId, authTime: now, acr: achievedAcr(amr, ctx.config), amr };
      audit('signed_in', { user: passkey.userId, credential: passkey.credentialId, amr });
    } catch (error) {
      if (!(error instanceof PasskeyRefusal)) throw error;
      audit('refused', { reason: error.problem, detail: error.message });
      return showPasskey(request, reply, loaded, error.problem);
    }
    await startSession(ctx, request, reply, login.userId, login);
    await ctx.store.interactions.setLogin(loaded.interaction.id, login);
    const interaction = { ...loaded.interaction, login };
    return afterLogin(ctx, request, reply, loaded.client, loaded.req, login, { interaction });
  });
}

import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { afterLogin, type Login } from '../authorize/proceed.js';
import type { AccountsContext } from '../context.js';
import { formBody, single } from '../http/form.js';
import { ACR_PASSWORD } from '../people/acr.js';
import { verifyPassword } from '../people/passwords.js';
import { startSession } from '../sessions/session-cookie.js';
import { checkCsrf, csrfFailure, loadInteraction, showLogin } from './interaction-pages.js';

/** Failed sign-ins allowed per account, and per address, in {@link THROTTLE_WINDOW} seconds. */
export const ACCOUNT_FAILURE_LIMIT = 5;
/** Failed sign-ins allowed per client address in {@link THROTTLE_WINDOW} seconds. */
export const ADDRESS_FAILURE_LIMIT = 20;
/** The throttling window, in seconds. */
export const THROTTLE_WINDOW = 15 * 60;

/** `POST /interaction/:id/login`: the password sign-in, throttled per account and per address. */
export async function postLogin(
  ctx: AccountsContext,
  request: FastifyRequest<{ Params: { id: string } }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const loaded = await loadInteraction(ctx, request, reply);
  if (!loaded) return reply;
  if (!checkCsrf(request, loaded)) return csrfFailure(request, reply, loaded.req);
  const params = formBody(request.body);
  const username = (single(params, 'username') ?? '').trim().toLowerCase();
  const password = single(params, 'password') ?? '';
  if (!username || !password) return showLogin(request, reply, loaded, { error: 'missing_fields', username }, 400);

  const now = ctx.now();
  // The person is named by their username or by their verified email (the signing page's
  // `login_hint` is the invited address). An address two people share names neither.
  const user =
    (await ctx.store.users.findByUsername(username)) ??
    (username.includes('@') ? await ctx.store.users.findBySignInEmail(username) : undefined);
  // One counter per account however it is named; per typed name when it names nobody. Hashed:
  // a fixed-size key whatever was typed (PostgreSQL cannot index a very long one).
  const accountKey = `account:${createHash('sha256')
    .update(user ? `user:${user.id}` : username)
    .digest('base64url')}`;
  const addressKey = `address:${request.ip}`;
  const throttle = ctx.store.loginThrottle;
  // Every attempt is counted as a failure before its password is checked, atomically per key,
  // so attempts sent together cannot all pass a read-then-write check; the count is taken
  // back when the attempt is refused unchecked or succeeds.
  const [accountFailures, addressFailures] = await Promise.all([
    throttle.recordFailure(accountKey, now, THROTTLE_WINDOW),
    throttle.recordFailure(addressKey, now, THROTTLE_WINDOW),
  ]);
  if (accountFailures > ACCOUNT_FAILURE_LIMIT || addressFailures > ADDRESS_FAILURE_LIMIT) {
    await Promise.all([throttle.forgive(accountKey), throttle.forgive(addressKey)]);
    reply.header('retry-after', String(THROTTLE_WINDOW));
    return showLogin(request, reply, loaded, { error: 'throttled', username }, 429);
  }

  if (!(await verifyPassword(password, user?.passwordHash ?? null)) || !user) {
    request.log.info({ event: 'login_failed', interaction: loaded.interaction.id }, 'sign-in failed');
    return showLogin(request, reply, loaded, { error: 'invalid_credentials', username });
  }
  await Promise.all([throttle.clear(accountKey), throttle.forgive(addressKey)]);

  const login: Login = { userId: user.id, authTime: ctx.now(), acr: ACR_PASSWORD, amr: ['pwd'] };
  await startSession(ctx, request, reply, user.id, login);
  await ctx.store.interactions.setLogin(loaded.interaction.id, login);
  const interaction = { ...loaded.interaction, login };
  return afterLogin(ctx, request, reply, loaded.client, loaded.req, login, { interaction });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccountsContext } from '../context.js';
import { chosenLocale, type Locale, languageCookie, pickLocale } from '../pages/locale.js';
import { HELP_PATH, sendPage } from '../pages/render.js';

/** The language of a page outside an interaction: the person's choice, else `Accept-Language`. */
export function pageLocale(request: FastifyRequest): Locale {
  return chosenLocale(request) ?? pickLocale([], request.headers['accept-language']);
}

/**
 * `GET /`: a small page saying what this service is, with links for people (help, passkeys) and
 * for developers (discovery, JWKS); `GET /help`: what to do when signing in does not work, and
 * the operator's support contact when configured. Both
 * in English and Spanish, with the language switch (`?lang=`, remembered in a cookie).
 */
export function homeEndpoints(app: FastifyInstance, ctx: AccountsContext): void {
  app.get('/', async (request, reply) => {
    const cookie = languageCookie(request);
    if (cookie) reply.header('set-cookie', cookie);
    return sendPage(reply, pageLocale(request), { view: 'landing', data: { issuer: ctx.config.issuer } });
  });
  app.get(HELP_PATH, async (request, reply) => {
    const cookie = languageCookie(request);
    if (cookie) reply.header('set-cookie', cookie);
    const support = { email: ctx.config.supportEmail, url: ctx.config.supportUrl };
    return sendPage(reply, pageLocale(request), { view: 'help', data: { support } });
  });
}

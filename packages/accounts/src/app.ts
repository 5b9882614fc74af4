import fastifyCookie from '@fastify/cookie';
import { createServiceApp, type ServiceAppOptions } from '@signet/web';
import type { FastifyInstance } from 'fastify';
import type { AccountsContext } from './context.js';
import { accountPasskeyEndpoints } from './endpoints/account-passkeys.js';
import { authorizationEndpoint } from './endpoints/authorize.js';
import { discoveryEndpoints } from './endpoints/discovery.js';
import { faceEnrolmentEndpoints } from './endpoints/face-enrolment.js';
import { healthEndpoints } from './endpoints/health.js';
import { homeEndpoints } from './endpoints/home.js';
import { interactionEndpoints } from './endpoints/interaction.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { jwksEndpoint } from './endpoints/jwks.js';
import { logoutEndpoints } from './endpoints/logout.js';
import { passkeyEnrolmentEndpoints } from './endpoints/passkey-enrolment.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { tokenEndpoint } from './endpoints/token.js';
import { userinfoEndpoint } from './endpoints/userinfo.js';
import { ACCOUNTS_ERRORS } from './http/errors.js';
import { registerAssets } from './pages/render.js';

/**
 * The service skeleton of both listeners: `@signet/web`'s, with a 64 KiB body limit and the
 * authorization server's error cases ({@link ACCOUNTS_ERRORS}).
 */
export function accountsAppOptions(
  config: Pick<AccountsContext['config'], 'logLevel' | 'accessLog'>,
): ServiceAppOptions {
  return {
    logLevel: config.logLevel,
    accessLog: config.accessLog,
    service: 'accounts',
    bodyLimit: 64 * 1024,
    errors: ACCOUNTS_ERRORS,
  };
}

/**
 * The public listener: discovery, JWKS, authorization, token, userinfo, introspection, revocation,
 * logout, pages (sign-in, consent, face step, face enrolment links), health.
 */
export function buildPublicApp(ctx: AccountsContext): FastifyInstance {
  const app = createServiceApp({ ...accountsAppOptions(ctx.config), forms: true });
  discoveryEndpoints(app, ctx);
  jwksEndpoint(app, ctx);
  tokenEndpoint(app, ctx);
  introspectionEndpoint(app, ctx);
  revocationEndpoint(app, ctx);
  healthEndpoints(app, ctx);
  userinfoEndpoint(app, ctx);
  registerAssets(app);
  // Only the browser-facing routes parse cookies; the token endpoint's hot path does not.
  app.register(async (browser) => {
    await browser.register(fastifyCookie);
    authorizationEndpoint(browser, ctx);
    interactionEndpoints(browser, ctx);
    logoutEndpoints(browser, ctx);
    faceEnrolmentEndpoints(browser, ctx);
    passkeyEnrolmentEndpoints(browser, ctx);
    accountPasskeyEndpoints(browser, ctx);
    homeEndpoints(browser, ctx);
  });
  return app;
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { en } from '../i18n/en.js';
import { es } from '../i18n/es.js';
import { pickLocale } from './locale.js';
import {
  contentSecurityPolicy,
  FACE_SCRIPT_PATH,
  type Page,
  registerAssets,
  renderPage,
  STYLESHEET_PATH,
  sendPage,
} from './render.js';

const HOSTILE = '<script>alert(1)</script>';
const ATTRIBUTE_BREAK = '"onmouseover=alert(1) x="';

const CONSENT_SCOPES = [
  'openid',
  'profile',
  'birthdate',
  'credential',
  'email',
  'phone',
  'offline',
  'offline_access',
  'envelopes:read',
  'envelopes:write',
  'custom:thing',
];

/** Pages the test app can show, by name; `ui_locales` and `Accept-Language` pick the language. */
const pages: Record<string, Page> = {
  login: { view: 'login', data: { action: '/interaction/abc/login', csrf: 'csrf-1', clientName: 'Acme Signing' } },
  'login-retry': {
    view: 'login',
    data: {
      action: '/interaction/abc/login',
      csrf: 'csrf-1',
      clientName: 'Acme Signing',
      username: 'ana',
      error: 'invalid_credentials',
    },
  },
  'login-throttled': {
    view: 'login',
    data: { action: '/interaction/abc/login', csrf: 'csrf-1', clientName: 'Acme', username: 'ana', error: 'throttled' },
  },
  'login-missing': {
    view: 'login',
    data: { action: '/interaction/abc/login', csrf: 'csrf-1', clientName: 'Acme', error: 'missing_fields' },
  },
  'login-hostile': {
    view: 'login',
    data: {
      action: `/interaction/abc/login?x=${ATTRIBUTE_BREAK}`,
      csrf: ATTRIBUTE_BREAK,
      clientName: HOSTILE,
      username: ATTRIBUTE_BREAK,
      error: 'invalid_credentials',
    },
  },
  consent: {
    view: 'consent',
    data: {
      action: '/interaction/abc/consent',
      csrf: 'csrf-2',
      clientName: 'Acme Signing',
      userName: 'Ana García',
      scopes: CONSENT_SCOPES,
      refreshTokens: true,
    },
  },
  'consent-hostile': {
    view: 'consent',
    data: {
      action: '/interaction/abc/consent',
      csrf: 'csrf-2',
      clientName: HOSTILE,
      userName: ATTRIBUTE_BREAK,
      scopes: ['openid', HOSTILE],
      refreshTokens: true,
    },
  },
  error: { view: 'error', data: { error: 'invalid_request', description: 'redirect_uri is not registered' } },
  'error-hostile': { view: 'error', data: { error: HOSTILE, description: `${HOSTILE} ${ATTRIBUTE_BREAK}` } },
  logout: {
    view: 'logout',
    data: {
      action: '/oauth2/sessions/logout',
      csrf: 'csrf-3',
      clientName: 'Acme Signing',
      hidden: { state: 'st-123', post_logout_redirect_uri: 'https://example.com/bye', csrf: 'ignored' },
    },
  },
  'logout-hostile': {
    view: 'logout',
    data: {
      action: '/oauth2/sessions/logout',
      csrf: 'csrf-3',
      clientName: HOSTILE,
      hidden: { [ATTRIBUTE_BREAK]: HOSTILE, state: ATTRIBUTE_BREAK },
    },
  },
  'logged-out': { view: 'logged-out', data: { clientName: 'Acme Signing' } },
  'logged-out-anonymous': { view: 'logged-out', data: {} },
};

let app: FastifyInstance;

before(async () => {
  app = Fastify();
  registerAssets(app);
  app.get<{ Params: { name: string }; Querystring: { ui_locales?: string; status?: string; origin?: string } }>(
    '/page/:name',
    (request, reply) => {
      const page = pages[request.params.name];
      if (!page) return reply.code(404).send();
      const uiLocales = (request.query.ui_locales ?? '').split(' ').filter(Boolean);
      const locale = pickLocale(uiLocales, request.headers['accept-language']);
      const { status, origin } = request.query;
      return sendPage(reply, locale, page, {
        ...(status ? { status: Number(status) } : {}),
        ...(origin ? { formActionOrigins: [origin] } : {}),
      });
    },
  );
  await app.ready();
});

after(() => app.close());

async function get(name: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const response = await app.inject({ method: 'GET', url: `/page/${name}`, query, headers });
  return { response, html: response.body };
}

/** The text of the page with tags removed and whitespace collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<\/?(strong|code)>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('headers', () => {
  test('every page carries the security headers, with extra form-action origins', async () => {
    for (const name of Object.keys(pages)) {
      const { response } = await get(name, { origin: 'https://rp.example.com:8443/callback?x=1' });
      assert.equal(response.statusCode, 200, name);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8', name);
      assert.equal(
        response.headers['content-security-policy'],
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self' https://rp.example.com:8443; frame-ancestors 'none'; base-uri 'none'",
        name,
      );
      assert.equal(response.headers['x-frame-options'], 'DENY', name);
      assert.equal(response.headers['referrer-policy'], 'no-referrer', name);
      assert.equal(response.headers['cache-control'], 'no-store', name);
      assert.equal(response.headers['content-language'], 'en', name);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', name);
    }
  });

  test("without extra origins form-action is only 'self'; status is honoured", async () => {
    const { response } = await get('error', { status: '400' });
    assert.equal(response.statusCode, 400);
    assert.equal(
      response.headers['content-security-policy'],
      "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
  });

  test('Content-Language follows the chosen locale', async () => {
    const { response } = await get('login', { ui_locales: 'es' });
    assert.equal(response.headers['content-language'], 'es');
  });

  test('form-action sources: origins deduplicated, custom schemes by scheme, junk refused', () => {
    assert.match(
      contentSecurityPolicy(['https://a.example/cb', 'https://a.example/other', 'com.example.app:/oauth']),
      /form-action 'self' https:\/\/a\.example com\.example\.app:;/,
    );
    assert.throws(() => contentSecurityPolicy(["'unsafe-inline'; script-src *"]), TypeError);
  });

  test('pages have no inline scripts or styles (the CSP forbids them)', async () => {
    for (const name of Object.keys(pages)) {
      const { html } = await get(name);
      assert.doesNotMatch(html, /<script|<style|\sstyle=|\son[a-z]+=/i, name);
    }
  });
});

describe('escaping', () => {
  for (const name of ['login-hostile', 'consent-hostile', 'error-hostile', 'logout-hostile']) {
    test(`${name}: hostile names, usernames, descriptions and fields never appear raw`, async () => {
      for (const locale of ['en', 'es']) {
        const { html } = await get(name, { ui_locales: locale });
        assert.ok(!html.includes(HOSTILE), `${name} ${locale}: raw <script>`);
        assert.ok(!html.includes('"onmouseover='), `${name} ${locale}: attribute break-out`);
        assert.ok(!/<script/i.test(html), `${name} ${locale}: a script element`);
        assert.ok(
          html.includes('&lt;script&gt;alert(1)&lt;/script&gt;') || html.includes('&quot;onmouseover='),
          `${name} ${locale}: the hostile text is shown escaped`,
        );
      }
    });
  }

  test('the hostile client name is shown as text', async () => {
    const { html } = await get('login-hostile');
    assert.ok(html.includes('<strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong> wants you to sign in.'));
    assert.ok(html.includes('value="&quot;onmouseover=alert(1) x=&quot;"'));
  });
});

describe('locale', () => {
  test('pickLocale: ui_locales beats Accept-Language', () => {
    assert.equal(pickLocale(['es'], 'en-US,en;q=0.9'), 'es');
    assert.equal(pickLocale(['en-GB'], 'es-ES,es;q=0.9'), 'en');
    assert.equal(pickLocale(['fr', 'es-419'], 'en'), 'es', 'the first supported ui_locale wins');
    assert.equal(pickLocale(['fr', 'de'], 'es'), 'es', 'unsupported ui_locales fall through to Accept-Language');
    assert.equal(pickLocale(['es en'], undefined), 'es', 'a space-delimited element is split');
  });

  test('pickLocale: Accept-Language tags and weights', () => {
    assert.equal(pickLocale([], 'es-419'), 'es');
    assert.equal(pickLocale([], 'es-ES;q=0.9'), 'es');
    assert.equal(pickLocale([], 'ES-mx'), 'es');
    assert.equal(pickLocale([], 'fr-CA, es-MX;q=0.8, en;q=0.7'), 'es');
    assert.equal(pickLocale([], 'en-GB, es;q=0.5'), 'en');
    assert.equal(pickLocale([], 'es;q=0.2, en;q=0.8'), 'en');
    assert.equal(pickLocale([], 'es;q=0, fr'), 'en', 'q=0 means not acceptable');
  });

  test('pickLocale: unknown or missing → en', () => {
    assert.equal(pickLocale([], undefined), 'en');
    assert.equal(pickLocale([], ''), 'en');
    assert.equal(pickLocale([], 'de-DE, fr;q=0.8'), 'en');
    assert.equal(pickLocale(['zz'], 'garbage;;;'), 'en');
    assert.equal(pickLocale([], '*'), 'en');
  });

  test('pages speak Spanish for es-419 and English otherwise', async () => {
    const spanish = await get('login', {}, { 'accept-language': 'es-419,es;q=0.9' });
    assert.match(spanish.html, /<html lang="es">/);
    assert.ok(spanish.html.includes(`<label for="password">${es.login.password}</label>`));
    assert.ok(textOf(spanish.html).includes('Acme Signing te pide que inicies sesión.'));

    const english = await get('login', {}, { 'accept-language': 'de' });
    assert.match(english.html, /<html lang="en">/);
    assert.ok(textOf(english.html).includes('Acme Signing wants you to sign in.'));

    const override = await get('login', { ui_locales: 'en' }, { 'accept-language': 'es' });
    assert.match(override.html, /<html lang="en">/);
    assert.equal(override.response.headers['content-language'], 'en');
  });

  test('every page has a Spanish version that differs from the English one', async () => {
    for (const name of Object.keys(pages)) {
      const english = textOf((await get(name, { ui_locales: 'en' })).html);
      const spanish = textOf((await get(name, { ui_locales: 'es' })).html);
      assert.notEqual(english, spanish, name);
    }
  });
});

describe('help', () => {
  const help = (support: { email?: string; url?: string }, locale: 'en' | 'es' = 'en') =>
    renderPage(locale, { view: 'help', data: { support } });

  test('shows the operator’s support address and page when configured, escaped', () => {
    const html = help({ email: 'help@example.com', url: 'https://example.com/support?a=1&b="2"' });
    assert.ok(html.includes('<a href="mailto:help@example.com">help@example.com</a>'));
    assert.ok(
      html.includes(`<a href="https://example.com/support?a=1&amp;b=&quot;2&quot;">${en.help.supportPage}</a>`),
    );
    assert.ok(textOf(html).includes(en.help.contact));
    assert.ok(!textOf(html).includes(en.help.noContact));
    const onlyUrl = help({ url: 'https://example.com/support' }, 'es');
    assert.ok(!onlyUrl.includes('mailto:'));
    assert.ok(onlyUrl.includes(`>${es.help.supportPage}</a>`));
  });

  test('without a configured contact, says whom to ask instead', () => {
    for (const [locale, t] of [
      ['en', en],
      ['es', es],
    ] as const) {
      const html = help({}, locale);
      assert.ok(textOf(html).includes(t.help.noContact), locale);
      assert.ok(!html.includes('mailto:'), locale);
      assert.ok(textOf(html).includes(t.help.contactTitle), locale);
    }
  });
});

describe('login', () => {
  test('labels are associated with inputs; autocomplete; hidden csrf; POST to action; focus order', async () => {
    const { html } = await get('login');
    assert.ok(html.includes('<label for="username">Email or username</label>'));
    assert.ok(html.includes('<label for="password">Password</label>'));
    assert.match(html, /<input id="username" name="username" type="text"[^>]* autocomplete="username"/);
    assert.match(html, /<input id="password" name="password" type="password" autocomplete="current-password"/);
    assert.ok(html.includes('<input type="hidden" name="csrf" value="csrf-1">'));
    assert.ok(html.includes('<form class="form" method="post" action="/interaction/abc/login">'));
    const order = ['id="username"', 'id="password"', 'type="submit"'].map((marker) => html.indexOf(marker));
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
    );
    assert.ok(order.every((index) => index > 0));
    assert.doesNotMatch(html, /tabindex/);
    assert.match(html, /<main[ >]/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  });

  test('the first empty field has autofocus; no alert without an error', async () => {
    const fresh = (await get('login')).html;
    assert.match(fresh, /id="username"[^>]* autofocus/);
    assert.doesNotMatch(fresh, /id="password"[^>]* autofocus/);
    assert.doesNotMatch(fresh, /role="alert"|aria-describedby|aria-invalid/);

    const retry = (await get('login-retry')).html;
    assert.match(retry, /id="username"[^>]*value="ana"/);
    assert.doesNotMatch(retry, /id="username"[^>]* autofocus/);
    assert.match(retry, /id="password"[^>]* autofocus/);
  });

  test('a wrong username or password says nothing about whether the account exists', async () => {
    for (const [locale, messages] of [
      ['en', en],
      ['es', es],
    ] as const) {
      const { html } = await get('login-retry', { ui_locales: locale });
      const message = messages.login.errors.invalid_credentials;
      assert.ok(html.includes(`<p class="alert" id="login-error" role="alert">${message}</p>`), locale);
      assert.match(
        message,
        locale === 'en' ? /^Wrong email, username or password\.$/ : /correo, el nombre de usuario o la contraseña/,
      );
      assert.doesNotMatch(message, /exist|not found|unknown|no such|encontr|desconocid/i);
      assert.match(html, /id="username"[^>]* aria-describedby="login-error" aria-invalid="true"/);
      assert.match(html, /id="password"[^>]* aria-describedby="login-error" aria-invalid="true"/);
    }
  });

  test('throttled asks to try again in a few minutes; missing fields asks for both', async () => {
    const throttled = await get('login-throttled');
    assert.ok(throttled.html.includes('role="alert">Too many attempts. Try again in a few minutes.</p>'));
    assert.doesNotMatch(throttled.html, /aria-invalid/, 'throttling is not the fields’ fault');
    assert.match(throttled.html, /id="password"[^>]* aria-describedby="login-error"/);
    const throttledEs = await get('login-throttled', { ui_locales: 'es' });
    assert.ok(textOf(throttledEs.html).includes('Vuelve a intentarlo dentro de unos minutos.'));

    const missing = await get('login-missing');
    assert.ok(missing.html.includes(en.login.errors.missing_fields));
    assert.match(missing.html, /id="username"[^>]* autofocus aria-describedby="login-error" aria-invalid="true"/);
  });
});

describe('consent', () => {
  test('names the client and the person, describes each scope, and offers allow and deny', async () => {
    for (const [locale, messages] of [
      ['en', en],
      ['es', es],
    ] as const) {
      const { html } = await get('consent', { ui_locales: locale });
      const text = textOf(html);
      // birthdate and credential are already in profile: each claim is listed once.
      const covered = ['birthdate', 'credential'];
      for (const scope of CONSENT_SCOPES.filter((name) => name !== 'custom:thing')) {
        const description = messages.consent.scopes[scope];
        assert.equal(
          Boolean(description && html.includes(`<li>${description}</li>`)),
          !covered.includes(scope),
          `${locale} ${scope}`,
        );
      }
      assert.equal(
        html.split(`<li>${messages.consent.scopes.offline}</li>`).length,
        2,
        'offline and offline_access are one line',
      );
      assert.ok(html.includes('<li><code>custom:thing</code></li>'), 'unknown scopes by name');
      assert.ok(text.includes('Acme Signing'));
      assert.ok(text.includes('Ana García'));
      assert.match(
        html,
        /<form class="actions" method="post" action="\/interaction\/abc\/consent">\s*<input type="hidden" name="csrf" value="csrf-2">\s*<button[^>]* type="submit" name="decision" value="allow">[^<]+<\/button>\s*<button[^>]* type="submit" name="decision" value="deny">[^<]+<\/button>\s*<\/form>/,
      );
    }
    const english = textOf((await get('consent')).html);
    assert.ok(english.includes('your identity (a stable identifier)'));
    assert.ok(!english.includes('the identity document on file (country, issuer, type and number)'));
    assert.ok(english.includes('access while you are away (stays signed in)'));
    assert.ok(english.includes('Signed in as Ana García.'));
  });
});

describe('error, logout and logged-out', () => {
  test('the error page shows the code, the description and what to do', async () => {
    const text = textOf((await get('error')).html);
    assert.ok(text.includes('Something went wrong'));
    assert.ok(text.includes('Error code: invalid_request'));
    assert.ok(text.includes('redirect_uri is not registered'));
    assert.ok(text.includes('Return to the application and try again.'));
    const spanish = textOf((await get('error', { ui_locales: 'es' })).html);
    assert.ok(spanish.includes('Código de error: invalid_request'));
    assert.ok(spanish.includes('Vuelve a la aplicación e inténtalo de nuevo.'));
  });

  test('logout carries csrf and the hidden fields through a confirm button', async () => {
    const { html } = await get('logout');
    assert.ok(html.includes('<form class="actions" method="post" action="/oauth2/sessions/logout">'));
    assert.ok(html.includes('<input type="hidden" name="csrf" value="csrf-3">'));
    assert.ok(html.includes('<input type="hidden" name="state" value="st-123">'));
    assert.ok(html.includes('<input type="hidden" name="post_logout_redirect_uri" value="https://example.com/bye">'));
    assert.equal(html.split('name="csrf"').length, 2, 'a csrf in hidden does not duplicate the field');
    assert.match(html, /<button class="button button-primary" type="submit">Sign out<\/button>/);
    assert.ok(textOf(html).includes('Acme Signing asked to sign you out of Signet.'));
  });

  test('logged-out says so, with or without the client', async () => {
    assert.ok(textOf((await get('logged-out')).html).includes('You are signed out'));
    assert.ok(textOf((await get('logged-out')).html).includes('return to Acme Signing'));
    assert.ok(textOf((await get('logged-out-anonymous')).html).includes('You can close this window now.'));
    assert.ok(textOf((await get('logged-out', { ui_locales: 'es' })).html).includes('Has cerrado la sesión'));
  });
});

describe('assets', () => {
  test('the stylesheet is served as text/css, cacheable, and linked from every page', async () => {
    const response = await app.inject({ method: 'GET', url: STYLESHEET_PATH });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/css\b/);
    assert.equal(response.headers['cache-control'], 'public, max-age=3600');
    assert.equal(response.body, readFileSync(new URL('../../../web/assets/signet.css', import.meta.url), 'utf8'));

    const { html } = await get('login');
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1] ?? '';
    assert.ok(href.startsWith(`${STYLESHEET_PATH}?v=`));
    const linked = await app.inject({ method: 'GET', url: href });
    assert.equal(linked.statusCode, 200);
    assert.match(linked.body, /:focus-visible/);
  });
});

describe('face page (issue 4)', () => {
  const face: Page = {
    view: 'face',
    data: {
      action: '/interaction/abc/face',
      csrf: 'csrf-token',
      clientName: 'Acme <Signing>',
      challenge: { id: 'AAAAAAAAAAAAAAAAAAAAAA', actions: ['turn_left', 'smile', 'open_mouth'] },
      attemptsLeft: 2,
      error: 'no_match',
    },
  };

  test('is the only policy with a script source: its own origin, plus camera streams for media', () => {
    const policy = contentSecurityPolicy([], { camera: true });
    assert.match(policy, /script-src 'self'; media-src 'self' blob:;/);
    assert.doesNotMatch(policy, /unsafe/);
    assert.doesNotMatch(contentSecurityPolicy([]), /script-src|media-src/);
  });

  test('explains the step, the movements in order, the attempts and the reason, in English and Spanish, escaped', () => {
    const english = renderPage('en', face);
    assert.match(english, /<strong>Acme &lt;Signing&gt;<\/strong> asks you to confirm with your face/);
    assert.match(
      english,
      /<li data-action="turn_left" data-prompt="Now turn your head to your left\.">turn your head to your left<\/li>\s*<li data-action="smile" data-prompt="Now smile\.">smile<\/li>\s*<li data-action="open_mouth"/,
    );
    assert.match(english, /data-challenge="AAAAAAAAAAAAAAAAAAAAAA" data-actions="turn_left smile open_mouth"/);
    assert.match(english, /data-neutral-ms="1200" data-action-ms="2000"/);
    assert.match(english, /<input type="hidden" name="challenge" value="AAAAAAAAAAAAAAAAAAAAAA">/);
    assert.match(english, /Attempts left: <strong>2<\/strong>\./);
    assert.match(english, /role="alert">The face does not match the face enrolled for you\.</);
    assert.match(english, /name="cancel" value="no_camera">I can&#39;t use a camera</);
    assert.match(english, new RegExp(`<script src="${FACE_SCRIPT_PATH}\\?v=[\\w-]+" defer></script>`));
    const spanish = renderPage('es', {
      ...face,
      data: {
        ...face.data,
        challenge: { id: 'AAAAAAAAAAAAAAAAAAAAAA', actions: ['smile', 'turn_right', 'open_mouth'] },
      },
    });
    assert.match(spanish, /Te pediremos que:/);
    assert.match(spanish, /<li data-action="smile" data-prompt="Ahora sonríe\.">sonrías<\/li>/);
    assert.match(spanish, /gires la cabeza hacia tu derecha/);
    assert.match(spanish, /No puedo usar una cámara/);
  });

  test('its script is served as JavaScript, cacheable', async () => {
    const response = await app.inject({ method: 'GET', url: FACE_SCRIPT_PATH });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/javascript\b/);
    assert.match(response.body, /getUserMedia/);
  });
});

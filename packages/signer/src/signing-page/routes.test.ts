import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CreateEnvelopeRequest, SignaturePosition } from '@signet/protocol';
import type { TestBrowser } from '@signet/testing/browser';
import { hiddenField } from '@signet/testing/browser';
import { makePdf, pdfsig, scratchDir } from '@signet/testing/pdf';
import { type SigningPageHarness, signingPageHarness } from '@signet/testing/signing-page';
import { createEnvelope } from '../envelopes/create.js';
import { rejectInvitation, signAsInvitee } from '../envelopes/invitations.js';
import { cancelEnvelope, expireEnvelopes } from '../envelopes/lifecycle.js';
import { readDss } from '../pdf/testing.js';
import { en } from './i18n/en.js';
import { es } from './i18n/es.js';
import { ASSET_PATHS } from './render.js';

let h: SigningPageHarness;

before(async () => {
  h = await signingPageHarness();
});
after(() => h?.dispose());

/** The text of a page, tags removed and whitespace collapsed. */
const textOf = (html: string) =>
  html
    .replace(/<\/?strong>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** Signs a new person with `email` in through a fresh signing link; returns the browser on the signing page. */
async function signedIn(options: { email?: string; documents?: number; position?: SignaturePosition } = {}) {
  const email = options.email ?? `ana-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const invitation = await h.invite({
    email,
    ...(options.documents ? { documents: options.documents } : {}),
    ...(options.position ? { position: options.position } : {}),
  });
  const person = await h.person(email);
  const browser = h.browser();
  const callback = await h.signInThroughLink(browser, invitation.signingUrl, person.username);
  assert.equal(callback.status, 303, await callback.text());
  assert.equal(callback.headers.get('location'), '/sign/session');
  const page = await browser.get('/sign/session');
  const html = await page.text();
  assert.equal(page.status, 200, html);
  return { browser, html, page, invitation, email };
}

describe('signing link', () => {
  test('an unknown or malformed token is a 404 page, in English or Spanish', async () => {
    for (const path of ['/sign/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/sign/short', '/sign/%3Cscript%3E']) {
      const res = await h.browser().get(path);
      assert.equal(res.status, 404, path);
      const html = await res.text();
      assert.ok(textOf(html).includes(en.problems.unknown.title), path);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
    const spanish = await h.browser({ 'accept-language': 'es-ES,es;q=0.9' }).get('/sign/AAAAAAAAAAAAAAAAAAAAAAAA');
    assert.equal(spanish.status, 404);
    const html = await spanish.text();
    assert.match(html, /<html lang="es">/);
    assert.ok(textOf(html).includes(es.problems.unknown.title));
    assert.equal(spanish.headers.get('content-language'), 'es');
  });

  test('a valid link sends the person to the issuer: code + PKCE S256, acr_values, login_hint, sealed cookie', async () => {
    const { signingUrl } = await h.invite({ email: 'Hint@Example.com' });
    const browser = h.browser({ 'accept-language': 'es' });
    const res = await browser.get(signingUrl);
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location') as string);
    assert.equal(`${location.origin}${location.pathname}`, `${h.t.issuer}/oauth2/auth`);
    const q = location.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), h.client.client_id);
    assert.equal(q.get('redirect_uri'), `${h.publicUrl}/sign/callback`);
    assert.equal(q.get('scope'), 'openid profile credential email');
    assert.equal(q.get('code_challenge_method'), 'S256');
    assert.match(q.get('code_challenge') ?? '', /^[\w-]{43}$/);
    assert.match(q.get('state') ?? '', /^[\w-]{43}$/);
    assert.match(q.get('nonce') ?? '', /^[\w-]{43}$/);
    assert.equal(q.get('acr_values'), h.t.config.requiredAcr);
    assert.equal(q.get('login_hint'), 'Hint@Example.com');
    assert.equal(q.get('ui_locales'), 'es');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('signet_sign_request='));
    assert.ok(cookie);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.match(cookie, /Path=\/sign/);
    // Sealed: neither the state nor the token can be read from it.
    assert.ok(!cookie.includes(q.get('state') as string));
    assert.ok(!cookie.includes(signingUrl.slice(signingUrl.lastIndexOf('/') + 1)));
  });

  test('the configured acr is asked for: urn:acr:face by default', async () => {
    const face = await signingPageHarness({ SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:face' });
    try {
      const { signingUrl } = await face.invite();
      const res = await face.browser().get(signingUrl);
      assert.equal(new URL(res.headers.get('location') as string).searchParams.get('acr_values'), 'urn:acr:face');
    } finally {
      await face.dispose();
    }
  });
});

describe('callback', () => {
  test('a state that does not match is a 400 page, and the real sign-in can still finish', async () => {
    const { signingUrl } = await h.invite();
    const browser = h.browser();
    const start = await browser.get(signingUrl);
    assert.equal(start.status, 303);
    const forged = await browser.get('/sign/callback?state=forged-state&code=abc');
    assert.equal(forged.status, 400);
    assert.ok(textOf(await forged.text()).includes(en.problems.signInFailed.title));
    assert.ok(browser.cookie('signet_sign_request'), 'the pending request survives a forged callback');
  });

  test('a callback without the pending request cookie is a 400 page', async () => {
    const res = await h.browser().get('/sign/callback?state=abc&code=def');
    assert.equal(res.status, 400);
  });

  test('an error from the issuer or a wrong iss ends in a 400 page, with the request used up', async () => {
    const { signingUrl } = await h.invite();
    for (const extra of ['error=access_denied', `iss=${encodeURIComponent('https://evil.example')}&code=abc`]) {
      const browser = h.browser();
      const start = await browser.get(signingUrl);
      const state = new URL(start.headers.get('location') as string).searchParams.get('state');
      const res = await browser.get(`/sign/callback?state=${state}&${extra}`);
      assert.equal(res.status, 400, extra);
      assert.equal(browser.cookie('signet_sign_request'), undefined, extra);
    }
  });

  test('someone whose email is not the invited one is refused (403), and no session starts', async () => {
    const invitation = await h.invite({ email: 'invited@example.com' });
    const other = await h.person('someone.else@example.com');
    const browser = h.browser();
    const res = await h.signInThroughLink(browser, invitation.signingUrl, other.username);
    assert.equal(res.status, 403);
    assert.ok(textOf(await res.text()).includes(en.problems.wrongPerson.title));
    assert.equal(browser.cookie('signet_sign_session'), undefined);
    const session = await browser.get('/sign/session');
    assert.equal(session.status, 401);
  });

  test('the email matches ignoring case', async () => {
    const invitation = await h.invite({ email: 'Mixed.Case@Example.COM' });
    const person = await h.person('mixed.case@example.com');
    const res = await h.signInThroughLink(h.browser(), invitation.signingUrl, person.username);
    assert.equal(res.status, 303, await res.text());
  });
});

describe('signing page', () => {
  test('shows the person, the documents and both forms, under a strict CSP, never cached', async () => {
    const { html, page } = await signedIn({ documents: 2 });
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /worker-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
    assert.equal(page.headers.get('cache-control'), 'no-store');
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    assert.ok(textOf(html).includes('Hello Ada Lovelace.'));
    assert.match(html, /data-pdf="\/sign\/session\/documents\/0"/);
    assert.match(html, /data-pdf="\/sign\/session\/documents\/1"/);
    assert.match(html, /<form class="actions" method="post" action="\/sign\/session\/sign">/);
    assert.match(html, /<textarea id="reason" name="reason"[^>]* required/);
    assert.match(html, /<script type="module" src="\/sign\/assets\/signing-page\.js\?v=[\w-]+"><\/script>/);
    assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.doesNotMatch(html, /<script>|\sstyle=|\son[a-z]+=/i, 'no inline script or style');
  });

  test('says where the person signs: the page of each drawn signature, with its box for the page script to mark', async () => {
    const position = { page: 2, x: 56, y: 620, width: 240, height: 70 };
    const { html } = await signedIn({ documents: 2, position });
    const placed = textOf(html).split(en.sign.placedOne.replace('{pages}', '2')).length - 1;
    assert.equal(placed, 2, 'said once per document');
    assert.ok(html.includes(`data-places="${JSON.stringify([position]).replaceAll('"', '&quot;')}"`));
    assert.ok(html.includes(`data-msg-marker="${en.sign.marker}"`));
    assert.ok(!textOf(html).includes(en.sign.notPlaced));
    const invisible = await signedIn();
    assert.ok(textOf(invisible.html).includes(en.sign.notPlaced), 'an invisible signature is said to be so');
    assert.ok(invisible.html.includes('data-places="[]"'));
  });

  test('the documents are served to the session as PDFs, and to nobody else', async () => {
    const { browser } = await signedIn();
    const pdf = await browser.get('/sign/session/documents/0');
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(pdf.headers.get('cache-control'), 'no-store');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );
    assert.equal((await browser.get('/sign/session/documents/7')).status, 404);
    assert.equal((await browser.get('/sign/session/documents/0/signed')).status, 404, 'nothing signed yet');
    assert.equal((await h.browser().get('/sign/session/documents/0')).status, 401);
  });

  test('Sign without the CSRF token is 403 and signs nothing; with it, Signed and a PDF that pdfsig validates', async () => {
    const { browser, html, invitation } = await signedIn();
    const csrf = hiddenField(html, 'csrf') as string;
    assert.ok(csrf);
    assert.equal((await browser.post('/sign/session/sign', {})).status, 403);
    assert.equal((await browser.post('/sign/session/sign', { csrf: 'x'.repeat(43) })).status, 403);
    const other = h.browser();
    assert.equal((await other.post('/sign/session/sign', { csrf })).status, 401, 'no session, no signature');

    const signed = await browser.post('/sign/session/sign', { csrf });
    assert.equal(signed.status, 303, await signed.text());
    const result = await browser.get('/sign/session');
    const resultHtml = await result.text();
    assert.equal(result.status, 200);
    assert.ok(textOf(resultHtml).includes(en.signed.title));
    assert.match(resultHtml, /href="\/sign\/session\/documents\/0\/signed" download="contract-1\.pdf"/);

    const download = await browser.get('/sign/session/documents/0/signed');
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="contract-1\.pdf"/);
    const scratch = scratchDir();
    try {
      const bytes = new Uint8Array(await download.arrayBuffer());
      const { signatures, output } = await pdfsig(scratch.write('signed.pdf', bytes), {
        trust: h.ca.rootCertificatePem,
      });
      // PAdES B-LTA: Ada's signature, then the DSS and a document timestamp. pdfsig lists the
      // timestamp but (poppler 22.12 here) does not verify ETSI.RFC3161: `openssl ts -verify` does, in pdf/ltv.test.ts.
      assert.deepEqual(
        signatures.map((s) => s.field),
        ['Signature_1', 'Timestamp_1'],
        output,
      );
      assert.equal(signatures[0]?.valid, true, output);
      assert.equal(signatures[0]?.commonName, 'Ada Lovelace', output);
      assert.equal(signatures[0]?.certificateTrusted, true, output);
      const dss = await readDss(bytes);
      assert.ok(dss.ocsps.length >= 2 && dss.crls.length >= 1, 'OCSP and CRL embedded');
    } finally {
      scratch.dispose();
    }

    // One decision per session and per link.
    assert.equal((await browser.post('/sign/session/reject', { csrf, reason: 'changed my mind' })).status, 303);
    assert.ok(textOf(await (await browser.get('/sign/session')).text()).includes(en.signed.title));
    // The only signer signed: the envelope is complete, and the link says so.
    const again = await h.browser().get(invitation.signingUrl);
    assert.equal(again.status, 410);
    assert.ok(textOf(await again.text()).includes(en.problems.completed.title));
  });

  test('Reject needs a reason (400); with one the envelope is rejected and the page says so', async () => {
    const { browser, html, invitation } = await signedIn();
    const csrf = hiddenField(html, 'csrf') as string;
    for (const reason of [undefined, '', '   ', 'x'.repeat(501)]) {
      const res = await browser.post('/sign/session/reject', reason === undefined ? { csrf } : { csrf, reason });
      assert.equal(res.status, 400, String(reason));
      assert.ok(textOf(await res.text()).includes(en.problems.reasonRequired.title));
    }
    assert.equal((await browser.post('/sign/session/reject', { reason: 'no csrf' })).status, 403);
    const res = await browser.post('/sign/session/reject', { csrf, reason: 'The amount is wrong <b>' });
    assert.equal(res.status, 303);
    const page = await (await browser.get('/sign/session')).text();
    assert.ok(textOf(page).includes(en.rejected.title));
    assert.ok(page.includes('The amount is wrong &lt;b&gt;'));
    assert.equal((await h.browser().get(invitation.signingUrl)).status, 410);
    assert.equal((await browser.get('/sign/session/documents/0/signed')).status, 404, 'nothing to download');
  });

  test('the signing page speaks Spanish with ui_locales or Accept-Language', async () => {
    const { browser } = await signedIn();
    const res = await browser.get('/sign/session?ui_locales=es');
    const html = await res.text();
    assert.match(html, /<html lang="es">/);
    assert.ok(html.includes(`>${es.sign.signButton}</button>`));
    assert.ok(html.includes(`>${es.sign.rejectButton}</button>`));
    const english = await (browser as TestBrowser).get('/sign/session?ui_locales=en');
    assert.ok((await english.text()).includes(`>${en.sign.signButton}</button>`));
  });

  test('every page has the language switch; a language chosen there is kept and wins over ui_locales', async () => {
    const { browser, html } = await signedIn();
    assert.ok(html.includes('href="/sign/session?lang=es" lang="es" hreflang="es">Español</a>'), 'a link to Spanish');
    assert.ok(html.includes('<span lang="en" aria-current="true">English</span>'), 'English is the page shown');
    const chosen = await browser.get('/sign/session?lang=es');
    assert.match(chosen.headers.getSetCookie().join('\n'), /signet_lang=es; Path=\/; Max-Age=31536000; SameSite=Lax/);
    const spanish = await chosen.text();
    assert.match(spanish, /<html lang="es">/);
    assert.ok(spanish.includes(`>${es.sign.signButton}</button>`));
    assert.ok(spanish.includes('<nav aria-label="Idioma">'));
    assert.equal(browser.cookie('signet_lang'), 'es');
    const kept = await browser.get('/sign/session?ui_locales=en');
    assert.match(await kept.text(), /<html lang="es">/, "the choice outlives the link's ui_locales");
    // A problem page reached by GET has the switch too; a form's answer (POST) has none.
    const problem = await (await h.browser().get('/sign/AAAAAAAAAAAAAAAAAAAAAAAA')).text();
    assert.ok(problem.includes('href="/sign/AAAAAAAAAAAAAAAAAAAAAAAA?lang=es"'));
    const posted = await (await browser.post('/sign/session/reject', { reason: 'no csrf' })).text();
    assert.doesNotMatch(posted, /class="languages"/);
    // The link is the page's own path, escaped: never another host's.
    const odd = await (await h.browser().get('/sign/%22%3E%3Cb%3E')).text();
    assert.ok(odd.includes('href="/sign/%22%3E%3Cb%3E?lang=es"'), 'kept encoded');
    assert.doesNotMatch(odd, /<b>/);
  });

  test('the session ends after 15 minutes', async () => {
    const { browser } = await signedIn();
    h.t.clock.advance(15 * 60 + 1);
    const res = await browser.get('/sign/session');
    assert.equal(res.status, 401);
    assert.ok(textOf(await res.text()).includes(en.problems.sessionOver.title));
  });

  test('an expired link is a 410 page', async () => {
    const { signingUrl } = await h.invite();
    h.t.clock.advance(8 * 86_400);
    const res = await h.browser().get(signingUrl);
    assert.equal(res.status, 410);
    assert.ok(textOf(await res.text()).includes(en.problems.expired.title));
  });
});

describe('each ending of a signing link has its own true page', () => {
  const origin = { ip: '127.0.0.1', userAgent: 'test' };
  const services = () => ({ ...h.t.signer.context, ca: h.ca });
  let nonce = 0;

  /** An envelope of one PDF for two invited persons, Ana (0) then Luis (1); their links' tokens. */
  async function twoInvited(): Promise<{ envelopeId: string; tokens: [string, string] }> {
    const request: CreateEnvelopeRequest = {
      issuer: { initiative: h.integratorId, nonce: `two-${++nonce}-${Date.now()}` },
      documents: [{ name: 'deal.pdf', content: Buffer.from(await makePdf(1, 'Deal')).toString('base64') }],
      persons: [
        { name: 'Ana Ruiz', email: 'ana@example.com' },
        { name: 'Luis Gil', email: 'luis@example.com' },
      ],
      signatures: [
        { document: 0, person: 0 },
        { document: 0, person: 1 },
      ],
    };
    const caller = { clientId: h.integratorId, scope: [], tokenId: undefined };
    const envelope = await createEnvelope(services(), caller, request, origin);
    const token = (i: number) => (envelope.persons[i]?.signingUrl ?? '').split('/').pop() as string;
    return { envelopeId: envelope.id, tokens: [token(0), token(1)] };
  }

  const identity = (email: string) => ({ subject: `${h.t.issuer}|${email}`, name: email, email });

  /** The link answers 410 with the problem's own title and lead, in English and in Spanish, and no other ending's. */
  async function assertEnding(token: string, problem: 'used' | 'canceled' | 'expired' | 'rejected' | 'completed') {
    for (const [language, messages] of [
      ['en', en],
      ['es', es],
    ] as const) {
      const res = await h.browser({ 'accept-language': language }).get(`/sign/${token}`);
      assert.equal(res.status, 410, `${problem} (${language})`);
      const text = textOf(await res.text());
      assert.ok(text.includes(messages.problems[problem].title), `${problem} (${language}): ${text}`);
      assert.ok(text.includes(messages.problems[problem].lead), `${problem} (${language}): ${text}`);
      for (const other of ['used', 'canceled', 'expired', 'rejected', 'completed'] as const) {
        if (other !== problem) assert.ok(!text.includes(messages.problems[other].title), `${problem} shows ${other}`);
      }
    }
  }

  test('canceled by the sender: "canceled", not "already used"', async () => {
    const { envelopeId, token } = await h.invite();
    await cancelEnvelope(h.t.signer.context, h.integratorId, envelopeId, 'wrong amount', origin);
    await assertEnding(token, 'canceled');
  });

  test('expired with the envelope: "expired"', async () => {
    const expiresAt = new Date((h.t.clock.now() + 3600) * 1000).toISOString();
    const { token } = await h.invite({ expiresAt });
    h.t.clock.advance(3601);
    assert.ok((await expireEnvelopes(h.t.signer.context)) >= 1);
    await assertEnding(token, 'expired');
  });

  test('rejected by another signer: "rejected"; the one who rejected sees "used"', async () => {
    const { tokens } = await twoInvited();
    await rejectInvitation(services(), tokens[0], 'not today', origin);
    await assertEnding(tokens[1], 'rejected');
    await assertEnding(tokens[0], 'used');
  });

  test('signed while others still sign: "used"; once everyone signed: "completed"', async () => {
    const { tokens } = await twoInvited();
    await signAsInvitee(services(), tokens[0], identity('ana@example.com'), origin);
    await assertEnding(tokens[0], 'used');
    await signAsInvitee(services(), tokens[1], identity('luis@example.com'), origin);
    await assertEnding(tokens[0], 'completed');
    await assertEnding(tokens[1], 'completed');
  });
});

describe('assets', () => {
  test('pdf.js, its worker, the page script and the stylesheet come from this origin', async () => {
    for (const [path, type] of [
      [ASSET_PATHS.pdfjs, 'text/javascript; charset=utf-8'],
      [ASSET_PATHS.pdfjsWorker, 'text/javascript; charset=utf-8'],
      [ASSET_PATHS.script, 'text/javascript; charset=utf-8'],
      [ASSET_PATHS.stylesheet, 'text/css; charset=utf-8'],
    ] as const) {
      const res = await h.browser().get(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), type, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.ok((await res.text()).length > 100, path);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PeopleHarness, peopleHarness } from '@signet/testing/people';

describe('the home page at /', () => {
  let h: PeopleHarness;
  before(async () => {
    h = await peopleHarness();
  });
  after(async () => h?.close());

  it('says what this service is, in English or Spanish, with links to discovery and the keys', async () => {
    const issuer = h.t.config.issuer;
    const english = await h.browser().get('/');
    assert.equal(english.status, 200);
    assert.match(english.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(english.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await english.text();
    assert.match(html, /<h1>Signet accounts<\/h1>/);
    assert.ok(html.includes(`href="${issuer}/.well-known/openid-configuration"`));
    assert.ok(html.includes(`href="${issuer}/.well-known/jwks.json"`));
    assert.match(html, /class="brand-mark"/);
    const spanish = await h.browser({ 'accept-language': 'es-ES' }).get('/');
    assert.equal(spanish.headers.get('content-language'), 'es');
    assert.match(await spanish.text(), /<h1>Cuentas de Signet<\/h1>/);
    const chosen = await h.browser().get('/?lang=es');
    assert.equal(chosen.headers.get('content-language'), 'es');
    assert.match(chosen.headers.get('set-cookie') ?? '', /^signet_lang=es;/);
  });
});

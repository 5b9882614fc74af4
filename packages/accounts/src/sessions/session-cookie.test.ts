import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertErrorRedirect,
  authorizationRequest,
  codeFrom,
  openPage,
  PASSWORD,
  type PeopleHarness,
  peopleHarness,
  type TestClient,
} from '@signet/testing/people';

/** The attributes of a Set-Cookie header, lower-cased names, and its name and value. */
function parseSetCookie(header: string): { name: string; value: string; attributes: Map<string, string> } {
  const [pair = '', ...rest] = header.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const a of rest) {
    const i = a.indexOf('=');
    attributes.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

for (const { issuer, session, interaction, secure } of [
  { issuer: 'http://localhost:4444', session: 'signet_session', interaction: 'signet_ix', secure: false },
  {
    issuer: 'https://accounts.example',
    session: '__Host-signet_session',
    interaction: '__Secure-signet_ix',
    secure: true,
  },
]) {
  describe(`session and interaction cookies with issuer ${issuer}`, () => {
    let h: PeopleHarness;
    let client: TestClient;
    before(async () => {
      h = await peopleHarness({ env: { SIGNET_ISSUER: issuer } });
      client = await h.client({ skip_consent: true });
    });
    after(async () => h?.close());

    it(`binds the interaction with ${interaction} and signs in with ${session}: HttpOnly, SameSite=Lax${secure ? ', Secure' : ''}`, async () => {
      const person = await h.person();
      const browser = h.browser();
      const req = authorizationRequest(client.client_id);
      const start = await browser.get(req.path);
      const location = start.headers.get('location') ?? '';
      const ix = start.headers.getSetCookie().map(parseSetCookie);
      assert.equal(ix.length, 1);
      const bound = ix[0];
      assert.ok(bound);
      assert.equal(bound.name, interaction);
      assert.ok(bound.value.length >= 43, 'the binding value carries 256 random bits');
      assert.equal(bound.attributes.get('path'), location);
      assert.ok(bound.attributes.has('httponly'));
      assert.equal(bound.attributes.get('samesite')?.toLowerCase(), 'lax');
      assert.equal(bound.attributes.has('secure'), secure);
      assert.equal(bound.attributes.get('max-age'), String(30 * 60));

      const { action, csrf } = await openPage(browser, location);
      const res = await browser.post(action, { csrf, username: person.username, password: PASSWORD });
      assert.equal(res.status, 303);
      codeFrom(new URL(res.headers.get('location') ?? ''), req.state, issuer);
      const cookie = res.headers
        .getSetCookie()
        .map(parseSetCookie)
        .find((c) => c.name === session);
      assert.ok(cookie, `${session} is set`);
      assert.ok(cookie.value.length >= 43, 'the session id carries 256 random bits');
      assert.equal(cookie.attributes.get('path'), '/');
      assert.ok(cookie.attributes.has('httponly'));
      assert.equal(cookie.attributes.get('samesite')?.toLowerCase(), 'lax');
      assert.equal(cookie.attributes.has('secure'), secure);
      assert.ok(!cookie.attributes.has('domain'), 'a host-only cookie');
      assert.equal(cookie.attributes.get('max-age'), String(h.t.config.sessionTtl));
      // The database keeps only a hash of the session id.
      const rows = await h.t.ctx.store.db.selectFrom('sessions').select('id_hash').execute();
      assert.ok(rows.length > 0);
      assert.ok(rows.every((r) => r.id_hash !== cookie.value));

      const again = authorizationRequest(client.client_id, { prompt: 'none' });
      codeFrom(new URL((await browser.get(again.path)).headers.get('location') ?? ''), again.state, issuer);
    });

    it('ignores a session cookie under the other name', async () => {
      const person = await h.person();
      const browser = h.browser();
      const req = authorizationRequest(client.client_id);
      const start = await browser.get(req.path);
      const { action, csrf } = await openPage(browser, start.headers.get('location') ?? '');
      await browser.post(action, { csrf, username: person.username, password: PASSWORD });
      const value = browser.cookie(session);
      assert.ok(value);
      const otherName = secure ? 'signet_session' : '__Host-signet_session';
      const stranger = h.browser({ cookie: `${otherName}=${value}` });
      const none = authorizationRequest(client.client_id, { prompt: 'none' });
      assertErrorRedirect(await stranger.get(none.path), 'login_required', none.state, issuer);
    });
  });
}

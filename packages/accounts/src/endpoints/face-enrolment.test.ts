// One-time face enrolment links: the admin API issues them, the person enrols through
// the camera page, on the real model in the service's own worker pool (≈ 0.3 s per picture).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestBrowser } from '@signet/testing/browser';
import { hiddenField } from '@signet/testing/browser';
import { type PeopleHarness, peopleHarness } from '@signet/testing/people';
import type { FaceAction } from '../face/challenge.js';
import { hashFaceEnrolmentToken } from '../face/enrolment-links.js';
import { openFaceTemplate } from '../face/templates.js';
import { captureTimes, type FaceFixture, performChallenge, readFaceFixture } from '../face/testing-faces.js';
import { euclideanDistance, type FaceTemplate, type FoundFace } from '../face/verifier.js';

const DAY = 86_400;

describe('face enrolment links', () => {
  let h: PeopleHarness;
  let hopper: FaceTemplate;
  const found = new Map<FaceFixture, FoundFace>();

  before(async () => {
    h = await peopleHarness({ env: { SIGNET_FACE_MAX_ATTEMPTS: '2' } });
    for (const fixture of ['hopper', 'collins'] as const) {
      const enrolled = await h.t.ctx.faces.verifier.enroll(readFaceFixture(fixture));
      assert.ok(enrolled.ok, JSON.stringify(enrolled));
      found.set(fixture, enrolled.face);
      if (fixture === 'hopper') hopper = enrolled.template;
    }
  });
  after(async () => h?.close());

  async function issue(userId: string) {
    return h.t.adminApp.inject({
      method: 'POST',
      url: `/admin/users/${userId}/face-enrolment-links`,
      headers: { authorization: h.t.adminAuth },
    });
  }

  /** A person with a fresh link; `path` is the link's page on the public listener. */
  async function personWithLink() {
    const person = await h.person();
    const res = await issue(person.id);
    assert.equal(res.statusCode, 201, res.body);
    const url = new URL(res.json().url);
    return { person, path: url.pathname, token: url.pathname.split('/').pop() ?? '' };
  }

  /** The challenge in a face page's HTML, as `id action action…` (what the script reads). */
  const challengeOf = (html: string) => {
    const id = /data-challenge="([\w-]+)"/.exec(html)?.[1] ?? '';
    const actions = /data-actions="([\w ]+)"/.exec(html)?.[1] ?? '';
    return id && actions ? `${id} ${actions}` : '';
  };

  /** Opens the page in `browser`: its CSRF token, the challenge asked for and the HTML. */
  async function open(browser: TestBrowser, path: string) {
    const res = await browser.get(path);
    const html = await res.text();
    assert.equal(res.status, 200, html);
    const challenge = challengeOf(html);
    const csrf = hiddenField(html, 'csrf') ?? '';
    assert.ok(challenge && csrf, html);
    return { res, html, challenge, csrf };
  }

  /** A posted capture: the challenge id it answers, and its frames with their times. */
  type Shots = { challenge: string; frames: { frame: string; at: number }[] };

  /**
   * The capture the page's script would post for `challenge`: the neutral frames of `neutral`'s
   * face, the actions performed by `actor`'s (synthesised with performChallenge).
   */
  async function frames(
    challenge: string,
    neutral: FaceFixture = 'hopper',
    actor: FaceFixture = neutral,
  ): Promise<Shots> {
    const [id = '', ...actions] = challenge.split(' ');
    const capture = async (fixture: FaceFixture) =>
      performChallenge(readFaceFixture(fixture), found.get(fixture) as FoundFace, actions as FaceAction[]);
    const first = await capture(neutral);
    const second = actor === neutral ? first : await capture(actor);
    const n = captureTimes(actions.length).neutral.length;
    return {
      challenge: id,
      frames: [...first.slice(0, n), ...second.slice(n)].map(({ image, at }) => ({
        frame: image.toString('base64'),
        at,
      })),
    };
  }

  /** A still picture at the script's capture times, for `challenge`. */
  function still(challenge: string): Shots {
    const [id = '', ...actions] = challenge.split(' ');
    const t = captureTimes(actions.length);
    const frame = readFaceFixture('hopper').toString('base64');
    return { challenge: id, frames: [...t.neutral, ...t.action.flat()].map((at) => ({ frame, at })) };
  }

  function post(browser: TestBrowser, path: string, csrf: string, shots: Shots) {
    const body = new URLSearchParams({ csrf, challenge: shots.challenge });
    for (const { frame, at } of shots.frames) {
      body.append('frame', frame);
      body.append('at', String(at));
    }
    return browser.postRaw(path, body.toString());
  }

  async function template(userId: string): Promise<FaceTemplate | undefined> {
    const sealed = await h.t.ctx.store.users.getFaceTemplate(userId);
    return sealed === undefined ? undefined : openFaceTemplate(h.t.ctx.keys.face, userId, sealed);
  }

  it('issues { url, expires_at } for 24 hours, storing only a keyed hash of the token; 404 for nobody', async () => {
    const person = await h.person();
    const res = await issue(person.id);
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json() as { url: string; expires_at: string };
    assert.deepEqual(Object.keys(body).sort(), ['expires_at', 'url']);
    const match = /^http:\/\/localhost:4444\/face\/enrol\/([A-Za-z0-9_-]{43})$/.exec(body.url);
    assert.ok(match, body.url);
    assert.equal(Date.parse(body.expires_at) / 1000, h.t.clock.now() + DAY);
    const rows = await h.t.ctx.store.db
      .selectFrom('face_enrolment_links')
      .select(['token_hash', 'user_id'])
      .where('user_id', '=', person.id)
      .execute();
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]?.token_hash, match[1]);
    assert.equal(rows[0]?.token_hash, hashFaceEnrolmentToken(h.t.ctx.keys.faceEnrolment, match[1] ?? ''));

    const nobody = await issue('nobody');
    assert.equal(nobody.statusCode, 404);
    assert.equal(nobody.json().error, 'not_found');
    const anonymous = await h.t.adminApp.inject({
      method: 'POST',
      url: `/admin/users/${person.id}/face-enrolment-links`,
    });
    assert.equal(anonymous.statusCode, 401);
  });

  it('shows the camera page in English or Spanish, under the face page CSP, bound to this browser', async () => {
    const { path } = await personWithLink();
    const en = await open(h.browser(), path);
    assert.match(en.html, /<h1>Enrol your face<\/h1>/);
    assert.match(en.html, /<script src="\/assets\/face\.js\?v=[\w-]+" defer><\/script>/, 'the face page script');
    assert.doesNotMatch(en.html, /no_camera/, 'no application to return to');
    const csp = en.res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /form-action 'self';/);
    assert.equal(en.res.headers.get('permissions-policy'), 'camera=(self)');
    assert.equal(en.res.headers.get('cache-control'), 'no-store');
    assert.match(
      en.res.headers.get('set-cookie') ?? '',
      new RegExp(`signet_fe=[\\w-]+; Max-Age=${DAY}; Path=${path}; HttpOnly; SameSite=Lax`),
    );
    assert.doesNotMatch(en.res.headers.get('set-cookie') ?? '', /signet_session/);

    const es = await open(h.browser({ 'accept-language': 'es-ES,es;q=0.9' }), path);
    assert.match(es.html, /<h1>Registra tu cara<\/h1>/);
    assert.match(es.html, /Te pediremos que:/);
    assert.equal(es.challenge, en.challenge, 'opening the link again does not draw another challenge');
  });

  it('an unknown, malformed or expired link is a clear page (404 / 410), in the person’s language', async () => {
    const browser = h.browser({ 'accept-language': 'es' });
    for (const path of [`/face/enrol/${'A'.repeat(43)}`, '/face/enrol/short', '/face/enrol/%3Cscript%3E']) {
      const res = await browser.get(path);
      const html = await res.text();
      assert.equal(res.status, 404, path);
      assert.match(html, /Este enlace de registro de cara no es válido/);
      assert.match(html, /unknown_link/);
      assert.doesNotMatch(html, /at .*\.ts:\d+/, 'no stack trace');
    }
    const { path } = await personWithLink();
    const page = await open(h.browser(), path);
    h.t.clock.advance(DAY);
    try {
      const res = await h.browser().get(path);
      assert.equal(res.status, 410);
      assert.match(await res.text(), /This face enrolment link has expired\./);
      const late = await post(h.browser(), path, page.csrf, await frames(page.challenge));
      assert.equal(late.status, 410);
    } finally {
      h.t.clock.advance(-DAY);
    }
  });

  it('enrols the link’s person from a live capture, once; the link cannot be used again', async () => {
    const { person, path } = await personWithLink();
    const other = await h.person();
    const browser = h.browser();
    const page = await open(browser, path);
    const res = await post(browser, path, page.csrf, await frames(page.challenge));
    const html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /Your face is enrolled/);
    // Issue 10: the same visit goes on to create a passkey, so the binding stays until that step ends.
    assert.match(html, /Create a passkey/);
    assert.doesNotMatch(res.headers.get('set-cookie') ?? '', /signet_fe=;/, 'binding kept for the passkey step');
    assert.equal(browser.cookie('signet_session'), undefined, 'enrolling signs nobody in');

    const enrolled = await template(person.id);
    assert.ok(enrolled);
    assert.ok(euclideanDistance(enrolled.embedding, hopper.embedding) < 0.3, 'her face, from the frontal frame');
    assert.equal(await template(other.id), undefined, 'nobody else’s face');
    const listed = await h.t.adminApp.inject({
      url: `/admin/users/${person.id}`,
      headers: { authorization: h.t.adminAuth },
    });
    assert.equal(listed.json().has_face, true);

    const again = await h.browser().get(path);
    assert.equal(again.status, 410);
    assert.match(await again.text(), /already been used/);
    const replay = await post(browser, path, page.csrf, await frames(page.challenge));
    assert.equal(replay.status, 410);
  });

  it('of concurrent posts of a passing capture, exactly one enrols', async () => {
    const { person, path } = await personWithLink();
    const browser = h.browser();
    const page = await open(browser, path);
    const shots = await frames(page.challenge);
    const answers = await Promise.all([1, 2].map(() => post(browser, path, page.csrf, shots)));
    const bodies = await Promise.all(answers.map((r) => r.text()));
    // The one that enrols goes on to the passkey step, which says so.
    const enrolled = (b: string) => /Your face is enrolled/.test(b);
    assert.equal(bodies.filter(enrolled).length, 1, bodies.join('\n'));
    // the other found its challenge already answered (or, if it came later, the link used)
    const other = answers.findIndex((_, i) => !enrolled(bodies[i] ?? ''));
    assert.ok(
      answers[other]?.status === 410 || /already answered/.test(bodies[other] ?? ''),
      `${answers[other]?.status} ${bodies[other]}`,
    );
    assert.ok(await template(person.id));
  });

  it('issuing a new link ends the older one; a new enrolment replaces the face', async () => {
    const { person, path: first } = await personWithLink();
    await h.t.ctx.store.users.setFaceTemplate(person.id, 'not a real template', h.t.clock.now());
    const second = new URL((await issue(person.id)).json().url).pathname;
    const old = await h.browser().get(first);
    assert.equal(old.status, 410);
    assert.match(await old.text(), /no longer valid/);
    const browser = h.browser();
    const page = await open(browser, second);
    assert.equal((await post(browser, second, page.csrf, await frames(page.challenge))).status, 200);
    assert.ok(await template(person.id), 'replaced by a real, sealed template');
  });

  it('refuses a post from another browser or without the form’s token, storing nothing', async () => {
    const { person, path } = await personWithLink();
    const page = await open(h.browser(), path);
    const shots = await frames(page.challenge);
    const stranger = await post(h.browser(), path, page.csrf, shots);
    assert.equal(stranger.status, 403);
    assert.match(await stranger.text(), /opened again in another browser/);

    const browser = h.browser();
    const mine = await open(browser, path); // the latest browser to open the link holds it
    const forged = await post(browser, path, 'not-the-token', shots);
    assert.equal(forged.status, 403);
    assert.equal(await template(person.id), undefined);
    assert.equal((await post(browser, path, mine.csrf, shots)).status, 200);
  });

  it('refuses a capture where someone else takes over, or a still face, then ends the link', async () => {
    const { person, path } = await personWithLink();
    const browser = h.browser();
    let page = await open(browser, path);
    let res = await post(browser, path, page.csrf, await frames(page.challenge, 'hopper', 'collins'));
    let html = await res.text();
    assert.equal(res.status, 200, html);
    assert.match(html, /The face does not match the face enrolled for you\./);
    assert.match(html, /Attempts left: <strong>1<\/strong>/);
    page = { ...page, challenge: challengeOf(html) };

    res = await post(browser, path, page.csrf, still(page.challenge));
    html = await res.text();
    assert.equal(res.status, 410, html);
    assert.match(html, /too many attempts failed/);
    assert.equal(await template(person.id), undefined);
    assert.equal((await h.browser().get(path)).status, 410);
  });

  it('is independent of any session: no enrol page without a link, and a deleted person’s link is unknown', async () => {
    for (const path of ['/face/enrol', '/face/enrol/']) {
      assert.equal((await h.browser().get(path)).status, 404, path);
    }
    const { person, path } = await personWithLink();
    const del = await h.t.adminApp.inject({
      method: 'DELETE',
      url: `/admin/users/${person.id}`,
      headers: { authorization: h.t.adminAuth },
    });
    assert.equal(del.statusCode, 204);
    assert.equal((await h.browser().get(path)).status, 404);
  });
});

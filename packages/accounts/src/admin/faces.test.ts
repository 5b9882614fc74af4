import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PeopleHarness, peopleHarness } from '@signet/testing/people';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { readFaceFixture } from '../face/testing-faces.js';

// The real model, in the service's own worker pool: about 0.3 s per image once loaded.

describe('admin face enrolment', () => {
  let h: PeopleHarness;
  before(async () => {
    h = await peopleHarness();
  });
  after(async () => h?.close());

  function admin(
    method: NonNullable<InjectOptions['method']>,
    url: string,
    payload?: InjectOptions['payload'],
    contentType?: string,
  ): Promise<LightMyRequestResponse> {
    return h.t.adminApp.inject({
      method,
      url,
      headers: { authorization: h.t.adminAuth, ...(contentType ? { 'content-type': contentType } : {}) },
      ...(payload === undefined ? {} : { payload }),
    });
  }

  function assertRefused(res: LightMyRequestResponse, status: number, description: RegExp): void {
    assert.equal(res.statusCode, status, res.body);
    const body = res.json() as { error: string; error_description: string };
    assert.equal(body.error, status === 404 ? 'not_found' : 'invalid_request');
    assert.match(body.error_description, description);
  }

  it('enrols a face from a raw JPEG, stores only the sealed embedding, and shows has_face', async () => {
    const person = await h.person();
    assert.equal(person.has_face, false);
    const res = await admin('POST', `/admin/users/${person.id}/face`, readFaceFixture('hopper'), 'image/jpeg');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().has_face, true);
    assert.equal((await admin('GET', `/admin/users/${person.id}`)).json().has_face, true);
    const listed = (await admin('GET', '/admin/users')).json() as { id: string; has_face: boolean }[];
    assert.equal(listed.find((u) => u.id === person.id)?.has_face, true);

    const sealed = await h.t.ctx.store.users.getFaceTemplate(person.id);
    assert.ok(sealed?.startsWith('v1.'), 'sealed with AES-GCM');
    assert.ok(sealed !== undefined);
    assert.ok(sealed.length < 10_000, 'an embedding, not a photo');
    assert.ok(!sealed.includes('embedding'), 'not readable at rest');
  });

  it('enrols from JSON base64 and replaces the previous face; DELETE removes it', async () => {
    const person = await h.person();
    const image = readFaceFixture('collins').toString('base64');
    const res = await admin('POST', `/admin/users/${person.id}/face`, { image });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await admin('DELETE', `/admin/users/${person.id}/face`)).statusCode, 204);
    assert.equal(await h.t.ctx.store.users.getFaceTemplate(person.id), undefined);
    assert.equal((await admin('GET', `/admin/users/${person.id}`)).json().has_face, false);
    assertRefused(await admin('DELETE', `/admin/users/${person.id}/face`), 404, /no enrolled face/);
  });

  it('refuses a picture with no face, two faces or no image at all, with the reason, storing nothing', async () => {
    const person = await h.person();
    const url = `/admin/users/${person.id}/face`;
    assertRefused(await admin('POST', url, readFaceFixture('coffee'), 'image/jpeg'), 422, /^no_face: .*face/i);
    assertRefused(await admin('POST', url, readFaceFixture('twoFaces'), 'image/jpeg'), 422, /^multiple_faces: /);
    assertRefused(await admin('POST', url, Buffer.from('not an image'), 'image/png'), 422, /^unreadable_image: /);
    assertRefused(await admin('POST', url, { image: 'not base64!' }), 400, /base64/);
    assertRefused(await admin('POST', url, {}), 400, /image/);
    assertRefused(await admin('POST', url, 'hello', 'text/plain'), 400, /content-type/i);
    assert.equal(await h.t.ctx.store.users.getFaceTemplate(person.id), undefined);
  });

  it('answers 404 for an unknown person, before running the model', async () => {
    assertRefused(
      await admin('POST', '/admin/users/nobody/face', readFaceFixture('hopper'), 'image/jpeg'),
      404,
      /nobody/,
    );
    assertRefused(await admin('DELETE', '/admin/users/nobody/face'), 404, /nobody/);
  });

  it('answers 503 temporarily_unavailable with Retry-After when every worker is busy and the queue is full', async () => {
    const person = await h.person();
    // One worker on this 2-core machine (or more elsewhere), a queue of 4 per worker: enough calls at once overflow it.
    const calls = 5 * (h.t.config.facePoolSize + 1) + 1;
    const answers = await Promise.all(
      Array.from({ length: calls }, () =>
        admin('POST', `/admin/users/${person.id}/face`, readFaceFixture('hopper'), 'image/jpeg'),
      ),
    );
    const busy = answers.filter((res) => res.statusCode === 503);
    assert.ok(busy.length > 0, `statuses: ${answers.map((res) => res.statusCode).join(' ')}`);
    assert.equal(busy[0]?.json().error, 'temporarily_unavailable');
    assert.match(busy[0]?.headers['retry-after'] as string, /^[1-9]\d*$/);
    assert.ok(answers.every((res) => res.statusCode === 200 || res.statusCode === 503));
  });

  it('deleting the person deletes their face', async () => {
    const person = await h.person();
    await admin('POST', `/admin/users/${person.id}/face`, readFaceFixture('hopper'), 'image/jpeg');
    assert.equal((await admin('DELETE', `/admin/users/${person.id}`)).statusCode, 204);
    const rows = await h.t.ctx.store.db
      .selectFrom('face_templates')
      .select('user_id')
      .where('user_id', '=', person.id)
      .execute();
    assert.equal(rows.length, 0);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Grant } from '../grants/repository.js';
import type { Store } from '../store/accounts-store.js';
import { testBackends } from '../store/testing.js';

const T0 = 1_800_000_000;

for (const backend of testBackends()) {
  describe(`people and grants on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let n = 0;
    const unique = (p: string) => `${p}-${++n}`;

    before(async () => {
      ({ store, dispose } = await backend.open());
    });
    after(async () => dispose?.());

    async function person(): Promise<string> {
      const id = unique('user');
      await store.users.create({
        id,
        username: id,
        passwordHash: 'argon2-hash',
        claims: { name: 'Ada', credential: { country: 'ES', issuer: 'DGP', type: 'id_card', number: '123' } },
        createdAt: T0,
        updatedAt: T0,
      });
      return id;
    }

    async function client(): Promise<string> {
      const id = unique('client');
      await store.clients.create({
        clientId: id,
        clientName: id,
        clientSecretHash: null,
        grantTypes: ['authorization_code'],
        responseTypes: ['code'],
        redirectUris: ['https://app.example/cb'],
        scope: 'openid',
        audience: [],
        tokenEndpointAuthMethod: 'client_secret_basic',
        skipConsent: false,
        postLogoutRedirectUris: [],
        createdAt: T0,
        updatedAt: T0,
      });
      return id;
    }

    async function grantWithCode(codeHash: string, expiresAt = T0 + 60): Promise<Grant> {
      const grant: Grant = {
        id: unique('grant'),
        userId: await person(),
        clientId: await client(),
        scope: 'openid profile offline_access',
        audience: ['https://api.example'],
        authTime: T0,
        acr: 'urn:acr:password',
        amr: ['pwd'],
        createdAt: T0,
        revokedAt: null,
      };
      await store.grants.createWithCode(grant, {
        codeHash,
        grantId: grant.id,
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'challenge',
        nonce: 'n-1',
        createdAt: T0,
        expiresAt,
      });
      return grant;
    }

    it('finds a person by their verified email, any case, only while it is verified and theirs alone', async () => {
      const id = await person();
      const email = `${unique('Mail')}@Example.com`;
      assert.equal(await store.users.findBySignInEmail(email), undefined);
      await store.users.update(id, { claims: { email, email_verified: false } }, T0 + 1);
      assert.equal(await store.users.findBySignInEmail(email), undefined, 'not verified');
      await store.users.update(id, { claims: { email, email_verified: true } }, T0 + 2);
      assert.equal((await store.users.findBySignInEmail(email.toUpperCase()))?.id, id);
      const other = await person();
      await store.users.update(other, { claims: { email: email.toLowerCase(), email_verified: true } }, T0 + 3);
      assert.equal(await store.users.findBySignInEmail(email), undefined, 'two people share it');
      await store.users.update(other, { claims: {} }, T0 + 4);
      assert.equal((await store.users.findBySignInEmail(email))?.id, id);
    });

    it('stores people with their claims, finds them by username, updates and deletes them', async () => {
      const id = await person();
      const u = await store.users.findByUsername(id);
      assert.equal(u?.id, id);
      assert.deepEqual(u?.claims.credential, { country: 'ES', issuer: 'DGP', type: 'id_card', number: '123' });
      await assert.rejects(
        store.users.create({
          id: unique('x'),
          username: id,
          passwordHash: null,
          claims: {},
          createdAt: T0,
          updatedAt: T0,
        }),
        'usernames are unique',
      );
      const updated = await store.users.update(id, { claims: { name: 'Grace' } }, T0 + 5);
      assert.equal(updated?.claims.name, 'Grace');
      assert.equal((await store.users.get(id))?.updatedAt, T0 + 5);
      assert.equal(await store.users.setPasswordHash(id, 'new-hash', T0 + 6), true);
      assert.equal((await store.users.get(id))?.passwordHash, 'new-hash');
      assert.equal(await store.users.delete(id), true);
      assert.equal(await store.users.get(id), undefined);
    });

    it('redeems a code exactly once, even when two redemptions race', async () => {
      const grant = await grantWithCode('code-race');
      const results = await Promise.all([
        store.grants.redeemCode('code-race', T0 + 1, async (code) => code.nonce),
        store.grants.redeemCode('code-race', T0 + 1, async (code) => code.nonce),
      ]);
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, ['ok', 'reused']);
      const ok = results.find((r) => r.status === 'ok');
      assert.equal(ok?.status === 'ok' && ok.value, 'n-1');
      const reused = results.find((r) => r.status === 'reused');
      assert.equal(reused?.status === 'reused' && reused.grantId, grant.id);
      assert.deepEqual(await store.grants.redeemCode('missing', T0, async () => 1), { status: 'unknown' });
    });

    it('refuses an expired code and keeps a code whose follow-up failed', async () => {
      await grantWithCode('code-old', T0 + 60);
      assert.deepEqual(await store.grants.redeemCode('code-old', T0 + 61, async () => 1), { status: 'expired' });

      await grantWithCode('code-retry');
      await assert.rejects(
        store.grants.redeemCode('code-retry', T0 + 1, async () => {
          throw new Error('issuing failed');
        }),
      );
      const retry = await store.grants.redeemCode('code-retry', T0 + 2, async () => 'second try');
      assert.equal(retry.status, 'ok', 'a failed redemption leaves the code unredeemed');
    });

    it('rotates refresh tokens once, detects reuse and revokes the whole grant', async () => {
      const grant = await grantWithCode('code-rt');
      await store.grants.redeemCode('code-rt', T0 + 1, async (_code, g, tx) => {
        await tx.addRefreshToken({
          tokenHash: 'rt-1',
          grantId: g.id,
          scope: g.scope,
          createdAt: T0,
          expiresAt: T0 + 1000,
        });
        await tx.addAccessToken('jti-1', g.id, T0 + 3600);
      });
      const rotated = await store.grants.redeemRefreshToken('rt-1', T0 + 10, async (_t, g, tx) => {
        await tx.addRefreshToken({
          tokenHash: 'rt-2',
          grantId: g.id,
          scope: 'openid',
          createdAt: T0 + 10,
          expiresAt: T0 + 1000,
        });
        await tx.addAccessToken('jti-2', g.id, T0 + 3610);
        return 'rt-2';
      });
      assert.equal(rotated.status, 'ok');
      const reuse = await store.grants.redeemRefreshToken('rt-1', T0 + 20, async () => 'never');
      assert.deepEqual(reuse, { status: 'reused', grantId: grant.id });

      await store.grants.revoke(grant.id, T0 + 20);
      assert.equal(await store.revokedTokens.isRevoked('jti-1'), true);
      assert.equal(await store.revokedTokens.isRevoked('jti-2'), true);
      assert.equal((await store.grants.get(grant.id))?.revokedAt, T0 + 20);
      const after = await store.grants.redeemRefreshToken('rt-2', T0 + 30, async () => 'never');
      assert.equal(after.status, 'unknown', 'refresh tokens of a revoked grant are gone');
    });

    it('deleting a person deny-lists their live access tokens and removes their grants', async () => {
      const grant = await grantWithCode('code-del');
      await store.grants.redeemCode('code-del', T0 + 1, async (_c, g, tx) =>
        tx.addAccessToken('jti-del', g.id, T0 + 3600),
      );
      await store.users.delete(grant.userId);
      assert.equal(await store.revokedTokens.isRevoked('jti-del'), true);
      assert.equal(await store.grants.get(grant.id), undefined);
    });

    it('keeps sessions and interactions until they expire, and consumes an interaction once', async () => {
      const userId = await person();
      await store.sessions.create({
        idHash: unique('s'),
        userId,
        authTime: T0,
        acr: 'urn:acr:password',
        amr: ['pwd'],
        createdAt: T0,
        expiresAt: T0 + 100,
      });
      const sid = `s-${n}`;
      assert.equal((await store.sessions.get(sid, T0 + 99))?.userId, userId);
      assert.equal(await store.sessions.get(sid, T0 + 100), undefined);
      assert.equal(await store.sessions.delete(sid), true);

      const clientId = await client();
      const id = unique('ix');
      await store.interactions.create({
        id,
        clientId,
        request: { scope: 'openid', state: 'abcdefgh' },
        browserHash: 'bh',
        csrfToken: 'csrf',
        login: null,
        createdAt: T0,
        expiresAt: T0 + 600,
      });
      await store.interactions.setLogin(id, { userId, authTime: T0 + 5, acr: 'urn:acr:password', amr: ['pwd'] });
      const got = await store.interactions.get(id, T0 + 10);
      assert.deepEqual(got?.login, { userId, authTime: T0 + 5, acr: 'urn:acr:password', amr: ['pwd'] });
      assert.deepEqual(got?.request, { scope: 'openid', state: 'abcdefgh' });
      const [a, b] = await Promise.all([
        store.interactions.consume(id, T0 + 11),
        store.interactions.consume(id, T0 + 11),
      ]);
      assert.equal([a, b].filter(Boolean).length, 1, 'exactly one consumer wins');
    });

    it('remembers consent per person, client and exact scope set', async () => {
      const userId = await person();
      const clientId = await client();
      await store.consents.remember(userId, clientId, ['profile', 'openid'], T0);
      await store.consents.remember(userId, clientId, ['openid', 'profile'], T0);
      assert.equal(await store.consents.has(userId, clientId, ['openid', 'profile']), true);
      assert.equal(await store.consents.has(userId, clientId, ['openid', 'profile', 'email']), false);
      await store.consents.forget(userId, clientId);
      assert.equal(await store.consents.has(userId, clientId, ['openid', 'profile']), false);
    });

    it('counts login failures in a window', async () => {
      const key = unique('acct');
      assert.equal(await store.loginThrottle.failures(key, T0, 900), 0);
      assert.equal(await store.loginThrottle.recordFailure(key, T0, 900), 1);
      assert.equal(await store.loginThrottle.recordFailure(key, T0 + 10, 900), 2);
      assert.equal(await store.loginThrottle.failures(key, T0 + 10, 900), 2);
      assert.equal(await store.loginThrottle.failures(key, T0 + 900, 900), 0, 'the window passed');
      assert.equal(await store.loginThrottle.recordFailure(key, T0 + 901, 900), 1, 'a new window starts');
      await store.loginThrottle.clear(key);
      assert.equal(await store.loginThrottle.failures(key, T0 + 901, 900), 0);
    });

    it('gives concurrent failures distinct counts, none lost, and takes one back with forgive', async () => {
      const key = unique('acct');
      const counts = await Promise.all(
        Array.from({ length: 12 }, () => store.loginThrottle.recordFailure(key, T0, 900)),
      );
      assert.deepEqual(
        counts.sort((a, b) => a - b),
        Array.from({ length: 12 }, (_, i) => i + 1),
      );
      await store.loginThrottle.forgive(key);
      assert.equal(await store.loginThrottle.failures(key, T0, 900), 11);
      await store.loginThrottle.forgive(unique('never-counted'));
    });

    it('purges the counts of windows that have passed', async () => {
      const old = unique('acct');
      const fresh = unique('acct');
      await store.loginThrottle.recordFailure(old, T0, 900);
      await store.loginThrottle.recordFailure(fresh, T0 + 100, 900);
      assert.ok((await store.loginThrottle.purgeExpired(T0 + 900, 900)) >= 1);
      assert.equal(await store.loginThrottle.failures(fresh, T0 + 900, 900), 1);
      const rows = await store.db.selectFrom('login_throttle').select('key').where('key', '=', old).execute();
      assert.equal(rows.length, 0);
    });

    it('stores, replaces and clears a sealed face template, and deletes it with the person', async () => {
      const id = await person();
      const other = await person();
      assert.equal(await store.users.getFaceTemplate(id), undefined);
      assert.equal(await store.users.setFaceTemplate('nobody', 'v1.sealed', T0), false);
      assert.equal(await store.users.setFaceTemplate(id, 'v1.first', T0), true);
      assert.equal(await store.users.setFaceTemplate(id, 'v1.second', T0 + 1), true);
      assert.equal(await store.users.getFaceTemplate(id), 'v1.second');
      assert.deepEqual([...(await store.users.withFace([id, other]))], [id]);
      assert.equal(await store.users.clearFaceTemplate(id), true);
      assert.equal(await store.users.clearFaceTemplate(id), false);
      assert.equal(await store.users.getFaceTemplate(id), undefined);
      await store.users.setFaceTemplate(id, 'v1.third', T0 + 2);
      assert.equal(await store.users.delete(id), true);
      const rows = await store.db.selectFrom('face_templates').select('user_id').where('user_id', '=', id).execute();
      assert.equal(rows.length, 0);
    });

    it('keeps the face step of an interaction and counts its attempts atomically', async () => {
      const id = unique('interaction');
      await store.interactions.create({
        id,
        clientId: await client(),
        request: {},
        browserHash: 'bh',
        csrfToken: 'csrf',
        login: null,
        createdAt: T0,
        expiresAt: T0 + 600,
      });
      const fresh = await store.interactions.get(id, T0 + 1);
      assert.equal(fresh?.faceChallenge, null);
      assert.equal(fresh?.faceAttempts, 0);
      assert.equal(await store.interactions.setFaceChallenge(id, 'left'), true);
      const counts = await Promise.all([1, 2, 3].map(() => store.interactions.countFaceAttempt(id, T0 + 2)));
      assert.deepEqual(
        counts.sort((a, b) => (a ?? 0) - (b ?? 0)),
        [1, 2, 3],
      );
      const got = await store.interactions.get(id, T0 + 3);
      assert.equal(got?.faceChallenge, 'left');
      assert.equal(got?.faceAttempts, 3);
      await store.interactions.forgetFaceAttempt(id);
      assert.equal((await store.interactions.get(id, T0 + 3))?.faceAttempts, 2);
      assert.equal(await store.interactions.countFaceAttempt(id, T0 + 600), undefined);
    });
  });
}

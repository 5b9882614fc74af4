import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store/accounts-store.js';
import { testBackends } from '../store/testing.js';
import { FaceEnrolmentLinkRepository } from './face-enrolment-link-repository.js';

const T0 = 1_800_000_000;
const DAY = 86_400;

for (const backend of testBackends()) {
  describe(`face enrolment links on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let links: FaceEnrolmentLinkRepository;
    let dispose: () => Promise<void>;
    let n = 0;
    const unique = (p: string) => `${p}-${++n}`;

    before(async () => {
      ({ store, dispose } = await backend.open());
      links = new FaceEnrolmentLinkRepository(store.db);
    });
    after(async () => dispose?.());

    async function person(): Promise<string> {
      const id = unique('user');
      await store.users.create({ id, username: id, passwordHash: null, claims: {}, createdAt: T0, updatedAt: T0 });
      return id;
    }

    /** A person with a live link opened by browser `b1`; returns the ids. */
    async function openedLink(expiresAt = T0 + DAY) {
      const userId = await person();
      const tokenHash = unique('hash');
      await links.issue({ tokenHash, userId, createdAt: T0, expiresAt });
      const opened = await links.open(tokenHash, T0, { browserHash: 'b1', csrfToken: 'csrf1', faceChallenge: 'left' });
      assert.ok(opened);
      return { userId, tokenHash };
    }

    it('issues a live link, binds its page to the latest browser, and counts attempts atomically', async () => {
      const { tokenHash, userId } = await openedLink();
      const found = await links.find(tokenHash, T0 + 1);
      assert.ok(found.status === 'live', found.status);
      assert.deepEqual(
        { ...found.link },
        {
          tokenHash,
          userId,
          createdAt: T0,
          expiresAt: T0 + DAY,
          usedAt: null,
          revokedAt: null,
          browserHash: 'b1',
          csrfToken: 'csrf1',
          faceChallenge: 'left',
          faceAttempts: 0,
        },
      );
      const again = await links.open(tokenHash, T0 + 2, {
        browserHash: 'b2',
        csrfToken: 'csrf2',
        faceChallenge: 'right',
      });
      assert.equal(again?.browserHash, 'b2');
      assert.equal(again?.csrfToken, 'csrf2');
      assert.equal(again?.faceChallenge, 'left', 'reopening does not draw another side');
      assert.equal(await links.setFaceChallenge(tokenHash, 'left', T0 + 3), true);
      const counts = await Promise.all([1, 2, 3].map(() => links.countFaceAttempt(tokenHash, T0 + 3)));
      assert.deepEqual([...counts].sort(), [1, 2, 3]);
      await links.forgetFaceAttempt(tokenHash);
      const after = await links.find(tokenHash, T0 + 3);
      assert.ok(after.status === 'live');
      assert.equal(after.link.faceAttempts, 2);
      assert.equal(after.link.faceChallenge, 'left');
      assert.equal((await links.find('nope', T0)).status, 'unknown');
    });

    it('expires: an expired link cannot be opened, counted or redeemed', async () => {
      const { tokenHash, userId } = await openedLink(T0 + 60);
      assert.equal((await links.find(tokenHash, T0 + 60)).status, 'expired');
      assert.equal(
        await links.open(tokenHash, T0 + 60, { browserHash: 'b', csrfToken: 'c', faceChallenge: 'left' }),
        undefined,
      );
      assert.equal(await links.countFaceAttempt(tokenHash, T0 + 60), undefined);
      assert.equal(await links.setFaceChallenge(tokenHash, 'right', T0 + 60), false);
      const r = await links.redeem(tokenHash, T0 + 60, 'b1', () => 'sealed');
      assert.deepEqual(r, { status: 'expired' });
      assert.equal(await store.users.getFaceTemplate(userId), undefined);
    });

    it('issuing a new link revokes the older live one', async () => {
      const { tokenHash, userId } = await openedLink();
      await links.issue({ tokenHash: unique('hash'), userId, createdAt: T0 + 5, expiresAt: T0 + DAY });
      const old = await links.find(tokenHash, T0 + 6);
      assert.equal(old.status, 'revoked');
      assert.deepEqual(await links.redeem(tokenHash, T0 + 6, 'b1', () => 'sealed'), { status: 'revoked' });
    });

    it('keeps one live link per person when several are issued at once', async () => {
      const userId = await person();
      const hashes = [1, 2, 3, 4].map(() => unique('hash'));
      await Promise.all(
        hashes.map((tokenHash) => links.issue({ tokenHash, userId, createdAt: T0, expiresAt: T0 + DAY })),
      );
      const statuses = await Promise.all(hashes.map(async (h) => (await links.find(h, T0 + 1)).status));
      assert.equal(statuses.filter((s) => s === 'live').length, 1, statuses.join(' '));
      assert.equal(statuses.filter((s) => s === 'revoked').length, 3, statuses.join(' '));
    });

    it('redeems once: stores the template for the link’s person; reuse and other browsers are refused', async () => {
      const { tokenHash, userId } = await openedLink();
      const other = await person();
      assert.deepEqual(await links.redeem(tokenHash, T0 + 1, 'b2', () => 'sealed'), { status: 'other_browser' });
      const r = await links.redeem(tokenHash, T0 + 1, 'b1', (link) => `sealed-for-${link.userId}`);
      assert.equal(r.status === 'ok' && r.replaced, false);
      assert.equal(await store.users.getFaceTemplate(userId), `sealed-for-${userId}`);
      assert.equal(await store.users.getFaceTemplate(other), undefined);
      assert.deepEqual(await links.redeem(tokenHash, T0 + 2, 'b1', () => 'again'), { status: 'used' });
      assert.equal((await links.find(tokenHash, T0 + 2)).status, 'used');
      assert.equal(await store.users.getFaceTemplate(userId), `sealed-for-${userId}`);
      assert.deepEqual(await links.redeem('nope', T0, 'b1', () => 'x'), { status: 'unknown' });
    });

    it('replaces a previous template, and has exactly one winner among concurrent redemptions', async () => {
      const { tokenHash, userId } = await openedLink();
      await store.users.setFaceTemplate(userId, 'previous', T0);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => links.redeem(tokenHash, T0 + 1, 'b1', () => `sealed-${i}`)),
      );
      const winners = results.flatMap((r, i) => (r.status === 'ok' ? [i] : []));
      assert.equal(winners.length, 1, JSON.stringify(results));
      const winner = results[winners[0] ?? 0];
      assert.equal(winner?.status === 'ok' && winner.replaced, true);
      assert.ok(results.every((r) => r.status === 'ok' || r.status === 'used'));
      assert.equal(await store.users.getFaceTemplate(userId), `sealed-${winners[0]}`);
    });

    it('a failure while sealing leaves the link live and the template unchanged', async () => {
      const { tokenHash, userId } = await openedLink();
      await assert.rejects(
        links.redeem(tokenHash, T0 + 1, 'b1', () => {
          throw new Error('seal failed');
        }),
        /seal failed/,
      );
      assert.equal((await links.find(tokenHash, T0 + 1)).status, 'live');
      assert.equal(await store.users.getFaceTemplate(userId), undefined);
    });

    it('revoke ends a live link; links go with the person; purge drops long-expired ones', async () => {
      const { tokenHash } = await openedLink();
      assert.equal(await links.revoke(tokenHash, T0 + 1), true);
      assert.equal(await links.revoke(tokenHash, T0 + 2), false);
      assert.equal((await links.find(tokenHash, T0 + 2)).status, 'revoked');

      const gone = await openedLink();
      assert.equal(await store.users.delete(gone.userId), true);
      assert.equal((await links.find(gone.tokenHash, T0)).status, 'unknown');

      const old = await openedLink(T0 + 60);
      await links.purgeExpired(T0 + 60 + DAY - 1, DAY);
      assert.equal((await links.find(old.tokenHash, T0 + 60)).status, 'expired');
      await links.purgeExpired(T0 + 60 + DAY, DAY);
      assert.equal((await links.find(old.tokenHash, T0)).status, 'unknown');
    });
  });
}

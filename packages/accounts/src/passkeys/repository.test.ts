import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store/accounts-store.js';
import { testBackends } from '../store/testing.js';
import type { Passkey } from './repository.js';

const T0 = 1_800_000_000;

for (const backend of testBackends()) {
  describe(`passkeys on ${backend.name}`, { skip: backend.skip }, () => {
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
      await store.users.create({ id, username: id, passwordHash: null, claims: {}, createdAt: T0, updatedAt: T0 });
      return id;
    }

    const passkey = (userId: string, over: Partial<Passkey> = {}): Passkey => ({
      credentialId: unique('cred'),
      userId,
      publicKey: 'pk',
      signCount: 0,
      transports: ['internal'],
      backupEligible: false,
      backedUp: false,
      attachment: 'platform',
      aaguid: '00000000-0000-0000-0000-000000000000',
      name: 'Laptop',
      createdAt: T0,
      lastUsedAt: null,
      ...over,
    });

    it('stores, lists, records uses with a counter compare-and-set, and removes', async () => {
      const userId = await person();
      const key = passkey(userId, { signCount: 3, backupEligible: true });
      assert.equal(await store.passkeys.add(key), true);
      assert.equal(
        await store.passkeys.add({ ...key, userId: await person() }),
        false,
        'one credential ID, one person',
      );
      assert.deepEqual(await store.passkeys.listByUser(userId), [key]);
      const use = { previousCount: 3, signCount: 4, backedUp: true, now: T0 + 5 };
      const [a, b] = await Promise.all([
        store.passkeys.recordUse(key.credentialId, use),
        store.passkeys.recordUse(key.credentialId, use),
      ]);
      assert.deepEqual([a, b].sort(), [false, true], 'of two uses from the same counter, one is recorded');
      assert.deepEqual(await store.passkeys.get(key.credentialId), {
        ...key,
        signCount: 4,
        backedUp: true,
        lastUsedAt: T0 + 5,
      });
      assert.equal(await store.passkeys.remove(await person(), key.credentialId), false, 'not another person’s');
      assert.equal(await store.passkeys.remove(userId, key.credentialId), true);
      assert.deepEqual(await store.passkeys.listByUser(userId), []);
    });

    it('a challenge is taken once, only at its binding, for its purpose, before it expires', async () => {
      const userId = await person();
      const binding = unique('link');
      await store.passkeys.issueChallenge({
        binding,
        purpose: 'register',
        userId,
        challenge: 'c1',
        challengeExpiresAt: T0 + 300,
        expiresAt: T0 + 900,
      });
      assert.equal(await store.passkeys.takeChallenge(unique('other'), 'register', 'c1', T0), undefined);
      assert.equal(await store.passkeys.takeChallenge(binding, 'authenticate', 'c1', T0), undefined);
      assert.equal(await store.passkeys.takeChallenge(binding, 'register', 'c1', T0 + 300), undefined, 'expired');
      const takes = await Promise.all(
        Array.from({ length: 5 }, () => store.passkeys.takeChallenge(binding, 'register', 'c1', T0 + 1)),
      );
      assert.deepEqual(
        takes.filter((t) => t !== undefined),
        [{ userId }],
        'of five concurrent takes exactly one wins',
      );
      assert.equal(await store.passkeys.takeChallenge(binding, 'register', 'c1', T0 + 2), undefined, 'taken');
      // The binding may renew its challenge until it ends, never after.
      assert.deepEqual(await store.passkeys.renewChallenge(binding, 'register', 'c2', T0 + 10, 300), { userId });
      assert.deepEqual(await store.passkeys.takeChallenge(binding, 'register', 'c2', T0 + 11), { userId });
      assert.equal(await store.passkeys.renewChallenge(binding, 'register', 'c3', T0 + 900, 300), undefined);
      assert.equal(await store.passkeys.renewChallenge(unique('none'), 'register', 'c3', T0, 300), undefined);
      await store.passkeys.endCeremony(binding);
      assert.equal(await store.passkeys.renewChallenge(binding, 'register', 'c4', T0 + 12, 300), undefined);
    });

    it('deleting the person deletes their passkeys and ceremonies', async () => {
      const userId = await person();
      const key = passkey(userId);
      await store.passkeys.add(key);
      await store.users.delete(userId);
      assert.equal(await store.passkeys.get(key.credentialId), undefined);
    });
  });
}

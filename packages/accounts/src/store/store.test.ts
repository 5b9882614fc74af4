import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '../clients/repository.js';
import type { NewSigningKey } from '../keys/repository.js';
import type { Store } from './accounts-store.js';
import { SubjectClashError } from './subject-clash-error.js';
import { testBackends } from './testing.js';

const client = (id: string, overrides: Partial<Client> = {}): Client => ({
  clientId: id,
  clientName: `Client ${id}`,
  clientSecretHash: 'hash-1',
  grantTypes: ['client_credentials'],
  responseTypes: [],
  redirectUris: [],
  scope: 'signer',
  audience: ['http://localhost:4446'],
  tokenEndpointAuthMethod: 'client_secret_basic',
  skipConsent: false,
  postLogoutRedirectUris: [],
  createdAt: 1_700_000_000,
  updatedAt: 1_700_000_000,
  ...overrides,
});

const key = (kid: string): NewSigningKey => ({
  kid,
  alg: 'ES256',
  publicJwk: { kty: 'EC', kid },
  privateJwkSealed: `sealed-${kid}`,
  createdAt: 1_700_000_000,
});

for (const backend of testBackends()) {
  describe(`store contract on ${backend.name}`, { skip: backend.skip }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await backend.open());
    });
    after(async () => dispose?.());

    it('migrations are idempotent', async () => {
      assert.deepEqual(await store.migrate(), []);
      await store.ping();
    });

    it('creates, reads, lists, updates and deletes clients', async () => {
      await store.clients.create(client('a'));
      await store.clients.create(client('b', { audience: ['x', 'y'], createdAt: 2_000_000_000_000 }));
      await assert.rejects(store.clients.create(client('a')), 'a duplicate client_id is refused');

      const b = await store.clients.get('b');
      assert.deepEqual(b?.audience, ['x', 'y']);
      assert.equal(b?.createdAt, 2_000_000_000_000, 'epoch values survive beyond 32 bits');
      assert.equal(await store.clients.get('missing'), undefined);

      const page1 = await store.clients.list({ limit: 1 });
      assert.deepEqual(
        page1.map((c) => c.clientId),
        ['a'],
      );
      const page2 = await store.clients.list({ limit: 5, after: 'a' });
      assert.deepEqual(
        page2.map((c) => c.clientId),
        ['b'],
      );

      const updated = await store.clients.update('a', { clientName: 'Renamed', scope: 'signer extra' }, 1_800_000_000);
      assert.equal(updated?.clientName, 'Renamed');
      assert.equal(updated?.updatedAt, 1_800_000_000);
      assert.equal(updated?.createdAt, 1_700_000_000);
      assert.equal((await store.clients.get('a'))?.scope, 'signer extra');
      assert.equal(await store.clients.update('missing', { clientName: 'x' }, 1), undefined);

      assert.equal(await store.clients.setSecretHash('a', 'hash-2', 1_900_000_000), true);
      assert.equal((await store.clients.get('a'))?.clientSecretHash, 'hash-2');
      assert.equal(await store.clients.setSecretHash('missing', 'h', 1), false);

      assert.equal(await store.clients.delete('a'), true);
      assert.equal(await store.clients.delete('a'), false);
      assert.equal(await store.clients.get('a'), undefined);
    });

    it("refuses a client whose id is a person's, and a person whose id is a client's: both would be a token's sub", async () => {
      const person = { username: 'clash', passwordHash: null, claims: {}, createdAt: 1, updatedAt: 1 };
      await store.users.create({ ...person, id: 'clash-person' });
      await store.clients.create(client('clash-client'));
      await assert.rejects(store.clients.create(client('clash-person')), (error: unknown) => {
        assert.ok(error instanceof SubjectClashError, String(error));
        assert.equal(error.takenBy, 'person');
        return true;
      });
      await assert.rejects(
        store.users.create({ ...person, username: 'clash-2', id: 'clash-client' }),
        (error: unknown) => {
          assert.ok(error instanceof SubjectClashError, String(error));
          assert.equal(error.takenBy, 'client');
          return true;
        },
      );
      assert.equal(await store.clients.get('clash-person'), undefined);
      assert.equal(await store.users.get('clash-client'), undefined);
    });

    it('initializes keys once and rotates them in order', async () => {
      assert.deepEqual(await store.signingKeys.list(), []);
      assert.equal(await store.signingKeys.initialize(key('k1'), key('k2'), 100), true);
      assert.equal(await store.signingKeys.initialize(key('k8'), key('k9'), 100), false, 'a second init is a no-op');
      let keys = await store.signingKeys.list();
      assert.deepEqual(
        keys.map((k) => [k.kid, k.status]),
        [
          ['k1', 'active'],
          ['k2', 'next'],
        ],
      );

      assert.equal(await store.signingKeys.rotate(key('k3'), 200), 'k2');
      keys = await store.signingKeys.list();
      assert.deepEqual(
        keys.map((k) => [k.kid, k.status, k.activatedAt]),
        [
          ['k1', 'previous', 100],
          ['k2', 'active', 200],
          ['k3', 'next', null],
        ],
      );
      assert.deepEqual(keys[0]?.publicJwk, { kty: 'EC', kid: 'k1' });

      assert.equal(await store.signingKeys.retire('k2', 300), false, 'the active key cannot be retired');
      assert.equal(await store.signingKeys.retire('k1', 300), true);
      assert.deepEqual(
        (await store.signingKeys.list()).map((k) => k.kid),
        ['k2', 'k3'],
      );
      const all = await store.signingKeys.list(true);
      assert.equal(all.find((k) => k.kid === 'k1')?.retiredAt, 300);
    });

    it('lets only one of several concurrent first starts and rotations win', async () => {
      const fresh = await backend.open();
      try {
        const keys = fresh.store.signingKeys;
        const inits = await Promise.all([1, 2, 3, 4].map((i) => keys.initialize(key(`a${i}`), key(`n${i}`), 100)));
        assert.equal(inits.filter(Boolean).length, 1, 'one initialization wins');
        const rotations = await Promise.allSettled([1, 2, 3].map((i) => keys.rotate(key(`r${i}`), 200)));
        assert.ok(rotations.some((r) => r.status === 'fulfilled'));
        for (const r of rotations) {
          if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'ConcurrentChangeError');
        }
        const statuses = (await keys.list()).map((k) => k.status);
        assert.equal(statuses.filter((s) => s === 'active').length, 1, 'exactly one active key');
        assert.equal(statuses.filter((s) => s === 'next').length, 1, 'exactly one next key');
      } finally {
        await fresh.dispose();
      }
    });

    it('keeps revoked tokens until they expire', async () => {
      await store.revokedTokens.revoke('j1', 1000);
      await store.revokedTokens.revoke('j1', 1000);
      await store.revokedTokens.revoke('j2', 3000);
      assert.equal(await store.revokedTokens.isRevoked('j1'), true);
      assert.equal(await store.revokedTokens.isRevoked('nope'), false);
      assert.equal(await store.revokedTokens.purgeExpired(2000), 1);
      assert.equal(await store.revokedTokens.isRevoked('j1'), false);
      assert.equal(await store.revokedTokens.isRevoked('j2'), true);
    });

    it('a failed transaction leaves nothing behind', async () => {
      await assert.rejects(
        store.db.transaction().execute(async (trx) => {
          await trx.insertInto('revoked_tokens').values({ jti: 'tx', expires_at: 5 }).execute();
          throw new Error('boom');
        }),
      );
      assert.equal(await store.revokedTokens.isRevoked('tx'), false);
    });
  });
}

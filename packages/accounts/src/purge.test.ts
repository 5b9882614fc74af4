import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { testLocations } from '@signet/store/testing';
import { FaceEnrolmentLinkRepository } from './people/face-enrolment-link-repository.js';
import { PURGE_INTERVAL_SECONDS, runScheduledPurge } from './purge.js';
import { openStore, type Store } from './store/accounts-store.js';

for (const location of testLocations()) {
  describe(`the purge of expired rows runs once per deployment (${location.name})`, { skip: location.skip }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups) await cleanup();
    });

    /** Two nodes: two stores, each its own connection pool, on one database. */
    const twoNodes = async (): Promise<[Store, Store]> => {
      const { options, dispose } = await location.create();
      const nodes = [openStore(options), openStore(options)] as [Store, Store];
      cleanups.push(async () => {
        for (const node of nodes) await node.close();
        await dispose();
      });
      await nodes[0].migrate();
      return nodes;
    };
    const purge = (node: Store, now: number) => runScheduledPurge(node, new FaceEnrolmentLinkRepository(node.db), now);

    it('of two nodes ticking together one purges; neither again until it is due; then one again', async () => {
      const [a, b] = await twoNodes();
      const t = 1_900_000_000;
      for (let i = 0; i < 5; i++) await a.revokedTokens.revoke(`expired-${i}`, t - 1);
      await a.revokedTokens.revoke('live', t + 3600);

      const first = await Promise.all([purge(a, t), purge(b, t)]);
      const ran = first.filter((r) => r !== undefined);
      assert.equal(ran.length, 1, `one node purged: ${JSON.stringify(first)}`);
      assert.equal(ran[0]?.revokedTokens, 5);
      assert.equal(await a.revokedTokens.isRevoked('live'), true, 'a live row stays');

      // Each node ticks every minute; the job is due again only after the interval.
      for (const later of [t + 60, t + PURGE_INTERVAL_SECONDS - 1]) {
        assert.deepEqual(await Promise.all([purge(a, later), purge(b, later)]), [undefined, undefined]);
      }
      await b.revokedTokens.revoke('expired-later', t + 10);
      const due = await Promise.all([purge(b, t + PURGE_INTERVAL_SECONDS), purge(a, t + PURGE_INTERVAL_SECONDS)]);
      assert.equal(due.filter((r) => r !== undefined).length, 1, 'one node purged again');
      assert.equal(due.find((r) => r !== undefined)?.revokedTokens, 1);
    });

    it('a node that died holding the lease delays the purge only until the lease ends', async () => {
      const [a, b] = await twoNodes();
      const t = 1_900_000_000;
      // a claims the job and never finishes it (killed mid-purge).
      const { claimScheduledJob, ensureScheduledJob } = await import('@signet/store');
      await ensureScheduledJob(a.db, 'purge', t);
      assert.equal(await claimScheduledJob(a.db, 'purge', t, 300, 'dead-node'), true);
      assert.equal(await purge(b, t + 60), undefined, 'the lease holds');
      const report = await purge(b, t + 301);
      assert.ok(report, 'b purges once the lease ended');
    });
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { perTurnBatch } from './turn-batch.js';

test('calls made in one turn run together after it, in order, each settling on its own', async () => {
  const log: string[] = [];
  const double = perTurnBatch((n: number) => {
    log.push(`work ${n}`);
    if (n < 0) throw new Error(`negative ${n}`);
    return n * 2;
  });
  const results = Promise.allSettled([double(1), double(-1), double(3)]);
  log.push('turn ends');
  const [one, bad, three] = await results;
  assert.deepEqual(log, ['turn ends', 'work 1', 'work -1', 'work 3']);
  assert.deepEqual(one, { status: 'fulfilled', value: 2 });
  assert.equal(bad.status, 'rejected');
  assert.match(String((bad as PromiseRejectedResult).reason), /negative -1/);
  assert.deepEqual(three, { status: 'fulfilled', value: 6 });
});

test('a call made after a batch ran starts a new batch', async () => {
  const batches: number[][] = [];
  let current: number[] | undefined;
  const record = perTurnBatch((n: number) => {
    if (!current) {
      current = [];
      batches.push(current);
      setImmediate(() => {
        current = undefined;
      });
    }
    current.push(n);
    return n;
  });
  await Promise.all([record(1), record(2)]);
  await record(3);
  assert.deepEqual(batches, [[1, 2], [3]]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setBounded } from './bounded-map.js';

test('setBounded keeps the newest entries, a key set again counting as new', () => {
  const map = new Map<string, number>();
  for (const [key, value] of [
    ['a', 1],
    ['b', 2],
    ['c', 3],
  ] as const)
    setBounded(map, key, value, 3);
  setBounded(map, 'a', 10, 3);
  assert.deepEqual(
    [...map],
    [
      ['b', 2],
      ['c', 3],
      ['a', 10],
    ],
  );
  setBounded(map, 'd', 4, 3);
  assert.deepEqual(
    [...map],
    [
      ['c', 3],
      ['a', 10],
      ['d', 4],
    ],
  );
  setBounded(map, 'e', 5, 1);
  assert.deepEqual([...map], [['e', 5]]);
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('..', import.meta.url));
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(/;

/**
 * Storage-only modules that predate decision 0022's file names; each holds nothing but the
 * storage of one concept. New SQL goes into the feature's `repository.ts`.
 */
const STORAGE_MODULES = new Set([
  'audit/record.ts',
  'audit/trail.ts',
  'notifications/event-feed.ts',
  'notifications/outbox.ts',
  'notifications/webhook-settings.ts',
  'signing-page/sessions.ts',
]);

const isRepository = (path: string): boolean =>
  /(^|\/)repository\.ts$/.test(path) || /(^|\/)([\w-]+-)?migration\.ts$/.test(path) || STORAGE_MODULES.has(path);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.startsWith('testing')
      ? [path]
      : [];
  });
}

test('the Signer writes SQL only in repository files and migrations (decision 0022)', () => {
  const offenders = sources(SOURCE)
    .map((path) => relative(SOURCE, path).replaceAll('\\', '/'))
    .filter((path) => !isRepository(path))
    .filter((path) =>
      readFileSync(join(SOURCE, path), 'utf8')
        .split('\n')
        .some((line) => QUERY.test(line) && !line.trimStart().startsWith('*')),
    );
  assert.deepEqual(offenders, [], 'move these queries into the feature’s repository.ts');
});

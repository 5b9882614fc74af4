// Decision 0022's storage rule, checked: each service writes SQL only in its repository files and
// migrations, and `@signet/store`, the database kit both services stand on, names none of
// accounts' tables.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(/;

/** A feature's `repository.ts` or `<concept>-repository.ts`. */
const REPOSITORY = /(^|\/)([\w-]+-)?repository\.ts$/;

/** Where each service keeps its migrations: the Signer one `migration.ts` per feature, accounts a folder. */
const MIGRATION: Record<string, RegExp> = {
  signer: /(^|\/)([\w-]+-)?migration\.ts$/,
  accounts: /^migrations\//,
};

/** A package's source files that run in production (no tests, no test helpers), relative to `src/`. */
function sources(pkg: string): string[] {
  const root = join(repo, 'packages', pkg, 'src');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.startsWith('testing')
        ? [relative(root, path).replaceAll('\\', '/')]
        : [];
    });
  return walk(root);
}

const read = (pkg: string, path: string): string => readFileSync(join(repo, 'packages', pkg, 'src', path), 'utf8');

/** Files of `pkg` outside its repositories and migrations that build a query. */
function queriesOutsideRepositories(pkg: 'signer' | 'accounts'): string[] {
  return sources(pkg)
    .filter((path) => !REPOSITORY.test(path) && !MIGRATION[pkg]?.test(path))
    .filter((path) =>
      read(pkg, path)
        .split('\n')
        .some((line) => QUERY.test(line) && !line.trimStart().startsWith('*')),
    );
}

describe('the storage rule (decision 0022)', () => {
  it('the Signer writes SQL only in repository files and migrations', () => {
    assert.deepEqual(queriesOutsideRepositories('signer'), [], 'move these queries into the feature’s repository.ts');
  });

  it('accounts writes SQL only in repository files and migrations', () => {
    assert.deepEqual(queriesOutsideRepositories('accounts'), [], 'move these queries into the feature’s repository.ts');
  });

  it('the rule sees a query: accounts’ repositories build them', () => {
    // Guards the check itself: if the pattern stopped matching, both tests above would pass vacuously.
    const repositories = sources('accounts').filter((path) => REPOSITORY.test(path));
    assert.ok(repositories.length >= 10, `only ${repositories.length} repository files found`);
    assert.ok(repositories.every((path) => QUERY.test(read('accounts', path))));
  });

  it('@signet/store names none of accounts’ tables', () => {
    const schema = read('accounts', 'store/schema.ts');
    const body = /export interface Database \{([^}]*)\}/.exec(schema)?.[1] ?? '';
    // The kit's own table (the once-per-deployment lease, decision 0032) is in both services' schemas.
    const kit = /export interface ScheduledJobsDatabase \{([^}]*)\}/.exec(
      read('store', 'scheduled-jobs-repository.ts'),
    );
    const kitTables = [...(kit?.[1] ?? '').matchAll(/^\s*(\w+):/gm)].map((m) => m[1] as string);
    assert.deepEqual(kitTables, ['scheduled_jobs'], 'the kit declares its one table');
    const tables = [...body.matchAll(/^\s*(\w+):/gm)]
      .map((m) => m[1] as string)
      .filter((table) => !kitTables.includes(table));
    assert.ok(tables.includes('users') && tables.includes('signing_keys'), 'accounts’ Database lists its tables');
    const offenders = sources('store').flatMap((path) => {
      const text = read('store', path);
      return tables
        .filter((table) => new RegExp(`['"\`]${table}['"\`]`).test(text))
        .map((table) => `${path}: ${table}`);
    });
    assert.deepEqual(offenders, [], 'accounts’ tables belong to accounts, not the database kit');
  });
});

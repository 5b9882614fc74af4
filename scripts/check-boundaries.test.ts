// The package table in docs/architecture.md, checked: biome.json's noRestrictedImports overrides
// must flag each deliberate bad import under scripts/check-boundaries/fixtures and let the allowed
// ones pass; every @signet/* import in a package is declared in its package.json.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const fixtures = join(repo, 'scripts/check-boundaries/fixtures');
const biome = join(repo, 'node_modules/.bin/biome');

interface Diagnostic {
  category: string;
  message: string;
  location: { path: string; start: { line: number } };
}

const RELATIVE = /never by a relative path into its files/;

describe('biome.json enforces the package table', () => {
  let dir: string;
  let diagnostics: Diagnostic[];
  before(() => {
    // The repository's biome.json with its overrides unchanged, beside a copy of the fixture tree,
    // so the same `packages/<name>/**` includes apply to the fixtures' paths.
    dir = mkdtempSync(join(tmpdir(), 'signet-boundaries-'));
    const config = JSON.parse(readFileSync(join(repo, 'biome.json'), 'utf8'));
    delete config.$schema;
    config.vcs = { enabled: false };
    config.files = { includes: ['**', '!**/*.md'] };
    writeFileSync(join(dir, 'biome.json'), JSON.stringify(config));
    cpSync(fixtures, dir, { recursive: true });
    const run = spawnSync(biome, ['lint', '--reporter=json', '--max-diagnostics=none', '.'], {
      cwd: dir,
      encoding: 'utf8',
    });
    assert.notEqual(run.status, 0, 'biome lint must fail on the fixtures');
    diagnostics = (JSON.parse(run.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const flagged = (path: string) =>
    diagnostics
      .filter((d) => d.location.path === path)
      .map((d) => `${d.category} ${d.location.start.line}: ${d.message}`);

  const cases: [string, RegExp][] = [
    ['packages/sdk/src/relative-into-accounts.ts', RELATIVE],
    ['packages/sdk/src/imports-store.ts', /packages\/sdk may import @signet\/protocol;/],
    ['packages/protocol/src/node-crypto.ts', /no node: modules/],
    [
      'packages/signer/src/imports-accounts.ts',
      /packages\/signer may import @signet\/protocol, @signet\/web, @signet\/store, @signet\/sdk;/,
    ],
    ['packages/signer/src/imports-testing.ts', /@signet\/testing is for tests only/],
    ['packages/signer/src/envelopes/testing.ts', RELATIVE],
    ['e2e/flow.ts', RELATIVE],
  ];
  for (const [path, message] of cases) {
    it(`flags the bad import in ${path}`, () => {
      const found = flagged(path);
      assert.equal(found.length, 1, found.join('\n'));
      assert.match(found[0] ?? '', /^lint\/style\/noRestrictedImports 2: /);
      assert.match(found[0] ?? '', message);
    });
  }

  for (const path of [
    'packages/signer/src/allowed.ts',
    'packages/signer/src/allowed.test.ts',
    'packages/cli/src/allowed.ts',
  ]) {
    it(`lets the allowed imports in ${path} pass`, () => assert.deepEqual(flagged(path), []));
  }

  it('flags nothing else', () => {
    const expected = new Set(cases.map(([path]) => path));
    assert.deepEqual(
      diagnostics.filter((d) => !expected.has(d.location.path)).map((d) => d.location.path),
      [],
    );
  });
});

describe('every workspace dependency is declared', () => {
  const packages = readdirSync(join(repo, 'packages'));
  for (const name of packages) {
    it(`packages/${name}/package.json declares the @signet/* packages its files import`, () => {
      const manifest = JSON.parse(readFileSync(join(repo, 'packages', name, 'package.json'), 'utf8'));
      const runtime = new Set(Object.keys(manifest.dependencies ?? {}));
      const any = new Set([...runtime, ...Object.keys(manifest.devDependencies ?? {})]);
      const files = execFileSync('git', ['ls-files', `packages/${name}/src/*.ts`], { cwd: repo, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
      const missing: string[] = [];
      for (const file of files) {
        const source = readFileSync(join(repo, file), 'utf8');
        const forTests = /(\.test|\/testing[^/]*)\.ts$/.test(file);
        for (const [, imported] of source.matchAll(/from '(@signet\/[a-z-]+)/g)) {
          if (imported === undefined || imported === `@signet/${name}`) continue;
          if (!(forTests ? any : runtime).has(imported)) missing.push(`${file}: ${imported}`);
        }
      }
      assert.deepEqual(missing, []);
    });
  }
});

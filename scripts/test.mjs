// Runs every *.test.ts under packages/*/src, e2e/ and scripts/ (not the check-boundaries fixtures)
// with Node's test runner (Node 20 has no glob support in --test). Extra arguments are passed to
// node, e.g. --test-name-pattern.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = [...readdirSync('packages').map((p) => join('packages', p, 'src')), 'e2e', 'scripts'].filter((d) =>
  existsSync(d),
);
const files = roots
  .flatMap((root) => readdirSync(root, { recursive: true }).map((f) => join(root, String(f))))
  .filter(
    (f) => f.endsWith('.test.ts') && !f.includes('node_modules') && !f.includes(join('check-boundaries', 'fixtures')),
  )
  .sort();
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', ...process.argv.slice(2), ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);

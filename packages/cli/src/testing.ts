import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where the CLI runs in tests. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The CLI's TypeScript entry point. */
export const binTs = fileURLToPath(new URL('./bin.ts', import.meta.url));
const launcher = fileURLToPath(new URL('../bin/signet.js', import.meta.url));

/** What one CLI run left behind. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without any SIGNET_* the test runner happens to have, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIGNET_')));
  return { ...clean, ...env };
}

/**
 * Runs the real CLI in a child process — `node --import tsx packages/cli/src/bin.ts ...args`, or
 * the `bin/signet.js` launcher — with `stdin` piped in (none: closed at once), and collects its output.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { launcher?: boolean; stdin?: string } = {},
): Promise<Run> {
  const argv = options.launcher ? [launcher, ...args] : ['--import', 'tsx', binTs, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: repoRoot, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    // The CLI may exit without reading stdin (a usage error): that is not the test's failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Asserts a successful run and returns its stdout parsed as JSON. */
export function json<T>(result: Run): T {
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

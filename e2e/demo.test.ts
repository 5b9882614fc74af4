// `npm run demo`, run as a newcomer runs it: the script itself, in a folder of its own, must end
// with signed.pdf and pdfsig's "Signature is Valid". Its speed is a figure for the README, not an
// assertion here.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pdfsig } from '@signet/testing/pdf';

const root = fileURLToPath(new URL('../', import.meta.url));
const needs = ['/usr/bin/chromium', '/usr/bin/pdfsig'].filter((tool) => !existsSync(tool));
const skip = needs.length > 0 && !process.env.SIGNET_CI ? `${needs.join(', ')} missing` : false;

describe('npm run demo', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-demo-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a PDF from nothing and pdfsig calls the signature valid', { timeout: 600_000 }, async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
      (done) => {
        // The demo's own folder is the working directory (it writes ./signed.pdf there); tsx still
        // reads the repository's tsconfig, which maps the workspace packages to their sources.
        const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(root, 'scripts/demo.ts')], {
          cwd: dir,
          env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'tsconfig.json') },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
        });
        child.stderr.on('data', (chunk: Buffer) => {
          err += chunk;
        });
        child.on('exit', (exitCode) => done({ code: exitCode, stdout: out, stderr: err }));
      },
    );
    assert.equal(code, 0, `the demo failed:\n${stdout}\n${stderr}`);
    assert.match(stdout, /Signature is Valid/, 'pdfsig, as the demo printed it');
    assert.match(stdout, /verdict: pdfsig valid, \/v1\/verify /);

    const signed = join(dir, 'signed.pdf');
    assert.equal(readFileSync(signed).subarray(0, 5).toString('latin1'), '%PDF-');
    // Checked again here, apart from the demo's own verdict: the person's signature is intact.
    const { signatures } = await pdfsig(signed);
    const people = signatures.filter((s) => s.type === 'ETSI.CAdES.detached');
    assert.ok(people.length > 0, 'the signed PDF carries a person’s signature');
    assert.ok(
      people.every((s) => s.valid),
      'pdfsig finds every person’s signature valid',
    );
    assert.equal(existsSync(join(dir, '.signet-demo')), false, 'the demo leaves no data folder behind');
  });
});

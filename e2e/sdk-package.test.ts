import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { authorizationUrl, createPkce, exchangeCode, randomNonce, randomState } from '@signet/sdk';
import { createTestUser } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { REDIRECT_URI, walk } from '@signet/testing/people';
import { pdfBase64, type TestSigner, testSigner } from '@signet/testing/signer';

// The SDK as an integrator gets it: `npm pack`, installed from the tarball into an empty folder
// outside the workspace (so nothing resolves to the repository's sources), the quick start
// compiled there with tsc against the package's own type declarations and run with plain node
// against a running Signet, to a completed envelope whose signed PDF verifies.
const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const sdkDir = join(repo, 'packages', 'sdk');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed @signet/sdk, installed outside the workspace', () => {
  let dir: string;
  let packed: { filename: string; files: { path: string }[] };
  let t: TestSigner;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-sdk-package-'));
    assert.ok(relative(repo, dir).startsWith('..'), 'the folder is outside the workspace');
    const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: sdkDir });
    [packed] = JSON.parse(stdout);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'quickstart', private: true, type: 'module' }));
    await run(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', join(dir, packed.filename)], {
      cwd: dir,
    });
    t = await testSigner({ env: { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password' } });
  });
  after(async () => {
    await t?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds the build and type declarations only, and depends on jose and oauth4webapi alone', () => {
    const paths = packed.files.map((f) => f.path);
    assert.ok(paths.includes('dist/index.js'));
    assert.ok(paths.includes('dist/index.d.ts'));
    assert.ok(paths.includes('dist/signer-api.generated.d.ts'));
    assert.ok(
      paths.includes('README.md') && paths.includes('LICENSE'),
      'the README and the license text travel with it',
    );
    assert.deepEqual(
      paths.filter((p) => p.startsWith('src/') || /\.test\.|testing\./.test(p)),
      [],
      'no sources, tests or test helpers',
    );
    const manifest = JSON.parse(readFileSync(join(dir, 'node_modules', '@signet', 'sdk', 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.dependencies).sort(), ['jose', 'oauth4webapi']);
    assert.equal(manifest.private, undefined);
    assert.deepEqual(manifest.exports['.'], { types: './dist/index.d.ts', import: './dist/index.js' });
  });

  it('runs the quick start, compiled against the packed types, to a completed and verified envelope', async () => {
    const client = await t.createClient({
      client_name: 'SDK package test',
      grant_types: ['authorization_code', 'client_credentials'],
      redirect_uris: [REDIRECT_URI],
    });
    const person = await createTestUser(t.accounts);
    // The person signs in through the workspace's SDK (the quick start takes her id_token).
    const pkce = await createPkce();
    const state = randomState();
    const nonce = randomNonce();
    const url = await authorizationUrl({
      issuer: t.issuer,
      clientId: client.client_id,
      redirectUri: REDIRECT_URI,
      scope: 'openid',
      state,
      nonce,
      codeChallenge: pkce.codeChallenge,
    });
    const { callback } = await walk(new TestBrowser(t.issuer), `${url.pathname}${url.search}`, person);
    const { idToken } = await exchangeCode({
      issuer: t.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri: REDIRECT_URI,
      callbackUrl: callback,
      expectedState: state,
      nonce,
      codeVerifier: pkce.codeVerifier,
      now: t.clock.now,
    });
    assert.equal(typeof idToken, 'string');

    copyFileSync(join(repo, 'examples', 'sdk-quickstart.ts'), join(dir, 'quickstart.ts'));
    writeFileSync(join(dir, 'contract.pdf'), Buffer.from(await pdfBase64(1), 'base64'));
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        files: ['quickstart.ts'],
      }),
    );
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: dir });

    const signerUrl = await t.signer.listen();
    const { stdout } = await run(process.execPath, [join(dir, 'out', 'quickstart.js')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        SIGNET_ISSUER: t.issuer,
        SIGNET_SIGNER_URL: signerUrl,
        SIGNET_SIGNER_AUDIENCE: t.config.audience,
        SIGNET_CLIENT_ID: client.client_id,
        SIGNET_CLIENT_SECRET: client.client_secret,
        SIGNET_ID_TOKEN: idToken,
        SIGNET_PDF: 'contract.pdf',
      },
    });
    assert.match(stdout, /the second call came from the cache/);
    assert.match(stdout, /: completed\n/);
    assert.match(stdout, /signed\.pdf: \d+ bytes, 1 signature\(s\), TOTAL_PASSED/);
    assert.match(stdout, /token requests sent: 1\n/);
    assert.equal(readFileSync(join(dir, 'signed.pdf')).subarray(0, 5).toString(), '%PDF-');
  });
});

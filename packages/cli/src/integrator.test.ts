import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope, EnvelopeList, VerifyResponse } from '@signet/protocol';
import { createTestUser, freePort } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { makePdf } from '@signet/testing/pdf';
import { walk } from '@signet/testing/people';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { binTs, childEnv, json, repoRoot, runCli } from './testing.js';

// The integrator's commands (`signet login`, `envelopes …`, `verify`) run as the real CLI in child
// processes against a running issuer and Signer over HTTP. `signet login` is driven by following
// the URL it prints with the people helpers' cookie-keeping browser (login page over HTTP), with
// `--acr urn:acr:password` and a Signer that requires only that: the face and passkey route needs
// Chromium and the model, and `npm run demo` runs it through the same SDK calls
// (@signet/testing/face-browser). What is tested here is the CLI: loopback redirect, PKCE
// exchange, the 0600 session file, the envelope commands, exit codes and --json.

describe('signet login, envelopes and verify (an integrator by hand)', () => {
  let t: TestSigner;
  let signerUrl: string;
  let loginPort: number;
  let client: { client_id: string; client_secret: string };
  let person: { username: string; id: string };
  const config = mkdtempSync(join(tmpdir(), 'signet-cli-config-'));
  const files = mkdtempSync(join(tmpdir(), 'signet-cli-files-'));
  let env: Record<string, string>;
  let pdf: string;

  before(async () => {
    const port = await freePort();
    signerUrl = `http://127.0.0.1:${port}`;
    t = await testSigner({
      env: {
        SIGNET_SIGNER_PUBLIC_URL: signerUrl,
        SIGNET_SIGNER_PORT: String(port),
        SIGNET_SIGNER_METRICS_PORT: '0',
        SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password',
      },
    });
    await t.signer.listen();
    loginPort = await freePort();
    client = await t.createClient({
      client_name: 'By hand',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      redirect_uris: [`http://127.0.0.1:${loginPort}/callback`],
      skip_consent: true,
    });
    person = await createTestUser(t.accounts);
    env = {
      SIGNET_ISSUER: t.issuer,
      SIGNET_CLIENT_ID: client.client_id,
      SIGNET_CLIENT_SECRET: client.client_secret,
      SIGNET_SIGNER_URL: signerUrl,
      SIGNET_SIGNER_AUDIENCE: t.config.audience,
      XDG_CONFIG_HOME: config,
    };
    pdf = join(files, 'contract.pdf');
    writeFileSync(pdf, await makePdf(1, 'By hand'));
  });

  after(async () => {
    await t?.dispose();
    rmSync(config, { recursive: true, force: true });
    rmSync(files, { recursive: true, force: true });
  });

  /** Starts the CLI and hands back its child, with stdout and stderr as they arrive. */
  function startCli(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', binTs, ...args], {
      cwd: repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out.stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      out.stderr += c;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    const waitFor = async (stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> => {
      for (let i = 0; i < 300; i++) {
        const found = pattern.exec(out[stream]);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no ${pattern} on ${stream}: ${out.stdout} ${out.stderr}`);
    };
    return { child, out, closed, waitFor };
  }

  let idTokenSub: string;

  it('signet login: prints the request, takes the loopback callback, exchanges the code, keeps the tokens (0600)', async () => {
    const cli = startCli(['login', '--port', String(loginPort), '--acr', 'urn:acr:password', '--no-open', '--json']);
    const [, url] = await cli.waitFor('stderr', /^\s+(http\S+)$/m);
    assert.ok(url);
    const request = new URL(url);
    assert.equal(request.searchParams.get('redirect_uri'), `http://127.0.0.1:${loginPort}/callback`);
    assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(request.searchParams.get('acr_values'), 'urn:acr:password');
    // The person signs in on the login page; the browser comes back to the CLI's listener.
    const { callback } = await walk(new TestBrowser(t.issuer), url, { username: person.username });
    const landed = await fetch(callback);
    assert.equal(landed.status, 200);
    assert.match(await landed.text(), /close this window/);
    assert.equal(await cli.closed, 0, cli.out.stderr);
    const result = JSON.parse(cli.out.stdout) as { claims: Record<string, unknown>; session_file: string };
    assert.equal(result.claims.sub, person.id);
    assert.equal(result.claims.acr, 'urn:acr:password');
    assert.equal(result.session_file, join(config, 'signet', 'session.json'));
    assert.equal(statSync(result.session_file).mode & 0o777, 0o600);
    const session = JSON.parse(readFileSync(result.session_file, 'utf8')) as Record<string, unknown>;
    assert.equal(typeof session.id_token, 'string');
    assert.equal(typeof session.refresh_token, 'string');
    idTokenSub = person.id;
  });

  let envelope: Envelope;

  it('envelopes create --id-token (the login one) --invite: she signs at once, the invitee gets a link', async () => {
    envelope = json<Envelope>(
      await runCli(
        ['envelopes', 'create', '--pdf', pdf, '--id-token', '--invite', 'Ana Ruiz,ana@example.com', '--json'],
        env,
      ),
    );
    assert.equal(envelope.status, 'in_progress');
    assert.equal(envelope.persons[0]?.status, 'signed');
    assert.equal(envelope.persons[1]?.status, 'pending');
    assert.match(envelope.persons[1]?.signingUrl ?? '', /\/sign\//);
    assert.ok(idTokenSub);

    const text = await runCli(['envelopes', 'get', envelope.id], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`Envelope ${envelope.id}: in_progress`));
    assert.match(text.stdout, /Ana Ruiz +ana@example.com +pending/);

    const list = json<EnvelopeList>(await runCli(['envelopes', 'list', '--status', 'in_progress', '--json'], env));
    assert.ok(list.envelopes.some((e) => e.id === envelope.id));
  });

  it('envelopes download and verify: the report names the signer, with indication and level', async () => {
    const out = join(files, 'signed.pdf');
    const downloaded = await runCli(['envelopes', 'download', envelope.id, '-o', out], env);
    assert.equal(downloaded.code, 0, downloaded.stderr);
    assert.equal(readFileSync(out).subarray(0, 5).toString(), '%PDF-');

    const report = json<VerifyResponse>(await runCli(['verify', out, '--json'], env));
    assert.equal(report.valid, true);
    assert.equal(report.signatures[0]?.signer.name, 'Ada Lovelace');

    const text = await runCli(['verify', out], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /TOTAL_PASSED/);
    assert.match(text.stdout, /Signature_1 +TOTAL_PASSED +B-\S+ +Ada Lovelace/);

    // An unsigned PDF does not pass: exit 1, the reason on stderr.
    const unsigned = await runCli(['verify', pdf, '--json'], env);
    assert.equal(unsigned.code, 1);
    assert.equal(JSON.parse(unsigned.stderr).error, 'verification_failed');
    assert.equal(JSON.parse(unsigned.stdout).indication, 'INDETERMINATE');
  });

  it('envelopes create --wait follows the envelope and exits 1 when it ends other than completed (cancel)', async () => {
    const cli = startCli([
      'envelopes',
      'create',
      '--pdf',
      pdf,
      '--invite',
      'Bo Li,bo@example.com',
      '--wait',
      '--interval',
      '0.2',
    ]);
    const [, id] = await cli.waitFor('stdout', /Envelope (\S+): in_progress/);
    assert.ok(id);
    await cli.waitFor('stderr', /waiting: in_progress, 0\/1 signed/);
    const canceled = json<Envelope>(await runCli(['envelopes', 'cancel', id, '--reason', 'test', '--json'], env));
    assert.equal(canceled.status, 'canceled');
    assert.equal(await cli.closed, 1);
    assert.match(cli.out.stderr, /progress: canceled/);
    assert.match(cli.out.stderr, /ended canceled/);
  });

  it('exit codes: 2 for usage, 1 for an API refusal, as JSON on stderr under --json', async () => {
    const noPersons = await runCli(['envelopes', 'create', '--pdf', pdf, '--json'], env);
    assert.equal(noPersons.code, 2);
    assert.equal(JSON.parse(noPersons.stderr).error, 'usage_error');

    const { SIGNET_CLIENT_SECRET: _, ...withoutSecret } = env;
    const noSecret = await runCli(['envelopes', 'list'], withoutSecret);
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /SIGNET_CLIENT_SECRET/);

    const wrongSecret = await runCli(['envelopes', 'list', '--json'], { ...env, SIGNET_CLIENT_SECRET: 'wrong' });
    assert.equal(wrongSecret.code, 1);
    assert.equal(JSON.parse(wrongSecret.stderr).error, 'invalid_client');

    const missing = await runCli(['envelopes', 'get', 'env_nope', '--json'], env);
    assert.equal(missing.code, 1);
    assert.equal(JSON.parse(missing.stderr).error, 'not_found');
  });

  it('caches the client_credentials token on disk (0600): reused by the next invocation, renewed within 60 s of exp', async () => {
    const file = join(config, 'signet', 'access-tokens.json');
    const entry = () => {
      const cache = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { access_token: string; exp: number }>;
      const key = JSON.stringify([t.issuer, client.client_id, t.config.audience]);
      assert.deepEqual(Object.keys(cache), [key]);
      return cache[key] as { access_token: string; exp: number };
    };
    assert.equal((await runCli(['envelopes', 'list', '--json'], env)).code, 0);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const first = entry();
    assert.ok(first.exp > Date.now() / 1000 + 60);

    // The next run reuses it: no new token (each one has its own jti, so a new one would differ).
    assert.equal((await runCli(['envelopes', 'list', '--json'], env)).code, 0);
    assert.equal(entry().access_token, first.access_token);

    // Within 60 s of exp it is not used: a new one is requested and kept.
    const cache = JSON.parse(readFileSync(file, 'utf8'));
    for (const value of Object.values(cache) as { exp: number }[]) value.exp = Math.floor(Date.now() / 1000) + 30;
    writeFileSync(file, JSON.stringify(cache));
    assert.equal((await runCli(['envelopes', 'list', '--json'], env)).code, 0);
    const renewed = entry();
    assert.notEqual(renewed.access_token, first.access_token);

    // A cached token the Signer refuses (401 invalid_token) is dropped and replaced in the same run.
    const broken = JSON.parse(readFileSync(file, 'utf8'));
    for (const value of Object.values(broken) as { access_token: string }[]) value.access_token = 'not.a.token';
    writeFileSync(file, JSON.stringify(broken));
    assert.equal((await runCli(['envelopes', 'list', '--json'], env)).code, 0);
    assert.notEqual(entry().access_token, 'not.a.token');

    // Only the secret that obtained it reuses it.
    const wrongSecret = await runCli(['envelopes', 'list', '--json'], { ...env, SIGNET_CLIENT_SECRET: 'wrong' });
    assert.equal(wrongSecret.code, 1);
    assert.equal(JSON.parse(wrongSecret.stderr).error, 'invalid_client');
  });

  it('signet token: the login access token while fresh, refreshed with the (rotating) refresh token when due, no browser', async () => {
    const file = join(config, 'signet', 'session.json');
    const session = () => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown> & { refresh_token: string };
    type TokenJson = { access_token: string; id_token: string; refreshed: boolean; claims: { sub: string } };
    const before = session();

    const fresh = json<TokenJson>(await runCli(['token', '--json'], env));
    assert.equal(fresh.refreshed, false);
    assert.equal(fresh.access_token, before.access_token);
    const plain = await runCli(['token'], env);
    assert.equal(plain.stdout, `${before.access_token}\n`);

    // Due (expires_at passed): refreshed, the new refresh token kept, the same person.
    writeFileSync(file, JSON.stringify({ ...before, expires_at: Math.floor(Date.now() / 1000) }));
    const due = json<TokenJson>(await runCli(['token', '--json'], env));
    assert.equal(due.refreshed, true);
    assert.notEqual(due.access_token, before.access_token);
    assert.equal(due.claims.sub, person.id);
    const after = session();
    assert.equal(after.access_token, due.access_token);
    assert.notEqual(after.refresh_token, before.refresh_token);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const forced = json<TokenJson>(await runCli(['token', '--refresh', '--json'], env));
    assert.equal(forced.refreshed, true);
    assert.notEqual(forced.access_token, due.access_token);

    // A spent refresh token: the issuer refuses it, and the CLI says to sign in again (exit 1).
    writeFileSync(file, JSON.stringify({ ...session(), refresh_token: before.refresh_token }));
    const spent = await runCli(['token', '--refresh', '--json'], env);
    assert.equal(spent.code, 1);
    assert.equal(JSON.parse(spent.stderr).error, 'login_required');

    // Another client has no session here.
    const other = await runCli(['token', '--json'], { ...env, SIGNET_CLIENT_ID: 'someone-else' });
    assert.equal(other.code, 1);
    assert.equal(JSON.parse(other.stderr).error, 'login_required');
  });

  it('signet login --port 0 listens on a port the OS picks; the issuer takes it for the registered loopback URI (RFC 8252 §7.3)', async () => {
    const cli = startCli(['login', '--port', '0', '--acr', 'urn:acr:password', '--no-open', '--json']);
    const [, url] = await cli.waitFor('stderr', /^\s+(http\S+)$/m);
    assert.ok(url);
    const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
    const port = Number(new URL(redirectUri).port);
    assert.ok(port > 0 && port !== loginPort, redirectUri);
    const { callback } = await walk(new TestBrowser(t.issuer), url, { username: person.username });
    assert.equal(`${callback.origin}${callback.pathname}`, redirectUri);
    assert.equal((await fetch(callback)).status, 200);
    assert.equal(await cli.closed, 0, cli.out.stderr);
    assert.equal((JSON.parse(cli.out.stdout) as { claims: { sub: string } }).claims.sub, person.id);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TestBrowser } from '@signet/testing/browser';
import { scratchDir } from '@signet/testing/pdf';
import { openPage } from '@signet/testing/people';
import { FaceSignIn } from './face-sign-in.js';
import { type RunningSigner, type RunningSignet, startSigner, startSignet } from './signet.js';

// docs/postman/ run by newman, Postman's own runner, against a running Signet, as a person would use
// it: the authorization request (its script makes the PKCE pair), a person signing in with her face
// through the URL it built, the code pasted into the environment, then every other request. Every
// request's own tests must pass; the test here only adds what the collection cannot see itself.

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const COLLECTION = join(root, 'docs/postman/signet.postman_collection.json');
const ENVIRONMENT = join(root, 'docs/postman/signet.postman_environment.json');
const NEWMAN = join(root, 'node_modules/newman/bin/newman.js');

/** A Postman environment file's values. */
interface Environment {
  values: { key: string; value: unknown; type?: string; enabled?: boolean }[];
}

/** What newman's JSON reporter says about one request. */
interface Execution {
  id: string;
  item: { name: string };
  response?: { code: number };
  requestError?: unknown;
  assertions?: { assertion: string; error?: { message: string } }[];
}

/** What newman's JSON reporter writes (the parts the test reads). */
interface Report {
  run: { executions: Execution[]; failures: { error: { message: string }; source?: { name?: string } }[] };
}

const envValue = (env: Environment, key: string): string | undefined => {
  const found = env.values.find((v) => v.key === key && v.enabled !== false);
  return found === undefined || found.value === '' ? undefined : String(found.value);
};
const withValues = (env: Environment, values: Record<string, string>): Environment => ({
  ...env,
  values: [
    ...env.values.filter((v) => !(v.key in values)),
    ...Object.entries(values).map(([key, value]) => ({ key, value, type: 'default', enabled: true })),
  ],
});

/** Every request's name in the collection, in order. */
function requestNames(): string[] {
  type Node = { name: string; item?: Node[]; request?: unknown };
  const walk = (nodes: Node[]): string[] => nodes.flatMap((n) => (n.item ? walk(n.item) : [n.name]));
  return walk((JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: Node[] }).item);
}

describe('the Postman collection (docs/postman), run by newman against a running Signet', () => {
  let signet: RunningSignet;
  let signer: RunningSigner;
  let files: ReturnType<typeof scratchDir>;
  let environment: Environment;
  let runs = 0;

  /** Runs newman on the collection with `env` and the given folders or requests; returns its report and the environment it ends with. */
  async function newman(env: Environment, folders: string[]): Promise<{ report: Report; env: Environment }> {
    runs++;
    const envFile = files.write(`env-${runs}.json`, JSON.stringify(env));
    const reportFile = join(files.dir, `report-${runs}.json`);
    const exported = join(files.dir, `env-${runs}-out.json`);
    const args = [NEWMAN, 'run', COLLECTION, '-e', envFile, '--export-environment', exported];
    for (const folder of folders) args.push('--folder', folder);
    args.push('--reporters', 'json', '--reporter-json-export', reportFile, '--timeout-request', '30000');
    // newman exits non-zero when a test fails: the report says which, so read it either way.
    await run(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }).catch(() => {});
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as Report;
    return { report, env: JSON.parse(readFileSync(exported, 'utf8')) as Environment };
  }

  /**
   * Asserts that newman ran exactly `names`, each answered, each with tests, all passing. The JSON
   * reporter lists a request twice (same id) when its pre-request script used `pm.sendRequest`.
   */
  function assertAllPassed(report: Report, names: string[]): void {
    const failures = report.run.failures.map((f) => `${f.source?.name}: ${f.error.message}`);
    assert.deepEqual(failures, [], 'no request failed');
    const own = report.run.executions.filter((e, i, all) => all.findIndex((o) => o.id === e.id) === i);
    assert.deepEqual(
      own.map((e) => e.item.name),
      names,
    );
    for (const execution of own) {
      assert.equal(execution.requestError, undefined, `${execution.item.name} got an answer`);
      const assertions = execution.assertions ?? [];
      assert.ok(assertions.length > 0, `${execution.item.name} has tests`);
      for (const a of assertions) assert.equal(a.error, undefined, `${execution.item.name}: ${a.assertion}`);
    }
  }

  before(async () => {
    // The e2e person signs in with password + face (the weaker level an operator may allow), as
    // the other HTTP face tests do; the passkey route needs a real browser.
    signet = await startSignet({ SIGNET_FACE_ALLOW_PASSWORD: 'true' });
    signer = await startSigner(signet);
    files = scratchDir();
    const committed = JSON.parse(readFileSync(ENVIRONMENT, 'utf8')) as Environment;
    // A client as docs/postman/README.md tells the operator to make it.
    const client = await signet.createClient({
      client_name: 'Postman',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
      redirect_uris: [envValue(committed, 'redirect_uri') as string],
    });
    environment = withValues(committed, {
      issuer: signet.issuer,
      signer_url: signer.url,
      audience: signer.audience,
      client_id: client.client_id,
      client_secret: client.client_secret,
    });
  });

  after(async () => {
    files?.dispose();
    await signer?.close();
    await signet?.close();
  });

  it('signs a person in, gets the cached token and passes every envelope call', async () => {
    const names = requestNames();
    assert.ok(names.length >= 20, `the collection has its requests (${names.length})`);

    // 1. The authorization request: its script makes the PKCE pair, state and nonce, and the URL.
    const first = await newman(environment, ['Authorization request']);
    assertAllPassed(first.report, ['Authorization request']);
    const verifier = envValue(first.env, 'code_verifier') ?? '';
    assert.match(verifier, /^[\w-]{43}$/, 'a 256-bit PKCE verifier');
    const authorizationUrl = new URL(envValue(first.env, 'authorization_url') ?? '');
    assert.equal(authorizationUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorizationUrl.searchParams.get('acr_values'), 'urn:acr:face');

    // 2. The person opens it, signs in with her password and face, allows; the code is pasted in.
    const person = await signet.createUser({ name: 'Grace Hopper', email: 'grace@example.com', email_verified: true });
    const faces = await FaceSignIn.for(signet, {
      client_id: envValue(environment, 'client_id') as string,
      client_secret: envValue(environment, 'client_secret') as string,
    });
    await faces.enrol(person.id, 'hopper');
    const browser = new TestBrowser(signet.publicUrl);
    const { next } = await faces.logIn(browser, authorizationUrl, person.username);
    const face = await faces.facePage(browser, next);
    let res = await faces.showFace(browser, face.action, face.html, 'hopperTransformed');
    assert.equal(res.status, 303, await res.text());
    let location = res.headers.get('location') ?? '';
    if (location.startsWith('/')) {
      // The consent page: a client made with the CLI asks the person once.
      const consent = await openPage(browser, location);
      res = await browser.post(consent.action, { csrf: consent.csrf, decision: 'allow' });
      assert.equal(res.status, 303, await res.text());
      location = res.headers.get('location') ?? '';
    }
    const callback = new URL(location);
    assert.equal(`${callback.origin}${callback.pathname}`, envValue(environment, 'redirect_uri'));
    assert.equal(callback.searchParams.get('state'), envValue(first.env, 'state'));
    const code = callback.searchParams.get('code') ?? '';
    assert.ok(code, 'the redirect carries a code');

    // 3. Everything else, in the collection's order.
    const rest = names.slice(1);
    const second = await newman(withValues(first.env, { code }), rest);
    assertAllPassed(second.report, rest);
    // The explicit token request cached the token: no envelope call asked for another.
    assert.equal(envValue(second.env, 'token_requests'), undefined, 'the cached token was reused');
    assert.match(envValue(second.env, 'id_token') ?? '', /^eyJ/);
  });

  it('asks for a new Signer API token once the cached one has expired, and only then', async () => {
    const before = withValues(environment, {
      access_token: 'expired',
      access_token_expires_at: String(Date.now() - 1),
    });
    const expired = await newman(before, ['Who am I']);
    assertAllPassed(expired.report, ['Who am I']);
    assert.equal(envValue(expired.env, 'token_requests'), '1');
    const token = envValue(expired.env, 'access_token') ?? '';
    assert.notEqual(token, 'expired');

    const cached = await newman(expired.env, ['Who am I']);
    assertAllPassed(cached.report, ['Who am I']);
    assert.equal(envValue(cached.env, 'token_requests'), '1', 'the fresh token was reused');
    assert.equal(envValue(cached.env, 'access_token'), token);
  });
});

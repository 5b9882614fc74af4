import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ClientJson } from '@signet/accounts';
import { basicAuth, createTestUser, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import type { Command } from 'commander';
import type { LightMyRequestResponse } from 'fastify';
import type { KeyJson, RotateKeysJson } from './commands/keys.js';
import { signetProgram } from './program.js';
import { json, runCli } from './testing.js';

// The real CLI in a child process against an in-process accounts admin listener on a free port.

const run = runCli;

async function listen(t: TestAccounts): Promise<string> {
  await t.adminApp.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(t.adminApp.server.address() as AddressInfo).port}`;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

function tokenRequest(
  t: TestAccounts,
  client: { id: string; secret: string; audience?: string; post?: boolean },
): Promise<LightMyRequestResponse> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    audience: client.audience ?? t.config.signerAudience,
  });
  if (client.post) {
    form.set('client_id', client.id);
    form.set('client_secret', client.secret);
  }
  return t.publicApp.inject({
    method: 'POST',
    url: '/oauth2/token',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client.post ? {} : { authorization: basicAuth(client.id, client.secret) }),
    },
    payload: form.toString(),
  });
}

async function adminGet(t: TestAccounts, url: string): Promise<LightMyRequestResponse> {
  return t.adminApp.inject({ method: 'GET', url, headers: { authorization: t.adminAuth } });
}

describe('signet clients', () => {
  let t: TestAccounts;
  let env: Record<string, string>;
  before(async () => {
    t = await testAccounts();
    env = { SIGNET_ADMIN_URL: await listen(t), SIGNET_ADMIN_TOKEN: t.admin.token, SIGNET_ISSUER: t.config.issuer };
  });
  after(async () => t.dispose());

  it('create prints the id, the secret once with a note, and a curl line whose credentials work', async () => {
    const result = await run(['clients', 'create', '--name', 'Acme integration'], env);
    assert.equal(result.code, 0, result.stderr);
    const id = /client_id\s+(\S+)/.exec(result.stdout)?.[1];
    const secret = /client_secret\s+(\S+)/.exec(result.stdout)?.[1];
    assert.ok(id && secret, result.stdout);
    assert.match(result.stdout, /Created client \S+ \(Acme integration\)/);
    assert.match(result.stdout, /shown once .*store it now/);
    const curl = result.stdout.split('\n').find((line) => line.trim().startsWith('curl '));
    assert.equal(
      curl?.trim(),
      `curl -u "${id}:${secret}" -d grant_type=client_credentials -d audience=${t.config.signerAudience} ${t.config.issuer}/oauth2/token`,
    );
    const res = await tokenRequest(t, { id, secret });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().token_type, 'Bearer');
  });

  it('create --json prints the admin API JSON with every option applied, and the secret works', async () => {
    const client = json<ClientJson>(
      await run(
        [
          'clients',
          'create',
          '--json',
          '--id',
          'acme-post',
          '--name',
          'Acme (post)',
          '--grant-type',
          'client_credentials',
          '--audience',
          'https://signer.example',
          '--audience',
          'https://other.example',
          '--scope',
          'envelopes:read',
          '--redirect-uri',
          'https://acme.example/callback',
          '--auth-method',
          'client_secret_post',
        ],
        env,
      ),
    );
    assert.equal(client.client_id, 'acme-post');
    assert.equal(client.client_name, 'Acme (post)');
    assert.deepEqual(client.grant_types, ['client_credentials']);
    assert.deepEqual(client.audience, ['https://signer.example', 'https://other.example']);
    assert.equal(client.scope, 'envelopes:read');
    assert.deepEqual(client.redirect_uris, ['https://acme.example/callback']);
    assert.equal(client.token_endpoint_auth_method, 'client_secret_post');
    assert.ok(client.client_secret && client.client_secret.length >= 43);

    const res = await tokenRequest(t, {
      id: client.client_id,
      secret: client.client_secret,
      audience: 'https://other.example',
      post: true,
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().scope, 'envelopes:read');
    const stored = await adminGet(t, '/admin/clients/acme-post');
    const { client_secret: _, ...withoutSecret } = client;
    assert.deepEqual(stored.json(), withoutSecret);
  });

  it('create refuses an existing --id and what the admin API rejects, with exit code 1', async () => {
    const [taken, badGrant] = await Promise.all([
      run(['clients', 'create', '--id', 'acme-post'], env),
      run(['clients', 'create', '--grant-type', 'password'], env),
    ]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /^signet: client "acme-post" already exists: choose another --id/);
    assert.equal(badGrant.code, 1);
    assert.match(badGrant.stderr, /^signet: .*grant_types/);
    assert.equal(taken.stdout + badGrant.stdout, '');
  });

  it("create refuses an --id that is a person's sub and a plain http --redirect-uri off the loopback", async () => {
    const person = await createTestUser(t);
    const [impostor, plainHttp] = await Promise.all([
      run(['clients', 'create', '--id', person.id], env),
      run(['clients', 'create', '--grant-type', 'authorization_code', '--redirect-uri', 'http://acme.example/cb'], env),
    ]);
    assert.equal(impostor.code, 1);
    assert.match(impostor.stderr, /^signet: client_id .*sub.*: choose another --id/);
    assert.equal(plainHttp.code, 1);
    assert.match(plainHttp.stderr, /^signet: redirect_uris: "http:\/\/acme\.example\/cb" .*https/);
    assert.equal(impostor.stdout + plainHttp.stdout, '');
    assert.equal(await t.ctx.store.clients.get(person.id), undefined);
  });

  it('list shows a table and --json an array of every client', async () => {
    await t.createClient({ client_id: 'zeta', client_name: 'Zeta Corp', audience: ['https://z.example'] });
    const [human, machine] = await Promise.all([
      run(['clients', 'list'], env),
      run(['clients', 'list', '--json'], env),
    ]);
    const all = json<ClientJson[]>(machine);
    const expected = (await adminGet(t, '/admin/clients')).json() as ClientJson[];
    assert.deepEqual(all, expected);
    assert.ok(all.length >= 3);

    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split('\n');
    assert.match(lines[0] ?? '', /^CLIENT ID\s+NAME\s+GRANT TYPES\s+AUDIENCE$/);
    assert.ok(
      lines.some((line) => /^zeta\s+Zeta Corp\s+client_credentials\s+https:\/\/z\.example$/.test(line)),
      human.stdout,
    );
    assert.ok(
      lines.some((line) =>
        /^acme-post\s+Acme \(post\)\s+client_credentials\s+https:\/\/signer\.example, https:\/\/other\.example$/.test(
          line,
        ),
      ),
    );
    assert.match(human.stdout, new RegExp(`\\n${all.length} clients\\.\\n$`));
  });

  it('get shows one client without its secret; an unknown id says so and exits 1', async () => {
    const [human, machine, missing, missingJson] = await Promise.all([
      run(['clients', 'get', 'zeta'], env),
      run(['clients', 'get', 'zeta', '--json'], env),
      run(['clients', 'get', 'no-such-client'], env),
      run(['clients', 'get', 'no-such-client', '--json'], env),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Client zeta\n/);
    assert.match(human.stdout, /name\s+Zeta Corp/);
    assert.match(human.stdout, /audience\s+https:\/\/z\.example/);
    assert.doesNotMatch(human.stdout, /client_secret\s/);
    assert.deepEqual(json<ClientJson>(machine), (await adminGet(t, '/admin/clients/zeta')).json());

    assert.equal(missing.code, 1);
    assert.equal(missing.stdout, '');
    assert.equal(missing.stderr, 'signet: client "no-such-client" does not exist (see `signet clients list`)\n');
    assert.equal(missingJson.code, 1);
    assert.equal(missingJson.stdout, '');
    assert.deepEqual(JSON.parse(missingJson.stderr), {
      error: 'not_found',
      error_description: 'client "no-such-client" does not exist (see `signet clients list`)',
    });
  });

  it('rotate-secret shows a new secret that works; the old one stops working', async () => {
    const old = await t.createClient({ client_id: 'rotating' });
    const result = await run(['clients', 'rotate-secret', 'rotating'], env);
    assert.equal(result.code, 0, result.stderr);
    const secret = /client_secret\s+(\S+)/.exec(result.stdout)?.[1];
    assert.ok(secret, result.stdout);
    assert.notEqual(secret, old.client_secret);
    assert.match(result.stdout, /previous secret no longer works/);
    assert.match(result.stdout, /shown once .*store it now/);
    assert.equal((await tokenRequest(t, { id: 'rotating', secret })).statusCode, 200);
    assert.equal((await tokenRequest(t, { id: 'rotating', secret: old.client_secret })).statusCode, 401);

    const again = json<ClientJson>(await run(['clients', 'rotate-secret', 'rotating', '--json'], env));
    assert.ok(again.client_secret && again.client_secret !== secret);
    assert.equal((await tokenRequest(t, { id: 'rotating', secret: again.client_secret })).statusCode, 200);

    const missing = await run(['clients', 'rotate-secret', 'no-such-client'], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /client "no-such-client" does not exist/);
  });

  it('delete removes the client and its credentials stop working', async () => {
    const doomed = await t.createClient({ client_id: 'doomed' });
    const result = await run(['clients', 'delete', 'doomed'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Deleted client doomed\./);
    assert.equal((await adminGet(t, '/admin/clients/doomed')).statusCode, 404);
    assert.equal((await tokenRequest(t, { id: 'doomed', secret: doomed.client_secret })).statusCode, 401);

    const again = await run(['clients', 'delete', 'doomed'], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /client "doomed" does not exist/);
  });
});

describe('signet clients list over several pages', () => {
  let t: TestAccounts;
  let env: Record<string, string>;
  before(async () => {
    t = await testAccounts();
    env = { SIGNET_ADMIN_URL: await listen(t), SIGNET_ADMIN_TOKEN: t.admin.token };
    // The admin API pages by 100: 230 clients take three pages.
    for (let i = 0; i < 230; i++) await t.createClient({ client_id: `client-${String(i).padStart(3, '0')}` });
  });
  after(async () => t.dispose());

  it('follows Link rel="next" to the last page', async () => {
    const firstPage = await adminGet(t, '/admin/clients');
    assert.match(String(firstPage.headers.link), /rel="next"/, 'the admin API paginates this list');
    const [machine, human] = await Promise.all([
      run(['clients', 'list', '--json'], env),
      run(['clients', 'list'], env),
    ]);
    const ids = json<ClientJson[]>(machine).map((c) => c.client_id);
    assert.deepEqual(
      ids,
      Array.from({ length: 230 }, (_, i) => `client-${String(i).padStart(3, '0')}`),
    );
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /client-229/);
    assert.match(human.stdout, /\n230 clients\.\n$/);
  });
});

describe('signet keys', () => {
  let t: TestAccounts;
  let env: Record<string, string>;
  before(async () => {
    t = await testAccounts();
    env = { SIGNET_ADMIN_URL: await listen(t), SIGNET_ADMIN_TOKEN: t.admin.token };
  });
  after(async () => t.dispose());

  it('list shows kid, alg, status and timestamps; --json the admin API JSON', async () => {
    const [human, machine] = await Promise.all([run(['keys', 'list'], env), run(['keys', 'list', '--json'], env)]);
    const keys = json<KeyJson[]>(machine);
    assert.deepEqual(keys, (await adminGet(t, '/admin/keys')).json());
    const active = keys.find((k) => k.status === 'active');
    assert.ok(active);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^KID\s+ALG\s+STATUS\s+CREATED\s+ACTIVATED\s+RETIRED\n/);
    assert.match(
      human.stdout,
      new RegExp(`\\n${active.kid}\\s+ES256\\s+active\\s+\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\\s+\\d{4}-`),
    );
  });

  it('rotate reports the new signing kid, which then signs tokens; retire waits for old tokens to expire', async () => {
    const before = (await adminGet(t, '/admin/keys')).json() as KeyJson[];
    const oldActive = before.find((k) => k.status === 'active')?.kid;
    const next = before.find((k) => k.status === 'next')?.kid;
    assert.ok(oldActive && next);

    const human = await run(['keys', 'rotate'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, new RegExp(`now signed with ${next} \\(ES256\\)`));
    assert.match(human.stdout, new RegExp(`Still published for tokens signed before: ${oldActive}`));

    const client = await t.createClient();
    const res = await tokenRequest(t, { id: client.client_id, secret: client.client_secret });
    const header = JSON.parse(Buffer.from(String(res.json().access_token).split('.')[0] ?? '', 'base64url').toString());
    assert.equal(header.kid, next);

    // A second rotation at once would sign with a key verifiers have not had time to fetch.
    const young = await run(['keys', 'rotate'], env);
    assert.equal(young.code, 1);
    assert.match(young.stderr, /verifiers may not have it yet, so it signs from \d{4}-/);
    t.clock.advance(70);
    const rotated = json<RotateKeysJson>(await run(['keys', 'rotate', '--json'], env));
    assert.notEqual(rotated.active_kid, next);
    assert.equal(rotated.keys.find((k) => k.kid === rotated.active_kid)?.status, 'active');

    const tooEarly = await run(['keys', 'retire', next], env);
    assert.equal(tooEarly.code, 1);
    assert.match(tooEarly.stderr, new RegExp(`^signet: cannot retire: .*${next}.*live tokens`));

    // Far beyond the token lifetime and any grace period the server adds.
    t.clock.advance(t.config.accessTokenTtl + 3600);
    const retired = await run(['keys', 'retire', oldActive], env);
    assert.equal(retired.code, 0, retired.stderr);
    assert.match(retired.stdout, new RegExp(`Retired key ${oldActive}\\.`));
    const jwks = (await t.publicApp.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as {
      keys: { kid: string }[];
    };
    assert.ok(!jwks.keys.some((k) => k.kid === oldActive));
    assert.ok(jwks.keys.some((k) => k.kid === rotated.active_kid));

    const active = await run(['keys', 'retire', rotated.active_kid, '--json'], env);
    assert.equal(active.code, 1);
    assert.equal(JSON.parse(active.stderr).error, 'invalid_request');
  });
});

describe('signet admin errors and usage', () => {
  let t: TestAccounts;
  let adminUrl: string;
  before(async () => {
    t = await testAccounts();
    adminUrl = await listen(t);
  });
  after(async () => t.dispose());

  it('a wrong admin token exits 1 and says which setting to check', async () => {
    const [human, machine, option] = await Promise.all([
      run(['clients', 'list'], { SIGNET_ADMIN_URL: adminUrl, SIGNET_ADMIN_TOKEN: 'not-the-admin-token' }),
      run(['keys', 'list', '--json'], { SIGNET_ADMIN_URL: adminUrl, SIGNET_ADMIN_TOKEN: 'not-the-admin-token' }),
      run(['clients', 'list', '--admin-url', adminUrl, '--admin-token', 'not-the-admin-token'], {}),
    ]);
    assert.equal(human.code, 1);
    assert.equal(human.stdout, '');
    assert.match(human.stderr, new RegExp(`^signet: admin token rejected by ${adminUrl}: check SIGNET_ADMIN_TOKEN`));
    assert.equal(machine.code, 1);
    assert.equal(JSON.parse(machine.stderr).error, 'admin_token_rejected');
    assert.equal(option.code, 1);
    assert.match(option.stderr, /admin token rejected .*check the value of --admin-token/);
  });

  it('reads the token from <SIGNET_DATA_DIR>/admin-token, and says what to do when there is none', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'signet-cli-'));
    try {
      const [fromFile, none] = await Promise.all([
        run(['clients', 'list', '--json'], { SIGNET_ADMIN_URL: adminUrl, SIGNET_DATA_DIR: t.config.dataDir }),
        run(['clients', 'list'], { SIGNET_ADMIN_URL: adminUrl, SIGNET_DATA_DIR: empty }),
      ]);
      assert.deepEqual(json<ClientJson[]>(fromFile), []);
      assert.equal(none.code, 1);
      assert.match(
        none.stderr,
        /^signet: no admin token: .*admin-token does not exist\. Pass --admin-token, set SIGNET_ADMIN_TOKEN/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds the admin URL from SIGNET_ADMIN_HOST and SIGNET_ADMIN_PORT', async () => {
    const { port } = new URL(adminUrl);
    const result = await run(['keys', 'list', '--json'], {
      SIGNET_ADMIN_HOST: '0.0.0.0',
      SIGNET_ADMIN_PORT: port,
      SIGNET_ADMIN_TOKEN: t.admin.token,
    });
    assert.ok(json<KeyJson[]>(result).length >= 2);
  });

  it('an unreachable server exits 1 and asks whether `signet start` is running', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [human, machine] = await Promise.all([
      run(['clients', 'list'], { SIGNET_ADMIN_URL: url, SIGNET_ADMIN_TOKEN: t.admin.token }),
      run(['keys', 'rotate', '--json'], { SIGNET_ADMIN_URL: url, SIGNET_ADMIN_TOKEN: t.admin.token }),
    ]);
    assert.equal(human.code, 1);
    assert.match(
      human.stderr,
      new RegExp(`^signet: cannot reach the admin API at ${url} \\(ECONNREFUSED\\): is \`signet start\` running\\?`),
    );
    assert.equal(machine.code, 1);
    const error = JSON.parse(machine.stderr);
    assert.equal(error.error, 'admin_unreachable');
    assert.match(error.error_description, /is `signet start` running\?/);
  });

  it('an admin URL that points at the public listener is named as the likely mistake', async () => {
    await t.publicApp.listen({ host: '127.0.0.1', port: 0 });
    const publicUrl = `http://127.0.0.1:${(t.publicApp.server.address() as AddressInfo).port}`;
    const result = await run(['clients', 'list'], { SIGNET_ADMIN_URL: publicUrl, SIGNET_ADMIN_TOKEN: t.admin.token });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /has no route GET \/admin\/clients: is it the admin listener/);
  });

  it('usage errors exit 2: unknown command, unknown option, missing argument, bad choice, bare group', async () => {
    const env = { SIGNET_ADMIN_URL: adminUrl, SIGNET_ADMIN_TOKEN: t.admin.token };
    const results = await Promise.all([
      run(['nonsense'], env),
      run(['clients', 'nonsense'], env),
      run(['keys', 'list', '--bogus'], env),
      run(['clients', 'get'], env),
      run(['clients', 'create', '--auth-method', 'private_key_jwt'], env),
      run(['clients'], env),
      run(['clients', 'list', '--admin-url', 'not a url'], env),
    ]);
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 2, `case ${i}: ${result.stderr}`);
      assert.equal(result.stdout, '', `case ${i}`);
    }
    assert.match(results[0]?.stderr ?? '', /unknown command 'nonsense'/);
    assert.match(results[1]?.stderr ?? '', /unknown command 'nonsense'/);
    assert.match(results[2]?.stderr ?? '', /unknown option '--bogus'/);
    assert.match(results[3]?.stderr ?? '', /missing required argument 'client_id'/);
    assert.match(results[4]?.stderr ?? '', /Allowed choices are client_secret_basic, client_secret_post/);
    assert.match(results[6]?.stderr ?? '', /--admin-url: must be an absolute URL/);
    // Nothing reached the server: no client was created by the refused command.
    assert.deepEqual((await adminGet(t, '/admin/clients')).json(), []);

    const machine = await run(['keys', 'list', '--json', '--bogus'], env);
    assert.equal(machine.code, 2);
    assert.deepEqual(JSON.parse(machine.stderr), {
      error: 'usage_error',
      error_description: "unknown option '--bogus'",
    });
  });
});

describe('signet --help and the bin launcher', () => {
  it('the bin launcher runs the CLI and --help lists every command', async () => {
    const result = await run(['--help'], {}, { launcher: true });
    assert.equal(result.code, 0, result.stderr);
    for (const command of ['start', 'migrate', 'clients', 'keys'])
      assert.match(result.stdout, new RegExp(`\\n  ${command}\\b`));
  });

  it('every command, argument and option has a description', () => {
    const visit = (command: Command, path: string): string[] => [
      `${path} ${command.description()}`,
      ...command.registeredArguments.map((a) => `${path} <${a.name()}> ${a.description}`),
      ...command.options.map((o) => `${path} ${o.flags} ${o.description}`),
      ...command.commands.flatMap((c) => visit(c, `${path} ${c.name()}`)),
    ];
    const described = visit(signetProgram(), 'signet');
    for (const entry of described) assert.doesNotMatch(entry, /\s$|undefined$/, `"${entry}" has no description`);
    const create = signetProgram()
      .commands.find((c) => c.name() === 'clients')
      ?.commands.find((c) => c.name() === 'create');
    assert.deepEqual(
      create?.options.map((o) => o.long),
      [
        '--id',
        '--name',
        '--grant-type',
        '--audience',
        '--scope',
        '--redirect-uri',
        '--auth-method',
        '--json',
        '--admin-url',
        '--admin-token',
      ],
    );
    for (const path of [
      'signet clients create',
      'signet clients list',
      'signet clients get',
      'signet clients delete',
      'signet clients rotate-secret',
      'signet keys list',
      'signet keys rotate',
      'signet keys retire',
    ]) {
      assert.ok(
        described.some((entry) => entry.startsWith(`${path} --json `)),
        `${path} takes --json`,
      );
    }
  });
});

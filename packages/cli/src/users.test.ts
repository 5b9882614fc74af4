import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type TestAccounts, testAccounts } from '@signet/testing/accounts';
import {
  authorizationRequest,
  codeFrom,
  openPage,
  type PeopleHarness,
  peopleHarness,
  redeemCode,
  type TestClient,
} from '@signet/testing/people';
import type { Command } from 'commander';
import type { LightMyRequestResponse } from 'fastify';
import type { UserJson } from './commands/users.js';
import { signetProgram } from './program.js';
import { binTs, childEnv, json, type Run, repoRoot, runCli } from './testing.js';

// The real CLI in a child process against an in-process accounts service: the admin listener
// for the CLI, the public one for signing in as the people it creates.

/** Runs the CLI with `stdin` piped in (none: closed at once). */
const run = (args: string[], env: Record<string, string>, stdin = '') => runCli(args, env, { stdin });

/** Asserts a failed run with `code`, nothing on stdout, and returns stderr. */
function failed(result: Run, code: 1 | 2): string {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  assert.equal(result.stdout, '');
  return result.stderr;
}

async function listen(t: TestAccounts): Promise<string> {
  await t.adminApp.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(t.adminApp.server.address() as AddressInfo).port}`;
}

function admin(
  t: TestAccounts,
  method: 'GET' | 'POST',
  url: string,
  payload?: object,
): Promise<LightMyRequestResponse> {
  return t.adminApp.inject({
    method,
    url,
    headers: { authorization: t.adminAuth },
    ...(payload ? { payload } : {}),
  });
}

/**
 * Signs in on the login page as a person would. True when the login form accepted the
 * credentials and the flow ended with a code that the token endpoint exchanged for an id_token.
 */
async function signsIn(h: PeopleHarness, client: TestClient, username: string, password: string): Promise<boolean> {
  const browser = h.browser();
  const request = authorizationRequest(client.client_id);
  const start = await browser.get(request.path);
  assert.equal(start.status, 303);
  const login = await openPage(browser, start.headers.get('location') ?? '');
  let res = await browser.post(login.action, { csrf: login.csrf, username, password });
  if (res.status !== 303) return false;
  // A first-party client: no consent page, straight back to the client.
  const location = new URL(res.headers.get('location') ?? '', h.origin);
  if (location.origin === h.origin) {
    res = await browser.get(location.href);
    assert.equal(res.status, 303);
  }
  const callback = new URL(res.headers.get('location') ?? '');
  const code = codeFrom(callback, request.state, h.t.config.issuer);
  const tokens = await redeemCode(h.origin, client, code, request.verifier);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  assert.ok(tokens.body.id_token);
  return true;
}

const PASSWORD = 'piped horse battery staple';
let n = 0;
const uniqueName = (prefix: string) => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;

describe('signet users', () => {
  let h: PeopleHarness;
  let client: TestClient;
  let env: Record<string, string>;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ skip_consent: true });
    env = { SIGNET_ADMIN_URL: await listen(h.t), SIGNET_ADMIN_TOKEN: h.t.admin.token };
  });
  after(async () => h?.close());

  const get = async (id: string) => (await admin(h.t, 'GET', `/admin/users/${id}`)).json() as UserJson;

  it('create --password-stdin reads the password from a pipe; the person can then sign in with it', async () => {
    const username = uniqueName('Ada');
    const result = await run(
      [
        'users',
        'create',
        '--username',
        username,
        '--name',
        'Ada Lovelace',
        '--email',
        'ada@example.com',
        '--password-stdin',
      ],
      env,
      `${PASSWORD}\n`,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const id = /^Created user (\S+) \((\S+)\)\.\n/.exec(result.stdout);
    assert.ok(id?.[2], result.stdout);
    assert.equal(id[1], username.toLowerCase());
    assert.match(result.stdout, /\n {2}name\s+Ada Lovelace\n/);
    assert.match(result.stdout, /\n {2}email\s+ada@example\.com \(not verified\)\n/);
    assert.match(result.stdout, /\n {2}password\s+set\n/);
    assert.doesNotMatch(result.stdout, /cannot sign in/);
    assert.ok(!result.stdout.includes(PASSWORD));

    assert.equal((await get(id[2])).has_password, true);
    // The newline `echo` adds is not part of the password.
    assert.equal(await signsIn(h, client, username, PASSWORD), true);
  });

  it('create --json applies every claim option and prints the admin API JSON', async () => {
    const username = uniqueName('grace');
    const user = json<UserJson>(
      await run(
        [
          'users',
          'create',
          '--json',
          '--username',
          username,
          '--name',
          'Grace Hopper',
          '--given-name',
          'Grace',
          '--family-name',
          'Hopper',
          '--email',
          'grace@example.com',
          '--email-verified',
          '--phone',
          '+34600000001',
          '--no-phone-verified',
          '--birthdate',
          '1906-12-09',
          '--locale',
          'en-US',
          '--gender',
          'female',
          '--picture',
          'https://example.com/grace.png',
          '--credential-country',
          'ES',
          '--credential-issuer',
          'DGP',
          '--credential-type',
          'id_card',
          '--credential-number',
          '12345678Z',
        ],
        env,
      ),
    );
    assert.deepEqual(user, await get(user.id));
    const { id: _, created_at: __, updated_at: ___, ...rest } = user;
    assert.deepEqual(rest, {
      username,
      name: 'Grace Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
      email: 'grace@example.com',
      email_verified: true,
      phone_number: '+34600000001',
      phone_number_verified: false,
      birthdate: '1906-12-09',
      locale: 'en-US',
      gender: 'female',
      picture: 'https://example.com/grace.png',
      credential: { country: 'ES', issuer: 'DGP', type: 'id_card', number: '12345678Z' },
      has_password: false,
      has_face: false,
    });
  });

  it('create without a password says that the person cannot sign in until one is set', async () => {
    const username = uniqueName('nopass');
    const result = await run(['users', 'create', '--username', username], env);
    assert.equal(result.code, 0, result.stderr);
    const id = /^Created user \S+ \((\S+)\)/.exec(result.stdout)?.[1];
    assert.ok(id);
    assert.match(result.stdout, /\n {2}password\s+none\n/);
    assert.ok(
      result.stdout.endsWith(
        `\n${username} has no password and cannot sign in until one is set:\n\n  signet users set-password ${id}\n`,
      ),
      result.stdout,
    );
    assert.equal((await get(id)).has_password, false);
    assert.equal(await signsIn(h, client, username, PASSWORD), false);
  });

  it('create refuses a taken username (409) and says which option to change', async () => {
    const username = uniqueName('taken');
    await h.person({ username });
    const [human, machine] = await Promise.all([
      run(['users', 'create', '--username', username.toUpperCase()], env),
      run(['users', 'create', '--username', username, '--json'], env),
    ]);
    assert.equal(failed(human, 1), `signet: username "${username}" is taken: choose another --username\n`);
    assert.deepEqual(JSON.parse(failed(machine, 1)), {
      error: 'invalid_request',
      error_description: `username "${username}" is taken: choose another --username`,
    });
  });

  it('create shows what the admin API rejects (400) readably, naming the flag, and creates nobody', async () => {
    const username = uniqueName('bad');
    const [birthdate, country, name, password, badUsername] = await Promise.all([
      run(['users', 'create', '--username', username, '--birthdate', '1990-13'], env),
      run(
        [
          ...['users', 'create', '--username', username, '--credential-country', 'es', '--credential-issuer', 'DGP'],
          ...['--credential-type', 'id_card', '--credential-number', '1'],
        ],
        env,
      ),
      run(['users', 'create', '--username', username, '--name', ''], env),
      run(['users', 'create', '--username', username, '--password-stdin'], env, 'short\n'),
      run(['users', 'create', '--username', 'no spaces allowed'], env),
    ]);
    assert.equal(
      failed(birthdate, 1),
      'signet: --birthdate "1990-13" is not valid: must be YYYY-MM-DD, or YYYY, or 0000-MM-DD when the year is unknown\n',
    );
    assert.equal(
      failed(country, 1),
      'signet: --credential-country "es" is not valid: must be two capital letters (ISO 3166-1 alpha-2), such as ES\n',
    );
    assert.match(failed(name, 1), /^signet: --name "" is not valid: must NOT have fewer than 1 characters\n$/);
    assert.equal(failed(password, 1), 'signet: password must be at least 10 characters long\n');
    assert.match(
      failed(badUsername, 1),
      /^signet: --username "no spaces allowed" is not valid: must be letters, digits/,
    );
    const all = (await admin(h.t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.ok(!all.some((u) => u.username === username));

    const machine = await run(['users', 'create', '--username', username, '--birthdate', 'yesterday', '--json'], env);
    assert.deepEqual(JSON.parse(failed(machine, 1)), {
      error: 'invalid_request',
      error_description:
        '--birthdate "yesterday" is not valid: must be YYYY-MM-DD, or YYYY, or 0000-MM-DD when the year is unknown',
    });
  });

  it('create with some but not all --credential-* options is a usage error (exit 2) that names the missing ones', async () => {
    const username = uniqueName('partial');
    const [human, machine, update] = await Promise.all([
      run(['users', 'create', '--username', username, '--credential-country', 'ES', '--credential-number', '1'], env),
      run(['users', 'create', '--username', username, '--credential-type', 'passport', '--json'], env),
      run(['users', 'update', 'any-id', '--credential-issuer', 'DGP'], env),
    ]);
    assert.equal(
      failed(human, 2),
      'signet: the credential is one identity document: give --credential-country, --credential-issuer, ' +
        '--credential-type and --credential-number together (missing: --credential-issuer, --credential-type)\n',
    );
    const error = JSON.parse(failed(machine, 2));
    assert.equal(error.error, 'usage_error');
    assert.match(error.error_description, /missing: --credential-country, --credential-issuer, --credential-number\)$/);
    assert.match(failed(update, 2), /missing: --credential-country, --credential-type, --credential-number\)/);
    const all = (await admin(h.t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.ok(!all.some((u) => u.username === username));
  });

  it('create --password-stdin refuses empty or multi-line input and creates nobody', async () => {
    const username = uniqueName('stdin');
    const [empty, multi] = await Promise.all([
      run(['users', 'create', '--username', username, '--password-stdin'], env, ''),
      run(['users', 'create', '--username', username, '--password-stdin'], env, `${PASSWORD}\nsecond line\n`),
    ]);
    assert.match(failed(empty, 1), /^signet: no password on standard input: pipe it in/);
    assert.equal(failed(multi, 1), 'signet: standard input has more than one line: a password is a single line\n');
    const all = (await admin(h.t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.ok(!all.some((u) => u.username === username));
  });

  it('get shows one person; --json the admin API JSON; an unknown id says so and exits 1', async () => {
    const person = await h.person({ username: uniqueName('get') });
    const [human, machine, missing, missingJson] = await Promise.all([
      run(['users', 'get', person.id], env),
      run(['users', 'get', person.id, '--json'], env),
      run(['users', 'get', 'no-such-user'], env),
      run(['users', 'get', 'no-such-user', '--json'], env),
    ]);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(human.stdout.startsWith(`User ${person.username} (${person.id})\n\n`), human.stdout);
    assert.match(human.stdout, /\n {2}email\s+ada@example\.com \(verified\)\n/);
    assert.match(human.stdout, /\n {2}phone\s+\+34600000000 \(verified\)\n/);
    assert.match(human.stdout, /\n {2}credential\s+id_card 12345678Z \(ES, issued by DGP\)\n/);
    assert.match(human.stdout, /\n {2}created\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n/);
    assert.deepEqual(json<UserJson>(machine), await get(person.id));

    assert.equal(failed(missing, 1), 'signet: user "no-such-user" does not exist (see `signet users list`)\n');
    assert.deepEqual(JSON.parse(failed(missingJson, 1)), {
      error: 'not_found',
      error_description: 'user "no-such-user" does not exist (see `signet users list`)',
    });
  });

  it('update changes the given claims and keeps every other one (PUT replaces the whole claim set)', async () => {
    const person = await h.person({ username: uniqueName('merge'), locale: 'en-GB', gender: 'female' });
    const before = await get(person.id);
    h.t.clock.advance(5);
    const human = await run(['users', 'update', person.id, '--name', 'Augusta Ada King', '--locale', 'es-ES'], env);
    assert.equal(human.code, 0, human.stderr);
    assert.ok(human.stdout.startsWith(`Updated user ${person.username} (${person.id}).\n\n`), human.stdout);
    assert.match(human.stdout, /\n {2}name\s+Augusta Ada King\n/);

    const after = await get(person.id);
    assert.deepEqual(after, {
      ...before,
      name: 'Augusta Ada King',
      locale: 'es-ES',
      updated_at: new Date((h.t.clock.now() as number) * 1000).toISOString(),
    });
    assert.notEqual(after.updated_at, before.updated_at);
    // The password is untouched.
    assert.equal(await signsIn(h, client, person.username, 'correct horse battery'), true);

    const machine = json<UserJson>(
      await run(
        ['users', 'update', person.id, '--json', '--no-phone-verified', '--username', `${person.username}-x`],
        env,
      ),
    );
    assert.deepEqual(machine, await get(person.id));
    assert.equal(machine.username, `${person.username}-x`);
    assert.equal(machine.phone_number_verified, false);
    assert.equal(machine.name, 'Augusta Ada King');
    assert.deepEqual(machine.credential, before.credential);
  });

  it('update of the email address drops email_verified unless --email-verified is given', async () => {
    const person = await h.person({ username: uniqueName('email') });
    assert.equal((await get(person.id)).email_verified, true);
    const changed = await run(['users', 'update', person.id, '--email', 'ada@new.example'], env);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /\n {2}email\s+ada@new\.example \(not verified\)\n/);
    assert.match(changed.stdout, /\nThe email address changed, so it is no longer marked verified/);
    assert.equal((await get(person.id)).email_verified, false);

    const verified = json<UserJson>(
      await run(['users', 'update', person.id, '--email', 'ada@other.example', '--email-verified', '--json'], env),
    );
    assert.equal(verified.email, 'ada@other.example');
    assert.equal(verified.email_verified, true);
    // The phone number was not touched, so its verification stands.
    assert.equal(verified.phone_number_verified, true);
  });

  it('update refuses no options (exit 2), an unknown id, a taken username and a bad value', async () => {
    const person = await h.person({ username: uniqueName('upd') });
    const other = await h.person({ username: uniqueName('other') });
    const [nothing, missing, taken, bad] = await Promise.all([
      run(['users', 'update', person.id], env),
      run(['users', 'update', 'no-such-user', '--name', 'X'], env),
      run(['users', 'update', person.id, '--username', other.username], env),
      run(['users', 'update', person.id, '--phone', '600 000 000'], env),
    ]);
    assert.match(failed(nothing, 2), /^signet: nothing to update: give at least one option/);
    assert.equal(failed(missing, 1), 'signet: user "no-such-user" does not exist (see `signet users list`)\n');
    assert.equal(failed(taken, 1), `signet: username "${other.username}" is taken: choose another --username\n`);
    assert.equal(
      failed(bad, 1),
      'signet: --phone "600 000 000" is not valid: must be E.164: "+", country code and number, such as +34600000000\n',
    );
    assert.deepEqual(await get(person.id), person);
  });

  it('set-password --password-stdin replaces the password: the new one signs in, the old one no longer does', async () => {
    const person = await h.person({ username: uniqueName('setpw') });
    const result = await run(['users', 'set-password', person.id, '--password-stdin'], env, `${PASSWORD}\n`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `Set a new password for ${person.username} (${person.id}). The previous one, if any, no longer works.\n`,
    );
    assert.equal(await signsIn(h, client, person.username, 'correct horse battery'), false);
    assert.equal(await signsIn(h, client, person.username, PASSWORD), true);

    const nopass = json<UserJson>(await run(['users', 'create', '--username', uniqueName('later'), '--json'], env));
    const machine = json<unknown>(
      await run(['users', 'set-password', nopass.id, '--password-stdin', '--json'], env, 'a brand new password'),
    );
    assert.deepEqual(machine, { id: nopass.id, username: nopass.username, has_password: true });
    assert.equal((await get(nopass.id)).has_password, true);
    assert.equal(await signsIn(h, client, nopass.username, 'a brand new password'), true);
  });

  it('set-password refuses a short password, an unknown id, and a pipe without --password-stdin (exit 2)', async () => {
    const person = await h.person({ username: uniqueName('setpw-bad') });
    const [short, missing, noFlag] = await Promise.all([
      run(['users', 'set-password', person.id, '--password-stdin'], env, 'short\n'),
      run(['users', 'set-password', 'no-such-user', '--password-stdin'], env, `${PASSWORD}\n`),
      run(['users', 'set-password', person.id], env, `${PASSWORD}\n`),
    ]);
    assert.equal(failed(short, 1), 'signet: password must be at least 10 characters long\n');
    assert.equal(failed(missing, 1), 'signet: user "no-such-user" does not exist (see `signet users list`)\n');
    assert.match(failed(noFlag, 2), /^signet: standard input is not a terminal.*--password-stdin/);
    assert.equal(await signsIn(h, client, person.username, 'correct horse battery'), true);
  });

  it('delete removes the person: they can no longer sign in, and a second delete says they do not exist', async () => {
    const person = await h.person({ username: uniqueName('doomed') });
    const result = await run(['users', 'delete', person.id], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^Deleted user ${person.id}\\. They can no longer sign in`));
    assert.equal((await admin(h.t, 'GET', `/admin/users/${person.id}`)).statusCode, 404);
    assert.equal(await signsIn(h, client, person.username, 'correct horse battery'), false);

    const [again, machine] = await Promise.all([
      run(['users', 'delete', person.id], env),
      run(['users', 'delete', (await h.person()).id, '--json'], env),
    ]);
    assert.match(failed(again, 1), new RegExp(`^signet: user "${person.id}" does not exist`));
    assert.equal(json<{ deleted: boolean }>(machine).deleted, true);
  });
});

describe('signet users list', () => {
  let t: TestAccounts;
  let env: Record<string, string>;
  before(async () => {
    t = await testAccounts();
    env = { SIGNET_ADMIN_URL: await listen(t), SIGNET_ADMIN_TOKEN: t.admin.token };
  });
  after(async () => t.dispose());

  it('says how to create the first person when there is none', async () => {
    const [human, machine] = await Promise.all([run(['users', 'list'], env), run(['users', 'list', '--json'], env)]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^No users yet\. Create one with: signet users create --username/);
    assert.deepEqual(json<UserJson[]>(machine), []);
  });

  it('shows a table of id, username, name and email, following Link rel="next" over several pages', async () => {
    // The admin API pages by 100: 230 people take three pages. No passwords, so no hashing.
    for (let i = 0; i < 230; i++) {
      const res = await admin(t, 'POST', '/admin/users', {
        username: `person-${String(i).padStart(3, '0')}`,
        ...(i % 2 === 0 ? { name: `Person ${i}`, email: `p${i}@example.com` } : {}),
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    const firstPage = await admin(t, 'GET', '/admin/users');
    assert.match(String(firstPage.headers.link), /rel="next"/, 'the admin API paginates this list');

    const [human, machine] = await Promise.all([run(['users', 'list'], env), run(['users', 'list', '--json'], env)]);
    const users = json<UserJson[]>(machine);
    assert.equal(users.length, 230);
    assert.deepEqual(new Set(users.map((u) => u.id)).size, 230);
    const all = (await admin(t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.deepEqual(users, all);

    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split('\n');
    assert.match(lines[0] ?? '', /^ID\s+USERNAME\s+NAME\s+EMAIL$/);
    const p2 = users.find((u) => u.username === 'person-002');
    const p3 = users.find((u) => u.username === 'person-003');
    assert.ok(p2 && p3);
    assert.ok(lines.some((l) => new RegExp(`^${p2.id}  person-002\\s+Person 2\\s+p2@example\\.com$`).test(l)));
    assert.ok(lines.some((l) => new RegExp(`^${p3.id}  person-003\\s+-\\s+-$`).test(l)));
    assert.equal(lines.length, 1 + 230 + 3);
    assert.match(human.stdout, /\n230 users\.\n$/);
  });
});

/** Whether util-linux `script` is here to give the CLI a real terminal. */
const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), so that standard input is a TTY.
 * `answer(prompt)` is called when the output ends with a prompt and returns what to type.
 */
function runOnTerminal(
  args: string[],
  env: Record<string, string>,
  answer: (prompt: string) => string,
): Promise<{ code: number | null; output: string }> {
  const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, '--import', 'tsx', binTs, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child: ChildProcessWithoutNullStreams = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: repoRoot,
      env: childEnv(env),
    });
    let output = '';
    let answered = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      // Type only once the prompt is out: readline has switched the terminal to raw mode by then,
      // so anything that shows up in the output was echoed by the CLI, not by the terminal.
      const prompts = output.match(/Password(?: \(again\))?: /g) ?? [];
      while (answered < prompts.length) child.stdin.write(`${answer(prompts[answered++] ?? '')}\r`);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

describe('signet users on a terminal', { skip: hasScript ? false : 'util-linux `script` is not installed' }, () => {
  let h: PeopleHarness;
  let client: TestClient;
  let env: Record<string, string>;
  before(async () => {
    h = await peopleHarness();
    client = await h.client({ skip_consent: true });
    env = { SIGNET_ADMIN_URL: await listen(h.t), SIGNET_ADMIN_TOKEN: h.t.admin.token };
  });
  after(async () => h?.close());

  const TYPED = 'typed on the terminal';

  it('create --password-stdin prompts twice without echo; the person signs in with what was typed', async () => {
    const username = uniqueName('tty');
    const prompts: string[] = [];
    const result = await runOnTerminal(['users', 'create', '--username', username, '--password-stdin'], env, (p) => {
      prompts.push(p);
      return TYPED;
    });
    assert.equal(result.code, 0, result.output);
    assert.deepEqual(prompts, ['Password: ', 'Password (again): ']);
    assert.ok(!result.output.includes(TYPED), `the password was echoed: ${JSON.stringify(result.output)}`);
    assert.match(result.output, new RegExp(`Created user ${username} \\(`));
    assert.equal(await signsIn(h, client, username, TYPED), true);
  });

  it('two different answers change nothing and exit 1', async () => {
    const username = uniqueName('mismatch');
    const result = await runOnTerminal(['users', 'create', '--username', username, '--password-stdin'], env, (p) =>
      p === 'Password: ' ? TYPED : `${TYPED} but different`,
    );
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /signet: the two passwords do not match: nothing was changed/);
    const all = (await admin(h.t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.ok(!all.some((u) => u.username === username));
  });

  it('Ctrl-C at the prompt cancels: exit 1 and nobody is created', async () => {
    const username = uniqueName('cancel');
    const result = await runOnTerminal(
      ['users', 'create', '--username', username, '--password-stdin'],
      env,
      () => '\x03',
    );
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /signet: cancelled: nothing was changed/);
    const all = (await admin(h.t, 'GET', '/admin/users?limit=500')).json() as UserJson[];
    assert.ok(!all.some((u) => u.username === username));
  });

  it('set-password prompts on a terminal without --password-stdin', async () => {
    const person = await h.person({ username: uniqueName('tty-set') });
    const result = await runOnTerminal(['users', 'set-password', person.id], env, () => TYPED);
    assert.equal(result.code, 0, result.output);
    assert.ok(!result.output.includes(TYPED), result.output);
    assert.match(result.output, /Set a new password for /);
    assert.equal(await signsIn(h, client, person.username, TYPED), true);
  });
});

describe('signet users enroll-face, remove-face and face-link', () => {
  let h: PeopleHarness;
  let env: Record<string, string>;
  before(async () => {
    h = await peopleHarness();
    env = { SIGNET_ADMIN_URL: await listen(h.t), SIGNET_ADMIN_TOKEN: h.t.admin.token };
  });
  after(async () => h?.close());

  it('enrols a face from a file, refuses a photo without one with the reason, and remove-face removes it', async () => {
    const person = await h.person({ username: uniqueName('face') });
    const hopper = fileURLToPath(new URL('../../accounts/test-fixtures/faces/grace-hopper.jpg', import.meta.url));
    const coffee = fileURLToPath(new URL('../../accounts/test-fixtures/faces/coffee.jpg', import.meta.url));
    const [enrolled, refused, missing] = await Promise.all([
      run(['users', 'enroll-face', person.id, '--image', hopper, '--json'], env),
      run(['users', 'enroll-face', person.id, '--image', coffee], env),
      run(['users', 'enroll-face', person.id, '--image', '/no/such/file.jpg'], env),
    ]);
    assert.equal(json<UserJson>(enrolled).has_face, true);
    assert.match(failed(refused, 1), /coffee\.jpg cannot be enrolled: no_face: /);
    assert.match(failed(missing, 1), /cannot read --image \/no\/such\/file\.jpg/);
    const shown = await run(['users', 'get', person.id], env);
    assert.match(shown.stdout, /\n {2}face\s+enrolled\n/);
    const removed = await run(['users', 'remove-face', person.id], env);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(await h.t.ctx.store.users.getFaceTemplate(person.id), undefined);
  });

  it('face-link prints a one-time enrolment link (or its JSON); a new one ends the older; an unknown person is refused', async () => {
    const person = await h.person({ username: uniqueName('facelink') });
    const [plain, asJson, nobody] = await Promise.all([
      run(['users', 'face-link', person.id], env),
      run(['users', 'face-link', person.id, '--json'], env),
      run(['users', 'face-link', 'nobody'], env),
    ]);
    assert.equal(plain.code, 0, plain.stderr);
    const url = plain.stdout.split('\n')[0] ?? '';
    assert.match(url, /^http:\/\/localhost:4444\/face\/enrol\/[\w-]{43}$/);
    assert.match(plain.stdout, /Give this link to the person, privately/);
    const link = json<{ url: string; expires_at: string }>(asJson);
    assert.deepEqual(Object.keys(link).sort(), ['expires_at', 'url']);
    assert.equal(Date.parse(link.expires_at) / 1000, h.t.clock.now() + 86_400);
    assert.match(failed(nobody, 1), /user "nobody" does not exist/);

    // Issued one after the other in some order: exactly one of the two still opens.
    const statuses = await Promise.all(
      [url, link.url].map(async (u) => (await h.browser().get(new URL(u).pathname)).status),
    );
    assert.deepEqual(statuses.sort(), [200, 410]);
  });
});

describe('signet users passkeys list and revoke (issue 10)', () => {
  let h: PeopleHarness;
  let env: Record<string, string>;
  before(async () => {
    h = await peopleHarness();
    env = { SIGNET_ADMIN_URL: await listen(h.t), SIGNET_ADMIN_TOKEN: h.t.admin.token };
  });
  after(async () => h?.close());

  it('lists a person’s passkeys with hwk or swk, revokes one, and refuses an unknown one', async () => {
    const person = await h.person({ username: uniqueName('passkeys') });
    const now = h.t.clock.now();
    for (const [credentialId, backupEligible] of [
      ['cred-device', false],
      ['cred-synced', true],
    ] as const) {
      await h.t.ctx.store.passkeys.add({
        credentialId,
        userId: person.id,
        publicKey: 'pk',
        signCount: 0,
        transports: ['internal'],
        backupEligible,
        backedUp: backupEligible,
        attachment: 'platform',
        aaguid: '00000000-0000-0000-0000-000000000000',
        name: backupEligible ? 'Synced passkey' : 'Device passkey',
        createdAt: now,
        lastUsedAt: null,
      });
    }
    const listed = await run(['users', 'passkeys', 'list', person.id], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /cred-device\s+Device passkey\s+hwk/);
    assert.match(listed.stdout, /cred-synced\s+Synced passkey\s+swk/);
    const asJson = json<{ passkeys: { credential_id: string; amr: string }[] }>(
      await run(['users', 'passkeys', 'list', person.id, '--json'], env),
    );
    assert.deepEqual(
      asJson.passkeys.map((p) => [p.credential_id, p.amr]),
      [
        ['cred-device', 'hwk'],
        ['cred-synced', 'swk'],
      ],
    );
    const revoked = await run(['users', 'passkeys', 'revoke', person.id, 'cred-synced'], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(
      (await h.t.ctx.store.passkeys.listByUser(person.id)).map((p) => p.credentialId),
      ['cred-device'],
    );
    assert.match(
      failed(await run(['users', 'passkeys', 'revoke', person.id, 'cred-synced'], env), 1),
      /has no passkey/,
    );
    assert.match(failed(await run(['users', 'passkeys', 'list', 'nobody'], env), 1), /user "nobody" does not exist/);
  });
});

describe('signet users --help', () => {
  it('lists users among the commands and describes every option', () => {
    const program = signetProgram();
    const users = program.commands.find((c: Command) => c.name() === 'users');
    assert.ok(users);
    assert.deepEqual(
      users.commands.map((c) => c.name()),
      [
        'create',
        'list',
        'get',
        'update',
        'delete',
        'set-password',
        'enroll-face',
        'remove-face',
        'face-link',
        'passkeys',
      ],
    );
    const passkeys = users.commands.find((c) => c.name() === 'passkeys');
    assert.deepEqual(
      passkeys?.commands.map((c) => c.name()),
      ['list', 'revoke'],
    );
    // Every command that runs (a group's subcommands, not the group) takes the admin options.
    for (const command of users.commands.flatMap((c) => (c.commands.length > 0 ? c.commands : [c]))) {
      assert.ok(command.description(), command.name());
      for (const option of command.options) assert.ok(option.description, `${command.name()} ${option.flags}`);
      assert.ok(
        command.options.some((o) => o.long === '--json'),
        `${command.name()} takes --json`,
      );
      assert.ok(
        command.options.some((o) => o.long === '--admin-url'),
        `${command.name()} takes --admin-url`,
      );
      // A password is never an option's value: it would end up in shell history and `ps`.
      for (const option of command.options) assert.doesNotMatch(option.flags, /password.*</, option.flags);
    }
    const create = users.commands.find((c) => c.name() === 'create');
    assert.deepEqual(
      create?.options.filter((o) => o.long?.startsWith('--credential-')).map((o) => o.long),
      ['--credential-country', '--credential-issuer', '--credential-type', '--credential-number'],
    );
  });
});

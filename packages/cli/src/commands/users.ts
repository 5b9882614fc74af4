import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { CredentialClaim, PasskeyJson, UserClaims } from '@signet/protocol';
import type { Command } from 'commander';
import { CliError } from '../admin-client.js';
import { fields, printJson, printLines, shellWord, table, when } from '../output.js';
import { type AdminCommandOptions, adminClient, withAdminOptions } from './admin-options.js';

/**
 * A person as the admin API shows them (`/admin/users`): the id (the `sub` of their tokens), the
 * username, and their OpenID Connect claims flattened beside them. Never the password or its hash.
 */
export interface UserJson extends UserClaims {
  id: string;
  username: string;
  /** Whether the person has a password, i.e. can sign in. */
  has_password: boolean;
  /** Whether a face is enrolled, so the person can sign in with `acr_values=urn:acr:face`. */
  has_face: boolean;
  created_at: string;
  updated_at: string;
}

/** The claim options of `signet users create` and `update`, named after their flags. */
export interface UserClaimOptions {
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  /** `--email-verified` (true) or `--no-email-verified` (false). */
  emailVerified?: boolean;
  /** `--phone`: the `phone_number` claim. */
  phone?: string;
  /** `--phone-verified` (true) or `--no-phone-verified` (false). */
  phoneVerified?: boolean;
  birthdate?: string;
  locale?: string;
  gender?: string;
  picture?: string;
  credentialCountry?: string;
  credentialIssuer?: string;
  credentialType?: string;
  credentialNumber?: string;
}

/** Options of `signet users create`. */
export interface CreateUserOptions extends AdminCommandOptions, UserClaimOptions {
  username: string;
  /** `--password-stdin`: read the password from standard input (prompted for when it is a terminal). */
  passwordStdin?: boolean;
}

/** Options of `signet users update <id>`. */
export interface UpdateUserOptions extends AdminCommandOptions, UserClaimOptions {
  /** `--username`: a new username. */
  username?: string;
}

/** Options of `signet users enroll-face <id>`. */
export interface EnrollFaceOptions extends AdminCommandOptions {
  /** `--image`: a JPEG, PNG or WebP photo showing the person's face, and no other face. */
  image: string;
}

/** Options of `signet users set-password <id>`. */
export interface SetPasswordOptions extends AdminCommandOptions {
  /** `--password-stdin`: read the password from standard input instead of prompting. */
  passwordStdin?: boolean;
}

/** Where a password is read from and where prompts go; the process's streams by default. */
export interface PasswordStreams {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Prompts are written here (standard error, so that `--json` output stays clean). */
  output: NodeJS.WritableStream;
}

const processStreams = (): PasswordStreams => ({ input: process.stdin, output: process.stderr });

// Exit code 2, as for the usage errors commander reports (USAGE_EXIT_CODE in program.ts).
const usage = (message: string) => new CliError('usage_error', message, { exitCode: 2 });

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;

/** A password is at most 256 characters (the server's rule); anything much longer on stdin is a mistake. */
const MAX_STDIN_BYTES = 64 * 1024;

/** Each claim the CLI sets, with its flag and, for claims with a format, what the format is. */
const CLAIM_FLAGS: Readonly<Record<string, { flag: string; format?: string }>> = {
  username: { flag: '--username', format: 'letters, digits and . _ @ + - (at most 128)' },
  name: { flag: '--name' },
  given_name: { flag: '--given-name' },
  family_name: { flag: '--family-name' },
  email: { flag: '--email', format: 'an address such as name@example.com' },
  email_verified: { flag: '--email-verified' },
  phone_number: { flag: '--phone', format: 'E.164: "+", country code and number, such as +34600000000' },
  phone_number_verified: { flag: '--phone-verified' },
  birthdate: { flag: '--birthdate', format: 'YYYY-MM-DD, or YYYY, or 0000-MM-DD when the year is unknown' },
  locale: { flag: '--locale', format: 'a language tag such as en or es-ES' },
  gender: { flag: '--gender' },
  picture: { flag: '--picture', format: 'an https:// URL' },
  'credential.country': {
    flag: '--credential-country',
    format: 'two capital letters (ISO 3166-1 alpha-2), such as ES',
  },
  'credential.issuer': { flag: '--credential-issuer' },
  'credential.type': { flag: '--credential-type' },
  'credential.number': { flag: '--credential-number' },
};

/**
 * The claims the options set. The four `--credential-*` options go together (the claim is one
 * document); some but not all of them is a usage error.
 */
export function claimsFromOptions(options: UserClaimOptions): UserClaims {
  const claims: UserClaims = {
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.givenName !== undefined ? { given_name: options.givenName } : {}),
    ...(options.familyName !== undefined ? { family_name: options.familyName } : {}),
    ...(options.email !== undefined ? { email: options.email } : {}),
    ...(options.emailVerified !== undefined ? { email_verified: options.emailVerified } : {}),
    ...(options.phone !== undefined ? { phone_number: options.phone } : {}),
    ...(options.phoneVerified !== undefined ? { phone_number_verified: options.phoneVerified } : {}),
    ...(options.birthdate !== undefined ? { birthdate: options.birthdate } : {}),
    ...(options.locale !== undefined ? { locale: options.locale } : {}),
    ...(options.gender !== undefined ? { gender: options.gender } : {}),
    ...(options.picture !== undefined ? { picture: options.picture } : {}),
  };
  const parts = {
    country: options.credentialCountry,
    issuer: options.credentialIssuer,
    type: options.credentialType,
    number: options.credentialNumber,
  };
  const given = Object.entries(parts).filter(([, value]) => value !== undefined);
  if (given.length === 4) claims.credential = parts as CredentialClaim;
  else if (given.length > 0) {
    const missing = Object.entries(parts)
      .filter(([, value]) => value === undefined)
      .map(([part]) => `--credential-${part}`);
    throw usage(
      `the credential is one identity document: give --credential-country, --credential-issuer, ` +
        `--credential-type and --credential-number together (missing: ${missing.join(', ')})`,
    );
  }
  return claims;
}

/** Rewords the admin API's 404 for a person as what the user should do. */
function userNotFound(id: string) {
  return (error: unknown): never => {
    if (error instanceof CliError && error.status === 404 && error.code === 'not_found') {
      throw new CliError('not_found', `user "${id}" does not exist (see \`signet users list\`)`, { status: 404 });
    }
    throw error;
  };
}

/**
 * Rewords the admin API's answers to a create or update: a taken username names the option to
 * change, and a rejected claim names its flag, the expected format and the value given.
 */
function writeRejected(sent: Record<string, unknown>, given: ReadonlySet<string>) {
  return (error: unknown): never => {
    if (!(error instanceof CliError) || error.status === undefined) throw error;
    if (error.status === 409) {
      throw new CliError(error.code, `${error.message}: choose another --username`, { status: 409 });
    }
    const field = error.status === 400 ? /^([a-z_.]+): (.+)$/.exec(error.message) : null;
    const known = field?.[1] !== undefined ? CLAIM_FLAGS[field[1]] : undefined;
    if (!field?.[1] || !field[2] || !known || !given.has(field[1])) throw error;
    const value = field[1].split('.').reduce<unknown>((v, key) => (v as Record<string, unknown>)?.[key], sent);
    const detail = known.format && field[2].startsWith('must match pattern') ? `must be ${known.format}` : field[2];
    throw new CliError(error.code, `${known.flag} ${JSON.stringify(value)} is not valid: ${detail}`, {
      status: error.status,
    });
  };
}

/** The claim names (`credential.country` style for the document) that the options set. */
function givenFields(claims: UserClaims, username?: string): Set<string> {
  const names = new Set<string>(Object.keys(claims).filter((name) => name !== 'credential'));
  if (claims.credential) for (const part of Object.keys(claims.credential)) names.add(`credential.${part}`);
  if (username !== undefined) names.add('username');
  return names;
}

/**
 * Asks for a password on a terminal without echoing it: the prompt is written to `output`,
 * the typed characters go nowhere. With `confirm`, asks twice and fails when the answers differ.
 * Ctrl-C cancels, Ctrl-D before Enter means no password.
 */
export function promptPassword(streams: PasswordStreams, confirm: boolean): Promise<string> {
  // readline echoes what is typed to its output: give it one that drops everything.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input: streams.input, output: muted, terminal: true, historySize: 0 });
  return new Promise<string>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      rl.close();
      outcome();
    };
    rl.on('SIGINT', () => {
      streams.output.write('\n');
      finish(() => reject(new CliError('cancelled', 'cancelled: nothing was changed')));
    });
    rl.on('close', () =>
      finish(() => {
        streams.output.write('\n');
        reject(new CliError('password_missing', 'no password entered: nothing was changed'));
      }),
    );
    const ask = (prompt: string, then: (answer: string) => void) => {
      streams.output.write(prompt);
      rl.question('', (answer) => {
        // Enter was not echoed either.
        streams.output.write('\n');
        then(answer);
      });
    };
    ask('Password: ', (first) => {
      if (first === '')
        return finish(() => reject(new CliError('password_missing', 'no password entered: nothing was changed')));
      if (!confirm) return finish(() => resolve(first));
      ask('Password (again): ', (second) => {
        if (second !== first) {
          return finish(() =>
            reject(new CliError('password_mismatch', 'the two passwords do not match: nothing was changed')),
          );
        }
        finish(() => resolve(first));
      });
    });
  });
}

/**
 * Reads a password piped into `input`: one line, without its line ending (so `echo` and
 * `printf %s` both work). Empty input or several lines are refused.
 */
export async function readPasswordFromStream(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) {
      throw new CliError('invalid_password', 'standard input is far too long for a password: nothing was changed');
    }
    chunks.push(buffer);
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') {
    throw new CliError(
      'password_missing',
      'no password on standard input: pipe it in, e.g. `signet users … --password-stdin < password-file`',
    );
  }
  if (/[\r\n]/.test(password)) {
    throw new CliError('invalid_password', 'standard input has more than one line: a password is a single line');
  }
  return password;
}

/**
 * The password for `create --password-stdin` or `set-password`: prompted for (twice) when
 * standard input is a terminal, else read from it, which needs `--password-stdin`.
 */
export async function readPassword(fromStdin: boolean, streams: PasswordStreams = processStreams()): Promise<string> {
  if (streams.input.isTTY) return promptPassword(streams, true);
  if (!fromStdin) {
    throw usage(
      'standard input is not a terminal, so there is no one to prompt: pipe the password in with --password-stdin',
    );
  }
  return readPasswordFromStream(streams.input);
}

/** `signet users create`: adds a person, with a password from standard input or none. */
export async function createUser(options: CreateUserOptions): Promise<void> {
  const claims = claimsFromOptions(options);
  const client = adminClient(options);
  const password = options.passwordStdin ? await readPassword(true) : undefined;
  const body: Record<string, unknown> = {
    username: options.username,
    ...claims,
    ...(password !== undefined ? { password } : {}),
  };
  const { body: user } = await client
    .request<UserJson>('POST', '/admin/users', body)
    .catch(writeRejected(body, givenFields(claims, options.username)));
  if (options.json) return printJson(user);
  printLines([`Created user ${user.username} (${user.id}).`, '', ...userFields(user)]);
  if (!user.has_password) printLines(['', ...noPasswordLines(user)]);
}

/** `signet users list`: every person, following the admin API's pages. */
export async function listUsers(options: AdminCommandOptions): Promise<void> {
  const users = await adminClient(options).getAll<UserJson>('/admin/users');
  if (options.json) return printJson(users);
  if (users.length === 0) {
    return printLines(['No users yet. Create one with: signet users create --username <username> --password-stdin']);
  }
  printLines(
    table(
      ['id', 'username', 'name', 'email'],
      users.map((u) => [u.id, u.username, u.name ?? '-', u.email ?? '-']),
    ),
  );
  printLines(['', `${users.length} user${users.length === 1 ? '' : 's'}.`]);
}

/** `signet users get <id>`: one person and their claims. */
export async function getUser(id: string, options: AdminCommandOptions): Promise<void> {
  const { body: user } = await adminClient(options).get<UserJson>(userPath(id)).catch(userNotFound(id));
  if (options.json) return printJson(user);
  printLines([`User ${user.username} (${user.id})`, '', ...userFields(user)]);
  if (!user.has_password) printLines(['', ...noPasswordLines(user)]);
}

/**
 * `signet users update <id>`: changes the given claims and keeps the others. The admin API's
 * PUT replaces the whole claim set, so this reads the person, merges the options in and sends
 * everything back. A new email address or phone number that the options do not mark verified
 * is sent as not verified: the old verification was of the old address.
 */
export async function updateUser(id: string, options: UpdateUserOptions): Promise<void> {
  const changes = claimsFromOptions(options);
  if (Object.keys(changes).length === 0 && options.username === undefined) {
    throw usage('nothing to update: give at least one option, such as --name or --email (see --help)');
  }
  const client = adminClient(options);
  const { body: current } = await client.get<UserJson>(userPath(id)).catch(userNotFound(id));
  const merged: Record<string, unknown> = {
    ...current,
    ...changes,
    ...(options.username !== undefined ? { username: options.username } : {}),
  };
  const notes: string[] = [];
  if (
    changes.email !== undefined &&
    changes.email !== current.email &&
    changes.email_verified === undefined &&
    current.email_verified === true
  ) {
    merged.email_verified = false;
    notes.push('The email address changed, so it is no longer marked verified (add --email-verified if it is).');
  }
  if (
    changes.phone_number !== undefined &&
    changes.phone_number !== current.phone_number &&
    changes.phone_number_verified === undefined &&
    current.phone_number_verified === true
  ) {
    merged.phone_number_verified = false;
    notes.push('The phone number changed, so it is no longer marked verified (add --phone-verified if it is).');
  }
  const { body: user } = await client
    .request<UserJson>('PUT', userPath(id), merged)
    .catch(userNotFound(id))
    .catch(writeRejected(merged, givenFields(changes, options.username)));
  if (options.json) return printJson(user);
  printLines([`Updated user ${user.username} (${user.id}).`, '', ...userFields(user)]);
  if (notes.length) printLines(['', ...notes]);
}

/** `signet users delete <id>`: removes a person. */
export async function deleteUser(id: string, options: AdminCommandOptions): Promise<void> {
  await adminClient(options).delete(userPath(id)).catch(userNotFound(id));
  if (options.json) return printJson({ id, deleted: true });
  printLines([`Deleted user ${id}. They can no longer sign in; their sessions and refresh tokens are gone.`]);
}

/** `signet users set-password <id>`: sets a new password, prompted for or read from standard input. */
export async function setUserPassword(id: string, options: SetPasswordOptions): Promise<void> {
  const client = adminClient(options);
  // Check the person exists before asking for a password twice.
  const { body: user } = await client.get<UserJson>(userPath(id)).catch(userNotFound(id));
  const password = await readPassword(options.passwordStdin === true);
  await client.request<undefined>('PUT', `${userPath(id)}/password`, { password }).catch(userNotFound(id));
  if (options.json) return printJson({ id: user.id, username: user.username, has_password: true });
  printLines([`Set a new password for ${user.username} (${user.id}). The previous one, if any, no longer works.`]);
}

/** Largest image the admin API accepts for an enrolment (10 MB). */
const MAX_FACE_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * `signet users enroll-face <id> --image <file>`: enrols the person's face from a photo, after the
 * operator has proofed their identity. The server keeps only the face's embedding, sealed; the
 * photo is not stored. Refuses a photo with no face or several faces, with the reason.
 */
export async function enrollFace(id: string, options: EnrollFaceOptions): Promise<void> {
  let image: Buffer;
  try {
    image = await readFile(options.image);
  } catch (error) {
    throw new CliError('invalid_image', `cannot read --image ${options.image}: ${(error as Error).message}`);
  }
  if (image.length === 0) throw new CliError('invalid_image', `--image ${options.image} is empty`);
  if (image.length > MAX_FACE_IMAGE_BYTES) {
    throw new CliError('invalid_image', `--image ${options.image} is larger than 10 MB`);
  }
  const client = adminClient(options);
  const { body: user } = await client
    .request<UserJson>('POST', `${userPath(id)}/face`, { image: image.toString('base64') })
    .catch(userNotFound(id))
    .catch((error: unknown): never => {
      if (error instanceof CliError && error.status === 422) {
        throw new CliError(error.code, `--image ${options.image} cannot be enrolled: ${error.message}`, {
          status: 422,
        });
      }
      throw error;
    });
  if (options.json) return printJson(user);
  printLines([
    `Enrolled a face for ${user.username} (${user.id}).`,
    'They can now sign in where a face is required (acr_values=urn:acr:face). The photo was not stored.',
  ]);
}

/** `signet users remove-face <id>`: removes the person's enrolled face. */
export async function removeFace(id: string, options: AdminCommandOptions): Promise<void> {
  await adminClient(options).delete(`${userPath(id)}/face`);
  if (options.json) return printJson({ id, has_face: false });
  printLines([`Removed the enrolled face of ${id}. They can no longer reach urn:acr:face.`]);
}

/** A face enrolment link as the admin API issues it (`POST /admin/users/{id}/face-enrolment-links`). */
export interface FaceEnrolmentLinkJson {
  /** The link to hand to the person: it lets them enrol their own face once, with their camera. */
  url: string;
  /** When it stops working (RFC 3339); `SIGNET_FACE_ENROLMENT_TTL` after issue, 24 hours by default. */
  expires_at: string;
}

/**
 * `signet users face-link <id>`: issues a one-time link through which the person enrols their own
 * face with their camera (after the operator has proofed their identity), and prints it. Issuing
 * a new link ends the person's older one.
 */
export async function faceLink(id: string, options: AdminCommandOptions): Promise<void> {
  const { body: link } = await adminClient(options)
    .request<FaceEnrolmentLinkJson>('POST', `${userPath(id)}/face-enrolment-links`)
    .catch(userNotFound(id));
  if (options.json) return printJson(link);
  printLines([
    link.url,
    '',
    `Give this link to the person, privately: it lets them enrol their face once, until ${link.expires_at}.`,
    'Any older link of theirs no longer works.',
  ]);
}

/**
 * `signet users passkeys list <id>`: the person's passkeys (issue 10): credential ID, label,
 * `hwk` or `swk`, when added and last used.
 */
export async function listPasskeys(id: string, options: AdminCommandOptions): Promise<void> {
  const { body } = await adminClient(options)
    .get<{ passkeys: PasskeyJson[] }>(`${userPath(id)}/passkeys`)
    .catch(userNotFound(id));
  if (options.json) return printJson(body);
  if (body.passkeys.length === 0) return printLines([`${id} has no passkeys.`]);
  printLines(
    table(
      ['credential id', 'name', 'amr', 'created', 'last used'],
      body.passkeys.map((p) => [p.credential_id, p.name, p.amr, when(p.created_at), when(p.last_used_at)]),
    ),
  );
}

/** `signet users passkeys revoke <id> <credential-id>`: the passkey can no longer sign in. */
export async function revokePasskey(id: string, credentialId: string, options: AdminCommandOptions): Promise<void> {
  await adminClient(options).delete(`${userPath(id)}/passkeys/${encodeURIComponent(credentialId)}`);
  if (options.json) return printJson({ id, credential_id: credentialId, revoked: true });
  printLines([`Revoked passkey ${credentialId} of ${id}. It can no longer sign in.`]);
}

function verified(value: string | undefined, isVerified: boolean | undefined): string {
  if (value === undefined) return '-';
  return `${value} (${isVerified ? 'verified' : 'not verified'})`;
}

function userFields(user: UserJson): string[] {
  const c = user.credential;
  return fields([
    ['username', user.username],
    ['name', user.name ?? '-'],
    ['given name', user.given_name ?? '-'],
    ['family name', user.family_name ?? '-'],
    ['email', verified(user.email, user.email_verified)],
    ['phone', verified(user.phone_number, user.phone_number_verified)],
    ['birthdate', user.birthdate ?? '-'],
    ['gender', user.gender ?? '-'],
    ['locale', user.locale ?? '-'],
    ['picture', user.picture ?? '-'],
    ['credential', c ? `${c.type} ${c.number} (${c.country}, issued by ${c.issuer})` : '-'],
    ['password', user.has_password ? 'set' : 'none'],
    ['face', user.has_face ? 'enrolled' : 'none'],
    ['created', when(user.created_at)],
    ['updated', when(user.updated_at)],
  ]);
}

function noPasswordLines(user: UserJson): string[] {
  return [
    `${user.username} has no password and cannot sign in until one is set:`,
    '',
    `  signet users set-password ${shellWord(user.id)}`,
  ];
}

const CLAIM_OPTIONS: readonly [flags: string, description: string][] = [
  ['--name <name>', 'full name (name)'],
  ['--given-name <given_name>', 'given name(s) (given_name)'],
  ['--family-name <family_name>', 'family name(s) (family_name)'],
  ['--email <email>', 'email address (email)'],
  ['--email-verified', 'mark the email address as verified (email_verified: true)'],
  ['--no-email-verified', 'mark the email address as not verified (email_verified: false)'],
  ['--phone <phone_number>', 'phone number in E.164 form, such as +34600000000 (phone_number)'],
  ['--phone-verified', 'mark the phone number as verified (phone_number_verified: true)'],
  ['--no-phone-verified', 'mark the phone number as not verified (phone_number_verified: false)'],
  ['--birthdate <date>', 'date of birth: YYYY-MM-DD, YYYY, or 0000-MM-DD (birthdate)'],
  ['--locale <locale>', 'language tag such as en or es-ES (locale)'],
  ['--gender <gender>', 'gender, e.g. female, male or another value (gender)'],
  ['--picture <url>', 'https:// URL of a profile picture (picture)'],
  [
    '--credential-country <country>',
    'identity document: issuing country, ISO 3166-1 alpha-2 such as ES (with the other --credential-* options)',
  ],
  ['--credential-issuer <issuer>', 'identity document: issuing authority (with the other --credential-* options)'],
  [
    '--credential-type <type>',
    'identity document: type, such as id_card or passport (with the other --credential-* options)',
  ],
  ['--credential-number <number>', 'identity document: number (with the other --credential-* options)'],
];

function withClaimOptions(command: Command): Command {
  for (const [flags, description] of CLAIM_OPTIONS) command.option(flags, description);
  return command;
}

/** Adds the `signet users` command group to `program` (after its shared settings are configured). */
export function usersCommand(program: Command): Command {
  const users = program
    .command('users')
    .description('manage the people who sign in, through the admin API of a running server');

  withAdminOptions(
    withClaimOptions(
      users
        .command('create')
        .description('add a person; without --password-stdin they cannot sign in until a password is set')
        .requiredOption(
          '--username <username>',
          'the name they sign in with (letters, digits, . _ @ + -; stored in lower case)',
        )
        .option(
          '--password-stdin',
          'read the password from standard input (one line); on a terminal, prompt for it twice without echo',
        ),
    ),
  ).action(createUser);

  withAdminOptions(users.command('list').description('list every person (id, username, name, email)')).action(
    listUsers,
  );

  withAdminOptions(
    users.command('get').description('show one person and their claims').argument('<id>', 'the person to show'),
  ).action(getUser);

  withAdminOptions(
    withClaimOptions(
      users
        .command('update')
        .description('change the given claims of a person and keep the others')
        .argument('<id>', 'the person to change')
        .option('--username <username>', 'a new username to sign in with'),
    ),
  ).action(updateUser);

  withAdminOptions(
    users
      .command('delete')
      .description('delete a person; they can no longer sign in')
      .argument('<id>', 'the person to delete'),
  ).action(deleteUser);

  withAdminOptions(
    users
      .command('set-password')
      .description('set a new password: prompted for twice without echo, or read from standard input')
      .argument('<id>', 'the person whose password to set')
      .option('--password-stdin', 'read the password from standard input (one line) instead of prompting'),
  ).action(setUserPassword);

  withAdminOptions(
    users
      .command('enroll-face')
      .description('enrol the face of a person whose identity you have checked (stores its embedding, not the photo)')
      .argument('<id>', 'the person whose face to enrol')
      .requiredOption('--image <file>', 'a JPEG, PNG or WebP photo showing their face and no other'),
  ).action(enrollFace);

  withAdminOptions(
    users
      .command('remove-face')
      .description('remove the enrolled face of a person')
      .argument('<id>', 'the person whose face to remove'),
  ).action(removeFace);

  withAdminOptions(
    users
      .command('face-link')
      .description('issue a one-time link through which a person whose identity you have checked enrols their own face')
      .argument('<id>', 'the person who will enrol their face'),
  ).action(faceLink);

  const passkeys = users.command('passkeys').description("list and revoke a person's passkeys");
  withAdminOptions(
    passkeys
      .command('list')
      .description("list a person's passkeys (credential id, label, hwk or swk, created, last used)")
      .argument('<id>', 'the person'),
  ).action(listPasskeys);
  withAdminOptions(
    passkeys
      .command('revoke')
      .description('revoke one of a person’s passkeys: it can no longer sign in')
      .argument('<id>', 'the person')
      .argument('<credential-id>', 'the passkey, as `signet users passkeys list` shows it'),
  ).action(revokePasskey);

  return users;
}

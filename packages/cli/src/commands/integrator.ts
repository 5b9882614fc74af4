import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { CreateEnvelopeRequest, Envelope, EnvelopeStatus, VerifyResponse } from '@signet/protocol';
import { ENVELOPE_STATUSES } from '@signet/protocol';
import {
  ACR_FACE,
  authorizationUrl,
  createPkce,
  DOCUMENTED_SCOPE,
  encodeBase64,
  exchangeCode,
  randomNonce,
  randomState,
  SdkError,
  SignerClient,
} from '@signet/sdk';
import type { Command } from 'commander';
import { CliError } from '../admin-client.js';
import { fields, list, printJson, printLines, table, when } from '../output.js';
import { sessionFile } from './config-files.js';
import { printSessionToken, readSession, writeSession } from './session.js';
import { cachedTokenProvider } from './token-cache.js';

// The integrator's commands: what someone trying Signet by hand runs against a running Signet
// with a client_id and secret. They speak only the public protocols (OpenID Connect at the issuer,
// the Signer API), through @signet/sdk, exactly as an integrator's app would.

/** The loopback port `signet login` listens on by default: register `http://127.0.0.1:4447/callback`. */
export const LOGIN_PORT = 4447;

/** Flags every integrator command takes; each falls back to a `SIGNET_*` variable. */
interface IntegratorOptions {
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  signerUrl?: string;
  audience?: string;
  json?: boolean;
}

const usage = (message: string) => new CliError('usage_error', message, { exitCode: 2 });

function resolveTarget(options: IntegratorOptions) {
  const env = process.env;
  const issuer = options.issuer ?? env.SIGNET_ISSUER ?? 'http://localhost:4444';
  const clientId = options.clientId ?? env.SIGNET_CLIENT_ID;
  const clientSecret = options.clientSecret ?? env.SIGNET_CLIENT_SECRET;
  const signerUrl = (options.signerUrl ?? env.SIGNET_SIGNER_URL ?? 'http://localhost:4446').replace(/\/+$/, '');
  const audience = options.audience ?? env.SIGNET_SIGNER_AUDIENCE ?? signerUrl;
  return { issuer, clientId, clientSecret, signerUrl, audience };
}

function credentials(options: IntegratorOptions) {
  const target = resolveTarget(options);
  if (!target.clientId || !target.clientSecret) {
    throw usage(
      'no client credentials: give --client-id and --client-secret, or set SIGNET_CLIENT_ID and SIGNET_CLIENT_SECRET',
    );
  }
  return { ...target, clientId: target.clientId, clientSecret: target.clientSecret };
}

function signerClient(options: IntegratorOptions): { signer: SignerClient; clientId: string } {
  const t = credentials(options);
  // Cached on disk between invocations, as the documentation tells integrators to.
  const tokens = cachedTokenProvider({
    issuer: t.issuer,
    clientId: t.clientId,
    clientSecret: t.clientSecret,
    audience: t.audience,
  });
  return { signer: new SignerClient({ baseUrl: t.signerUrl, tokens }), clientId: t.clientId };
}

/** An SDK failure as the CLI reports it: its OAuth/API error code, exit code 1. */
function failure(error: unknown): unknown {
  if (error instanceof SdkError) {
    const code = error.error ?? error.code;
    const detail = error.error_description ?? error.message;
    const status = error.status;
    return new CliError(code, status ? `${detail} (HTTP ${status})` : detail, { status });
  }
  if (error instanceof Error && 'code' in error && error.code === 'ECONNREFUSED') {
    return new CliError('request_failed', error.message);
  }
  return error;
}

async function sdk<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw failure(error);
  }
}

function readFileArg(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw usage(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/** Tries `xdg-open` (or `open` on macOS) on a URL, quietly. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed.
  }
}

/** `signet login`: the documented authorization request on a loopback redirect, the code exchanged with PKCE. */
export async function login(
  options: IntegratorOptions & { port?: string; acr?: string; scope?: string; open?: boolean; timeout?: string },
): Promise<void> {
  const t = credentials(options);
  const port = Number(options.port ?? LOGIN_PORT);
  const timeoutSeconds = Number(options.timeout ?? 300);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage('--port must be a port number');
  if (!(timeoutSeconds > 0)) throw usage('--timeout must be a positive number of seconds');
  const acr = options.acr ?? ACR_FACE;

  let answer: (url: string) => void = () => {};
  const callback = new Promise<string>((resolve) => {
    answer = resolve;
  });
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(
      '<!doctype html><meta charset="utf-8"><title>Signet</title><p>Signed in. You can close this window and go back to the terminal.</p>',
    );
    answer(request.url ?? '/callback');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? usage(`port ${port} is in use: pick another with --port (and register its redirect URI)`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const redirectUri = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}/callback`;
  try {
    const { codeVerifier, codeChallenge } = await createPkce();
    const state = randomState();
    const nonce = randomNonce();
    const url = await sdk(() =>
      authorizationUrl({
        issuer: t.issuer,
        clientId: t.clientId,
        redirectUri,
        scope: options.scope ?? DOCUMENTED_SCOPE,
        state,
        nonce,
        codeChallenge,
        acrValues: acr,
      }),
    );
    // On stderr, so that --json keeps stdout for the result.
    process.stderr.write(
      `Open this URL in a browser to sign in (redirect URI ${redirectUri}):\n\n  ${url.href}\n\nWaiting for the browser to come back…\n`,
    );
    if (options.open !== false) openBrowser(url.href);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new CliError('timeout', `no sign-in came back within ${timeoutSeconds} s`)),
        timeoutSeconds * 1000,
      );
    });
    const callbackUrl = await Promise.race([callback, timedOut]).finally(() => clearTimeout(timer));
    const result = await sdk(() =>
      exchangeCode({
        issuer: t.issuer,
        clientId: t.clientId,
        clientSecret: t.clientSecret,
        redirectUri,
        callbackUrl,
        expectedState: state,
        nonce,
        codeVerifier,
        acrValues: [acr],
      }),
    );
    const claims = result.claims as unknown as Record<string, unknown>;
    const file = writeSession({
      issuer: t.issuer,
      client_id: t.clientId,
      id_token: result.idToken,
      access_token: result.accessToken,
      ...(result.refreshToken ? { refresh_token: result.refreshToken } : {}),
      obtained_at: Math.floor(Date.now() / 1000),
      ...(result.expiresIn !== undefined ? { expires_at: Math.floor(Date.now() / 1000) + result.expiresIn } : {}),
      claims,
    });
    if (options.json) return printJson({ claims, session_file: file });
    const auth = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000).toISOString() : undefined;
    printLines([
      `Signed in as ${String(claims.name ?? claims.sub)}`,
      ...fields([
        ['sub', String(claims.sub)],
        ['acr', String(claims.acr ?? '-')],
        ['amr', list((claims.amr as string[] | undefined) ?? [])],
        ['auth_time', when(auth)],
        ['email', String(claims.email ?? '-')],
        ['credential', claims.credential ? JSON.stringify(claims.credential) : '-'],
      ]),
      `Tokens saved to ${file} (0600): envelopes create --id-token uses this id_token (within 15 minutes of the sign-in);`,
      'signet token prints the access token, refreshed without a new sign-in while the refresh token lasts.',
    ]);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** `signet token`: the session's access token (or id_token), refreshed with the refresh token when it is due. */
export async function token(options: IntegratorOptions & { idToken?: boolean; refresh?: boolean }): Promise<void> {
  const t = credentials(options);
  await sdk(() => printSessionToken(t, options));
}

function describeEnvelope(e: Envelope): string[] {
  return [
    `Envelope ${e.id}: ${e.status}`,
    ...fields([
      ['created', when(e.createdAt)],
      ['documents', list(e.documents.map((d) => d.name))],
    ]),
    ...table(
      ['person', 'name', 'email', 'status', 'signing url'],
      e.persons.map((p) => [String(p.index), p.name, p.email ?? '-', p.status, p.signingUrl ?? '-']),
    ).map((line) => `  ${line}`),
  ];
}

const FINAL: readonly EnvelopeStatus[] = ['completed', 'rejected', 'canceled', 'expired'];

/** `signet envelopes create`: PDFs signed by the logged-in person's (or given) id_tokens and invited persons. */
export async function createEnvelope(
  options: IntegratorOptions & {
    pdf: string[];
    idToken?: string | true | (string | true)[];
    invite?: string[];
    nonce?: string;
    wait?: boolean;
    interval?: string;
    timeout?: string;
  },
): Promise<void> {
  const idTokens = asList(options.idToken).map((value) => {
    if (value !== true)
      return value.startsWith('@') ? readFileArg(value.slice(1), 'id_token file').toString('utf8').trim() : value;
    const session = readSession();
    if (!session) throw usage(`--id-token without a value needs a prior signet login (no ${sessionFile()})`);
    return session.id_token;
  });
  const invites = (options.invite ?? []).map((value) => {
    const comma = value.lastIndexOf(',');
    const name = value.slice(0, comma).trim();
    const email = value.slice(comma + 1).trim();
    if (comma < 1 || !name || !email.includes('@'))
      throw usage(`--invite takes "name,email", not ${JSON.stringify(value)}`);
    return { name, email };
  });
  if (!options.pdf.length) throw usage('give at least one --pdf');
  if (!idTokens.length && !invites.length) throw usage('give at least one --id-token or --invite');
  const interval = Number(options.interval ?? 2);
  const timeout = options.timeout === undefined ? undefined : Number(options.timeout);
  if (!(interval > 0)) throw usage('--interval must be a positive number of seconds');
  if (timeout !== undefined && !(timeout > 0)) throw usage('--timeout must be a positive number of seconds');
  const documents = options.pdf.map((path) => ({
    name: path.split('/').pop() ?? path,
    content: encodeBase64(readFileArg(path, 'PDF')),
  }));
  const { signer, clientId } = signerClient(options);
  const persons: CreateEnvelopeRequest['persons'] = [...idTokens.map((id_token) => ({ id_token })), ...invites];
  const request: CreateEnvelopeRequest = {
    issuer: { initiative: clientId, nonce: options.nonce ?? `cli-${Date.now()}-${randomState().slice(0, 8)}` },
    documents,
    persons,
    signatures: persons.flatMap((_, person) => documents.map((_, document) => ({ document, person }))),
  };
  let envelope = await sdk(() => signer.createEnvelope(request));
  const created = envelope;
  if (!options.json) printLines(describeEnvelope(envelope));
  if (options.wait) {
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeout * 1000;
    let last = progress(envelope);
    if (!options.json) process.stderr.write(`waiting: ${last}\n`);
    while (!FINAL.includes(envelope.status)) {
      if (Date.now() >= deadline) {
        throw new CliError('timeout', `envelope ${envelope.id} still ${envelope.status} after ${timeout} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, interval * 1000));
      const id = envelope.id;
      envelope = await sdk(() => signer.getEnvelope(id));
      const now = progress(envelope);
      if (now !== last) {
        process.stderr.write(`${options.json ? `${JSON.stringify({ progress: now })}` : `progress: ${now}`}\n`);
        last = now;
      }
    }
  }
  // The signing links exist only in the create answer: keep them.
  const result: Envelope = {
    ...envelope,
    persons: envelope.persons.map((p, i) => ({
      ...p,
      ...(created.persons[i]?.signingUrl ? { signingUrl: created.persons[i]?.signingUrl } : {}),
    })),
  };
  if (options.json) printJson(result);
  else if (options.wait) printLines([`Envelope ${envelope.id}: ${envelope.status}`]);
  if (options.wait && envelope.status !== 'completed') {
    throw new CliError('envelope_not_completed', `envelope ${envelope.id} ended ${envelope.status}`);
  }
}

function progress(e: Envelope): string {
  const signed = e.persons.filter((p) => p.status === 'signed').length;
  return `${e.status}, ${signed}/${e.persons.length} signed (${e.persons.map((p) => `${p.name}: ${p.status}`).join(', ')})`;
}

export async function getEnvelope(id: string, options: IntegratorOptions): Promise<void> {
  const { signer } = signerClient(options);
  const envelope = await sdk(() => signer.getEnvelope(id));
  if (options.json) return printJson(envelope);
  printLines(describeEnvelope(envelope));
}

export async function listEnvelopes(options: IntegratorOptions & { status?: string; limit?: string }): Promise<void> {
  if (options.status && !ENVELOPE_STATUSES.includes(options.status as EnvelopeStatus)) {
    throw usage(`--status must be one of ${ENVELOPE_STATUSES.join(', ')}`);
  }
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw usage('--limit must be 1 to 100');
  const { signer } = signerClient(options);
  const page = await sdk(() =>
    signer.listEnvelopePage({ limit, ...(options.status ? { status: options.status as EnvelopeStatus } : {}) }),
  );
  if (options.json) return printJson(page);
  printLines(
    page.envelopes.length
      ? table(
          ['id', 'status', 'created', 'persons'],
          page.envelopes.map((e) => [
            e.id,
            e.status,
            when(e.createdAt),
            list(e.persons.map((p) => `${p.name} (${p.status})`)),
          ]),
        )
      : ['No envelopes.'],
  );
}

export async function cancelEnvelope(id: string, options: IntegratorOptions & { reason?: string }): Promise<void> {
  const { signer } = signerClient(options);
  const envelope = await sdk(() => signer.cancelEnvelope(id, options.reason));
  if (options.json) return printJson(envelope);
  printLines([`Envelope ${envelope.id}: ${envelope.status}`]);
}

export async function downloadDocument(
  id: string,
  options: IntegratorOptions & { document?: string; output?: string; original?: boolean },
): Promise<void> {
  const index = Number(options.document ?? 0);
  if (!Number.isInteger(index) || index < 0) throw usage('--document must be a document index (0, 1, …)');
  const { signer } = signerClient(options);
  const pdf = await sdk(() =>
    signer.downloadDocument(id, index, options.original ? { version: 'original' } : { version: 'current' }),
  );
  const output = options.output ?? `${id}-${index}.pdf`;
  if (output === '-') {
    process.stdout.write(pdf);
    return;
  }
  writeFileSync(output, pdf);
  if (options.json) return printJson({ envelope: id, document: index, file: output, bytes: pdf.length });
  printLines([`Wrote ${output} (${pdf.length} bytes)`]);
}

/** `signet verify`: the Signer's validation report of a PDF; exit 1 unless every signature passes. */
export async function verifyPdf(file: string, options: IntegratorOptions): Promise<void> {
  const pdf = readFileArg(file, 'PDF');
  const { signer } = signerClient(options);
  const report: VerifyResponse = await sdk(() => signer.verify(pdf));
  if (options.json) printJson(report);
  else {
    printLines([
      `${file}: ${report.indication}${report.subIndication ? ` (${report.subIndication})` : ''}`,
      ...(report.signatures.length
        ? table(
            ['field', 'indication', 'level', 'signer', 'time'],
            report.signatures.map((s) => [
              s.field,
              s.subIndication ? `${s.indication} (${s.subIndication})` : s.indication,
              s.level ?? '-',
              s.signer.serialNumber ? `${s.signer.name} (${s.signer.serialNumber})` : s.signer.name,
              when(s.timestamp ?? s.signingTime),
            ]),
          ).map((line) => `  ${line}`)
        : ['  no signatures']),
      ...report.documentTimestamps.map((d) => `  document timestamp: ${d.indication}`),
    ]);
  }
  if (!report.valid)
    throw new CliError('verification_failed', `${file} did not pass validation (${report.indication})`);
}

function withIntegratorOptions(
  command: Command,
  what = 'print JSON instead of text; errors go to stderr as JSON',
): Command {
  return command
    .option('--json', what)
    .option('--issuer <url>', 'the issuer (default: $SIGNET_ISSUER, else http://localhost:4444)')
    .option('--client-id <id>', 'your client_id (default: $SIGNET_CLIENT_ID)')
    .option(
      '--client-secret <secret>',
      'your client secret (default: $SIGNET_CLIENT_SECRET); given here it is visible in the process list, so prefer the variable',
    )
    .option('--signer-url <url>', 'the Signer API (default: $SIGNET_SIGNER_URL, else http://localhost:4446)')
    .option('--audience <uri>', "the Signer's audience (default: $SIGNET_SIGNER_AUDIENCE, else the Signer URL)");
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
// Commander sets a bare `--id-token` to `true` without calling the parser: normalize both ways.
const asList = (value: string | true | (string | true)[] | undefined): (string | true)[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const collectOptional = (value: string | true, previous?: string | true | (string | true)[]) => [
  ...asList(previous),
  value,
];

/** `signet login`, `signet envelopes …`, `signet verify`: the integrator's side, by hand. */
export function integratorCommands(program: Command): void {
  withIntegratorOptions(
    program
      .command('login')
      .description(
        'sign a person in through the documented authorization request (PKCE, loopback redirect) and keep the tokens',
      )
      .option(
        '--port <port>',
        `loopback port of the redirect URI http://127.0.0.1:<port>/callback (default ${LOGIN_PORT}; 0: any free port — a registered http://127.0.0.1 redirect URI matches any port)`,
      )
      .option('--acr <acr>', `acr_values to ask for (default ${ACR_FACE})`)
      .option('--scope <scope>', 'scopes to ask for (default: the documented scope)')
      .option('--no-open', 'only print the URL; do not run xdg-open')
      .option('--timeout <seconds>', 'how long to wait for the browser (default 300)'),
    'print the id_token claims as JSON',
  ).action(login);

  withIntegratorOptions(
    program
      .command('token')
      .description(
        "print the signed-in person's access token from signet login, refreshed with the refresh token (no browser) when it is about to expire",
      )
      .option('--id-token', 'print the id_token instead (a refresh keeps the original auth_time)')
      .option('--refresh', 'refresh even if the access token is still valid'),
    'print the tokens, their expiry and the claims as JSON',
  ).action(token);

  const envelopes = program.command('envelopes').description('create and follow envelopes at the Signer API');
  withIntegratorOptions(
    envelopes
      .command('create')
      .description('create an envelope: every person signs every PDF, id_token persons first')
      .requiredOption('--pdf <file>', 'a PDF to sign (repeatable)', collect)
      .option(
        '--id-token [token]',
        "a signer's id_token, @file, or (no value) the one signet login kept (repeatable)",
        collectOptional,
      )
      .option('--invite <name,email>', 'a person to invite by email (repeatable)', collect)
      .option('--nonce <nonce>', 'issuer.nonce (default: a fresh one)')
      .option('--wait', 'follow the envelope until it is completed, rejected, canceled or expired')
      .option('--interval <seconds>', 'with --wait: seconds between checks (default 2)')
      .option('--timeout <seconds>', 'with --wait: give up after this long (exit 1)'),
  ).action(createEnvelope);
  withIntegratorOptions(
    envelopes.command('get').description('show an envelope').argument('<id>', 'the envelope id'),
  ).action(getEnvelope);
  withIntegratorOptions(
    envelopes
      .command('list')
      .description('list your envelopes, newest first')
      .option('--status <status>', ENVELOPE_STATUSES.join(', '))
      .option('--limit <n>', '1 to 100 (default 20)'),
  ).action(listEnvelopes);
  withIntegratorOptions(
    envelopes
      .command('cancel')
      .description('cancel an envelope in progress')
      .argument('<id>', 'the envelope id')
      .option('--reason <text>', 'why, recorded in the audit trail'),
  ).action(cancelEnvelope);
  withIntegratorOptions(
    envelopes
      .command('download')
      .description('download a document, signed as far as it is')
      .argument('<id>', 'the envelope id')
      .option('--document <n>', 'document index (default 0)')
      .option('-o, --output <file>', 'where to write it (default <id>-<n>.pdf; - for stdout)')
      .option('--original', 'the PDF as uploaded'),
  ).action(downloadDocument);

  withIntegratorOptions(
    program
      .command('verify')
      .description("validate a PDF's signatures at the Signer (/v1/verify); exit 1 unless all pass")
      .argument('<file>', 'the PDF to validate'),
    'print the validation report as JSON',
  ).action(verifyPdf);
}

/**
 * `npm run demo`: the whole documented flow, headless, from a fresh clone, in a few minutes and
 * without a webcam. It starts Signet (`signet start`: accounts and the Signer API) on free ports
 * in a throwaway data dir (./.signet-demo, removed at the end), creates a demo person, enrols
 * her face and a passkey through her one-time enrolment link in Debian's Chromium (a fake camera
 * showing the face fixture performs the face challenge, Chromium's virtual authenticator holds the
 * passkey), signs her in through the documented authorization request with
 * `acr_values=urn:acr:face`, gets the client_credentials token through the SDK's cached provider,
 * creates an envelope for her id_token plus one invitation, writes ./signed.pdf and asks `pdfsig`.
 *
 * Needs Debian's `chromium` and `poppler-utils` (pdfsig); `libnss3-tools` (certutil) lets pdfsig
 * check the certificate chain too. Exit code 0 when the signed PDF validates, 1 otherwise.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInThreadFaceVerifier, readFaceFixture } from '@signet/accounts/testing';
import {
  ACR_FACE,
  authorizationUrl,
  createPkce,
  createTokenProvider,
  DOCUMENTED_SCOPE,
  encodeBase64,
  exchangeCode,
  randomNonce,
  randomState,
  SignerClient,
} from '@signet/sdk';
import { freePort } from '@signet/testing/accounts';
import {
  CHROMIUM,
  enrolFaceAndPasskey,
  type FakeCameras,
  launchFakeCameras,
  signInWithPasskeyAndFace,
} from '@signet/testing/face-browser';
import { makePdf, pdfsig } from '@signet/testing/pdf';

const root = fileURLToPath(new URL('../', import.meta.url));
const dataDir = resolve(process.cwd(), '.signet-demo');
const output = resolve(process.cwd(), 'signed.pdf');
const started = Date.now();
const cleanups: (() => Promise<void> | void)[] = [];
/** What `signet start` printed (warnings and errors): shown when the demo fails. */
let serverLog = '';

let stepNumber = 0;
/** Prints the step, runs it, prints how long it took. */
async function step<T>(title: string, run: () => Promise<T>): Promise<T> {
  stepNumber++;
  process.stdout.write(`\n${stepNumber}. ${title}\n`);
  const t0 = Date.now();
  const value = await run();
  process.stdout.write(`   done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return value;
}
const say = (line: string) => process.stdout.write(`   ${line}\n`);

/** Stops with a message a person can act on. */
function fail(message: string, code = 1): never {
  process.stderr.write(`\nnpm run demo: ${message}\n`);
  process.exit(code);
}

function which(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function preflight(): { trustRoot: boolean } {
  const missing: string[] = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium at ${CHROMIUM} (Debian package chromium)`);
  if (!which('pdfsig')) missing.push('pdfsig (Debian package poppler-utils)');
  if (missing.length) {
    fail(
      `missing ${missing.join(' and ')}.\nInstall them with:\n  sudo apt-get install chromium poppler-utils libnss3-tools\nthen run npm run demo again.`,
    );
  }
  return { trustRoot: which('certutil') };
}

/** Runs `signet start --json` on free ports in the demo's data dir and waits for its summary. */
async function startSignet() {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const [port, adminPort, signerPort] = [await freePort(), await freePort(), await freePort()];
  const adminToken = randomBytes(24).toString('base64url');
  const issuer = `http://localhost:${port}`;
  const signerPublic = `http://localhost:${signerPort}`;
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SIGNET_'))),
    SIGNET_DATA_DIR: dataDir,
    SIGNET_ISSUER: issuer,
    SIGNET_PORT: String(port),
    SIGNET_ADMIN_PORT: String(adminPort),
    SIGNET_ADMIN_TOKEN: adminToken,
    SIGNET_SIGNER_PORT: String(signerPort),
    SIGNET_SIGNER_AUDIENCE: signerPublic,
    SIGNET_SIGNER_PUBLIC_URL: signerPublic,
    SIGNET_DEMO_CLIENT: 'false',
    SIGNET_LOG_LEVEL: 'warn',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', 'start', '--json'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  );
  const summary = await new Promise<{ issuer: string; admin_url: string; signer: { url: string; audience: string } }>(
    (ready, refuse) => {
      const timer = setTimeout(() => refuse(new Error(`signet start said nothing in 60 s:\n${log}`)), 60_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        serverLog += chunk;
      });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        serverLog += chunk;
        for (const line of chunk.split('\n')) {
          if (!line.startsWith('{"issuer"')) continue;
          clearTimeout(timer);
          ready(JSON.parse(line));
        }
      });
      child.once('exit', (code) => refuse(new Error(`signet start exited with ${code}:\n${log}`)));
    },
  );
  return { ...summary, adminToken, pid: child.pid };
}

/** A loopback redirect URI (RFC 8252 §7.3) that answers the browser once it comes back. */
async function callbackListener(): Promise<string> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/plain; charset=utf-8');
    response.end('Signed in. The demo continues in the terminal.\n');
  });
  const port = await freePort();
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
  return `http://127.0.0.1:${port}/callback`;
}

async function main(): Promise<void> {
  process.stdout.write('Signet demo: a signed PDF from a face-verified person, headless.\n');
  const { trustRoot } = preflight();

  const signet = await step('Start Signet (accounts + Signer API) on free ports, data in ./.signet-demo', async () => {
    const s = await startSignet();
    say(`issuer   ${s.issuer}   (signet start, pid ${s.pid})`);
    say(`admin    ${s.admin_url}`);
    say(`signer   ${s.signer.url}   (audience ${s.signer.audience})`);
    return s;
  });
  const admin = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${signet.admin_url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${signet.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  const redirectUri = await callbackListener();
  const client = await step('Create the integrator (operator: signet clients create)', async () => {
    const c = await admin<{ client_id: string; client_secret: string }>('POST', '/admin/clients', {
      client_name: 'Signet demo app',
      grant_types: ['client_credentials', 'authorization_code'],
      redirect_uris: [redirectUri],
    });
    say(`client_id ${c.client_id}, redirect_uri ${redirectUri}`);
    return c;
  });

  const person = await step('Create the demo person, Grace Hopper (operator: signet users create)', async () => {
    const p = await admin<{ id: string; username: string }>('POST', '/admin/users', {
      username: 'grace',
      password: randomBytes(18).toString('base64url'),
      name: 'Grace Hopper',
      given_name: 'Grace',
      family_name: 'Hopper',
      birthdate: '1906-12-09',
      email: 'grace.hopper@example.com',
      email_verified: true,
      credential: { country: 'ES', issuer: 'DGP', type: 'id_card', number: '87654321X' },
    });
    say(`id (her sub) ${p.id}`);
    return p;
  });

  const cameras: FakeCameras = await step('Point a fake camera at her face (the face fixture)', async () => {
    const portrait = readFaceFixture('hopper');
    const verifier = await createInThreadFaceVerifier();
    const found = await verifier.enroll(portrait);
    if (!found.ok) throw new Error(`the fixture has no usable face: ${found.message}`);
    const c = await launchFakeCameras(portrait, found.face);
    cleanups.push(() => c.close());
    say(`Chromium ${CHROMIUM} with --use-file-for-fake-video-capture (videos in ${c.dir})`);
    return c;
  });

  const page = await step('Issue her enrolment link; she enrols her face and a passkey in Chromium', async () => {
    const { url } = await admin<{ url: string }>('POST', `/admin/users/${person.id}/face-enrolment-links`);
    say(`link ${url.replace(/[^/]{12}$/, '…')}   (signet users face-link ${person.id})`);
    const p = await enrolFaceAndPasskey(cameras, url, {
      onStep: async (s) => {
        if (s === 'passkey-step') say('face enrolled: the camera turned her head as asked; now the passkey');
      },
    });
    say("passkey created on Chromium's virtual authenticator");
    return p;
  });

  const signedIn = await step('She signs in: the documented request with acr_values=urn:acr:face', async () => {
    const { codeVerifier, codeChallenge } = await createPkce();
    const state = randomState();
    const nonce = randomNonce();
    const url = await authorizationUrl({
      issuer: signet.issuer,
      clientId: client.client_id,
      redirectUri,
      scope: DOCUMENTED_SCOPE,
      state,
      nonce,
      codeChallenge,
      acrValues: ACR_FACE,
    });
    say(`${url.toString().slice(0, 110)}…`);
    const { callbackUrl } = await signInWithPasskeyAndFace(cameras, page, url.toString(), redirectUri, {
      onStep: async (s) => {
        if (s === 'passkey-sign-in') say('passkey (virtual authenticator), then the face challenge');
      },
    });
    const result = await exchangeCode({
      issuer: signet.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      redirectUri,
      callbackUrl,
      expectedState: state,
      nonce,
      codeVerifier,
      acrValues: [ACR_FACE],
    });
    say(`id_token: sub ${result.claims.sub}, acr ${result.claims.acr}, amr ${JSON.stringify(result.claims.amr)}`);
    return result;
  });

  const signer = await step('Get the Signer API token (client_credentials, the SDK caches it)', async () => {
    const tokens = createTokenProvider({
      issuer: signet.issuer,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      audience: signet.signer.audience,
    });
    const token = await tokens.getToken();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    say(`access token for ${String(claims.aud)}, scope "${String(claims.scope)}", 60 minutes`);
    return new SignerClient({ baseUrl: signet.signer.url, tokens });
  });

  const envelope = await step('Create an envelope: her id_token signs at once, Ana Ruiz is invited', async () => {
    const pdf = await makePdf(2, 'Signet demo contract');
    const e = await signer.createEnvelope({
      issuer: { initiative: client.client_id, nonce: `demo-${Date.now()}` },
      documents: [{ name: 'contract.pdf', content: encodeBase64(pdf) }],
      persons: [{ id_token: signedIn.idToken }, { name: 'Ana Ruiz', email: 'ana.ruiz@example.com' }],
      signatures: [
        { document: 0, person: 0 },
        { document: 0, person: 1 },
      ],
    });
    say(`envelope ${e.id}: ${e.status}`);
    for (const [i, p] of e.persons.entries()) {
      say(`person ${i}: ${JSON.stringify({ status: p.status, signingUrl: p.signingUrl })}`);
    }
    return e;
  });

  const verdict = await step('Download the signed PDF and ask pdfsig (and the Signer) about it', async () => {
    const signed = await signer.downloadDocument(envelope.id, 0);
    writeFileSync(output, signed);
    say(`wrote ${output} (${signed.length} bytes)`);
    let trust: string | undefined;
    if (trustRoot) {
      trust = await (await fetch(`${signet.signer.url}/v1/ca/root.pem`)).text();
      say("pdfsig trusts the Signer's root (GET /v1/ca/root.pem) in a throwaway NSS database");
    } else {
      say('certutil missing (libnss3-tools): pdfsig checks the signature, not the chain');
    }
    const { output: report, signatures } = await pdfsig(output, { trust });
    for (const line of report.trimEnd().split('\n')) say(`| ${line}`);
    const report2 = await signer.verify(signed);
    for (const s of report2.signatures)
      say(`Signer /v1/verify: ${s.indication} ${s.level ?? ''} signed by ${s.signer.name}`);
    // pdfsig does not validate the document timestamp (type unknown); /v1/verify does.
    const people = signatures.filter((s) => s.type === 'ETSI.CAdES.detached');
    const pdfsigOk = people.length > 0 && people.every((s) => s.valid && (!trust || s.certificateTrusted));
    say(`verdict: pdfsig ${pdfsigOk ? 'valid' : 'NOT valid'}, /v1/verify ${report2.indication}`);
    return { ok: pdfsigOk && report2.valid };
  });

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!verdict.ok) fail(`pdfsig did not validate ${output} (after ${seconds} s)`);
  process.stdout.write(
    `\nDone in ${seconds} s: ${output} is signed by Grace Hopper, face-verified with a passkey; pdfsig says valid.\n` +
      'Next: npm start, then npx signet login / envelopes / verify (docs/integration.md, "Try it by hand").\n',
  );
}

async function cleanup(): Promise<void> {
  for (const undo of cleanups.reverse()) await Promise.resolve(undo()).catch(() => {});
  rmSync(dataDir, { recursive: true, force: true });
}

try {
  await main();
  await cleanup();
} catch (error) {
  await cleanup();
  if (serverLog.trim())
    process.stderr.write(`\nWhat Signet logged:\n${serverLog.trim().split('\n').slice(-20).join('\n')}\n`);
  fail(error instanceof Error ? (error.stack ?? error.message) : String(error));
}

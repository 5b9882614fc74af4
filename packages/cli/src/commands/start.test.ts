import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basicAuth, type TestAccounts, testAccounts } from '@signet/testing/accounts';
import { makePdf } from '@signet/testing/pdf';
import { freePort } from '@signet/testing/signer';
import { binTs, childEnv, repoRoot } from '../testing.js';
import { WORKER_SEMI_SPACE_MIB } from './workers.js';

interface Summary {
  issuer?: string;
  workers: { pid: number; background_jobs: boolean }[];
  demo_client?: { client_id: string; client_secret: string };
  signer: { url: string; audience: string; issuer: string };
}

/** Runs `signet start <args> --json` as a real process; resolves with its summary line. */
function startProcess(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; summary: Summary }> {
  const child = spawn(process.execPath, ['--import', 'tsx', binTs, 'start', ...args, '--json'], {
    cwd: repoRoot,
    env: childEnv({ SIGNET_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, summary: JSON.parse(line) as Summary });
    });
    child.once('exit', (code) =>
      reject(new Error(`signet start exited with ${code} before it was ready: ${out}${err}`)),
    );
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

async function clientCredentials(
  issuer: string,
  client: { client_id: string; client_secret: string },
  audience: string,
) {
  const res = await fetch(`${issuer}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', audience }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('signet start signer', () => {
  let accounts: TestAccounts;
  let issuer: string;
  let dataDir: string;
  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    accounts = await testAccounts({ env: { SIGNET_ISSUER: issuer, SIGNET_DEMO_CLIENT: 'false' } });
    await accounts.publicApp.listen({ host: '127.0.0.1', port });
    dataDir = mkdtempSync(join(tmpdir(), 'signet-start-signer-'));
  });
  after(async () => {
    await accounts.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the Signer alone against a separate issuer: /health answers, a token is accepted, SIGTERM exits 0', async () => {
    const signerPort = await freePort();
    const { child, summary } = await startProcess(['signer'], {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_ISSUER: issuer,
      SIGNET_SIGNER_PORT: String(signerPort),
      SIGNET_SIGNER_METRICS_PORT: '0',
    });
    try {
      assert.equal(summary.signer.url, `http://127.0.0.1:${signerPort}`);
      assert.equal(summary.signer.issuer, issuer);
      assert.equal(summary.issuer, undefined, 'accounts does not run');
      const health = await fetch(`${summary.signer.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const client = await accounts.createClient();
      const token = await clientCredentials(issuer, client, summary.signer.audience);
      const me = await fetch(`${summary.signer.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { client_id: string }).client_id, client.client_id);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    }
  });
});

describe('signet start', () => {
  it('runs accounts and the Signer in one process; the demo client token works at the Signer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-start-both-'));
    const port = await freePort();
    const { child, summary } = await startProcess([], {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(await freePort()),
      SIGNET_SIGNER_PORT: String(await freePort()),
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_ISSUER: `http://localhost:${port}`,
    });
    try {
      assert.equal(summary.signer.issuer, summary.issuer);
      assert.ok(summary.demo_client);
      const token = await clientCredentials(`http://127.0.0.1:${port}`, summary.demo_client, summary.signer.audience);
      const me = await fetch(`${summary.signer.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { client_id: string }).client_id, summary.demo_client.client_id);
      const docs = await fetch(`${summary.signer.url}/docs`);
      assert.equal(docs.status, 200);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      rmSync(dataDir, { recursive: true, force: true });
    }
    await assert.rejects(fetch(`${summary.signer.url}/health`), 'the Signer stopped listening');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health/alive`), 'accounts stopped listening');
  });
});

/** The parent pid of a process, from /proc/<pid>/stat. */
const parentOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);

const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('signet start with SIGNET_WORKERS=2', () => {
  it('runs two workers on the same ports that serve tokens and envelopes; one runs the periodic jobs; SIGTERM stops all', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-start-workers-'));
    const port = await freePort();
    const { child, summary } = await startProcess([], {
      SIGNET_WORKERS: '2',
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(await freePort()),
      SIGNET_SIGNER_PORT: String(await freePort()),
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_ISSUER: `http://localhost:${port}`,
    });
    const pids = summary.workers.map((w) => w.pid);
    try {
      assert.equal(pids.length, 2);
      for (const pid of pids) {
        assert.equal(parentOf(pid), child.pid, 'each worker is a child of the primary');
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const young = `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB.withSigner}`;
        assert.ok(argv.includes(young), `worker young generation with the Signer: ${argv.join(' ')}`);
      }
      assert.deepEqual(
        summary.workers.map((w) => w.background_jobs),
        [true, false],
        'exactly one worker runs the periodic jobs',
      );
      assert.ok(summary.demo_client);
      const content = Buffer.from(await makePdf(1)).toString('base64');
      // New connections go to the workers in turn: enough requests reach both.
      for (let i = 0; i < 4; i++) {
        const token = await clientCredentials(`http://127.0.0.1:${port}`, summary.demo_client, summary.signer.audience);
        const created = await fetch(`${summary.signer.url}/v1/envelopes`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', connection: 'close' },
          body: JSON.stringify({
            issuer: { initiative: summary.demo_client?.client_id, nonce: `n-${i}` },
            documents: [{ name: 'contract.pdf', content }],
            persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
            signatures: [{ document: 0, person: 0 }],
          }),
        });
        assert.equal(created.status, 201, await created.clone().text());
        const { id } = (await created.json()) as { id: string };
        const read = await fetch(`${summary.signer.url}/v1/envelopes/${id}`, {
          headers: { authorization: `Bearer ${token}`, connection: 'close' },
        });
        assert.equal(read.status, 200, 'another worker reads what one wrote');
      }
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      rmSync(dataDir, { recursive: true, force: true });
    }
    for (const pid of pids) assert.ok(!running(pid), `worker ${pid} stopped with the primary`);
  });
});

describe('signet start accounts with SIGNET_WORKERS=2', () => {
  it('gives accounts-alone workers the small young generation (decision 0042), and they serve tokens', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-start-accounts-workers-'));
    const port = await freePort();
    const { child, summary } = await startProcess(['accounts'], {
      SIGNET_WORKERS: '2',
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(await freePort()),
      SIGNET_ISSUER: `http://localhost:${port}`,
    });
    try {
      assert.equal(summary.workers.length, 2);
      for (const { pid } of summary.workers) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        const young = `--max-semi-space-size=${WORKER_SEMI_SPACE_MIB.accountsAlone}`;
        assert.ok(argv.includes(young), `accounts-alone worker young generation: ${argv.join(' ')}`);
      }
      assert.ok(summary.demo_client);
      const token = await clientCredentials(`http://127.0.0.1:${port}`, summary.demo_client, 'http://localhost:4446');
      assert.equal(token.split('.').length, 3);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('signet start with several workers and a bad configuration', () => {
  it('exits 1 with the configuration error instead of waiting for workers that cannot start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'signet-start-workers-bad-'));
    try {
      await assert.rejects(
        startProcess([], { SIGNET_WORKERS: '2', SIGNET_DATA_DIR: dataDir, SIGNET_PORT: 'not-a-port' }),
        (error: Error) => /exited with 1 before it was ready/.test(error.message) && /SIGNET_PORT/.test(error.message),
      );
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@signet/testing/accounts';
import { createRemoteJWKSet, jwtVerify } from 'jose';

interface StartSummary {
  issuer: string;
  public_url: string;
  admin_token_file: string;
  demo_client: { client_id: string; client_secret: string };
}

/** Runs `signet start --json` as a real process and resolves with its summary line. */
function startProcess(env: Record<string, string>): Promise<{ child: ChildProcess; summary: StartSummary }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', 'start', '--json'], {
    env: { ...process.env, SIGNET_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ child, summary: JSON.parse(line) as StartSummary });
    });
    child.once('exit', (code) => reject(new Error(`signet start exited with ${code} before it was ready: ${out}`)));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('signet start as a process', () => {
  let dataDir: string;
  let port: number;
  let env: Record<string, string>;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'signet-start-'));
    port = await freePort();
    env = {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(await freePort()),
      SIGNET_SIGNER_PORT: String(await freePort()),
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_ISSUER: `http://localhost:${port}`,
    };
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('signet migrate applies every migration once, then reports the database up to date', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-migrate-'));
    try {
      const run = () =>
        spawnSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/bin.ts', 'migrate', '--json'], {
          env: { ...process.env, SIGNET_DATA_DIR: dir },
          encoding: 'utf8',
        });
      const first = run();
      assert.equal(first.status, 0, first.stderr);
      const applied = (JSON.parse(first.stdout) as { applied: string[] }).applied;
      assert.ok(applied.length >= 4, `applied ${applied.join(', ')}`);
      assert.equal(applied[0], '0001_clients_keys_revocations');
      const second = run();
      assert.equal(second.status, 0, second.stderr);
      assert.deepEqual(JSON.parse(second.stdout), { applied: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints a demo client whose documented request returns a token that verifies against the JWKS', async () => {
    const { child, summary } = await startProcess(env);
    try {
      assert.equal(statSync(summary.admin_token_file).mode & 0o777, 0o600);
      const { client_id, client_secret } = summary.demo_client;
      const res = await fetch(`http://127.0.0.1:${port}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials&audience=http%3A%2F%2Flocalhost%3A4446',
      });
      assert.equal(res.status, 200);
      const { access_token } = (await res.json()) as { access_token: string };
      const { payload } = await jwtVerify(
        access_token,
        createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`)),
        {
          issuer: summary.issuer,
          audience: 'http://localhost:4446',
          typ: 'at+jwt',
        },
      );
      assert.equal((payload.exp as number) - (payload.iat as number), 3600);
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited(child), 0);
    }
  });

  it('prints the same demo credentials on the next start', async () => {
    const first = await startProcess(env);
    first.child.kill('SIGTERM');
    await exited(first.child);
    const second = await startProcess(env);
    second.child.kill('SIGINT');
    assert.equal(await exited(second.child), 0);
    assert.deepEqual(second.summary.demo_client, first.summary.demo_client);
  });

  it('finishes an in-flight request on SIGTERM, then stops listening and exits 0', async () => {
    const { child, summary } = await startProcess(env);
    const { client_id, client_secret } = summary.demo_client;
    const body = 'grant_type=client_credentials&audience=http%3A%2F%2Flocalhost%3A4446';
    // Send the headers and half the body, signal, then send the rest: the request is in flight.
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/oauth2/token',
          headers: {
            authorization: `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on('error', reject);
      // Give the server time to read the request line and headers before the signal (on a
      // loaded machine a request it has not yet read is answered 503, as closing servers do).
      req.write(body.slice(0, 20), () => {
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(20)), 300);
        }, 1000);
      });
    });
    const answered = await response;
    assert.equal(answered.status, 200, answered.body);
    assert.ok(JSON.parse(answered.body).access_token);
    assert.equal(await exited(child), 0);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health/alive`), 'the listener is closed');
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { basicAuth, freePort } from '@signet/testing/accounts';
import { TestBrowser } from '@signet/testing/browser';
import { pdfsig, scratchDir } from '@signet/testing/pdf';
import { authorizationRequest, codeFrom, REDIRECT_URI, walk } from '@signet/testing/people';
import { pdfBase64 } from '@signet/testing/signer';
import { type NodeProcess, startNode } from './cluster.js';

/**
 * One node on SQLite (`signet start`, both services in one process) killed with SIGKILL while
 * envelopes are being created and signed: after a restart both databases pass SQLite's integrity
 * check and every envelope that was answered 201 exists, completed, with its signed PDF. Each
 * envelope's person is identified by a fresh id_token (a password sign-in, which this node's
 * Signer accepts), so she signs at once and the 201 carries a signed document.
 */
describe('kill -9 of a single SQLite node during envelope creation', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-sqlite-kill-'));
  const adminToken = randomBytes(24).toString('base64url');
  let env: Record<string, string>;
  let port: number;
  let node: NodeProcess | undefined;
  let summary: { public_url: string; admin_url: string; signer: { url: string; audience: string } };

  before(async () => {
    port = await freePort();
    env = {
      SIGNET_DATA_DIR: dataDir,
      SIGNET_ISSUER: `http://localhost:${port}`,
      SIGNET_PORT: String(port),
      SIGNET_ADMIN_PORT: String(await freePort()),
      SIGNET_ADMIN_TOKEN: adminToken,
      SIGNET_SIGNER_PORT: String(await freePort()),
      SIGNET_SIGNER_METRICS_PORT: '0',
      SIGNET_DEMO_CLIENT: 'false',
      SIGNET_FACE_POOL_SIZE: '1',
      SIGNET_SIGNER_PDF_WORKERS: '1',
      SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password',
    };
    node = await startNode('sqlite', 'all', port, env);
    summary = node.summary as typeof summary;
  });
  after(async () => {
    if (node && node.child.exitCode === null && node.child.signalCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('integrity check passes after the restart; every envelope answered 201 exists with its signed PDF', async () => {
    const admin = (path: string, body: unknown) =>
      fetch(`${summary.admin_url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (res) => {
        assert.equal(res.status, 201, await res.clone().text());
        return (await res.json()) as Record<string, string>;
      });
    const client = await admin('/admin/clients', {
      client_name: 'SQLite kill',
      grant_types: ['authorization_code', 'client_credentials'],
      redirect_uris: [REDIRECT_URI],
    });
    const token = async (fields: Record<string, string>) => {
      const res = await fetch(`${summary.public_url}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(String(client.client_id), String(client.client_secret)),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(fields).toString(),
      });
      const body = (await res.json()) as Record<string, string>;
      assert.equal(res.status, 200, JSON.stringify(body));
      return body;
    };
    const bearer = `Bearer ${(await token({ grant_type: 'client_credentials', audience: summary.signer.audience })).access_token}`;
    const content = await pdfBase64(1);
    const answered: string[] = [];
    let sent = 0;
    let running = true;
    let killed = false;
    const create = async () => {
      // A fresh sign-in each time, of a new person: a sign-in (iss, sub, auth_time) identifies a signer once.
      const person = await admin('/admin/users', {
        username: `ana-${randomBytes(6).toString('hex')}`,
        password: 'correct horse battery',
        name: 'Ana Ruiz',
      });
      const request = authorizationRequest(String(client.client_id), { scope: 'openid profile' });
      const walked = await walk(new TestBrowser(summary.public_url), request.path, {
        username: String(person.username),
      });
      const code = codeFrom(walked.callback, request.state, env.SIGNET_ISSUER ?? '');
      const { id_token } = await token({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        code_verifier: request.verifier,
      });
      sent++;
      const res = await fetch(`${summary.signer.url}/v1/envelopes`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: JSON.stringify({
          issuer: { initiative: client.client_id, nonce: `kill-${sent}-${randomBytes(4).toString('hex')}` },
          documents: [{ name: 'a.pdf', content }],
          persons: [{ id_token }],
          signatures: [{ document: 0, person: 0 }],
        }),
      });
      const body = (await res.json()) as { id: string; status: string };
      assert.equal(res.status, 201, JSON.stringify(body));
      assert.equal(body.status, 'completed');
      answered.push(body.id);
    };
    // The first envelope starts the PDF worker and the CA: seconds, not part of the load.
    await create();
    const loop = async () => {
      while (running) await create();
    };
    // The loops end on the dead node's connection errors; an error before the kill fails the test.
    const loops = [loop(), loop()].map((l) =>
      l.catch((error: unknown) => {
        if (!killed) throw error;
      }),
    );
    await new Promise((r) => setTimeout(r, 8000));
    const victim = node as NodeProcess;
    killed = true;
    victim.child.kill('SIGKILL');
    await victim.exited;
    running = false;
    await Promise.all(loops);
    const atKill = [...answered];

    for (const db of ['signet.db', 'signer.db']) {
      const check = execFileSync('/usr/bin/sqlite3', [join(dataDir, db), 'pragma integrity_check'], {
        encoding: 'utf8',
      }).trim();
      assert.equal(check, 'ok', `${db}: ${check}`);
    }
    node = await startNode('sqlite', 'all', port, env);
    const scratch = scratchDir();
    try {
      let signatures = 0;
      for (const id of atKill) {
        const envelope = await fetch(`${summary.signer.url}/v1/envelopes/${id}`, {
          headers: { authorization: bearer },
        });
        assert.equal(envelope.status, 200, `envelope ${id} answered 201 before the kill`);
        assert.equal(((await envelope.json()) as { status: string }).status, 'completed');
        const pdf = await fetch(`${summary.signer.url}/v1/envelopes/${id}/documents/0`, {
          headers: { authorization: bearer },
        });
        assert.equal(pdf.status, 200);
        const report = await pdfsig(scratch.write(`${id}.pdf`, new Uint8Array(await pdf.arrayBuffer())));
        // Her signature is intact (pdfsig does not check the B-LTA document timestamp after it).
        const hers = report.signatures.find((s) => s.commonName === 'Ana Ruiz');
        assert.ok(hers?.valid, report.output);
        signatures++;
      }
      console.log(
        `SQLite kill -9: ${sent} envelopes sent, ${atKill.length} answered 201 before the kill; after the restart ` +
          `both databases pass the integrity check and all ${signatures} are completed with a valid signature`,
      );
      assert.ok(atKill.length >= 3, `${atKill.length} envelopes created before the kill`);
    } finally {
      scratch.dispose();
    }
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TestBrowser } from '@signet/testing/browser';
import { authorizationRequest, codeFrom, walk } from '@signet/testing/people';
import { pdfBase64 } from '@signet/testing/signer';
import pg from 'pg';
import { type Answer, type Cluster, call } from './cluster.js';

/** What the steady load sends: a token, an envelope creation, a read, a refresh. */
export type LoadKind = 'token' | 'create' | 'read' | 'refresh';

/** One answer the load got (status 0: no answer at all). */
export interface LoadAnswer {
  kind: LoadKind;
  status: number;
  node: string;
  /** When it was sent and when its answer (or its failure) came, in milliseconds since the load started. */
  at: number;
  done: number;
  retryAfter: string | null;
  error: string;
}

/** What a {@link steadyLoad} got, and what it holds that the database must hold too. */
export interface LoadResult {
  answers: LoadAnswer[];
  /** Envelopes answered 201. */
  created: string[];
  /**
   * Refreshes answered 200, those in doubt, the refresh token the client holds last, the grant's
   * person, and whether reuse detection ended the chain (a retry after a lost answer whose
   * rotation had committed: the client must sign in again).
   */
  refresh: { ok: number; inDoubt: number; last: string; username: string; endedByReuse: boolean };
  /** The failures (status 0 or not 2xx). */
  failures(): LoadAnswer[];
}

/** A running load; `stop` ends it once every loop's request in flight has answered. */
export interface RunningLoad {
  /** Milliseconds since the load started. */
  elapsed(): number;
  stop(): Promise<LoadResult>;
}

/** `POST /v1/envelopes` body: one 1-page PDF, one person invited by email. */
export async function envelopeBody(clientId: string): Promise<(nonce: string) => string> {
  const content = await pdfBase64(1);
  return (nonce) =>
    JSON.stringify({
      issuer: { initiative: clientId, nonce },
      documents: [{ name: 'a.pdf', content }],
      persons: [{ name: 'Ana Ruiz', email: 'ana@example.com' }],
      signatures: [{ document: 0, person: 0 }],
    });
}

/**
 * A steady load through the load balancer, one loop each: client_credentials tokens (two loops),
 * envelope creations, reads of the envelopes created, and the rotation of one refresh chain (a new
 * person's sign-in). A refresh whose answer was lost (no answer, any 5xx but HAProxy's 503) is retried
 * with the same token, as a client would; it then counts as in doubt (its rotation may have
 * committed).
 */
export async function steadyLoad(cluster: Cluster): Promise<RunningLoad> {
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  const answers: LoadAnswer[] = [];
  const created: string[] = [];
  const admin = cluster.adminUrls.get('a1');
  const person = await fetch(`${admin}/admin/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      username: `load-${randomBytes(4).toString('hex')}`,
      password: 'correct horse battery',
      name: 'Ada Lovelace',
    }),
  });
  assert.equal(person.status, 201, await person.clone().text());
  const { username } = (await person.json()) as { username: string };
  const request = authorizationRequest(cluster.client.client_id);
  const code = codeFrom(
    (await walk(new TestBrowser(cluster.accountsUrl), request.path, { username })).callback,
    request.state,
    cluster.issuer,
  );
  const redeemed = await call(`${cluster.accountsUrl}/oauth2/token`, {
    ...cluster.form({
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://app.example/callback',
      code_verifier: request.verifier,
    }),
  });
  assert.equal(redeemed.status, 200, JSON.stringify(redeemed.body));
  const refresh = { ok: 0, inDoubt: 0, last: String(redeemed.body.refresh_token), username, endedByReuse: false };
  const token = await cluster.clientToken();
  assert.equal(token.status, 200, JSON.stringify(token.body));
  const bearer = `Bearer ${token.body.access_token}`;
  const body = await envelopeBody(cluster.client.client_id);

  let running = true;
  const record = async (kind: LoadKind, send: () => Promise<Answer>): Promise<Answer | undefined> => {
    const at = elapsed();
    try {
      const answer = await send();
      answers.push({
        kind,
        status: answer.status,
        node: answer.node,
        at,
        done: elapsed(),
        retryAfter: answer.headers.get('retry-after'),
        error: answer.status >= 300 ? JSON.stringify(answer.body).slice(0, 200) : '',
      });
      return answer;
    } catch (error) {
      answers.push({ kind, status: 0, node: '', at, done: elapsed(), retryAfter: null, error: String(error) });
      return undefined;
    }
  };
  const pause = () => new Promise((r) => setTimeout(r, 20));
  const loop = async (step: () => Promise<unknown>, until = () => false) => {
    while (running && !until()) {
      await step();
      await pause();
    }
  };
  const run = randomBytes(4).toString('hex');
  let nonce = 0;
  let doubt = false;
  const loops = [
    loop(() => record('token', () => cluster.clientToken())),
    loop(() => record('token', () => cluster.clientToken())),
    loop(async () => {
      const answer = await record('create', () =>
        call(`${cluster.signerUrl}/v1/envelopes`, {
          method: 'POST',
          headers: { authorization: bearer, 'content-type': 'application/json' },
          body: body(`load-${run}-${++nonce}`),
        }),
      );
      if (answer?.status === 201) created.push(String(answer.body.id));
    }),
    loop(() => {
      const id = created[Math.floor(Math.random() * created.length)];
      return record('read', () =>
        id
          ? call(`${cluster.signerUrl}/v1/envelopes/${id}`, { headers: { authorization: bearer } })
          : call(`${cluster.signerUrl}/v1/me`, { headers: { authorization: bearer } }),
      );
    }),
    loop(
      async () => {
        const answer = await record('refresh', () =>
          call(`${cluster.accountsUrl}/oauth2/token`, {
            ...cluster.form({ grant_type: 'refresh_token', refresh_token: refresh.last }),
          }),
        );
        if (answer?.status === 200) {
          refresh.ok++;
          refresh.last = String(answer.body.refresh_token);
          doubt = false;
        } else if (
          !doubt &&
          (answer === undefined || (answer.status >= 500 && !(answer.status === 503 && answer.node === '')))
        ) {
          // The same token is retried; the first attempt may have rotated it. Only HAProxy's own 503
          // (no node up) certainly never reached a node; a node's 503 may follow a commit whose
          // acknowledgement the lost database connection took with it.
          doubt = true;
          refresh.inDoubt++;
        } else if (doubt && answer?.status === 400 && answer.body.error === 'invalid_grant') {
          refresh.endedByReuse = true;
        }
      },
      () => refresh.endedByReuse,
    ),
  ];
  return {
    elapsed,
    async stop() {
      running = false;
      await Promise.all(loops);
      return {
        answers,
        created,
        refresh,
        failures: () => answers.filter((a) => a.status === 0 || a.status >= 300),
      };
    },
  };
}

/** Per envelope: how many rows each table holds for it. */
type Rows = Record<string, number>;

const ENVELOPE_TABLES = [
  'envelope_documents',
  'envelope_persons',
  'envelope_signatures',
  'envelope_invitations',
  'audit_events',
  'notification_events',
  'email_deliveries',
] as const;

/**
 * Checks against the databases what the load got 2xx for: every envelope answered 201 exists;
 * every envelope in the database (answered or not) is whole, with the same rows in every table
 * as the others (its document, person, signature, invitation, audit and outbox events, email); the
 * refresh chain holds one live token, the client's last, and a consumed one per rotation
 * answered 200 (plus at most one per rotation in doubt). Returns what it counted.
 */
export async function assertNothingLost(
  cluster: Cluster,
  result: LoadResult,
): Promise<{ envelopes: number; answered: number; refreshes: number }> {
  const signer = new pg.Client({ connectionString: cluster.databases.signer });
  const accounts = new pg.Client({ connectionString: cluster.databases.accounts });
  await signer.connect();
  await accounts.connect();
  try {
    const ids = (await signer.query<{ id: string }>('select id from envelopes')).rows.map((r) => r.id);
    const missing = result.created.filter((id) => !ids.includes(id));
    assert.deepEqual(missing, [], 'every envelope answered 201 is in the database');
    const rows = new Map<string, Rows>(ids.map((id) => [id, {}]));
    for (const table of ENVELOPE_TABLES) {
      const counts = await signer.query<{ envelope_id: string; n: string }>(
        `select envelope_id, count(*) as n from ${table} group by envelope_id`,
      );
      for (const id of ids) {
        const n = counts.rows.find((r) => r.envelope_id === id)?.n ?? '0';
        (rows.get(id) as Rows)[table] = Number(n);
      }
    }
    const empty = await signer.query('select envelope_id from envelope_documents where length(original) = 0');
    assert.equal(empty.rowCount, 0, 'no document without its bytes');
    // Every envelope is the same shape; the one the load created first sets it.
    const first = result.created[0];
    assert.ok(first, 'the load created envelopes');
    const shape = rows.get(first) as Rows;
    for (const table of ['envelope_documents', 'envelope_persons', 'envelope_signatures', 'audit_events'] as const) {
      assert.ok((shape[table] ?? 0) >= 1, `an envelope has ${table} rows`);
    }
    const odd = [...rows].filter(([, r]) => JSON.stringify(r) !== JSON.stringify(shape));
    assert.deepEqual(odd.slice(0, 5), [], `every envelope has the rows ${JSON.stringify(shape)}`);

    // The refresh chain: the grant of the load's person.
    const tokens = await accounts.query<{ consumed_at: string | null; revoked_at: string | null }>(
      `select r.consumed_at, g.revoked_at from refresh_tokens r join grants g on g.id = r.grant_id
       join users u on u.id = g.user_id where u.username = $1`,
      [result.refresh.username],
    );
    const consumed = tokens.rows.filter((t) => t.consumed_at !== null).length;
    const live = tokens.rows.filter((t) => t.consumed_at === null).length;
    if (result.refresh.endedByReuse) {
      // Reuse detection revoked the grant and deleted its tokens: only after an answer was lost.
      assert.ok(result.refresh.inDoubt > 0);
      assert.equal(tokens.rowCount, 0, 'the revoked grant holds no refresh token');
      return { envelopes: ids.length, answered: result.created.length, refreshes: result.refresh.ok };
    }
    const answers = result.answers
      .filter((a) => a.kind === 'refresh')
      .map((a) => `${a.at}:${a.status}${a.node}${a.status === 200 ? '' : a.error.slice(0, 60)}`)
      .join(' ');
    assert.ok(
      consumed >= result.refresh.ok && consumed <= result.refresh.ok + result.refresh.inDoubt,
      `${consumed} rotations in the database for ${result.refresh.ok} answered 200 and ${result.refresh.inDoubt} in doubt: ${answers}`,
    );
    if (result.refresh.inDoubt === 0) {
      assert.equal(live, 1, 'one live refresh token');
      assert.ok(
        tokens.rows.every((t) => t.revoked_at === null),
        'the grant is not revoked',
      );
      const again = await call(`${cluster.accountsUrl}/oauth2/token`, {
        ...cluster.form({ grant_type: 'refresh_token', refresh_token: result.refresh.last }),
      });
      assert.equal(again.status, 200, `the client's last refresh token still works: ${JSON.stringify(again.body)}`);
    }
    return { envelopes: ids.length, answered: result.created.length, refreshes: consumed };
  } finally {
    await signer.end();
    await accounts.end();
  }
}

/** A one-line summary of a load's answers, for the test log. */
export function describeLoad(result: LoadResult): string {
  const byKind: Record<string, string> = {};
  for (const kind of ['token', 'create', 'read', 'refresh'] as const) {
    const of = result.answers.filter((a) => a.kind === kind);
    byKind[kind] = `${of.filter((a) => a.status >= 200 && a.status < 300).length}/${of.length}`;
  }
  return `2xx/sent ${JSON.stringify(byKind)}, ${result.failures().length} failed`;
}

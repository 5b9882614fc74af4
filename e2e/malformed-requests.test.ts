import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { prng, type Rng } from '@signet/testing/prng';
import { type RunningSignet, startSignet } from './signet.js';

/**
 * Sends well over 1,000 generated malformed token requests over real HTTP and checks each one
 * gets a well-formed 4xx OAuth error, then that the server is still healthy and still issues
 * tokens. Every case derives from one seed: rerun a failure with FUZZ_SEED=<seed>.
 */

const CASES = 1_200;
const CONCURRENCY = 16;
const BODY_LIMIT = 64 * 1024;
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32BE(0));

/** Error codes the token endpoint may answer with (RFC 6749 §5.2, RFC 8707 §2). */
const TOKEN_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
]);

interface Case {
  index: number;
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

const METHODS = [...Array<string>(12).fill('POST'), 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'];

const FORM = 'application/x-www-form-urlencoded';
const CONTENT_TYPES = [
  FORM,
  FORM,
  FORM,
  `${FORM}; charset=utf-8`,
  `${FORM}; charset=ISO-8859-1`,
  `${FORM.toUpperCase()}`,
  `${FORM};;;`,
  `${FORM}; boundary="`,
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'text/html',
  'multipart/form-data; boundary=xyz',
  'multipart/form-data',
  'application/xml',
  'application/octet-stream',
  'application/jwt',
  '*/*',
  '',
  ';',
  '/',
  'application/',
  'x-www-form-urlencoded',
  'application/x-www-form-urlencodedx',
];

const enc = (s: string): string => encodeURIComponent(s);

/** Form bodies that are each wrong in at least one way, even with valid client credentials. */
function invalidForm(r: Rng, aud: string, clientId: string, clientSecret: string): string {
  const a = enc(aud);
  return r.pick([
    () => '',
    () => `audience=${a}`,
    () => `grant_type=client_credentials&grant_type=client_credentials&audience=${a}`,
    () => `grant_type=client_credentials&audience=${a}&scope=a&scope=b`,
    () => `grant_type=${enc(r.pick(['password', 'authorization_code', 'refresh_token', r.ascii(8)]))}&audience=${a}`,
    () => 'grant_type=client_credentials',
    () => 'grant_type=client_credentials&audience=',
    () => `grant_type=client_credentials&audience=${enc(`https://${r.ascii(6, 0x61, 0x7a)}.example`)}`,
    () =>
      `grant_type=client_credentials&audience=${a}&scope=${enc(r.pick(['openid', 'offline_access', 'admin', r.ascii(10, 0x21, 0x7e)]))}`,
    () => `grant_type=client_credentials&resource=${enc(r.pick(['not a uri', '/x', `${aud}#f`, 'urn:x']))}`,
    () => `grant_type=client_credentials&audience=${a}&client_id=${enc(clientId)}&client_secret=${enc(clientSecret)}`,
    () => `grant_type=client_credentials&audience=${a}&client_id=someone-else`,
    () => `grant_type=client_credentials&audience=${a}&client_id=${enc(clientId)}&client_id=${enc(clientId)}`,
    () => `grant_type=%&audience=${a}`,
    () => `grant_type=client_credentials%ZZ&audience=${a}`,
    () => `grant_type=client_credentials&audience=${a}%E0%A4%A`,
    () => `grant_type=client%00credentials&audience=${a}`,
    () => `${'&'.repeat(r.int(100))}=${'='.repeat(r.int(50))}`,
  ])();
}

/** Any body at all: random bytes, unicode, broken encodings, huge ones, JSON, forms. */
function anyBody(r: Rng, aud: string, clientId: string, clientSecret: string): { kind: string; body: Buffer } {
  const choice = r.int(12);
  switch (choice) {
    case 0:
      return { kind: 'random bytes', body: r.bytes(r.int(2048)) };
    case 1:
      return { kind: 'random unicode', body: Buffer.from(r.unicode(r.int(512))) };
    case 2: {
      // Around the 64 KiB limit: under, at and over it.
      const size = BODY_LIMIT + r.pick([-100, -1, 0, 1, 100, 8 * 1024]);
      return {
        kind: `huge (${size} bytes)`,
        body: Buffer.from(`grant_type=client_credentials&pad=${'x'.repeat(size)}`),
      };
    }
    case 3:
      return {
        kind: 'broken percent-encoding',
        body: Buffer.from(
          Array.from({ length: 1 + r.int(20) }, () =>
            r.pick(['%', '%2', '%G0', '%E0%A4%A', '%FF', '%C0%AF', '%00', '+', '&', '=', r.ascii(3)]),
          ).join(''),
        ),
      };
    case 4: {
      const names = [
        'grant_type',
        'audience',
        'scope',
        'client_id',
        'client_secret',
        'resource',
        r.ascii(4, 0x61, 0x7a),
      ];
      const pairs = Array.from({ length: 2 + r.int(10) }, () => `${enc(r.pick(names))}=${enc(r.ascii(r.int(20)))}`);
      return { kind: 'random params', body: Buffer.from(pairs.join('&')) };
    }
    case 5:
      return {
        kind: 'json',
        body: Buffer.from(
          r.pick([
            JSON.stringify({ grant_type: 'client_credentials', audience: aud }),
            '{"__proto__":{"x":1},"grant_type":"client_credentials"}',
            '{"constructor":{"prototype":{"x":1}}}',
            '{"grant_type":',
            `${'['.repeat(5000)}${']'.repeat(5000)}`,
            'null',
            '"x"',
          ]),
        ),
      };
    case 6:
      return {
        kind: 'many params',
        body: Buffer.from(Array.from({ length: 1000 + r.int(9000) }, (_, i) => `p${i}=v`).join('&')),
      };
    case 7:
      return { kind: 'empty', body: Buffer.alloc(0) };
    case 8:
      return {
        kind: 'nul and control bytes',
        body: Buffer.from(`grant_type=client_credentials\u0000&audience=${enc(aud)}\r\n\u0007`),
      };
    default:
      return { kind: 'invalid form', body: Buffer.from(invalidForm(r, aud, clientId, clientSecret)) };
  }
}

/** Authorization headers: absent, broken in every way, huge, or valid (then the body is broken). */
function authorization(
  r: Rng,
  clientId: string,
  clientSecret: string,
): { kind: string; value: string | undefined; valid: boolean } {
  const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
  const options: [string, () => string | undefined][] = [
    ['none', () => undefined],
    ['none', () => undefined],
    ['bad base64', () => `Basic ${r.ascii(1 + r.int(40), 0x21, 0x7e)}`],
    ['missing colon', () => `Basic ${b64(clientId + clientSecret)}`],
    ['empty Basic', () => 'Basic '],
    ['bare Basic', () => 'Basic'],
    ['Bearer', () => `Bearer ${clientSecret}`],
    ['random scheme', () => `${r.ascii(5, 0x41, 0x5a)} ${r.ascii(10, 0x21, 0x7e)}`],
    ['random bytes', () => `Basic ${b64(r.bytes(r.int(200)))}`],
    ['wrong secret', () => `Basic ${b64(`${clientId}:${clientSecret.slice(1)}`)}`],
    ['unknown client', () => `Basic ${b64(`${r.ascii(12, 0x61, 0x7a)}:${clientSecret}`)}`],
    ['broken percent-encoding', () => `Basic ${b64(`${clientId}%:%E0%A4%A`)}`],
    ['NUL client id', () => `Basic ${b64(`%00:${clientSecret}`)}`],
    ['non-ASCII client id', () => `Basic ${b64(`${r.unicode(5)}:${clientSecret}`)}`],
    ['huge (under the header limit)', () => `Basic ${b64(r.bytes(1000 + r.int(8000)))}`],
    ['huge (over the 16 KiB header limit)', () => `Basic ${b64(r.bytes(13_000 + r.int(20_000)))}`],
  ];
  if (r.int(4) === 0) return { kind: 'valid', value: `Basic ${b64(`${clientId}:${clientSecret}`)}`, valid: true };
  const [kind, make] = r.pick(options);
  return { kind, value: make(), valid: false };
}

/** The token endpoint's path, mostly plain, sometimes with a garbage query or broken percent-encoding. */
function tokenPath(r: Rng): string {
  if (r.int(8) !== 0) return '/oauth2/token';
  return r.pick([
    () => `/oauth2/token?${enc(r.ascii(10))}=${r.pick(['%zz', '%', '%E0%A4%A', 'x'])}`,
    () => '/oauth2/token?grant_type=client_credentials&grant_type=password',
    () => '/oauth2/token%',
    () => '/oauth2/token%zz',
    () => '/oauth2/%E0%A4%A',
  ])();
}

function generateCases(seed: number, aud: string, clientId: string, clientSecret: string): Case[] {
  const r = prng(seed);
  return Array.from({ length: CASES }, (_, index) => {
    const method = r.pick(METHODS);
    const path = tokenPath(r);
    const auth = authorization(r, clientId, clientSecret);
    const body = auth.valid
      ? { kind: 'invalid form', body: Buffer.from(invalidForm(r, aud, clientId, clientSecret)) }
      : anyBody(r, aud, clientId, clientSecret);
    const contentType = r.int(8) === 0 ? undefined : r.pick(CONTENT_TYPES);
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['content-type'] = contentType;
    if (auth.value !== undefined) headers.authorization = auth.value;
    // Bodies go with every method, GET and HEAD included (mostly): a server must cope with what it did not ask for.
    const sendBody = r.int(4) === 0 && ['GET', 'HEAD', 'TRACE'].includes(method) ? undefined : body.body;
    return {
      index,
      kind: `${method} ${path} content-type=${JSON.stringify(contentType)} auth=${auth.kind} body=${body.kind}`,
      method,
      path,
      headers,
      body: sendBody,
    };
  });
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(base: string, agent: Agent, c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${c.path}`,
      {
        method: c.method,
        agent,
        headers: { ...c.headers, ...(c.body ? { 'content-length': String(c.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(c.body);
  });
}

function check(c: Case, answer: Answer): void {
  const where = `case ${c.index} (FUZZ_SEED=${SEED}): ${c.kind} → ${answer.status} ${answer.body.slice(0, 200)}`;
  assert.ok(answer.status >= 400 && answer.status < 500, `status must be 4xx: ${where}`);
  if (c.method === 'HEAD') {
    assert.equal(answer.body, '', `HEAD has no body: ${where}`);
    return;
  }
  assert.match(String(answer.headers['content-type']), /^application\/json/, `JSON content type: ${where}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    assert.fail(`body must be JSON: ${where}`);
  }
  const error = (parsed as { error?: unknown }).error;
  assert.equal(typeof error, 'string', `error must be a string: ${where}`);
  assert.ok(TOKEN_ERRORS.has(error as string), `error must be an OAuth token endpoint code: ${where}`);
  const description = (parsed as { error_description?: unknown }).error_description;
  assert.ok(description === undefined || typeof description === 'string', `error_description: ${where}`);
  if (typeof description === 'string') {
    assert.match(description, /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/, `error_description charset (RFC 6749 §5.2): ${where}`);
  }
  if (answer.status === 401) {
    assert.equal(error, 'invalid_client', where);
    assert.match(String(answer.headers['www-authenticate']), /^Basic/, `401 carries a Basic challenge: ${where}`);
  }
  if (answer.status === 405) assert.equal(answer.headers.allow, 'POST', where);
}

describe(`malformed token requests over real HTTP (FUZZ_SEED=${SEED})`, () => {
  let signet: RunningSignet;
  let client: { client_id: string; client_secret: string };
  let aud: string;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  before(async () => {
    console.log(`malformed-requests: FUZZ_SEED=${SEED}`);
    signet = await startSignet();
    client = await signet.createClient({ client_id: 'fuzz.client~1' });
    aud = signet.accounts.ctx.config.signerAudience;
  });
  after(async () => {
    agent.destroy();
    await signet?.close();
  });

  it(`answers ${CASES} generated malformed requests with well-formed 4xx OAuth errors`, async () => {
    const cases = generateCases(SEED, aud, client.client_id, client.client_secret);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        try {
          const answer = await send(signet.publicUrl, agent, c);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          check(c, answer);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          failures.push(
            message.includes(`case ${c.index} `)
              ? message
              : `case ${c.index} (FUZZ_SEED=${SEED}): ${c.kind}: ${message}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(`malformed-requests: statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${CASES} cases failed`);
    assert.equal(
      [...statuses.values()].reduce((a, b) => a + b, 0),
      CASES,
    );
    // The generator reaches every interesting branch, not just the first check.
    for (const status of [400, 401, 405, 413]) assert.ok(statuses.has(status), `some case answered ${status}`);
  });

  it('answers headers over 16 KiB with 431 invalid_request and closes the connection', async () => {
    for (const method of ['POST', 'GET']) {
      const answer = await send(signet.publicUrl, agent, {
        index: -1,
        kind: 'huge header',
        method,
        path: '/oauth2/token',
        headers: { authorization: `Basic ${'A'.repeat(20_000)}`, 'content-type': FORM },
        body: method === 'POST' ? Buffer.from('grant_type=client_credentials') : undefined,
      });
      assert.equal(answer.status, 431);
      assert.equal(answer.headers.connection, 'close');
      assert.deepEqual(JSON.parse(answer.body), {
        error: 'invalid_request',
        error_description: 'request headers are too large',
      });
    }
    const head = await send(signet.publicUrl, agent, {
      index: -1,
      kind: 'huge header',
      method: 'HEAD',
      path: '/oauth2/token',
      headers: { authorization: `Basic ${'A'.repeat(20_000)}` },
      body: undefined,
    });
    assert.equal(head.status, 431);
    assert.equal(head.body, '');
  });

  it('answers a URL with broken percent-encoding with 400 invalid_request', async () => {
    const res = await fetch(`${signet.publicUrl}/oauth2/token%E0%A4%A`, {
      method: 'POST',
      headers: { 'content-type': FORM },
      body: 'grant_type=client_credentials',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  });

  it('stays ready and keeps issuing valid tokens afterwards', async () => {
    const ready = await fetch(`${signet.publicUrl}/health/ready`);
    assert.equal(ready.status, 200);
    const res = await fetch(`${signet.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': FORM,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: aud }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as { access_token: string; expires_in: number };
    assert.equal(body.expires_in, 3600);
    assert.equal(body.access_token.split('.').length, 3);
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '@signet/testing/pdf';
import { prng, type Rng } from '@signet/testing/prng';
import { type RunningSigner, type RunningSignet, startSigner, startSignet } from './signet.js';

/**
 * Sends generated malformed requests to every Signer API route over real HTTP, with a valid
 * bearer token, and checks each gets a 4xx with a standard `{ error, error_description }` body,
 * never a 5xx or a hang; then that nothing was created and the API still works. Every case
 * derives from one seed: rerun a failure with FUZZ_SEED=<seed>.
 */

const CASES = 600;
const CONCURRENCY = 8;
const SEED = Number(process.env.FUZZ_SEED ?? randomBytes(4).readUInt32BE(0));

/** Values of the wrong type, shape or size for any field. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  'x'.repeat(5000),
  '\u0000',
  '\ud800',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  [],
  [null],
  {},
  { __proto__: { polluted: true } },
  { constructor: { prototype: { polluted: true } } },
  'not-base64!!',
  Buffer.from('not a pdf at all').toString('base64'),
  Buffer.from('%PDF-1.7\n%truncated').toString('base64'),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  '2026-13-45T99:99:99Z',
  'http://169.254.169.254/latest',
  'javascript:alert(1)',
];

/** Paths into an object, for mutating one field of a valid body. */
const FIELDS = [
  ['issuer'],
  ['issuer', 'initiative'],
  ['issuer', 'personIndex'],
  ['issuer', 'nonce'],
  ['documents'],
  ['documents', 0],
  ['documents', 0, 'name'],
  ['documents', 0, 'content'],
  ['persons'],
  ['persons', 0],
  ['persons', 0, 'name'],
  ['persons', 0, 'email'],
  ['persons', 0, 'id_token'],
  ['signatures'],
  ['signatures', 0],
  ['signatures', 0, 'person'],
  ['signatures', 0, 'document'],
  ['signatures', 0, 'position'],
  ['expiresAt'],
  ['callbackUrl'],
  ['unknownField'],
] as const;

function mutate(body: Record<string, unknown>, path: readonly (string | number)[], value: unknown): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) {
    const child = target[key];
    if (!child || typeof child !== 'object') return copy;
    target = child as Record<string | number, unknown>;
  }
  target[path.at(-1) as string | number] = value;
  return copy;
}

interface Case {
  kind: string;
  method: string;
  path: string;
  contentType?: string;
  body?: string | Buffer;
}

function generate(rng: Rng, template: Record<string, unknown>, envelopeId: string, index: number): Case {
  // A fresh nonce per case, so a mutation is judged on its own and not refused as a replay.
  const valid = mutate(template, ['issuer', 'nonce'], `fuzz-${SEED}-${index}`) as Record<string, unknown>;
  const json = (kind: string, path: string, value: unknown): Case => ({
    kind,
    method: 'POST',
    path,
    contentType: 'application/json',
    body: JSON.stringify(value) ?? 'null',
  });
  switch (rng.int(9)) {
    case 0:
    case 1:
    case 2: {
      const field = rng.pick(FIELDS);
      return json(`create: ${field.join('.')}`, '/v1/envelopes', mutate(valid, field, rng.pick(ODD_VALUES)));
    }
    case 3: {
      const field = rng.pick(FIELDS);
      return json(`create without ${field.join('.')}`, '/v1/envelopes', mutate(valid, field, undefined));
    }
    case 4:
      return json('create: not an object', '/v1/envelopes', rng.pick(ODD_VALUES));
    case 5:
      return {
        kind: 'create: broken JSON or wrong type',
        method: 'POST',
        path: '/v1/envelopes',
        contentType: rng.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'image/png']),
        body: rng.pick(['{', '{"issuer":', '[1,2', 'issuer=x', '\u0000\u0001', randomBytes(64).toString('latin1')]),
      };
    case 6: {
      const id = rng.pick([
        envelopeId,
        'x',
        '0',
        '-1',
        '%00',
        '..%2F..',
        'a'.repeat(300),
        randomBytes(8).toString('hex'),
      ]);
      const n = rng.pick(['0', '1', '-1', '99999999999999999999', 'x', '1.5', '%20']);
      const path = rng.pick([
        `/v1/envelopes/${id}`,
        `/v1/envelopes/${id}/documents/${n}`,
        `/v1/envelopes/${id}/audit-trail`,
        `/v1/envelopes/${id}/deliveries`,
      ]);
      return { kind: `read ${path.split('/').slice(0, 4).join('/')}`, method: 'GET', path };
    }
    case 7: {
      const query = rng.pick([
        'status=nope',
        'limit=0',
        'limit=-5',
        'limit=100000',
        'limit=x',
        'cursor=%FF%FE',
        'cursor=not-a-cursor',
        'status=completed&status=expired',
      ]);
      return { kind: `list ?${query}`, method: 'GET', path: `/v1/envelopes?${query}` };
    }
    default:
      return {
        kind: 'verify: not a PDF',
        method: 'POST',
        path: '/v1/verify',
        contentType: rng.pick(['application/pdf', 'application/json', 'application/octet-stream']),
        body: rng.pick([randomBytes(rng.int(2048)), '{"document":"!!"}', '{"document":12}', '%PDF-1.4\n1 0 obj']),
      };
  }
}

describe('malformed requests to the Signer API', () => {
  let signet: RunningSignet;
  let signer: RunningSigner;
  let authorization: string;
  let valid: Record<string, unknown>;
  let clientId: string;

  before(async () => {
    signet = await startSignet();
    signer = await startSigner(signet);
    const client = await signet.createClient({ client_name: 'Fuzz integrator' });
    clientId = client.client_id;
    const res = await fetch(`${signet.publicUrl}/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', audience: signer.audience }),
    });
    authorization = `Bearer ${((await res.json()) as { access_token: string }).access_token}`;
    valid = {
      issuer: { initiative: client.client_id, personIndex: 0, nonce: 'fuzz-valid-0001' },
      documents: [{ name: 'contract.pdf', content: Buffer.from(await makePdf(1)).toString('base64') }],
      persons: [{ name: 'Ada Lovelace', email: 'ada@example.com' }],
      signatures: [{ person: 0, document: 0 }],
    };
  });
  after(async () => {
    await signer?.close();
    await signet?.close();
  });

  it(`answers ${CASES} generated malformed requests with a 4xx error body (seed ${SEED})`, async () => {
    const rng = prng(SEED);
    const cases = Array.from({ length: CASES }, (_, i) => generate(rng, valid, 'no-such-envelope', i));
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++] as Case;
        const res = await fetch(`${signer.url}${c.path}`, {
          method: c.method,
          headers: { authorization, ...(c.contentType ? { 'content-type': c.contentType } : {}) },
          ...(c.body !== undefined ? { body: c.body } : {}),
          signal: AbortSignal.timeout(10_000),
        });
        const text = await res.text();
        let body: { error?: unknown; error_description?: unknown } = {};
        try {
          body = JSON.parse(text);
        } catch {
          // judged below
        }
        const wellFormed =
          res.status >= 400 &&
          res.status < 500 &&
          typeof body.error === 'string' &&
          (body.error_description === undefined || typeof body.error_description === 'string');
        // A mutation may leave the body valid (e.g. a harmless unknown field): then it must create.
        const created = res.status === 201 && c.path === '/v1/envelopes';
        if (!wellFormed && !created)
          failures.push(`${c.kind} ${c.method} ${c.path} → ${res.status} ${text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    assert.deepEqual(failures.slice(0, 20), [], `FUZZ_SEED=${SEED}: ${failures.length} bad answers`);
  });

  it('takes JSON types as sent (null, numbers for text, arrays for numbers are refused, not coerced) and refuses blank names', async () => {
    const cases: [readonly (string | number)[], unknown][] = [
      [['signatures', 0, 'person'], null],
      [['signatures', 0, 'document'], '0'],
      [['issuer', 'personIndex'], [0]],
      [['persons', 0, 'name'], 42],
      [['documents', 0, 'name'], true],
      // Blank text is no name for a signing certificate, and no nonce.
      [['persons', 0, 'name'], '   '],
      [['issuer', 'nonce'], ' '],
    ];
    for (const [field, value] of cases) {
      const res = await fetch(`${signer.url}/v1/envelopes`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(mutate(valid, field, value)),
      });
      const body = (await res.json()) as { error?: string; error_description?: string };
      assert.equal(res.status, 400, `${field.join('.')} = ${JSON.stringify(value)}: ${JSON.stringify(body)}`);
      assert.equal(body.error, 'invalid_request');
      const named = field.filter((k) => typeof k === 'string').at(-1) as string;
      assert.ok(body.error_description?.includes(named), `${body.error_description} names ${named}`);
    }
  });

  it('is still healthy, and a valid envelope is still created afterwards', async () => {
    assert.equal((await fetch(`${signer.url}/health`)).status, 200);
    const res = await fetch(`${signer.url}/v1/envelopes`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid, issuer: { initiative: clientId, personIndex: 0, nonce: 'fuzz-after-0001' } }),
    });
    assert.equal(res.status, 201, await res.text());
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EnvelopeErrorBody } from '@signet/protocol';
import { basicAuth } from '@signet/testing/accounts';
import { type TestSigner, testSigner } from '@signet/testing/signer';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { signerTestBackends } from '../store/testing.js';
import { pdfBase64 } from './testing.js';

// Attacks on single use, built as an attacker holding one real id_token would build them: the
// id_token comes from a real accounts over HTTP (authorization code flow), and every variant
// below is a different text for the same sign-in. Each created a completed envelope of its own
// when the Signer remembered the SHA-256 of the token text. The Signer requires the password acr
// here so no camera is needed: single use keys on the sign-in whatever its acr.

/** The order n of the P-256 group (SEC 2 §2.4.2): ECDSA accepts (r, s) and (r, n − s) alike. */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same token with its ES256 signature's `s` replaced by `n − s`: a second valid signature. */
function withNegatedS(idToken: string): string {
  const [header, payload, signature] = idToken.split('.') as [string, string, string];
  const raw = Buffer.from(signature, 'base64url');
  assert.equal(raw.length, 64, 'an ES256 signature is r || s, 32 bytes each');
  const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  const negated = Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex');
  const forged = Buffer.concat([raw.subarray(0, 32), negated]).toString('base64url');
  assert.notEqual(forged, signature);
  return `${header}.${payload}.${forged}`;
}

/** The same bytes spelt otherwise: the lowest unused bit of the signature's last character flipped. */
function withFlippedUnusedBits(idToken: string): string {
  const last = idToken.at(-1) as string;
  const flipped = ALPHABET[ALPHABET.indexOf(last) ^ 1] as string;
  const variant = `${idToken.slice(0, -1)}${flipped}`;
  // 64 bytes end in a group of one byte: two characters, the second with 4 unused bits.
  const signature = (text: string) => Buffer.from(text.split('.')[2] as string, 'base64url');
  assert.deepEqual(signature(variant), signature(idToken), 'a lenient decoder reads the same signature');
  return variant;
}

for (const backend of signerTestBackends()) {
  describe(`one sign-in identifies one person once, whatever id_token text stands for it (${backend.name})`, {
    skip: backend.skip,
  }, () => {
    let t: TestSigner;
    let client: { client_id: string; client_secret: string };
    let person: { username: string };
    let idToken: string;
    let refreshToken: string;
    let accessToken: string;
    let pdfB64: string;
    let nonce = 0;

    let dispose: () => Promise<void> = async () => {};

    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      t = await testSigner({ env: { SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password' }, store: opened.store });
      const signedIn = await t.signIn();
      client = signedIn.client;
      person = signedIn.person;
      idToken = signedIn.tokens.id_token as string;
      refreshToken = signedIn.tokens.refresh_token as string;
      assert.ok(refreshToken, 'the sign-in has a refresh token (offline_access)');
      assert.equal(decodeProtectedHeader(idToken).alg, 'ES256');
      accessToken = await t.accessToken(client);
      pdfB64 = await pdfBase64(1);
    });
    after(async () => {
      await t?.dispose();
      await dispose();
    });

    /** POST /v1/envelopes with one person identified by `token`. */
    const create = (token: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/envelopes',
        headers: { authorization: `Bearer ${accessToken}` },
        payload: {
          issuer: { initiative: client.client_id, nonce: `single-use-${++nonce}` },
          documents: [{ name: 'contract.pdf', content: pdfB64 }],
          persons: [{ id_token: token }],
          signatures: [{ document: 0, person: 0 }],
        },
      });

    const refused = (res: Awaited<ReturnType<typeof create>>, reason: string) => {
      assert.equal(res.statusCode, 422, res.body);
      const body = res.json() as EnvelopeErrorBody;
      assert.equal(body.error, 'invalid_id_token');
      assert.equal(body.reason, reason, body.error_description);
      assert.equal(body.field, 'persons[0].id_token');
    };

    test('the id_token itself signs one envelope', async () => {
      const res = await create(idToken);
      assert.equal(res.statusCode, 201, res.body);
      refused(await create(idToken), 'reused');
    });

    test('its ECDSA signature re-encoded as (r, n − s) verifies, and is refused as the same sign-in', async () => {
      refused(await create(withNegatedS(idToken)), 'reused');
    });

    test('its signature with the unused low bits of the last character flipped is refused as not canonical', async () => {
      refused(await create(withFlippedUnusedBits(idToken)), 'malformed');
    });

    test('the id_token with a trailing newline is refused as not canonical', async () => {
      refused(await create(`${idToken}\n`), 'malformed');
    });

    test('an id_token minted again by the refresh_token grant is the same sign-in, refused', async () => {
      const res = await fetch(`${t.issuer}/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: basicAuth(client.client_id, client.client_secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }),
      });
      const body = (await res.json()) as { id_token?: string };
      assert.equal(res.status, 200, JSON.stringify(body));
      const refreshed = body.id_token as string;
      assert.ok(refreshed, 'the refresh answer carries a new id_token');
      assert.notEqual(refreshed, idToken);
      assert.equal(decodeJwt(refreshed).auth_time, decodeJwt(idToken).auth_time, 'the original sign-in time');
      refused(await create(refreshed), 'reused');
    });

    test('two spellings of one new sign-in raced: exactly one envelope', async () => {
      t.clock.advance(1);
      const { tokens } = await t.signIn({ person, client });
      const fresh = tokens.id_token as string;
      assert.notEqual(decodeJwt(fresh).auth_time, decodeJwt(idToken).auth_time, 'a new sign-in, a new auth_time');
      const raced = await Promise.all([create(fresh), create(withNegatedS(fresh))]);
      assert.deepEqual(raced.map((r) => r.statusCode).sort(), [201, 422], raced.map((r) => r.body).join('\n'));
    });
  });
}

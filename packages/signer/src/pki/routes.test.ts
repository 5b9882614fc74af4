import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openssl, scratchDir } from '@signet/testing/pdf';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '../http/errors.js';
import { testAuthority } from '../pdf/testing.js';
import type { CertificateAuthority } from './authority.js';
import { pkiRoutes } from './routes.js';

describe('pki routes', () => {
  let ca: CertificateAuthority;
  let dispose: () => Promise<void>;
  let app: FastifyInstance;
  const files = scratchDir();

  before(async () => {
    ({ ca, dispose } = await testAuthority());
    app = Fastify();
    registerErrorHandling(app);
    await app.register(pkiRoutes(ca));
    await app.ready();
  });
  after(async () => {
    await app.close();
    files.dispose();
    await dispose();
  });

  it('serves the root as PEM and DER, the same certificate', async () => {
    const pem = await app.inject({ method: 'GET', url: '/v1/ca/root.pem' });
    assert.equal(pem.statusCode, 200);
    assert.match(String(pem.headers['content-type']), /^application\/x-pem-file/);
    assert.equal(pem.body, ca.rootCertificatePem);
    const der = await app.inject({ method: 'GET', url: '/v1/ca/root.cer' });
    assert.equal(der.statusCode, 200);
    assert.equal(der.headers['content-type'], 'application/pkix-cert');
    const text = await openssl(
      'x509',
      '-inform',
      'DER',
      '-in',
      files.write('root.cer', der.rawPayload),
      '-noout',
      '-subject',
    );
    assert.match(text, /CN = Signet Root CA/);
    const fromPem = await openssl(
      'x509',
      '-in',
      files.write('root.pem', pem.body),
      '-outform',
      'DER',
      '-out',
      `${files.dir}/again.cer`,
    );
    assert.equal(fromPem, '');
    assert.deepEqual(readFileSync(`${files.dir}/again.cer`), der.rawPayload);
  });

  it('answers an openssl time-stamp query with a token openssl verifies against the root', async () => {
    const data = files.write('data.txt', 'the document');
    const query = files.write('req.tsq', '');
    await openssl('ts', '-query', '-data', data, '-sha256', '-cert', '-out', query);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/timestamp',
      headers: { 'content-type': 'application/timestamp-query' },
      payload: readFileSync(query),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/timestamp-reply');
    const reply = files.write('resp.tsr', res.rawPayload);
    const text = await openssl('ts', '-reply', '-in', reply, '-text');
    assert.match(text, /Status: Granted\./);
    assert.match(text, /Hash Algorithm: sha256/);
    assert.match(text, /Nonce: 0x/);
    const root = files.write('root.pem', ca.rootCertificatePem);
    const verified = await openssl('ts', '-verify', '-in', reply, '-queryfile', query, '-CAfile', root);
    assert.match(verified, /Verification: OK/);
    // The same reply does not verify for other data.
    const other = files.write('other.txt', 'another document');
    await assert.rejects(openssl('ts', '-verify', '-in', reply, '-data', other, '-CAfile', root));
  });

  it('rejects (in RFC 3161 terms) a well-formed query with an unsupported hash', async () => {
    const query = files.write('sha1.tsq', '');
    await openssl('ts', '-query', '-data', files.write('d1.txt', 'x'), '-sha1', '-out', query);
    const res = await app.inject({
      method: 'POST',
      url: '/v1/timestamp',
      headers: { 'content-type': 'application/timestamp-query' },
      payload: readFileSync(query),
    });
    assert.equal(res.statusCode, 200);
    const text = await openssl('ts', '-reply', '-in', files.write('sha1.tsr', res.rawPayload), '-text');
    assert.match(text, /Status: Rejected/);
    assert.match(text, /unrecognized or unsupported algorithm/i);
  });

  it('answers 400 invalid_request naming the body for garbage and an empty body', async () => {
    for (const payload of [Buffer.from('not a request'), Buffer.alloc(0)]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/timestamp',
        headers: { 'content-type': 'application/timestamp-query' },
        payload,
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error, 'invalid_request');
      assert.match(res.json().error_description, /body/);
    }
  });

  it('refuses another content type and an oversized body with a 4xx', async () => {
    const json = await app.inject({ method: 'POST', url: '/v1/timestamp', payload: { a: 1 } });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().error, 'invalid_request');
    const big = await app.inject({
      method: 'POST',
      url: '/v1/timestamp',
      headers: { 'content-type': 'application/timestamp-query' },
      payload: Buffer.alloc(100_000),
    });
    assert.equal(big.statusCode, 413);
  });
});

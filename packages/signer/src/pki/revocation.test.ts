import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makePdf, openssl, scratchDir } from '@signet/testing/pdf';
import { freePort } from '@signet/testing/signer';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerErrorHandling } from '../http/errors.js';
import { signPdf } from '../pdf/sign.js';
import { readDss } from '../pdf/testing.js';
import { verifyPdf } from '../pdf/verify.js';
import { signerTestBackends } from '../store/testing.js';
import { CertificateAuthority } from './authority.js';
import { pkiRoutes } from './routes.js';

const T0 = Math.floor(Date.now() / 1000);
const ana = { subject: 'https://accounts.test ana', name: 'Ana García', country: 'ES' };

/**
 * The OCSP responder and CRLs judged by OpenSSL, against a CA whose certificates name a server
 * listening on a real port (their AIA and CRL distribution point URLs are the ones used).
 */
for (const backend of signerTestBackends()) {
  describe(`OCSP responder and CRL (${backend.name})`, { skip: backend.skip }, () => {
    const files = scratchDir();
    let ca: CertificateAuthority;
    let app: FastifyInstance;
    let url: string;
    let dispose: () => Promise<void>;
    let db: Parameters<typeof CertificateAuthority.open>[0]['db'];
    const masterKey = randomBytes(32);
    let now = T0;
    let root: string;
    let anaPem: string;
    let anaId: string;

    before(async () => {
      const opened = await backend.open();
      dispose = opened.dispose;
      db = opened.store.db;
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      ca = await CertificateAuthority.open({
        db,
        masterKey,
        now: () => now,
        publicUrl: url,
      });
      app = Fastify();
      registerErrorHandling(app);
      await app.register(pkiRoutes(ca));
      await app.listen({ host: '127.0.0.1', port });
      root = files.write('root.pem', ca.rootCertificatePem);
      const credential = await ca.credentialFor(ana);
      anaId = credential.id;
      anaPem = files.write('ana.pem', credential.certificate.toString('pem'));
    });
    after(async () => {
      await app?.close();
      files.dispose();
      await dispose?.();
    });

    const ocsp = (cert: string, ...extra: string[]) =>
      openssl('ocsp', '-issuer', root, '-cert', cert, '-url', `${url}/v1/ca/ocsp`, '-CAfile', root, ...extra);

    it("certificates name the responder, the root's certificate and its CRL at the public URL", async () => {
      const text = await openssl('x509', '-in', anaPem, '-noout', '-ext', 'authorityInfoAccess,crlDistributionPoints');
      assert.match(text, new RegExp(`OCSP - URI:${url}/v1/ca/ocsp`));
      assert.match(text, new RegExp(`CA Issuers - URI:${url}/v1/ca/roots/${ca.rootId}\\.cer`));
      assert.match(text, new RegExp(`URI:${url}/v1/ca/roots/${ca.rootId}\\.crl`));
      const tsa = files.write('tsa.pem', ca.timestampAuthority.certificate.toString('pem'));
      assert.match(await openssl('x509', '-in', tsa, '-noout', '-ext', 'authorityInfoAccess'), /OCSP - URI/);
      const issuer = await fetch(`${url}/v1/ca/roots/${ca.rootId}.cer`);
      assert.equal(issuer.headers.get('content-type'), 'application/pkix-cert');
      assert.deepEqual(Buffer.from(await issuer.arrayBuffer()), Buffer.from(ca.rootCertificate.rawData));
    });

    it('openssl ocsp: good for a person and for the TSA, the response verified against the root, nonce echoed', async () => {
      const out = await ocsp(anaPem, '-resp_text');
      assert.match(out, /ana\.pem: good/);
      assert.match(out, /Response Type: Basic OCSP Response/);
      assert.match(out, /OCSP Nonce:/, 'the nonce openssl sent comes back');
      assert.match(out, /Next Update:/);
      const tsa = files.write('tsa2.pem', ca.timestampAuthority.certificate.toString('pem'));
      assert.match(await ocsp(tsa), /tsa2\.pem: good/);
    });

    it('a serial the CA never issued is unknown; a certificate of another CA is unknown', async () => {
      const other = await backend.open();
      try {
        const stranger = await CertificateAuthority.open({ db: other.store.db, masterKey: randomBytes(32) });
        const cert = files.write('stranger.pem', (await stranger.credentialFor(ana)).certificate.toString('pem'));
        // Asked as if our root issued it: right issuer hashes, a serial we never issued.
        assert.match(await ocsp(cert), /stranger\.pem: unknown/);
      } finally {
        await other.dispose();
      }
    });

    it('GET with the base64 request in the path (RFC 6960 A.1) gets the same answer', async () => {
      const reqout = `${files.dir}/req.der`;
      await openssl('ocsp', '-issuer', root, '-cert', anaPem, '-no_nonce', '-reqout', reqout);
      const encoded = encodeURIComponent(readFileSync(reqout).toString('base64'));
      const res = await fetch(`${url}/v1/ca/ocsp/${encoded}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/ocsp-response');
      const respin = files.write('get-resp.der', Buffer.from(await res.arrayBuffer()));
      const out = await openssl('ocsp', '-respin', respin, '-issuer', root, '-cert', anaPem, '-CAfile', root);
      assert.match(out, /ana\.pem: good/);
    });

    it('bounds requests: garbage is 400, an oversized body 413, more than 8 certificates malformedRequest', async () => {
      const garbage = await fetch(`${url}/v1/ca/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: 'not der',
      });
      assert.equal(garbage.status, 400);
      const big = await fetch(`${url}/v1/ca/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: new Uint8Array(9000),
      });
      assert.equal(big.status, 413);
      const many = Array.from({ length: 9 }, () => ['-cert', anaPem]).flat();
      const reqout = `${files.dir}/many.der`;
      await openssl('ocsp', '-issuer', root, ...many, '-reqout', reqout);
      const res = await fetch(`${url}/v1/ca/ocsp`, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request' },
        body: readFileSync(reqout),
      });
      const respin = files.write('many-resp.der', Buffer.from(await res.arrayBuffer()));
      // openssl exits 1 on an unsuccessful response, after printing it.
      const failed = await opensslBoth('ocsp', '-respin', respin, '-resp_text', '-noverify').catch(
        (error: { stdout: string; stderr: string }) => error,
      );
      assert.match(failed.stdout + failed.stderr, /malformedrequest/i);
    });

    it('revoked: OCSP says revoked with the reason, the CRL at the distribution point lists it and verifies', async () => {
      now += 60;
      const revoked = await ca.revoke({ subject: ana.subject }, 'cessationOfOperation');
      assert.equal(revoked.length, 1);
      assert.equal(revoked[0]?.credentialId, anaId);
      assert.deepEqual(await ca.revoke({ subject: ana.subject }), [], 'revoking again changes nothing');
      const out = await ocsp(anaPem, '-resp_text');
      assert.match(out, /ana\.pem: revoked/);
      assert.match(out, /Reason: cessationOfOperation/);
      const crlRes = await fetch(`${url}/v1/ca/roots/${ca.rootId}.crl`);
      assert.equal(crlRes.headers.get('content-type'), 'application/pkix-crl');
      const crl = files.write('root.crl', Buffer.from(await crlRes.arrayBuffer()));
      const { stderr, stdout } = await opensslBoth(
        'crl',
        '-inform',
        'DER',
        '-in',
        crl,
        '-CAfile',
        root,
        '-verify',
        '-noout',
        '-text',
      );
      assert.match(stderr + stdout, /verify OK/);
      assert.match(stdout, new RegExp(`Serial Number: 0*${revoked[0]?.serial}`, 'i'));
      assert.match(stdout, /Cessation Of Operation/);
      const again = await fetch(`${url}/v1/ca/crl`);
      assert.equal((await again.arrayBuffer()).byteLength > 0, true);
      // openssl verify with the CRL checks the chain and the revocation together.
      const pem = files.write('crl.pem', await openssl('crl', '-inform', 'DER', '-in', crl));
      await assert.rejects(
        openssl('verify', '-crl_check', '-CAfile', root, '-CRLfile', pem, anaPem),
        /certificate revoked/,
      );
    });

    it('DSS revocation data is reused, but a revocation on another node shows at once: a cached good is never served for it', async () => {
      const carla = { subject: 'https://accounts.test carla', name: 'Carla Núñez' };
      const credential = await ca.credentialFor(carla);
      const cert = new Uint8Array(credential.certificate.rawData);
      const issuer = new Uint8Array(ca.rootCertificate.rawData);
      const provider = ca.validationData;
      const good = await provider.getOCSP?.(cert, issuer);
      const crl = await provider.getCRL?.(issuer);
      assert.ok(good && crl);
      assert.deepEqual(await provider.getOCSP?.(cert, issuer), good, 'the same signed response is served again');
      assert.deepEqual(await provider.getCRL?.(issuer), crl, 'the same CRL is served again');
      // The attack: a second node revokes within the reuse window (same second), this node still holds "good".
      const otherNode = await CertificateAuthority.open({ db, masterKey, now: () => now });
      const [revoked] = await otherNode.revoke({ subject: carla.subject }, 'keyCompromise');
      assert.ok(revoked);
      const carlaPem = files.write('carla.pem', credential.certificate.toString('pem'));
      const after = await provider.getOCSP?.(cert, issuer);
      assert.ok(after);
      const ocspText = await openssl(
        'ocsp',
        '-respin',
        files.write('carla-after.der', after),
        '-issuer',
        root,
        '-cert',
        carlaPem,
        '-CAfile',
        root,
        '-resp_text',
      );
      assert.match(ocspText, /carla\.pem: revoked[\s\S]*Reason: keyCompromise/);
      const crlAfter = await provider.getCRL?.(issuer);
      assert.ok(crlAfter);
      const crlText = await openssl(
        'crl',
        '-inform',
        'DER',
        '-in',
        files.write('after.crl', crlAfter),
        '-noout',
        '-text',
      );
      assert.match(crlText, new RegExp(`Serial Number: 0*${revoked.serial}`, 'i'));
      // A B-LTA signature made with the revoked credential embeds the revoked answer and fails.
      const signed = await signPdf(await makePdf(1), {
        credential,
        timestampAuthority: ca.timestampAuthority,
        validationData: provider,
      });
      const embedded = await Promise.all(
        (await readDss(signed)).ocsps.map((der, i) =>
          openssl(
            'ocsp',
            '-respin',
            files.write(`carla-dss-${i}.der`, der),
            '-issuer',
            root,
            '-cert',
            carlaPem,
            '-CAfile',
            root,
          ).catch(() => ''),
        ),
      );
      assert.ok(
        embedded.some((t) => /carla\.pem: revoked/.test(t)),
        embedded.join('\n'),
      );
      assert.ok(!embedded.some((t) => /carla\.pem: good/.test(t)), 'no cached good reaches the DSS');
      const report = await verifyPdf(signed, [ca.rootCertificatePem]);
      assert.equal(report.valid, false);
      assert.match(JSON.stringify(report.signatures[0]), /REVOKED/);
    });

    it('a revoked credential is not reused: the person gets a new certificate, good', async () => {
      const fresh = await ca.credentialFor(ana);
      assert.notEqual(fresh.id, anaId);
      const pem = files.write('ana-new.pem', fresh.certificate.toString('pem'));
      assert.match(await ocsp(pem), /ana-new\.pem: good/);
    });
  });
}

async function opensslBoth(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  return promisify(execFile)('/usr/bin/openssl', args);
}

import assert from 'node:assert/strict';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { signerTestBackends } from '../store/testing.js';
import { CertificateAuthority } from './authority.js';
import { identityFromClaims } from './identity.js';
import { dottedOid, POLICY_PERSON_SIGNING, POLICY_TIMESTAMPING } from './policies.js';
import { x509 } from './x509.js';

const T0 = 1_900_000_000;
const ana = {
  subject: 'https://accounts.test ana',
  name: 'Ana García',
  givenName: 'Ana',
  surname: 'García',
  serialNumber: 'IDCES-12345678Z',
  country: 'es',
  email: 'ana@example.com',
};

for (const backend of signerTestBackends()) {
  describe(`CertificateAuthority (${backend.name})`, { skip: backend.skip }, () => {
    it('generates the root and TSA once; later opens (and racing first opens) load the same ones', async () => {
      const { store, dispose } = await backend.open();
      try {
        const masterKey = randomBytes(32);
        const [a, b] = await Promise.all([
          CertificateAuthority.open({ db: store.db, masterKey, now: () => T0 }),
          CertificateAuthority.open({ db: store.db, masterKey, now: () => T0 }),
        ]);
        assert.equal(a.rootCertificatePem, b.rootCertificatePem, 'the loser of the race loads the winner');
        const c = await CertificateAuthority.open({ db: store.db, masterKey, now: () => T0 + 3600 });
        assert.equal(c.rootCertificatePem, a.rootCertificatePem);
        assert.equal(c.timestampAuthority.certificate.serialNumber, a.timestampAuthority.certificate.serialNumber);
        const rows = await store.db.selectFrom('pki_authorities').selectAll().execute();
        assert.deepEqual(rows.map((r) => r.kind).sort(), ['root', 'tsa']);
        await assert.rejects(
          store.db
            .insertInto('pki_authorities')
            .values({ ...(rows[0] as (typeof rows)[number]), id: 'another' })
            .execute(),
          'a second active root (or TSA) violates the partial unique index',
        );
        await assert.rejects(
          CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32) }),
          'another master key cannot open the keys',
        );
      } finally {
        await dispose();
      }
    });

    it('issues a root and TSA certificate with the right extensions', async () => {
      const { store, dispose } = await backend.open();
      try {
        const ca = await CertificateAuthority.open({
          db: store.db,
          masterKey: randomBytes(32),
          now: () => T0,
          organization: 'Acme',
        });
        const root = new x509.X509Certificate(ca.rootCertificatePem);
        assert.equal(root.subject, 'CN=Acme Root CA, O=Acme');
        assert.ok(await root.isSelfSigned());
        const years = (root.notAfter.getTime() - root.notBefore.getTime()) / (365.25 * 86_400_000);
        assert.ok(years > 9.9 && years < 10.1, `root valid ~10 years, got ${years}`);
        assert.equal(root.getExtension(x509.BasicConstraintsExtension)?.ca, true);
        const tsa = ca.timestampAuthority.certificate;
        const eku = tsa.getExtension(x509.ExtendedKeyUsageExtension);
        assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.timeStamping]);
        assert.equal(eku?.critical, true);
        assert.deepEqual(
          [...(tsa.getExtension(x509.CertificatePolicyExtension)?.policies ?? [])].map((p) => dottedOid(p)),
          [POLICY_TIMESTAMPING],
        );
        assert.ok(await tsa.verify({ publicKey: root.publicKey, signatureOnly: true }));
      } finally {
        await dispose();
      }
    });

    it('credentialFor issues a bound certificate, stores its key sealed, and reuses it per identity', async () => {
      const { store, dispose } = await backend.open();
      try {
        let now = T0;
        const masterKey = randomBytes(32);
        const ca = await CertificateAuthority.open({ db: store.db, masterKey, now: () => now });
        const first = await ca.credentialFor(ana);
        assert.equal(first.certificate.subject, 'C=ES, 2.5.4.5=IDCES-12345678Z, G=Ana, SN=García, CN=Ana García');
        const policies = first.certificate.getExtension(x509.CertificatePolicyExtension);
        assert.deepEqual(
          [...(policies?.policies ?? [])].map((p) => dottedOid(p)),
          [POLICY_PERSON_SIGNING],
        );
        assert.equal(first.identity.country, 'ES');
        const usages = first.certificate.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
        assert.equal(usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
        const san = first.certificate.getExtension(x509.SubjectAlternativeNameExtension);
        assert.deepEqual(san?.names.toJSON(), [{ type: 'email', value: 'ana@example.com' }]);
        assert.equal(first.certificate.issuer, new x509.X509Certificate(ca.rootCertificatePem).subject);
        const days = (first.certificate.notAfter.getTime() / 1000 - T0) / 86_400;
        assert.ok(days > 729 && days <= 730, `signer certificate valid ~2 years, got ${days}`);

        const rows = await store.db.selectFrom('pki_signer_credentials').selectAll().execute();
        const keys = await store.db.selectFrom('pki_authorities').select('private_key_sealed').execute();
        assert.equal(rows.length, 1);
        for (const sealed of [...rows.map((r) => r.private_key_sealed), ...keys.map((k) => k.private_key_sealed)]) {
          assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/, 'sealed (AES-GCM), not a PEM, base64 PKCS#8 or JWK');
          assert.doesNotMatch(sealed, /PRIVATE KEY|^MI|"d"|^\{/);
        }

        now += 86_400;
        const again = await (
          await CertificateAuthority.open({ db: store.db, masterKey, now: () => now })
        ).credentialFor({ ...ana });
        assert.equal(again.id, first.id, 'same identity, same credential');
        assert.equal(again.certificate.serialNumber, first.certificate.serialNumber);

        const renamed = await ca.credentialFor({ ...ana, serialNumber: 'IDCES-00000000T' });
        assert.notEqual(renamed.id, first.id, 'a new identity document gets a new certificate');
        const married = await ca.credentialFor({ ...ana, surname: 'García Ruiz' });
        assert.notEqual(married.id, first.id, 'a new surname gets a new certificate');
        assert.match(married.certificate.subject, /SN=García Ruiz/);
        const other = await ca.credentialFor({ subject: 'https://accounts.test bruno', name: 'Bruno' });
        assert.notEqual(other.id, first.id);

        now = T0 + 727 * 86_400;
        const renewed = await ca.credentialFor(ana);
        assert.notEqual(renewed.id, first.id, 'a certificate about to expire is not reused');
      } finally {
        await dispose();
      }
    });

    it('a credential opened once is reused from memory only while the database still offers it: revoked, never again', async () => {
      const { store, dispose } = await backend.open();
      try {
        let now = T0;
        const ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32), now: () => now });
        const issued = await ca.credentialFor(ana);
        const opened = await ca.credentialFor(ana);
        now += 60;
        const kept = await ca.credentialFor(ana);
        assert.equal(opened.id, issued.id);
        assert.equal(kept.id, issued.id);
        assert.equal(kept.certificate.serialNumber, issued.certificate.serialNumber);
        const data = new TextEncoder().encode('the same key signs');
        const signature = await kept.signer.sign(data, 'SHA-256');
        const key = createPublicKey({
          key: Buffer.from(issued.certificate.publicKey.rawData),
          format: 'der',
          type: 'spki',
        });
        assert.ok(verify('sha256', data, { key, dsaEncoding: 'der' }, signature), 'the kept key is the certified one');

        await ca.revoke({ credentialId: issued.id }, 'keyCompromise');
        const fresh = await ca.credentialFor(ana);
        assert.notEqual(fresh.id, issued.id, 'a revoked credential is not served from memory');
        assert.notEqual(fresh.certificate.serialNumber, issued.certificate.serialNumber);
      } finally {
        await dispose();
      }
    });

    it('refuses an identity no certificate could state', async () => {
      const { store, dispose } = await backend.open();
      try {
        const ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32) });
        await assert.rejects(ca.credentialFor({ subject: 's', name: '  ' }), /name/);
        await assert.rejects(ca.credentialFor({ subject: 's', name: 'X', country: 'Spain' }), /country/);
        const count = await store.db
          .selectFrom('pki_signer_credentials')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirst();
        assert.equal(Number(count?.n), 0);
      } finally {
        await dispose();
      }
    });
  });
}

describe('identityFromClaims', () => {
  it('takes the name, email and credential document from id_token claims', () => {
    assert.deepEqual(
      identityFromClaims({
        iss: 'https://accounts.test',
        sub: 'u1',
        given_name: 'Ana',
        family_name: 'García',
        email: 'ana@example.com',
        credential: { country: 'es', number: 'IDCES-12345678Z', issuer: 'DGP', type: 'id_card' },
      }),
      {
        subject: 'https://accounts.test u1',
        name: 'Ana García',
        givenName: 'Ana',
        surname: 'García',
        email: 'ana@example.com',
        serialNumber: 'IDCES-12345678Z',
        country: 'ES',
      },
    );
    assert.deepEqual(identityFromClaims({ iss: 'i', sub: 'u2', credential: { country: 'Spain' } }), {
      subject: 'i u2',
      name: 'u2',
    });
  });

  it('gives the identity document its EN 319 412-1 §5.1.3 semantics identifier when the type is known', () => {
    const serial = (credential: { country?: string; type?: string; number: string }) =>
      identityFromClaims({ iss: 'i', sub: 's', credential }).serialNumber;
    assert.equal(serial({ country: 'es', type: 'id_card', number: '12345678Z' }), 'IDCES-12345678Z');
    assert.equal(serial({ country: 'PT', type: 'passport', number: 'CB123456' }), 'PASPT-CB123456');
    assert.equal(serial({ country: 'ES', type: 'id_card', number: 'IDCES-12345678Z' }), 'IDCES-12345678Z', 'kept');
    assert.equal(serial({ country: 'ES', type: 'driving_licence', number: 'M-123' }), 'M-123', 'no semantics claimed');
    assert.equal(serial({ type: 'id_card', number: '12345678Z' }), '12345678Z', 'no country, no semantics');
  });
});

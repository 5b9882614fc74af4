import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { signerTestBackends } from '../store/testing.js';
import { CertificateAuthority, SEAL_SUBJECT } from './authority.js';
import { dottedOid, POLICY_ORGANISATION_SEAL } from './policies.js';
import { x509 } from './x509.js';

const T0 = 1_900_000_000;

for (const backend of signerTestBackends()) {
  describe(`CertificateAuthority.sealCredential (${backend.name})`, { skip: backend.skip }, () => {
    it('issues a legal-person seal certificate once, stores it under the reserved subject and reuses it', async () => {
      const { store, dispose } = await backend.open();
      try {
        let now = T0;
        const masterKey = randomBytes(32);
        const options = {
          db: store.db,
          masterKey,
          now: () => now,
          organization: 'Acme Firmas',
          seal: { country: 'es', organizationIdentifier: 'VATES-B12345678' },
        };
        const ca = await CertificateAuthority.open(options);
        const seal = await ca.sealCredential();
        assert.equal(
          seal.certificate.subject,
          'C=ES, O=Acme Firmas, 2.5.4.97=VATES-B12345678, CN=Acme Firmas Signer seal',
        );
        assert.equal(seal.identity.name, 'Acme Firmas Signer seal');
        const usages = seal.certificate.getExtension(x509.KeyUsagesExtension);
        assert.equal(usages?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation);
        assert.equal(usages?.critical, true);
        const sealPolicies = seal.certificate.getExtension(x509.CertificatePolicyExtension)?.policies ?? [];
        assert.deepEqual(
          [...sealPolicies].map(dottedOid),
          [POLICY_ORGANISATION_SEAL],
          "Signet's seal policy by default",
        );
        assert.equal(seal.certificate.issuer, ca.rootCertificate.subject);
        assert.ok(await seal.certificate.verify({ publicKey: ca.rootCertificate.publicKey, signatureOnly: true }));

        const rows = await store.db.selectFrom('pki_signer_credentials').selectAll().execute();
        assert.equal(rows.length, 1);
        assert.equal(rows[0]?.subject, SEAL_SUBJECT);
        assert.match(rows[0]?.private_key_sealed ?? '', /^v1\./);

        now += 86_400;
        const reopened = await CertificateAuthority.open(options);
        assert.equal((await reopened.sealCredential()).id, seal.id, 'reused across restarts');
        // A person's credential never shares the seal's row.
        const person = await reopened.credentialFor({ subject: 'https://accounts.test ana', name: 'Ana' });
        assert.notEqual(person.id, seal.id);

        const withPolicy = await reopened.sealCredential(['1.3.6.1.4.1.99999.1.2']);
        assert.notEqual(withPolicy.id, seal.id, 'new policies, new certificate');
        const policies = withPolicy.certificate.getExtension(x509.CertificatePolicyExtension)?.policies ?? [];
        assert.deepEqual([...policies], ['1.3.6.1.4.1.99999.1.2']);

        now = T0 + 727 * 86_400;
        assert.notEqual((await reopened.sealCredential()).id, seal.id, 'a seal about to expire is renewed');
      } finally {
        await dispose();
      }
    });

    it('refuses a seal country that is not ISO 3166-1 alpha-2', async () => {
      const { store, dispose } = await backend.open();
      try {
        await assert.rejects(
          CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32), seal: { country: 'Spain' } }),
          /country/,
        );
      } finally {
        await dispose();
      }
    });
  });
}

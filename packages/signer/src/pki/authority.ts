import type { webcrypto } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@signet/store';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import { issueRoot, issueSignerCertificate, issueTsaCertificate } from './certificates.js';
import { type SigningCredential, signingCredential } from './credential.js';
import { derivePkiKey, generateKeyPair, nonExtractable, sealPrivateKey, unsealPrivateKey } from './crypto.js';
import { identityKey, type SignerIdentity } from './identity.js';
import { InternalTimestampAuthority, type TimestampAuthority } from './timestamp-authority.js';
import { x509 } from './x509.js';

/** A stored credential is reused only while it stays valid at least this long (seconds), so no signature is made with a certificate about to expire. */
const REUSE_MARGIN = 7 * 86_400;

/** Options of {@link CertificateAuthority.open}. */
export interface CertificateAuthorityOptions {
  db: Kysely<SignerDatabase>;
  /** The Signer's 32-byte master key; the PKI seals keys with its own HKDF-SHA256 derivation (info `signet-signer/pki/v1`). */
  masterKey: Buffer;
  /** Current time in epoch seconds. Default: the system clock. */
  now?: () => number;
  /** The O (and CN prefix) of the root and TSA certificates, used only when they are first generated. Default `Signet`. */
  organization?: string;
}

interface Authority {
  id: string;
  certificate: x509.X509Certificate;
  privateKey: webcrypto.CryptoKey;
}

const authorityContext = (id: string) => `pki_authorities:${id}`;
const credentialContext = (id: string) => `pki_signer_credentials:${id}`;

/**
 * Signet's internal certification authority: a root generated on first start, a timestamp
 * authority it certifies, and one signing certificate per person, with every private key sealed
 * at rest in the Signer's database.
 */
export class CertificateAuthority {
  /** The root certificate, PEM: what validators trust. */
  readonly rootCertificatePem: string;
  /** The built-in RFC 3161 timestamp authority. */
  readonly timestampAuthority: TimestampAuthority;

  private constructor(
    private readonly db: Kysely<SignerDatabase>,
    private readonly sealingKey: Buffer,
    private readonly now: () => number,
    private readonly root: Authority,
    tsa: Authority,
  ) {
    this.rootCertificatePem = root.certificate.toString('pem');
    this.timestampAuthority = new InternalTimestampAuthority(tsa.certificate, tsa.privateKey, now);
  }

  /**
   * Loads the CA from the Signer database, generating the root and the TSA certificate on first
   * start. Race-safe when two nodes start together: both insert under a partial unique index, the
   * loser's transaction fails and it loads the winner's.
   */
  static async open(options: CertificateAuthorityOptions): Promise<CertificateAuthority> {
    const sealingKey = derivePkiKey(options.masterKey);
    const now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const organization = options.organization ?? 'Signet';
    let authorities = await loadAuthorities(options.db, sealingKey);
    if (!authorities) {
      try {
        authorities = await createAuthorities(options.db, sealingKey, organization, now());
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        authorities = await loadAuthorities(options.db, sealingKey);
        if (!authorities) throw error;
      }
    }
    return new CertificateAuthority(options.db, sealingKey, now, authorities.root, authorities.tsa);
  }

  /** The root certificate. */
  get rootCertificate(): x509.X509Certificate {
    return this.root.certificate;
  }

  /**
   * A signing credential for this person: reuses a stored one issued by the current root for
   * exactly this identity and valid for at least another week, else issues a new key and
   * certificate and stores the key sealed.
   */
  async credentialFor(identity: SignerIdentity): Promise<SigningCredential> {
    const checked = checkIdentity(identity);
    const key = identityKey(checked);
    const now = this.now();
    const stored = await this.db
      .selectFrom('pki_signer_credentials')
      .select(['id', 'certificate_pem', 'private_key_sealed'])
      .where('identity_key', '=', key)
      .where('issuer_id', '=', this.root.id)
      .where('not_after', '>', now + REUSE_MARGIN)
      .where('not_before', '<=', now)
      .orderBy('not_after', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (stored) {
      const privateKey = await unsealPrivateKey(
        this.sealingKey,
        stored.private_key_sealed,
        credentialContext(stored.id),
      );
      const certificate = new x509.X509Certificate(stored.certificate_pem);
      return signingCredential(stored.id, checked, certificate, [this.root.certificate], privateKey);
    }
    return this.issueCredential(checked, key, now);
  }

  private async issueCredential(identity: SignerIdentity, key: string, now: number): Promise<SigningCredential> {
    const id = randomUUID();
    const keys = await generateKeyPair();
    const certificate = await issueSignerCertificate(this.root, identity, keys.publicKey, now);
    await this.db
      .insertInto('pki_signer_credentials')
      .values({
        id,
        identity_key: key,
        subject: identity.subject,
        identity: JSON.stringify(identity),
        certificate_pem: certificate.toString('pem'),
        private_key_sealed: await sealPrivateKey(this.sealingKey, keys.privateKey, credentialContext(id)),
        issuer_id: this.root.id,
        not_before: Math.floor(certificate.notBefore.getTime() / 1000),
        not_after: Math.floor(certificate.notAfter.getTime() / 1000),
        created_at: now,
      })
      .execute();
    const privateKey = await nonExtractable(keys.privateKey);
    return signingCredential(id, identity, certificate, [this.root.certificate], privateKey);
  }
}

/** Rejects an identity no certificate could state, and normalizes the country to upper case. */
function checkIdentity(identity: SignerIdentity): SignerIdentity {
  const name = identity.name?.trim();
  if (!identity.subject) throw new TypeError('identity.subject is required');
  if (!name) throw new TypeError('identity.name is required');
  const checked: SignerIdentity = { subject: identity.subject, name };
  const givenName = identity.givenName?.trim();
  const surname = identity.surname?.trim();
  if (givenName) checked.givenName = givenName;
  if (surname) checked.surname = surname;
  if (identity.email) checked.email = identity.email;
  if (identity.serialNumber) checked.serialNumber = identity.serialNumber;
  if (identity.country) {
    const country = identity.country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw new TypeError('identity.country must be ISO 3166-1 alpha-2');
    checked.country = country;
  }
  return checked;
}

async function loadAuthorities(
  db: Kysely<SignerDatabase>,
  sealingKey: Buffer,
): Promise<{ root: Authority; tsa: Authority } | undefined> {
  const rows = await db
    .selectFrom('pki_authorities')
    .select(['id', 'kind', 'certificate_pem', 'private_key_sealed'])
    .where('active', '=', 1)
    .execute();
  const open = async (kind: string): Promise<Authority | undefined> => {
    const row = rows.find((r) => r.kind === kind);
    if (!row) return undefined;
    return {
      id: row.id,
      certificate: new x509.X509Certificate(row.certificate_pem),
      privateKey: await unsealPrivateKey(sealingKey, row.private_key_sealed, authorityContext(row.id)),
    };
  };
  const root = await open('root');
  const tsa = await open('tsa');
  return root && tsa ? { root, tsa } : undefined;
}

async function createAuthorities(
  db: Kysely<SignerDatabase>,
  sealingKey: Buffer,
  organization: string,
  now: number,
): Promise<{ root: Authority; tsa: Authority }> {
  const rootKeys = await generateKeyPair();
  const rootCertificate = await issueRoot(rootKeys, organization, now);
  const root = { id: randomUUID(), certificate: rootCertificate, privateKey: rootKeys.privateKey };
  const tsaKeys = await generateKeyPair();
  const tsaCertificate = await issueTsaCertificate(root, tsaKeys, organization, now);
  const tsa = { id: randomUUID(), certificate: tsaCertificate, privateKey: tsaKeys.privateKey };
  const row = async (kind: string, authority: Authority) => ({
    id: authority.id,
    kind,
    certificate_pem: authority.certificate.toString('pem'),
    private_key_sealed: await sealPrivateKey(sealingKey, authority.privateKey, authorityContext(authority.id)),
    active: 1,
    issuer_id: root.id,
    not_after: Math.floor(authority.certificate.notAfter.getTime() / 1000),
    created_at: now,
  });
  const rows = [await row('root', root), await row('tsa', tsa)];
  // One statement, so both rows or neither: the partial unique index fails the loser of a race whole.
  await db.insertInto('pki_authorities').values(rows).execute();
  return {
    root: { ...root, privateKey: await nonExtractable(root.privateKey) },
    tsa: { ...tsa, privateKey: await nonExtractable(tsa.privateKey) },
  };
}

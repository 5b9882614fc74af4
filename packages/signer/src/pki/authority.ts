import type { webcrypto } from 'node:crypto';
import { createHash, randomUUID } from 'node:crypto';
import type { RevocationProvider } from '@libpdf/core';
import { isUniqueViolation, setBounded } from '@signet/store';
import type { Kysely } from 'kysely';
import type { SignerDatabase } from '../store/database.js';
import {
  issueRoot,
  issueSealCertificate,
  issueSignerCertificate,
  issueTsaCertificate,
  type RevocationUrls,
  revocationUrls,
  type SealSubject,
} from './certificates.js';
import { type SigningCredential, signingCredential } from './credential.js';
import { derivePkiKey, generateKeyPair, nonExtractable, sealPrivateKey, unsealPrivateKey } from './crypto.js';
import { identityKey, type SignerIdentity } from './identity.js';
import { normalizeSerial } from './ltv-migration.js';
import { POLICY_ORGANISATION_SEAL } from './policies.js';
import {
  activeAuthorities,
  activeTimestampAuthority,
  credentialsOf,
  insertAuthorities,
  insertCredential,
  insertRevocation,
  retireAuthority,
  reusableCredential,
} from './repository.js';
import { REVOCATION_REASONS, type RevocationReason, RevocationService } from './revocation.js';
import { InternalTimestampAuthority, type TimestampAuthority } from './timestamp-authority.js';
import { x509 } from './x509.js';

/**
 * Opened (unsealed, parsed) stored credentials kept in memory, at most this many, each for at most
 * {@link OPENED_CREDENTIAL_SECONDS}: a person signing again within minutes does not pay for
 * unsealing her key and parsing her certificate again (ADR 0038). Whether the credential may be
 * used at all is asked of the database every time, so a revocation takes effect at once.
 */
export const MAX_OPENED_CREDENTIALS = 256;
/** How long an opened credential is kept (seconds). */
export const OPENED_CREDENTIAL_SECONDS = 300;

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
  /**
   * The Signer's public URL (`SIGNET_SIGNER_PUBLIC_URL`, no trailing slash): certificates issued
   * from now on name its OCSP responder, root certificate and CRL (AIA and CRL distribution
   * points), which validators such as pdfsig then query online. Leave it out only where nothing
   * serves those routes (unit tests): certificates are then issued without AIA/CDP.
   */
  publicUrl?: string;
  /** What the organisation seal certificate states besides the root's O. Default: neither C nor organizationIdentifier. */
  seal?: SealOptions;
}

/** The organisation seal's subject beyond its O, which is the root's (see {@link CertificateAuthority.sealCredential}). */
export interface SealOptions {
  /** C: ISO 3166-1 alpha-2 country of the organisation, e.g. `ES`. ETSI EN 319 412-3 requires it. */
  country?: string;
  /** organizationIdentifier, e.g. `VATES-B12345678` (ETSI EN 319 412-1 §5.1.4). */
  organizationIdentifier?: string;
}

/**
 * The reserved `subject` of the organisation seal's rows in `pki_signer_credentials`. A person's
 * subject is always `<iss> <sub>`, with a space, so it can never equal this.
 */
export const SEAL_SUBJECT = 'signet:seal';

/** A TSA is replaced by a fresh one when its certificate has less than this left (seconds): about two years of tokens per TSA key (ADR 0015). */
export const TSA_ROTATION_MARGIN = 730 * 86_400;

/** One revoked certificate, as {@link CertificateAuthority.revoke} reports it. */
export interface Revoked {
  credentialId: string;
  serial: string;
  subject: string;
  revokedAt: number;
}

/** A stored credential opened by {@link CertificateAuthority}, with the row it was opened from. */
interface OpenedCredential {
  opened: Promise<{ certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey }>;
  openedAt: number;
  sealed: string;
  pem: string;
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
  /** OCSP responses, CRLs and the in-process revocation provider for signatures' DSS. */
  readonly revocation: RevocationService;
  #tsa: Authority;
  #timestampAuthority: TimestampAuthority;
  readonly #revocationUrls: RevocationUrls | undefined;
  /** Stored credentials opened lately, by row id, oldest first ({@link MAX_OPENED_CREDENTIALS}). */
  readonly #opened = new Map<string, OpenedCredential>();

  private constructor(
    private readonly db: Kysely<SignerDatabase>,
    private readonly sealingKey: Buffer,
    private readonly now: () => number,
    private readonly root: Authority,
    tsa: Authority,
    private readonly organization: string,
    publicUrl: string | undefined,
    private readonly seal: SealSubject,
  ) {
    this.rootCertificatePem = root.certificate.toString('pem');
    this.#tsa = tsa;
    this.#timestampAuthority = this.#timestampAuthorityOf(tsa);
    this.#revocationUrls = publicUrl ? revocationUrls(publicUrl, root.id) : undefined;
    this.revocation = new RevocationService(db, now, () => [this.root]);
  }

  /** The built-in RFC 3161 timestamp authority (the active TSA; replaced by {@link rotateTimestampAuthority}). */
  get timestampAuthority(): TimestampAuthority {
    return this.#timestampAuthority;
  }

  /** What signatures embed for long-term validation (B-LTA): OCSP and CRLs made in process, no HTTP. */
  get validationData(): RevocationProvider {
    return this.revocation.provider();
  }

  /** The root's row id: the `<id>` of `/v1/ca/roots/<id>.cer` and `.crl`. */
  get rootId(): string {
    return this.root.id;
  }

  #timestampAuthorityOf(tsa: Authority): TimestampAuthority {
    // Tokens carry the root too, so validators (and libpdf's LTV gathering) have the whole chain without fetching.
    return new InternalTimestampAuthority(tsa.certificate, tsa.privateKey, this.now, [this.root.certificate]);
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
        authorities = await createAuthorities(options.db, sealingKey, organization, now(), options.publicUrl);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        authorities = await loadAuthorities(options.db, sealingKey);
        if (!authorities) throw error;
      }
    }
    return new CertificateAuthority(
      options.db,
      sealingKey,
      now,
      authorities.root,
      authorities.tsa,
      organization,
      options.publicUrl?.replace(/\/+$/, ''),
      sealSubject(authorities.root.certificate, options.seal ?? {}),
    );
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
    return (await this.storedCredential(key, checked, now)) ?? this.issueCredential(checked, key, now);
  }

  /**
   * The organisation seal credential, which seals what Signet itself issues (the certificate of
   * completion): subject C, O (the root's), organizationIdentifier and CN `<O> Signer seal`, with
   * key usage digitalSignature + nonRepudiation. Stored and reused like a person's credential,
   * in `pki_signer_credentials` under the reserved subject {@link SEAL_SUBJECT}; a change of
   * subject or `policies` (certificatePolicies OIDs) issues a new one.
   */
  async sealCredential(policies: string[] = [POLICY_ORGANISATION_SEAL]): Promise<SigningCredential> {
    const identity: SignerIdentity = { subject: SEAL_SUBJECT, name: this.seal.commonName };
    if (this.seal.country) identity.country = this.seal.country;
    const key = sealKey(this.seal, policies);
    const now = this.now();
    const stored = await this.storedCredential(key, identity, now);
    if (stored) return stored;
    const keys = await generateKeyPair();
    const certificate = await issueSealCertificate(
      this.root,
      this.seal,
      keys.publicKey,
      now,
      policies,
      this.#revocationUrls,
    );
    return this.storeCredential(identity, key, JSON.stringify({ ...this.seal, policies }), keys, certificate, now);
  }

  /** A stored, unrevoked credential issued by the current root for `key`, valid now and for at least {@link REUSE_MARGIN} more. */
  private async storedCredential(
    key: string,
    identity: SignerIdentity,
    now: number,
  ): Promise<SigningCredential | undefined> {
    // Asked every time, opened credential or not: the query leaves out revoked and expiring ones.
    const stored = await reusableCredential(this.db, key, this.root.id, now, now + REUSE_MARGIN);
    if (!stored) return undefined;
    const { certificate, privateKey } = await this.#open(stored, now);
    return signingCredential(stored.id, identity, certificate, [this.root.certificate], privateKey);
  }

  /** The certificate and unsealed key of a stored credential row, from {@link #opened} when it holds that very row. */
  #open(
    stored: { id: string; certificate_pem: string; private_key_sealed: string },
    now: number,
  ): Promise<{ certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey }> {
    const kept = this.#opened.get(stored.id);
    this.#opened.delete(stored.id);
    if (
      kept &&
      kept.openedAt <= now &&
      now - kept.openedAt < OPENED_CREDENTIAL_SECONDS &&
      kept.sealed === stored.private_key_sealed &&
      kept.pem === stored.certificate_pem
    ) {
      this.#opened.set(stored.id, kept);
      return kept.opened;
    }
    const opened = (async () => ({
      certificate: new x509.X509Certificate(stored.certificate_pem),
      privateKey: await unsealPrivateKey(this.sealingKey, stored.private_key_sealed, credentialContext(stored.id)),
    }))();
    // A row that fails to open is not kept: the next call tries again and fails the same way.
    opened.catch(() => {
      if (this.#opened.get(stored.id)?.opened === opened) this.#opened.delete(stored.id);
    });
    setBounded(
      this.#opened,
      stored.id,
      { opened, openedAt: now, sealed: stored.private_key_sealed, pem: stored.certificate_pem },
      MAX_OPENED_CREDENTIALS,
    );
    return opened;
  }

  private async issueCredential(identity: SignerIdentity, key: string, now: number): Promise<SigningCredential> {
    const keys = await generateKeyPair();
    const certificate = await issueSignerCertificate(this.root, identity, keys.publicKey, now, this.#revocationUrls);
    return this.storeCredential(identity, key, JSON.stringify(identity), keys, certificate, now);
  }

  private async storeCredential(
    identity: SignerIdentity,
    key: string,
    certified: string,
    keys: webcrypto.CryptoKeyPair,
    certificate: x509.X509Certificate,
    now: number,
  ): Promise<SigningCredential> {
    const id = randomUUID();
    await insertCredential(this.db, {
      id,
      identity_key: key,
      subject: identity.subject,
      identity: certified,
      certificate_pem: certificate.toString('pem'),
      private_key_sealed: await sealPrivateKey(this.sealingKey, keys.privateKey, credentialContext(id)),
      issuer_id: this.root.id,
      not_before: Math.floor(certificate.notBefore.getTime() / 1000),
      not_after: Math.floor(certificate.notAfter.getTime() / 1000),
      created_at: now,
      serial: normalizeSerial(certificate.serialNumber),
    });
    const privateKey = await nonExtractable(keys.privateKey);
    return signingCredential(id, identity, certificate, [this.root.certificate], privateKey);
  }

  /**
   * Revokes a person's signing certificates: one credential by id, or every unrevoked one of a
   * subject (`iss sub`, e.g. when the person is deleted). From `now` on OCSP answers `revoked` and
   * the root's CRL lists them; `credentialFor` issues a new certificate instead of reusing one.
   * Signatures made before keep the OCSP `good` embedded in their DSS at signing time, dated by
   * their timestamps. Returns what was revoked (nothing when all of it already was).
   */
  async revoke(
    target: { credentialId: string } | { subject: string },
    reason: RevocationReason = 'unspecified',
  ): Promise<Revoked[]> {
    const code = REVOCATION_REASONS[reason];
    if (code === undefined) throw new TypeError(`unknown revocation reason ${reason}`);
    const now = this.now();
    const rows = await credentialsOf(this.db, target);
    const revoked: Revoked[] = [];
    for (const row of rows) {
      const serial = row.serial ?? normalizeSerial(new x509.X509Certificate(row.certificate_pem).serialNumber);
      const inserted = await insertRevocation(this.db, {
        issuerId: row.issuer_id,
        serial,
        credentialId: row.id,
        reason: code,
        revokedAt: now,
      });
      if (inserted) revoked.push({ credentialId: row.id, serial, subject: row.subject, revokedAt: now });
    }
    return revoked;
  }

  /** The active TSA's certificate expiry, epoch seconds. */
  get timestampAuthorityNotAfter(): number {
    return Math.floor(this.#tsa.certificate.notAfter.getTime() / 1000);
  }

  /**
   * Replaces the active TSA with a new key and certificate from the current root, retiring the
   * old one (its certificate still validates the tokens it made). Race-safe across nodes: the
   * retire-and-insert is one transaction guarded by the old TSA still being active; the loser
   * loads the winner's. Other nodes pick the new TSA up on {@link refresh}.
   */
  async rotateTimestampAuthority(): Promise<void> {
    const now = this.now();
    const keys = await generateKeyPair();
    const certificate = await issueTsaCertificate(this.root, keys, this.organization, now, this.#revocationUrls);
    const id = randomUUID();
    const current = this.#tsa.id;
    const row = {
      id,
      kind: 'tsa',
      certificate_pem: certificate.toString('pem'),
      private_key_sealed: await sealPrivateKey(this.sealingKey, keys.privateKey, authorityContext(id)),
      active: 1,
      issuer_id: this.root.id,
      not_after: Math.floor(certificate.notAfter.getTime() / 1000),
      created_at: now,
      serial: normalizeSerial(certificate.serialNumber),
    };
    await this.db.transaction().execute(async (trx) => {
      if (!(await retireAuthority(trx, current))) return;
      await insertAuthorities(trx, [row]);
    });
    await this.refresh();
  }

  /** Reloads the active TSA from the database (another node may have rotated it). */
  async refresh(): Promise<void> {
    const row = await activeTimestampAuthority(this.db);
    if (!row || row.id === this.#tsa.id) return;
    this.#tsa = {
      id: row.id,
      certificate: new x509.X509Certificate(row.certificate_pem),
      privateKey: await unsealPrivateKey(this.sealingKey, row.private_key_sealed, authorityContext(row.id)),
    };
    this.#timestampAuthority = this.#timestampAuthorityOf(this.#tsa);
  }
}

/** The seal's subject: the root's O, the configured C and organizationIdentifier, CN `<O> Signer seal`. */
function sealSubject(root: x509.X509Certificate, options: SealOptions): SealSubject {
  const organization = root.subjectName.getField('O')[0] ?? 'Signet';
  const seal: SealSubject = { organization, commonName: `${organization} Signer seal` };
  if (options.country) {
    const country = options.country.toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw new TypeError('seal.country must be ISO 3166-1 alpha-2');
    seal.country = country;
  }
  if (options.organizationIdentifier) seal.organizationIdentifier = options.organizationIdentifier;
  return seal;
}

/** Fingerprint of what a seal certificate states; `seal:` keeps it apart from persons' keys. */
function sealKey(seal: SealSubject, policies: string[]): string {
  const canonical = JSON.stringify([
    seal.commonName,
    seal.organization,
    seal.country ?? null,
    seal.organizationIdentifier ?? null,
    [...policies].sort(),
  ]);
  return `seal:${createHash('sha256').update(canonical).digest('base64url')}`;
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
  const rows = await activeAuthorities(db);
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
  publicUrl: string | undefined,
): Promise<{ root: Authority; tsa: Authority }> {
  const rootKeys = await generateKeyPair();
  const rootCertificate = await issueRoot(rootKeys, organization, now);
  const root = { id: randomUUID(), certificate: rootCertificate, privateKey: rootKeys.privateKey };
  const tsaKeys = await generateKeyPair();
  const urls = publicUrl ? revocationUrls(publicUrl.replace(/\/+$/, ''), root.id) : undefined;
  const tsaCertificate = await issueTsaCertificate(root, tsaKeys, organization, now, urls);
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
    serial: normalizeSerial(authority.certificate.serialNumber),
  });
  const rows = [await row('root', root), await row('tsa', tsa)];
  // One statement, so both rows or neither: the partial unique index fails the loser of a race whole.
  await insertAuthorities(db, rows);
  return {
    root: { ...root, privateKey: await nonExtractable(root.privateKey) },
    tsa: { ...tsa, privateKey: await nonExtractable(tsa.privateKey) },
  };
}

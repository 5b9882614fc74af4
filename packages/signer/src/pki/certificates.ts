import type { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import { randomSerialNumber, SIGNING_ALGORITHM } from './crypto.js';
import { SEMANTICS_IDENTIFIER, type SignerIdentity } from './identity.js';
import { POLICY_PERSON_SIGNING, POLICY_TIMESTAMPING } from './policies.js';
import { x509 } from './x509.js';

const DAY_MS = 86_400_000;
/** The root signs every other certificate; ten years spares operators a rotation in the product's lifetime. */
export const ROOT_VALIDITY_DAYS = 3652;
/**
 * Four years: the TSA is rotated with two left (authority.ts TSA_ROTATION_MARGIN), so its key signs
 * for about two years and its tokens stay verifiable for two more, during which the renewal job
 * re-timestamps documents that rely on it (ADR 0015).
 */
export const TSA_VALIDITY_DAYS = 1461;
/** Two years: long enough to reuse across a person's envelopes, short enough to pick up a renewed identity document. */
export const SIGNER_VALIDITY_DAYS = 730;
// Clocks of validators drift; backdate notBefore so a just-issued certificate is already valid everywhere.
const BACKDATE_MS = 5 * 60_000;

/**
 * Where validators check an end-entity certificate (ADR 0015): the OCSP responder, the issuing
 * root's certificate and its CRL, all at the Signer's public URL. Without them (unit tests with no
 * server) certificates carry no AIA or CRL distribution point, so nothing tries to reach one.
 */
export interface RevocationUrls {
  ocsp: string;
  caIssuers: string;
  crl: string;
}

/** The revocation URLs of certificates issued by root `rootId`, at `publicUrl` (no trailing slash). */
export function revocationUrls(publicUrl: string, rootId: string): RevocationUrls {
  return {
    ocsp: `${publicUrl}/v1/ca/ocsp`,
    caIssuers: `${publicUrl}/v1/ca/roots/${rootId}.cer`,
    crl: `${publicUrl}/v1/ca/roots/${rootId}.crl`,
  };
}

/** The AIA (OCSP, caIssuers) and CRL distribution point extensions for `urls`; none without them. */
function revocationExtensions(urls: RevocationUrls | undefined): x509.Extension[] {
  if (!urls) return [];
  return [
    new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.caIssuers }),
    new x509.CRLDistributionPointsExtension([urls.crl]),
  ];
}

/** A certificate with its key pair, as issued. */
export interface IssuedCertificate {
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** A positive 127-bit serial number in hex (RFC 5280 §4.1.2.2: unique per issuer, at most 20 octets). */
function serialNumber(): string {
  return randomSerialNumber().toString('hex');
}

function validity(now: number, days: number, notAfterCap?: Date): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(now * 1000 - BACKDATE_MS);
  const notAfter = new Date(now * 1000 + days * DAY_MS);
  return { notBefore, notAfter: notAfterCap && notAfterCap < notAfter ? notAfterCap : notAfter };
}

/** Issues the self-signed root: CA, path length 0 (it signs only end-entity certificates). */
export async function issueRoot(
  keys: webcrypto.CryptoKeyPair,
  organization: string,
  now: number,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: [{ CN: [`${organization} Root CA`] }, { O: [organization] }],
    ...validity(now, ROOT_VALIDITY_DAYS),
    keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
}

async function issueEndEntity(
  root: { certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey },
  subject: x509.JsonName,
  publicKey: webcrypto.CryptoKey,
  days: number,
  now: number,
  extensions: x509.Extension[],
  revocation?: RevocationUrls,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject,
    issuer: root.certificate.subjectName,
    // Never outlive the issuer: a chain with a longer-lived leaf fails validation after the root expires.
    ...validity(now, days, root.certificate.notAfter),
    publicKey,
    signingKey: root.privateKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.certificate.publicKey),
      ...extensions,
      ...revocationExtensions(revocation),
    ],
  });
}

/**
 * Issues the timestamp authority's certificate: digitalSignature, EKU id-kp-timeStamping critical
 * (RFC 3161 §2.3), certificatePolicies naming the TSA policy.
 */
export async function issueTsaCertificate(
  root: { certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey },
  keys: webcrypto.CryptoKeyPair,
  organization: string,
  now: number,
  revocation?: RevocationUrls,
): Promise<x509.X509Certificate> {
  return issueEndEntity(
    root,
    [{ CN: [`${organization} Timestamp Authority`] }, { O: [organization] }],
    keys.publicKey,
    TSA_VALIDITY_DAYS,
    now,
    [
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
      new x509.CertificatePolicyExtension([POLICY_TIMESTAMPING]),
    ],
    revocation,
  );
}

/**
 * The subject of a person's certificate, in the order of ETSI EN 319 412-2 §4.2.4's natural-person
 * profile: C (country of the identity document), serialNumber (the document, with its EN 319
 * 412-1 §5.1.3 semantics identifier when known), givenName, surname, CN.
 */
export function signerSubject(identity: SignerIdentity): x509.JsonName {
  const name: x509.JsonName = [];
  if (identity.country) name.push({ C: [identity.country] });
  if (identity.serialNumber) name.push({ [OID_SERIAL_NUMBER]: [identity.serialNumber] });
  if (identity.givenName) name.push({ [OID_GIVEN_NAME]: [identity.givenName] });
  if (identity.surname) name.push({ [OID_SURNAME]: [identity.surname] });
  name.push({ CN: [identity.name] });
  return name;
}

const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_GIVEN_NAME = '2.5.4.42';
const OID_SURNAME = '2.5.4.4';
/** id-pe-qcStatements (RFC 3739 §3.2.6). */
const OID_QC_STATEMENTS = '1.3.6.1.5.5.7.1.3';
/** id-qcs-pkixQCSyntax-v2 (RFC 3739 §3.2.6.1): its SemanticsInformation names the semantics identifier. */
const OID_QCS_PKIX_QC_SYNTAX_V2 = '1.3.6.1.5.5.7.11.2';
/** id-etsi-qcs-semanticsId-Natural (ETSI EN 319 412-1 §5.1.3): serialNumber is `TTTCC-number`. */
export const OID_SEMANTICS_ID_NATURAL = '0.4.0.194121.1.1';

/**
 * The qcStatements extension with only the natural-person semantics identifier statement: it tells
 * validators how to read the subject's serialNumber. It states nothing about qualification (no
 * QcCompliance, QcSSCD or QcType): Signet's certificates are not qualified.
 */
function semanticsIdentifierStatement(): x509.Extension {
  const statements = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          new asn1js.ObjectIdentifier({ value: OID_QCS_PKIX_QC_SYNTAX_V2 }),
          new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID_SEMANTICS_ID_NATURAL })] }),
        ],
      }),
    ],
  });
  return new x509.Extension(OID_QC_STATEMENTS, false, statements.toBER(false));
}

/**
 * Issues a person's signing certificate: digitalSignature + nonRepudiation, certificatePolicies
 * naming Signet's person-signing policy, email in subjectAltName, and the semantics identifier
 * statement when the serialNumber follows EN 319 412-1 §5.1.3.
 */
export async function issueSignerCertificate(
  root: { certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey },
  identity: SignerIdentity,
  publicKey: webcrypto.CryptoKey,
  now: number,
  revocation?: RevocationUrls,
): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    new x509.CertificatePolicyExtension([POLICY_PERSON_SIGNING]),
  ];
  if (identity.email)
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'email', value: identity.email }]));
  if (identity.serialNumber && SEMANTICS_IDENTIFIER.test(identity.serialNumber))
    extensions.push(semanticsIdentifierStatement());
  return issueEndEntity(root, signerSubject(identity), publicKey, SIGNER_VALIDITY_DAYS, now, extensions, revocation);
}

/** An organisation seal certificate lives as long as a person's: reused across envelopes, renewed every two years. */
export const SEAL_VALIDITY_DAYS = SIGNER_VALIDITY_DAYS;

/** What an organisation seal certificate states about the organisation (a legal person). */
export interface SealSubject {
  /** O: the organisation's name. */
  organization: string;
  /** C: ISO 3166-1 alpha-2 country where the organisation is established, upper case. */
  country?: string;
  /** organizationIdentifier (2.5.4.97), ETSI EN 319 412-1 §5.1.4 form, e.g. `VATES-B12345678`. */
  organizationIdentifier?: string;
  /** CN: the name the seal is known by. */
  commonName: string;
}

/** The subject of a seal certificate: C, O, organizationIdentifier, CN (ETSI EN 319 412-3 §4.2.1, legal person). */
export function sealSubjectName(seal: SealSubject): x509.JsonName {
  const name: x509.JsonName = [];
  if (seal.country) name.push({ C: [seal.country] });
  name.push({ O: [seal.organization] });
  if (seal.organizationIdentifier) name.push({ '2.5.4.97': [seal.organizationIdentifier] });
  name.push({ CN: [seal.commonName] });
  return name;
}

/**
 * Issues an organisation seal certificate (ETSI EN 319 412-3: legal-person subject; key usage
 * digitalSignature + nonRepudiation), with a certificatePolicies extension when `policies`
 * (OIDs) are given.
 */
export async function issueSealCertificate(
  root: { certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey },
  seal: SealSubject,
  publicKey: webcrypto.CryptoKey,
  now: number,
  policies: string[] = [],
  revocation?: RevocationUrls,
): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
  ];
  if (policies.length > 0) extensions.push(new x509.CertificatePolicyExtension(policies));
  return issueEndEntity(root, sealSubjectName(seal), publicKey, SEAL_VALIDITY_DAYS, now, extensions, revocation);
}

import type { webcrypto } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { SIGNING_ALGORITHM } from './crypto.js';
import type { SignerIdentity } from './identity.js';
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
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
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

/** Issues the timestamp authority's certificate: digitalSignature, EKU id-kp-timeStamping critical (RFC 3161 §2.3). */
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
    ],
    revocation,
  );
}

/** The subject of a person's certificate: CN=name, serialNumber=identity document, C=country (ETSI EN 319 412-2 §4.2.4). */
export function signerSubject(identity: SignerIdentity): x509.JsonName {
  const name: x509.JsonName = [{ CN: [identity.name] }];
  if (identity.serialNumber) name.push({ '2.5.4.5': [identity.serialNumber] });
  if (identity.country) name.push({ C: [identity.country] });
  return name;
}

/** Issues a person's signing certificate: digitalSignature + nonRepudiation, email in subjectAltName. */
export async function issueSignerCertificate(
  root: { certificate: x509.X509Certificate; privateKey: webcrypto.CryptoKey },
  identity: SignerIdentity,
  publicKey: webcrypto.CryptoKey,
  now: number,
  revocation?: RevocationUrls,
): Promise<x509.X509Certificate> {
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
  ];
  if (identity.email)
    extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'email', value: identity.email }]));
  return issueEndEntity(root, signerSubject(identity), publicKey, SIGNER_VALIDITY_DAYS, now, extensions, revocation);
}

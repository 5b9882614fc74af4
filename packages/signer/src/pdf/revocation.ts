import { createHash, X509Certificate as NodeCertificate, verify as verifySignatureValue } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseDer } from '../pki/ess.js';
import { HASHES } from './cms.js';

/** What revocation data says of a certificate at a point in time. */
export interface RevocationStatus {
  /** `good`: not revoked at that time per a response issued after it; `revoked`: revoked at or before it; `unknown`: no such evidence. */
  status: 'good' | 'revoked' | 'unknown';
  /** Where the answer came from. */
  source: 'ocsp' | 'crl' | null;
  /** When the certificate was revoked, if it was (even after the time asked about). */
  revokedAt: Date | null;
}

/** OCSP responses and CRLs, DER, as a DSS or a caller supplies them. */
export interface RevocationData {
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

const OID_OCSP_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const SIGNATURE_HASHES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};
/** A CertID may name its issuer by SHA-1 hashes (RFC 6960's default), or by a signature's digests. */
const CERT_ID_HASHES: Record<string, string> = { '1.3.14.3.2.26': 'sha1', ...HASHES };
// Revocation data issued this long before the time it must speak for still counts (clock skew between CA and TSA).
const SKEW_MS = 5 * 60_000;

/**
 * The revocation status of `certificate` (issued by `issuer`) at `at`, from the OCSP responses and
 * CRLs given. Only data signed by the issuer (or, for OCSP, a responder certificate it issued for
 * id-kp-OCSPSigning) counts. `revoked` when revoked at or before `at`; `good` when some response
 * or CRL issued no earlier than `at` (less a small skew) does not list it; else `unknown`.
 */
export function revocationStatus(
  certificate: pkijs.Certificate,
  issuer: pkijs.Certificate,
  data: RevocationData,
  at: Date,
): RevocationStatus {
  const serial = Buffer.from(certificate.serialNumber.valueBlock.valueHexView);
  const seen: { good: RevocationStatus | null; revokedLater: RevocationStatus | null } = {
    good: null,
    revokedLater: null,
  };
  const consider = (found: RevocationStatus & { issuedAt: Date }) => {
    if (found.status === 'revoked' && found.revokedAt && found.revokedAt.getTime() <= at.getTime()) return found;
    // Revoked after `at`: the certificate was good then (ETSI EN 319 102-1 past signature validation).
    if (found.status === 'revoked') seen.revokedLater ??= found;
    else if (found.status === 'good' && found.issuedAt.getTime() >= at.getTime() - SKEW_MS) seen.good ??= found;
    return null;
  };
  for (const der of data.ocsps) {
    for (const found of ocspAnswers(der, certificate, issuer, serial)) {
      const revoked = consider(found);
      if (revoked) return strip(revoked);
    }
  }
  for (const der of data.crls) {
    const found = crlAnswer(der, issuer, serial);
    const revoked = found ? consider(found) : null;
    if (revoked) return strip(revoked);
  }
  const answer = seen.revokedLater ?? seen.good;
  if (answer) return strip({ ...answer, status: 'good' });
  return { status: 'unknown', source: null, revokedAt: null };
}

function strip(found: RevocationStatus): RevocationStatus {
  return { status: found.status, source: found.source, revokedAt: found.revokedAt };
}

/** The single responses of a verified OCSP response that are about `certificate`. */
function ocspAnswers(
  der: Uint8Array,
  certificate: pkijs.Certificate,
  issuer: pkijs.Certificate,
  serial: Buffer,
): (RevocationStatus & { issuedAt: Date })[] {
  let basic: pkijs.BasicOCSPResponse;
  try {
    basic = parseOcsp(der);
  } catch {
    return [];
  }
  if (!ocspSignedForIssuer(basic, issuer)) return [];
  const issuerName = Buffer.from(certificate.issuer.toSchema().toBER(false));
  const issuerKey = Buffer.from(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const answers: (RevocationStatus & { issuedAt: Date })[] = [];
  for (const single of basic.tbsResponseData.responses) {
    const id = single.certID;
    const hash = CERT_ID_HASHES[id.hashAlgorithm.algorithmId];
    if (!hash || !Buffer.from(id.serialNumber.valueBlock.valueHexView).equals(serial)) continue;
    if (!createHash(hash).update(issuerName).digest().equals(Buffer.from(id.issuerNameHash.getValue()))) continue;
    if (!createHash(hash).update(issuerKey).digest().equals(Buffer.from(id.issuerKeyHash.getValue()))) continue;
    const status = single.certStatus as asn1js.BaseBlock;
    const tag = status.idBlock.tagNumber;
    if (tag === 0) answers.push({ status: 'good', source: 'ocsp', revokedAt: null, issuedAt: single.thisUpdate });
    else if (tag === 1) {
      const time = (status as asn1js.Constructed).valueBlock.value[0];
      const revokedAt = time instanceof asn1js.GeneralizedTime ? time.toDate() : new Date(0);
      answers.push({ status: 'revoked', source: 'ocsp', revokedAt, issuedAt: single.thisUpdate });
    }
  }
  return answers;
}

/** A DER OCSPResponse (successful, id-pkix-ocsp-basic) or a bare BasicOCSPResponse, as DSS entries hold either. */
function parseOcsp(der: Uint8Array): pkijs.BasicOCSPResponse {
  const schema = parseDer(der, 'OCSP response');
  try {
    const response = new pkijs.OCSPResponse({ schema });
    const bytes = response.responseBytes;
    if (response.responseStatus.valueBlock.valueDec !== 0 || bytes?.responseType !== OID_OCSP_BASIC) {
      throw new Error('not a successful basic OCSP response');
    }
    return new pkijs.BasicOCSPResponse({ schema: parseDer(bytes.response.getValue(), 'BasicOCSPResponse') });
  } catch {
    return new pkijs.BasicOCSPResponse({ schema });
  }
}

/** Signed by the issuer itself, or by a responder certificate the issuer issued for OCSP signing (RFC 6960 §4.2.2.2). */
function ocspSignedForIssuer(basic: pkijs.BasicOCSPResponse, issuer: pkijs.Certificate): boolean {
  const hash = SIGNATURE_HASHES[basic.signatureAlgorithm.algorithmId];
  if (!hash) return false;
  const issuerNode = toNode(issuer);
  const candidates = [issuer, ...(basic.certs ?? [])];
  for (const candidate of candidates) {
    const node = toNode(candidate);
    if (!node) continue;
    const delegated = candidate !== issuer;
    if (delegated && (!issuerNode || !node.checkIssued(issuerNode) || !node.verify(issuerNode.publicKey))) continue;
    if (delegated && !hasExtendedKeyUsage(candidate, OID_KP_OCSP_SIGNING)) continue;
    if (signatureHolds(node, hash, basic.tbsResponseData.tbsView, basic.signature.valueBlock.valueHexView)) return true;
  }
  return false;
}

/** A CRL signed by `issuer` and naming it: `revoked` with the date when it lists the serial, else `good` as of thisUpdate. */
function crlAnswer(
  der: Uint8Array,
  issuer: pkijs.Certificate,
  serial: Buffer,
): (RevocationStatus & { issuedAt: Date }) | null {
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: parseDer(der, 'CRL') });
  } catch {
    return null;
  }
  const hash = SIGNATURE_HASHES[crl.signatureAlgorithm.algorithmId];
  const node = toNode(issuer);
  if (!hash || !node || !crl.issuer.isEqual(issuer.subject)) return null;
  if (!signatureHolds(node, hash, crl.tbsView, crl.signatureValue.valueBlock.valueHexView)) return null;
  const issuedAt = crl.thisUpdate.value;
  const entry = crl.revokedCertificates?.find((r) =>
    Buffer.from(r.userCertificate.valueBlock.valueHexView).equals(serial),
  );
  if (entry) return { status: 'revoked', source: 'crl', revokedAt: entry.revocationDate.value, issuedAt };
  return { status: 'good', source: 'crl', revokedAt: null, issuedAt };
}

function signatureHolds(certificate: NodeCertificate, hash: string, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verifySignatureValue(hash, data, { key: certificate.publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

/** The certificate as Node's X509Certificate (for issuer and signature checks), or null if Node cannot read it. */
export function toNode(certificate: pkijs.Certificate): NodeCertificate | null {
  try {
    return new NodeCertificate(Buffer.from(certificate.toSchema().toBER(false)));
  } catch {
    return null;
  }
}

/** Whether the certificate's extended key usage lists `oid`. */
export function hasExtendedKeyUsage(certificate: pkijs.Certificate, oid: string): boolean {
  const extension = certificate.extensions?.find((e) => e.extnID === '2.5.29.37');
  const usage = extension?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return usage?.keyPurposes.includes(oid) ?? false;
}

import * as pkijs from 'pkijs';
import { pkiEngine } from '../pki/crypto.js';
import { parseDer } from '../pki/ess.js';
import { x509 } from '../pki/x509.js';
import { type CmsCheck, checkDetachedCms, signerCertificateOf } from './cms.js';
import { type EmbeddedSignature, extractSignatures } from './signatures.js';

/** One signature of a PDF, as {@link verifyPdf} found it. */
export interface PdfSignatureReport {
  /** The signature field's name. */
  field: string;
  signer: {
    /** The certificate's CN. */
    name: string;
    /** The certificate subject's serialNumber (the identity document). */
    serialNumber?: string;
    /** The certificate subject's C. */
    country?: string;
    /** The whole subject DN, RFC 4514 string. */
    certificateSubject: string;
  };
  /** The signed signing-time attribute (claimed by the signer), ISO 8601. */
  signingTime: string | null;
  /** The genTime of the RFC 3161 signature-time-stamp, ISO 8601. */
  timestamp: string | null;
  /** `valid` when the signed bytes hash to the signed digest, the signature, certificate binding and timestamp hold. */
  integrity: 'valid' | 'invalid';
  /** Whether this signature covers the file to its last byte (later signatures make earlier ones cover a prefix). */
  coversWholeDocument: boolean;
  /** `trusted` when the signer's (and the timestamp authority's) certificate chains to one of the trust anchors, at the signature's time. */
  chain: 'trusted' | 'untrusted';
}

const OID_CN = '2.5.4.3';
const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_COUNTRY = '2.5.4.6';
const OID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';

/**
 * Verifies every signature of a PDF on its own (no third-party validator): the byte-range digest,
 * the CMS signature, the ESS certificate binding, the timestamp token, and the chain to the given
 * roots. Any changed byte inside a signed range makes that signature `invalid`.
 * Throws `PdfReadError` when the bytes are not a readable PDF.
 */
export async function verifyPdf(pdf: Uint8Array, trustAnchorsPem: string[]): Promise<PdfSignatureReport[]> {
  const anchors = trustAnchorsPem.map(
    (pem) => new pkijs.Certificate({ schema: parseDer(new x509.X509Certificate(pem).rawData, 'certificate') }),
  );
  const reports: PdfSignatureReport[] = [];
  // Document timestamps (B-LTA archive timestamps) are no one's signature: they are not reported.
  for (const signature of await extractSignatures(pdf)) {
    if (signature.kind === 'signature') reports.push(await reportSignature(signature, anchors));
  }
  return reports;
}

async function reportSignature(
  signature: EmbeddedSignature,
  anchors: pkijs.Certificate[],
): Promise<PdfSignatureReport> {
  let check: CmsCheck | null = null;
  if (signature.wellFormed) {
    try {
      check = await checkDetachedCms(signature.cms, signature.signedBytes);
    } catch {
      check = null;
    }
  }
  const certificate = check?.signerCertificate ?? null;
  const at = check?.timestamp?.genTime ?? check?.signingTime ?? new Date();
  const trusted = check && certificate ? await chainsToAnchors(check, certificate, anchors, at) : false;
  return {
    field: signature.field,
    signer: describeSigner(certificate),
    signingTime: check?.signingTime?.toISOString() ?? null,
    timestamp: check?.timestamp?.imprintMatches ? check.timestamp.genTime.toISOString() : null,
    integrity: check?.intact ? 'valid' : 'invalid',
    coversWholeDocument: signature.coversWholeDocument,
    chain: trusted ? 'trusted' : 'untrusted',
  };
}

/** Both the signer's and the timestamp authority's certificates must chain to an anchor, at the time of the signature. */
async function chainsToAnchors(
  check: CmsCheck,
  certificate: pkijs.Certificate,
  anchors: pkijs.Certificate[],
  at: Date,
): Promise<boolean> {
  if (!(await validateChain(certificate, certificates(check.signedData), anchors, at))) return false;
  const token = check.timestamp?.token;
  if (!token) return true;
  const tsa = signerCertificateOf(token);
  if (!tsa || !hasExtendedKeyUsage(tsa, OID_KP_TIMESTAMPING)) return false;
  return validateChain(tsa, [...certificates(token), ...certificates(check.signedData)], anchors, at);
}

async function validateChain(
  leaf: pkijs.Certificate,
  intermediates: pkijs.Certificate[],
  anchors: pkijs.Certificate[],
  at: Date,
): Promise<boolean> {
  if (anchors.length === 0) return false;
  // Only the anchors given are trusted: a root shipped inside the CMS is just another untrusted certificate.
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors,
    certs: [leaf, ...intermediates.filter((c) => c !== leaf)],
    checkDate: at,
  });
  try {
    return (await engine.verify({}, pkiEngine)).result === true;
  } catch {
    return false;
  }
}

function certificates(signedData: pkijs.SignedData): pkijs.Certificate[] {
  return (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

function hasExtendedKeyUsage(certificate: pkijs.Certificate, oid: string): boolean {
  const extension = certificate.extensions?.find((e) => e.extnID === '2.5.29.37');
  const usage = extension?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return usage?.keyPurposes.includes(oid) ?? false;
}

function describeSigner(certificate: pkijs.Certificate | null): PdfSignatureReport['signer'] {
  if (!certificate) return { name: '', certificateSubject: '' };
  const attribute = (oid: string) =>
    certificate.subject.typesAndValues.find((t) => t.type === oid)?.value.valueBlock.value as string | undefined;
  const subject = new x509.X509Certificate(certificate.toSchema().toBER(false)).subject;
  const serialNumber = attribute(OID_SERIAL_NUMBER);
  const country = attribute(OID_COUNTRY);
  return {
    name: attribute(OID_CN) ?? '',
    ...(serialNumber ? { serialNumber } : {}),
    ...(country ? { country } : {}),
    certificateSubject: subject,
  };
}

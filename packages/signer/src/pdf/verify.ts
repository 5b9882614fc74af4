import { PDF } from '@libpdf/core';
import type {
  DocumentChange,
  Indication,
  PadesLevel,
  VerifiedDocumentTimestamp,
  VerifiedSignature,
  VerifyResponse,
} from '@signet/protocol';
import * as pkijs from 'pkijs';
import { pkiEngine } from '../pki/crypto.js';
import { parseDer } from '../pki/ess.js';
import { dottedOid } from '../pki/policies.js';
import { x509 } from '../pki/x509.js';
import { changesAfterRevision } from './changes.js';
import { type CmsCheck, checkDetachedCms, checkTimestampToken, type TimestampCheck } from './cms.js';
import { hasDss, readDss } from './dss.js';
import { hasExtendedKeyUsage, type RevocationData, type RevocationStatus, revocationStatus } from './revocation.js';
import { type EmbeddedSignature, extractSignatures, PdfReadError } from './signatures.js';

/** The validation report {@link verifyPdf} makes: the wire shape of `POST /v1/verify`. */
export type ValidationReport = VerifyResponse;
type SignatureValidation = VerifiedSignature;
type DocumentTimestampValidation = VerifiedDocumentTimestamp;
type SignerDescription = VerifiedSignature['signer'];

/** Options of {@link verifyPdf}. */
export interface VerifyOptions {
  /** Revocation data the caller knows besides the document's DSS (e.g. the CA's current CRL). */
  revocation?: RevocationData;
  /** Certificate policy OIDs a signer certificate must state one of; unset: any. */
  signingPolicies?: string[];
  /** The validation time ("now"). Default: the system clock. */
  now?: Date;
}

const OID_KP_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';
const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_KEY_USAGE = '2.5.29.15';
const OID_CERTIFICATE_POLICIES = '2.5.29.32';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const OID_CN = '2.5.4.3';
const OID_SERIAL_NUMBER = '2.5.4.5';
const OID_COUNTRY = '2.5.4.6';

/** A check that did not pass: the indication it leads to, its sub-indication and a sentence. */
interface Finding {
  indication: Exclude<Indication, 'TOTAL_PASSED'>;
  subIndication: string;
  error: string;
}

/**
 * Validates every signature and document timestamp of a PDF on its own (no third-party
 * validator) and reports as ETSI EN 319 102-1 does: a detached CMS over exactly the bytes its
 * byte range covers (no eContent), the signature value, the ESS binding, a signer certificate
 * issued for signing (not a timestamping or OCSP certificate), its chain to the given roots and
 * its revocation status at the best signature time (the DSS's OCSP responses and CRLs, and those
 * in `options.revocation`), the signature-time-stamp, and what later revisions changed: only the
 * changes PAdES allows after a signature (DSS, document timestamps, further signatures) keep it
 * valid. Each document timestamp is checked against the bytes it covers and its authority's
 * chain, the last one at now and every earlier one at the time of the next (long-term validation).
 * Throws `PdfReadError` when the bytes are not a readable PDF.
 */
export async function verifyPdf(
  pdf: Uint8Array,
  trustAnchorsPem: string[],
  options: VerifyOptions = {},
): Promise<ValidationReport> {
  const anchors = trustAnchorsPem.map(
    (pem) => new pkijs.Certificate({ schema: parseDer(new x509.X509Certificate(pem).rawData, 'certificate') }),
  );
  let document: PDF;
  try {
    document = await PDF.load(pdf);
  } catch {
    throw new PdfReadError('the file is not a readable PDF');
  }
  const context: Context = {
    pdf,
    document,
    anchors,
    now: options.now ?? new Date(),
    dss: readDss(document),
    extra: options.revocation ?? { ocsps: [], crls: [] },
    policies: options.signingPolicies ?? null,
    revisions: new Map(),
  };
  const embedded = await extractSignatures(pdf, document);
  const revisions = revisionNumbers(pdf, embedded);
  const timestamps = await validateTimestamps(
    context,
    embedded.filter((e) => e.kind === 'timestamp'),
    revisions,
  );
  const signatures: SignatureValidation[] = [];
  for (const signature of embedded.filter((e) => e.kind === 'signature')) {
    signatures.push(await validateSignature(context, signature, timestamps, revisions));
  }
  const all = [...signatures, ...timestamps.map((t) => t.report)];
  const worst =
    all.find((r) => r.indication === 'TOTAL_FAILED') ?? all.find((r) => r.indication === 'INDETERMINATE') ?? null;
  const indication: Indication = signatures.length === 0 ? 'INDETERMINATE' : (worst?.indication ?? 'TOTAL_PASSED');
  const subIndication = signatures.length === 0 && !worst ? 'NO_SIGNATURE_FOUND' : (worst?.subIndication ?? null);
  return {
    valid: indication === 'TOTAL_PASSED',
    indication,
    subIndication,
    signatures,
    documentTimestamps: timestamps.map((t) => t.report),
  };
}

interface Context {
  pdf: Uint8Array;
  document: PDF;
  anchors: pkijs.Certificate[];
  now: Date;
  dss: RevocationData & { certs: Uint8Array[] };
  extra: RevocationData;
  policies: string[] | null;
  /** Revisions loaded so far, by length: each is parsed once however many checks need it. */
  revisions: Map<number, Promise<PDF | null>>;
}

interface CheckedTimestamp {
  report: DocumentTimestampValidation;
  revisionLength: number;
  /** Its genTime, when the timestamp holds (a proof of existence for everything it covers). */
  proof: Date | null;
  /** The DSS of the revision it covers (what it preserves), when it holds. */
  preserved: RevocationData | null;
}

async function validateTimestamps(
  context: Context,
  embedded: EmbeddedSignature[],
  revisions: Map<number, number>,
): Promise<CheckedTimestamp[]> {
  const checked: { embedded: EmbeddedSignature; token: TimestampCheck | null; changes: DocumentChange[] }[] = [];
  for (const e of embedded) {
    const token = e.wellFormed ? await checkTimestampToken(e.cms, e.signedBytes) : null;
    checked.push({
      embedded: e,
      token,
      changes: await changesAfter(context, e.revisionLength),
    });
  }
  const out: CheckedTimestamp[] = [];
  for (const [i, { embedded: e, token, changes }] of checked.entries()) {
    const findings: Finding[] = [];
    if (!token) findings.push(failed('FORMAT_FAILURE', 'the byte range does not leave out exactly the timestamp'));
    else if (token.failure) findings.push(failed(token.failure.subIndication, token.failure.reason));
    findings.push(...disallowed(changes));
    // Long-term: the last timestamp must hold now; each earlier one when the next one proves it existed.
    const next = checked.slice(i + 1).find((c) => c.token && !c.token.failure)?.token?.genTime ?? context.now;
    let trusted = false;
    if (token?.tsaCertificate && !token.failure) {
      if (!hasExtendedKeyUsage(token.tsaCertificate, OID_KP_TIMESTAMPING)) {
        findings.push(
          indeterminate('CHAIN_CONSTRAINTS_FAILURE', 'the timestamp is not signed by a timestamp authority'),
        );
      }
      trusted = await validateChain(token.tsaCertificate, certificates(token.token), context.anchors, next);
      if (!trusted)
        findings.push(indeterminate('NO_CERTIFICATE_CHAIN_FOUND', 'the timestamp authority is not trusted'));
    }
    const integrity = token !== null && token.failure === null;
    const holds = integrity && findings.length === 0;
    let preserved: RevocationData | null = null;
    if (holds) preserved = await revisionDss(context, e.revisionLength);
    out.push({
      report: {
        field: e.field,
        ...verdict(findings),
        time: token && token.genTime.getTime() > 0 ? token.genTime.toISOString() : null,
        authority: token?.tsaCertificate ? commonName(token.tsaCertificate) : '',
        integrity: integrity ? 'valid' : 'invalid',
        chain: trusted ? 'trusted' : 'untrusted',
        coversWholeDocument: e.coversWholeDocument,
        covers: { revision: revisions.get(e.revisionLength) ?? 0, bytes: e.revisionLength },
        changesAfter: changes,
      },
      revisionLength: e.revisionLength,
      proof: holds && token ? token.genTime : null,
      preserved,
    });
  }
  return out;
}

async function validateSignature(
  context: Context,
  signature: EmbeddedSignature,
  timestamps: CheckedTimestamp[],
  revisions: Map<number, number>,
): Promise<SignatureValidation> {
  const findings: Finding[] = [];
  let check: CmsCheck | null = null;
  if (!signature.wellFormed) {
    findings.push(failed('FORMAT_FAILURE', 'the byte range does not leave out exactly the signature'));
  } else {
    check = await checkDetachedCms(signature.cms, signature.signedBytes);
    if (check.failure) findings.push(failed(check.failure.subIndication, check.failure.reason));
  }
  const changes = await changesAfter(context, signature.revisionLength);
  findings.push(...disallowed(changes));

  const certificate = check?.signerCertificate ?? null;
  const signatureTimestamp = check?.timestamp && !check.timestamp.failure ? check.timestamp : null;
  // Document timestamps over a later revision prove the signature existed at their time.
  const covering = timestamps.filter((t) => t.proof && t.revisionLength >= signature.revisionLength);
  const firstCovering = covering[0]?.proof ?? null;
  const bestTime = signatureTimestamp?.genTime ?? firstCovering ?? context.now;
  let trusted = false;
  let revocation: RevocationStatus = { status: 'unknown', source: null, revokedAt: null };
  let level: PadesLevel | null = null;
  if (certificate && check && !check.failure) {
    findings.push(...usageFindings(certificate, context.policies));
    const intermediates = certificates(check.signedData);
    trusted = await validateChain(certificate, intermediates, context.anchors, bestTime);
    if (!trusted)
      findings.push(
        indeterminate('NO_CERTIFICATE_CHAIN_FOUND', 'the signer certificate is not trusted at the signing time'),
      );
    const issuer = issuerOf(certificate, [
      ...context.anchors,
      ...intermediates,
      ...parseCertificates(context.dss.certs),
    ]);
    if (issuer) {
      const known = {
        ocsps: [...context.dss.ocsps, ...context.extra.ocsps],
        crls: [...context.dss.crls, ...context.extra.crls],
      };
      revocation = revocationStatus(certificate, issuer, known, bestTime);
      if (revocation.status === 'revoked') {
        findings.push(
          failed('REVOKED', `the signer certificate was revoked on ${revocation.revokedAt?.toISOString()}`),
        );
      } else if (revocation.status === 'unknown' && declaresRevocationSource(certificate)) {
        findings.push(
          indeterminate('TRY_LATER', 'no revocation data shows the signer certificate was valid at the signing time'),
        );
      }
    }
    if (signatureTimestamp) {
      const tsaChecked = await checkTimestampAuthority(
        signatureTimestamp,
        context.anchors,
        firstCovering ?? context.now,
      );
      if (tsaChecked) findings.push(tsaChecked);
    }
    if (findings.length === 0) level = levelOf(certificate, issuer, signatureTimestamp !== null, context, covering);
  }
  const claimed = signature.claimedTime ?? check?.signingTime ?? null;
  return {
    field: signature.field,
    ...verdict(findings),
    level,
    signer: describeSigner(certificate),
    signingTime: claimed?.toISOString() ?? null,
    timestamp: signatureTimestamp?.genTime.toISOString() ?? null,
    bestSignatureTime: bestTime.toISOString(),
    integrity: check !== null && check.failure === null ? 'valid' : 'invalid',
    chain: trusted ? 'trusted' : 'untrusted',
    revocation: {
      status: revocation.status,
      source: revocation.source,
      revokedAt: revocation.revokedAt?.toISOString() ?? null,
    },
    coversWholeDocument: signature.coversWholeDocument,
    covers: { revision: revisions.get(signature.revisionLength) ?? 0, bytes: signature.revisionLength },
    changesAfter: changes,
  };
}

/**
 * B-T needs a signature-time-stamp; B-LT, revocation data for the signer certificate in the
 * document's DSS; B-LTA, a valid document timestamp over a revision whose DSS already held it.
 */
function levelOf(
  certificate: pkijs.Certificate,
  issuer: pkijs.Certificate | null,
  timestamped: boolean,
  context: Context,
  covering: CheckedTimestamp[],
): PadesLevel {
  if (!timestamped) return 'B-B';
  if (!issuer || !hasDss(context.document)) return 'B-T';
  const inDss = (data: RevocationData) => revocationStatus(certificate, issuer, data, new Date(0)).status !== 'unknown';
  if (!inDss(context.dss)) return 'B-T';
  return covering.some((t) => t.preserved && inDss(t.preserved)) ? 'B-LTA' : 'B-LT';
}

/** The signature-time-stamp's authority: a timestamping certificate chaining to an anchor when a later proof (or now) says so. */
async function checkTimestampAuthority(
  timestamp: TimestampCheck,
  anchors: pkijs.Certificate[],
  at: Date,
): Promise<Finding | null> {
  const tsa = timestamp.tsaCertificate;
  if (!tsa || !hasExtendedKeyUsage(tsa, OID_KP_TIMESTAMPING)) {
    return indeterminate(
      'CHAIN_CONSTRAINTS_FAILURE',
      'the signature-time-stamp is not signed by a timestamp authority',
    );
  }
  if (!(await validateChain(tsa, certificates(timestamp.token), anchors, at))) {
    return indeterminate(
      'NO_CERTIFICATE_CHAIN_FOUND',
      'the timestamp authority of the signature-time-stamp is not trusted',
    );
  }
  return null;
}

/**
 * A certificate for signing documents: key usage digitalSignature or nonRepudiation, no
 * timestamping or OCSP-signing purpose, and (when policies are required) one of them stated.
 */
function usageFindings(certificate: pkijs.Certificate, policies: string[] | null): Finding[] {
  const findings: Finding[] = [];
  const keyUsage = certificate.extensions?.find((e) => e.extnID === OID_KEY_USAGE)?.parsedValue as
    | { valueBlock?: { valueHexView?: Uint8Array } }
    | undefined;
  const bits = keyUsage?.valueBlock?.valueHexView?.[0] ?? 0;
  // digitalSignature is bit 0 (0x80), nonRepudiation bit 1 (0x40) of the first octet.
  if ((bits & 0xc0) === 0) {
    findings.push(
      indeterminate('CHAIN_CONSTRAINTS_FAILURE', 'the signer certificate is not for signatures (key usage)'),
    );
  }
  if (hasExtendedKeyUsage(certificate, OID_KP_TIMESTAMPING) || hasExtendedKeyUsage(certificate, OID_KP_OCSP_SIGNING)) {
    findings.push(
      indeterminate('CHAIN_CONSTRAINTS_FAILURE', 'the signer certificate is a timestamping or OCSP certificate'),
    );
  }
  if (policies) {
    const stated = certificate.extensions?.find((e) => e.extnID === OID_CERTIFICATE_POLICIES)?.parsedValue as
      | pkijs.CertificatePolicies
      | undefined;
    if (!stated?.certificatePolicies.some((p) => policies.includes(dottedOid(p.policyIdentifier)))) {
      findings.push(
        indeterminate('CHAIN_CONSTRAINTS_FAILURE', 'the signer certificate was not issued under a signing policy'),
      );
    }
  }
  return findings;
}

/** Whether the certificate says where its revocation status is published (AIA OCSP or CRL distribution points). */
function declaresRevocationSource(certificate: pkijs.Certificate): boolean {
  return certificate.extensions?.some((e) => e.extnID === OID_AIA || e.extnID === OID_CRL_DISTRIBUTION_POINTS) ?? false;
}

function disallowed(changes: DocumentChange[]): Finding[] {
  const bad = changes.filter((c) => !c.allowed);
  if (bad.length === 0) return [];
  return [failed('FORMAT_FAILURE', `changed after signing: ${bad.map((c) => c.description).join('; ')}`)];
}

function failed(subIndication: string, error: string): Finding {
  // ETSI EN 319 102-1: a missing signing certificate is INDETERMINATE; every other failure here is final.
  const indication = subIndication === 'NO_SIGNING_CERTIFICATE_FOUND' ? 'INDETERMINATE' : 'TOTAL_FAILED';
  return { indication, subIndication, error };
}

function indeterminate(subIndication: string, error: string): Finding {
  return { indication: 'INDETERMINATE', subIndication, error };
}

function verdict(findings: Finding[]): { indication: Indication; subIndication: string | null; errors: string[] } {
  const first = findings.find((f) => f.indication === 'TOTAL_FAILED') ?? findings[0];
  return {
    indication: first?.indication ?? 'TOTAL_PASSED',
    subIndication: first?.subIndication ?? null,
    errors: findings.map((f) => f.error),
  };
}

/** The revision of the file that ends at `length` bytes, loaded once per verification; null when it cannot be read on its own. */
function revision(context: Context, length: number): Promise<PDF | null> {
  let loaded = context.revisions.get(length);
  if (!loaded) {
    loaded = PDF.load(context.pdf.subarray(0, length)).catch(() => null);
    context.revisions.set(length, loaded);
  }
  return loaded;
}

/** What later revisions changed after the revision that ends at `length` bytes. */
async function changesAfter(context: Context, length: number): Promise<DocumentChange[]> {
  if (length >= context.pdf.length) return [];
  return changesAfterRevision(await revision(context, length), context.document);
}

/** The DSS of the revision that ends at `length` bytes, as a document timestamp over it preserved it. */
async function revisionDss(context: Context, length: number): Promise<RevocationData | null> {
  const loaded = await revision(context, length);
  return loaded ? readDss(loaded) : null;
}

/** Revision numbers (1-based) by revision length: every `%%EOF` of the file ends one. */
function revisionNumbers(pdf: Uint8Array, embedded: EmbeddedSignature[]): Map<number, number> {
  const ends: number[] = [];
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  for (let at = text.indexOf('%%EOF'); at !== -1; at = text.indexOf('%%EOF', at + 5)) ends.push(at + 5);
  const numbers = new Map<number, number>();
  for (const e of embedded) {
    // A revision ends at its %%EOF plus an optional end-of-line.
    const index = ends.findIndex((end) => e.revisionLength >= end && e.revisionLength <= end + 2);
    numbers.set(e.revisionLength, index + 1);
  }
  return numbers;
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

function issuerOf(certificate: pkijs.Certificate, candidates: pkijs.Certificate[]): pkijs.Certificate | null {
  return candidates.find((c) => c.subject.isEqual(certificate.issuer) && c !== certificate) ?? null;
}

function parseCertificates(ders: Uint8Array[]): pkijs.Certificate[] {
  const out: pkijs.Certificate[] = [];
  for (const der of ders) {
    try {
      out.push(new pkijs.Certificate({ schema: parseDer(der, 'certificate') }));
    } catch {
      // Not a certificate: no evidence.
    }
  }
  return out;
}

function certificates(signedData: pkijs.SignedData): pkijs.Certificate[] {
  return (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
}

function commonName(certificate: pkijs.Certificate): string {
  return (certificate.subject.typesAndValues.find((t) => t.type === OID_CN)?.value.valueBlock.value as string) ?? '';
}

function describeSigner(certificate: pkijs.Certificate | null): SignerDescription {
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

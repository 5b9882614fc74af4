import { PDF, PdfString, type RevocationProvider } from '@libpdf/core';
import type { SigningCredential } from '../pki/credential.js';
import type { TimestampAuthority } from '../pki/timestamp-authority.js';
import type { x509 } from '../pki/x509.js';
import { AppearanceError, drawSignatureAppearance, type SignatureAppearance } from './appearance.js';
import { addToDss } from './dss.js';
import { validationData } from './validation-data.js';

/** Options of {@link signPdf}. */
export interface SignPdfOptions {
  /** The person's credential (certificate + key), from `CertificateAuthority.credentialFor`. */
  credential: SigningCredential;
  /** With it the signature is PAdES-B-T (an RFC 3161 signature-time-stamp); without, B-B. */
  timestampAuthority?: TimestampAuthority;
  /**
   * The CA's validation data (`ca.validationData`: OCSP responses and CRLs made in
   * process). With it and a timestamp authority the signature leaves as PAdES B-LTA: a DSS with
   * the certificates, OCSP responses and CRLs of the signer's and the TSA's chains, a document
   * timestamp over all of it, then a DSS for the document timestamp's own chain.
   */
  validationData?: RevocationProvider;
  /** The claimed signing time: /M of the signature dictionary (PAdES baseline has no CMS signing-time attribute). Default: now. */
  signingTime?: Date;
  reason?: string;
  location?: string;
  /** /Name of the signature dictionary and the text of the appearance. Default: the certificate's name. */
  signerName?: string;
  /** A visible box on a page; without it the signature is invisible. */
  appearance?: SignatureAppearance;
}

/** Thrown when a PDF cannot take a signature without breaking earlier ones, or has no pages. */
export class PdfSigningError extends Error {
  constructor(
    readonly code: 'not_incremental' | 'no_pages' | 'bad_appearance',
    message: string,
  ) {
    super(message);
    this.name = 'PdfSigningError';
  }
}

// The CMS holds the signer and root certificates and a timestamp token with the TSA certificate:
// about 3 KB for P-256; 16 KB leaves room and is reserved as zeros (hex), signed over anyway.
const RESERVED_SIGNATURE_BYTES = 16_384;

/**
 * Signs a PDF for one person with a PAdES signature (`ETSI.CAdES.detached`, ESS
 * signing-certificate-v2; B-T with a timestamp authority, B-LTA with validation data too),
 * appended as incremental updates so earlier signatures stay valid. A document without signatures that cannot be updated
 * incrementally (linearized, repaired) is rewritten once first; one with signatures is refused.
 */
export async function signPdf(pdf: Uint8Array, options: SignPdfOptions): Promise<Uint8Array> {
  const document = await loadForUpdate(pdf);
  const fieldName = nextFieldName(document);
  const signerName = options.signerName ?? options.credential.identity.name;
  if (options.appearance) {
    try {
      drawSignatureAppearance(document, fieldName, options.appearance, {
        signerName,
        signingTime: options.signingTime ?? new Date(),
        ...(options.reason ? { reason: options.reason } : {}),
      });
    } catch (error) {
      if (error instanceof AppearanceError) throw new PdfSigningError('bad_appearance', error.message);
      throw error;
    }
  }
  const tsa = options.timestampAuthority;
  const result = await document.sign({
    signer: options.credential.signer,
    fieldName,
    subFilter: 'ETSI.CAdES.detached',
    digestAlgorithm: 'SHA-256',
    estimatedSize: RESERVED_SIGNATURE_BYTES,
    // B-LTA is built below from the chains we signed with, not by @libpdf/core's LTV gathering (ADR 0037).
    ...(tsa ? { level: 'B-T' as const, timestampAuthority: tsa } : { level: 'B-B' as const }),
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
  });
  const incomplete = result.warnings.filter((w) => w.code !== 'MDP_VIOLATION');
  if (incomplete.length > 0) throw new Error(`signing incomplete: ${incomplete.map((w) => w.message).join('; ')}`);
  if (!tsa || !options.validationData) return result.bytes;
  return archive(document, result.bytes, fieldName, options.credential, tsa, options.validationData);
}

/**
 * PAdES B-LTA after a B-T signature in `fieldName` (ETSI EN 319 142-1 §6.3): a DSS update with
 * the validation data of the signer's and the TSA's chains, a document timestamp over all of it,
 * then a DSS update with the validation data of the document timestamp's own chain (the TSA's,
 * whose data the first update already holds: it is not asked for twice, ADR 0038). `signed`: the
 * document's bytes with the signature just made.
 */
async function archive(
  document: PDF,
  signed: Uint8Array,
  fieldName: string,
  credential: SigningCredential,
  tsa: TimestampAuthority,
  provider: RevocationProvider,
): Promise<Uint8Array> {
  const der = (chain: readonly x509.X509Certificate[]) => chain.map((c) => new Uint8Array(c.rawData));
  const signer = await validationData([der([credential.certificate, ...credential.chain])], provider);
  const timestamps = await validationData([der([tsa.certificate, ...tsa.chain])], provider);
  const both = {
    certs: [...signer.certs, ...timestamps.certs],
    ocsps: [...signer.ocsps, ...timestamps.ocsps],
    crls: [...signer.crls, ...timestamps.crls],
  };
  addToDss(document, both, lastSignatureContents(signed) ?? signatureContents(document, fieldName));
  // DSS streams are DER (certificates, OCSP responses, CRLs): deflating them gains little and costs CPU.
  await document.reload(await document.save({ incremental: true, compressStreams: false }));
  const before = new Set(signedFieldNames(document));
  const stamped = await document.addTimestamp({ timestampAuthority: tsa, digestAlgorithm: 'SHA-256' });
  const timestampField = signedFieldNames(document).find((name) => !before.has(name));
  if (!timestampField) throw new Error('the document timestamp was not placed');
  addToDss(document, timestamps, lastSignatureContents(stamped.bytes) ?? signatureContents(document, timestampField));
  return document.save({ incremental: true, compressStreams: false });
}

/**
 * The whole /Contents (padding included) of the signature last placed in `pdf`, the one whose
 * /ByteRange is the file's last: read between the two ranges it names, as validators read it,
 * instead of re-parsing the signature dictionary's 32 KB hex string. Undefined when the bytes do
 * not hold exactly that shape (then the caller reads the field).
 */
function lastSignatureContents(pdf: Uint8Array): Uint8Array | undefined {
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength);
  const at = bytes.lastIndexOf('/ByteRange');
  if (at < 0) return undefined;
  const range = /^\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/.exec(bytes.toString('latin1', at, at + 80));
  if (!range) return undefined;
  const [start, end, rest] = [Number(range[1]), Number(range[2]), Number(range[3])];
  if (!(start < end && end + rest === bytes.length && bytes[start] === 0x3c && bytes[end - 1] === 0x3e))
    return undefined;
  const hex = bytes.toString('latin1', start + 1, end - 1);
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

/** The whole /Contents of a signed field's signature dictionary (padding included): what its VRI key is hashed from. */
function signatureContents(document: PDF, fieldName: string): Uint8Array {
  const field = document
    .getForm()
    ?.getSignatureFields()
    .find((f) => f.name === fieldName);
  const contents = field?.getSignatureDict()?.get('Contents');
  if (!(contents instanceof PdfString)) throw new Error(`no signature value in ${fieldName}`);
  return contents.bytes;
}

/** Loads `pdf` so that saving appends to it; rewrites a never-signed document that cannot be appended to. */
async function loadForUpdate(pdf: Uint8Array): Promise<PDF> {
  let document = await PDF.load(pdf);
  if (document.isEncrypted) throw new PdfSigningError('not_incremental', 'encrypted documents are not signed');
  if (document.getPageCount() === 0) throw new PdfSigningError('no_pages', 'the document has no pages');
  const blocker = document.canSaveIncrementally();
  if (blocker === null) return document;
  if (signedFieldCount(document) > 0) {
    throw new PdfSigningError(
      'not_incremental',
      `the document is signed but cannot be updated incrementally (${blocker}); signing would break its signatures`,
    );
  }
  document = await PDF.load(await document.save());
  if (document.canSaveIncrementally() !== null) {
    throw new PdfSigningError('not_incremental', 'the document cannot be updated incrementally');
  }
  return document;
}

function signedFieldCount(document: PDF): number {
  return signedFieldNames(document).length;
}

function signedFieldNames(document: PDF): string[] {
  return (
    document
      .getForm()
      ?.getSignatureFields()
      .filter((f) => f.isSigned())
      .map((f) => f.name) ?? []
  );
}

/** `Signature_N` with the first N not taken, so every signature gets a field of its own. */
function nextFieldName(document: PDF): string {
  const taken = new Set(
    document
      .getForm()
      ?.getFields()
      .map((f) => f.name) ?? [],
  );
  let n = 1;
  while (taken.has(`Signature_${n}`)) n++;
  return `Signature_${n}`;
}

import { PDF, type RevocationProvider } from '@libpdf/core';
import type { SigningCredential } from '../pki/credential.js';
import type { TimestampAuthority } from '../pki/timestamp-authority.js';
import { AppearanceError, drawSignatureAppearance, type SignatureAppearance } from './appearance.js';

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
  const result = await document.sign({
    signer: options.credential.signer,
    fieldName,
    subFilter: 'ETSI.CAdES.detached',
    digestAlgorithm: 'SHA-256',
    estimatedSize: RESERVED_SIGNATURE_BYTES,
    ...padesLevel(options),
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
    ...(options.reason ? { reason: options.reason } : {}),
    ...(options.location ? { location: options.location } : {}),
  });
  const incomplete = result.warnings.filter((w) => w.code !== 'MDP_VIOLATION');
  if (incomplete.length > 0) {
    // A B-LTA signature missing its validation data would pass for long-term validatable: refuse it.
    throw new Error(`long-term validation data incomplete: ${incomplete.map((w) => w.message).join('; ')}`);
  }
  return result.bytes;
}

/** B-LTA with a TSA and validation data, B-T with a TSA alone, else B-B. */
function padesLevel(options: SignPdfOptions) {
  const tsa = options.timestampAuthority;
  if (!tsa) return { level: 'B-B' as const };
  if (!options.validationData) return { level: 'B-T' as const, timestampAuthority: tsa };
  return { level: 'B-LTA' as const, timestampAuthority: tsa, revocationProvider: options.validationData };
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
  return (
    document
      .getForm()
      ?.getSignatureFields()
      .filter((f) => f.isSigned()).length ?? 0
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

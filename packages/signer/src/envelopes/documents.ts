import { createHash } from 'node:crypto';
import { type DocumentInput, type OAuthError, temporarilyUnavailable } from '@signet/protocol';
import { type PdfAdmission, PdfPoolBusyError, type UntrustedPdfs } from '../pdf/untrusted.js';
import { EnvelopeError, invalidField } from './errors.js';

/** A document of a create request, decoded and checked. */
export interface AcceptedDocument {
  name: string;
  bytes: Uint8Array;
  pageCount: number;
  sha256: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Longest document name kept. */
const MAX_NAME = 200;

/**
 * Decodes a base64 document and checks that it is a PDF Signet can sign: within `maxBytes`
 * (422 `document_too_large`, checked before decoding), valid base64 (400), and a readable,
 * unencrypted PDF, read by a worker of `pdfs` within its limits (422 `invalid_document` with
 * `reason` `not_pdf`, `corrupt`, `encrypted` or `too_complex`; 503 when the workers are busy).
 */
export async function acceptDocument(
  input: DocumentInput,
  index: number,
  maxBytes: number,
  pdfs: Pick<UntrustedPdfs, 'inspect'>,
): Promise<AcceptedDocument> {
  const field = `documents[${index}].content`;
  const content = input.content.replace(/\s+/g, '');
  const padding = content.endsWith('==') ? 2 : content.endsWith('=') ? 1 : 0;
  if (Math.floor((content.length * 3) / 4) - padding > maxBytes) {
    throw new EnvelopeError('document_too_large', `${field}: the document is larger than ${maxBytes} bytes`, 422, {
      field,
    });
  }
  if (!BASE64.test(content) || content.length % 4 === 1) throw invalidField(field, 'is not valid base64');
  const bytes = new Uint8Array(Buffer.from(content, 'base64'));
  const name = documentName(input.name, index);
  return { name, ...(await checkPdf(pdfs, bytes, field)), bytes, sha256: sha256Hex(bytes) };
}

/** Checks, in a worker of `pdfs`, that bytes are a readable, unencrypted PDF; returns its page count. */
export async function checkPdf(
  pdfs: Pick<UntrustedPdfs, 'inspect'>,
  bytes: Uint8Array,
  field: string,
): Promise<{ pageCount: number }> {
  return admitted(await whenWorkersFree(() => pdfs.inspect(bytes)), field);
}

/**
 * The page count of an admitted document; for any other, 422 `invalid_document` naming `field`,
 * with `reason` `not_pdf`, `corrupt`, `encrypted` or `too_complex`.
 */
export function admitted(admission: PdfAdmission, field: string): { pageCount: number } {
  if (admission.ok) return { pageCount: admission.pageCount };
  const problem = {
    not_pdf: 'is not a PDF',
    corrupt: 'is a corrupt PDF',
    encrypted: 'is an encrypted PDF; upload it without a password',
    too_complex: `is a PDF that ${'detail' in admission ? admission.detail : 'goes past the limits'}, more than this Signer allows`,
  }[admission.reason];
  throw new EnvelopeError('invalid_document', `${field}: ${problem}`, 422, { field, reason: admission.reason });
}

/** Runs a call on the PDF workers; a full queue is 503 `temporarily_unavailable` with `Retry-After`. */
export async function whenWorkersFree<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PdfPoolBusyError) throw busy(error);
    throw error;
  }
}

function busy(error: PdfPoolBusyError): OAuthError {
  return temporarilyUnavailable('documents are being checked at capacity; retry shortly', error.retryAfterSeconds);
}

/** Hex SHA-256, as the envelope shows for uploaded documents. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function documentName(name: string | undefined, index: number): string {
  // Control characters would end up in headers (Content-Disposition) and the certificate.
  const cleaned = (name ?? '')
    .split('')
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && !'"\\/'.includes(c))
    .join('')
    .trim()
    .slice(0, MAX_NAME);
  return cleaned || `document-${index + 1}.pdf`;
}

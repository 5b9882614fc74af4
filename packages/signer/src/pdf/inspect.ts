import { PDF } from '@libpdf/core';

/** What {@link inspectPdf} found: a usable PDF and its page count, or why it cannot be used. */
export type PdfInspection =
  | { ok: true; pageCount: number }
  | { ok: false; reason: 'not_pdf' | 'encrypted' | 'corrupt' };

// PDF 32000-1 §7.5.2 lets the header sit anywhere in the first 1024 bytes.
const HEADER_WINDOW = 1024;

/**
 * Checks that bytes are a PDF the Signer can sign: a `%PDF-` header, not encrypted, structurally
 * sound without repair (a truncated or damaged file would have to be rewritten, not appended to),
 * and at least one page.
 */
export async function inspectPdf(bytes: Uint8Array): Promise<PdfInspection> {
  const head = Buffer.from(bytes.subarray(0, HEADER_WINDOW)).toString('latin1');
  if (!head.includes('%PDF-')) return { ok: false, reason: 'not_pdf' };
  let document: PDF;
  try {
    document = await PDF.load(bytes);
  } catch (error) {
    return { ok: false, reason: isSecurityError(error) ? 'encrypted' : 'corrupt' };
  }
  if (document.isEncrypted) return { ok: false, reason: 'encrypted' };
  if (document.recoveredViaBruteForce) return { ok: false, reason: 'corrupt' };
  const pageCount = document.getPageCount();
  if (pageCount < 1) return { ok: false, reason: 'corrupt' };
  return { ok: true, pageCount };
}

function isSecurityError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /Security|Permission|Password|Decrypt/i.test(name);
}

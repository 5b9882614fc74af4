import { PDF, PdfNumber } from '@libpdf/core';

/** A signature as embedded in a PDF: its field, byte range and CMS, read from the file's bytes. */
export interface EmbeddedSignature {
  field: string;
  /** `signature` (a person's CMS signature) or `timestamp` (a /DocTimeStamp: an RFC 3161 token over the document, PAdES B-LTA). */
  kind: 'signature' | 'timestamp';
  /** `[offset1, length1, offset2, length2]`: the bytes signed are these two ranges. */
  byteRange: [number, number, number, number];
  /** Whether the byte range starts at 0, leaves out exactly one hex string and stays inside the file. */
  wellFormed: boolean;
  /** The DER CMS SignedData from /Contents (the hex in the gap, padding stripped); empty when unreadable. */
  cms: Uint8Array;
  /** The bytes the signature covers. */
  signedBytes: Uint8Array;
  /** Whether the second range ends at the end of the file. */
  coversWholeDocument: boolean;
}

/** Thrown when the bytes are not a PDF the signatures can be read from. */
export class PdfReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfReadError';
  }
}

/** Every signed signature field of `pdf`, in file order of their byte ranges. */
export async function extractSignatures(pdf: Uint8Array): Promise<EmbeddedSignature[]> {
  let document: PDF;
  try {
    document = await PDF.load(pdf);
  } catch {
    throw new PdfReadError('the file is not a readable PDF');
  }
  const found: EmbeddedSignature[] = [];
  for (const field of document.getForm()?.getSignatureFields() ?? []) {
    const dict = field.isSigned() ? field.getSignatureDict() : null;
    const array = dict?.getArray('ByteRange');
    if (array?.length !== 4) continue;
    const numbers = [0, 1, 2, 3].map((i) => {
      const item = array.at(i);
      return item instanceof PdfNumber && item.isInteger() ? item.value : -1;
    });
    const kind = dict?.getName('SubFilter')?.value === 'ETSI.RFC3161' ? 'timestamp' : 'signature';
    found.push({ kind, ...readSignature(pdf, field.name, numbers as [number, number, number, number]) });
  }
  return found.sort((a, b) => a.byteRange[2] - b.byteRange[2]);
}

function readSignature(
  pdf: Uint8Array,
  field: string,
  byteRange: [number, number, number, number],
): Omit<EmbeddedSignature, 'kind'> {
  const [start1, length1, start2, length2] = byteRange;
  const gapStart = start1 + length1;
  const inside = start1 === 0 && length1 > 0 && start2 > gapStart && length2 >= 0 && start2 + length2 <= pdf.length;
  const gap = inside ? Buffer.from(pdf.subarray(gapStart, start2)).toString('latin1') : '';
  // The gap must be exactly one hex string: nothing unsigned may hide next to the signature.
  const hex = /^<([0-9A-Fa-f]*)>$/.exec(gap)?.[1];
  const wellFormed = inside && hex !== undefined && hex.length % 2 === 0;
  const signedBytes = inside
    ? Buffer.concat([pdf.subarray(start1, gapStart), pdf.subarray(start2, start2 + length2)])
    : new Uint8Array(0);
  return {
    field,
    byteRange,
    wellFormed,
    cms: wellFormed && hex ? stripPadding(Buffer.from(hex, 'hex')) : new Uint8Array(0),
    signedBytes: new Uint8Array(signedBytes),
    coversWholeDocument: inside && start2 + length2 === pdf.length,
  };
}

/** The DER value at the start of `bytes`, without the zero padding that fills the reserved space. */
function stripPadding(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x30) return bytes;
  const first = bytes[1] ?? 0;
  if (first < 0x80) return bytes.subarray(0, 2 + first);
  const count = first & 0x7f;
  if (count === 0 || count > 4 || bytes.length < 2 + count) return bytes;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + (bytes[2 + i] ?? 0);
  return bytes.subarray(0, Math.min(bytes.length, 2 + count + length));
}

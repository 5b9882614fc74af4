import { type PDF, PdfArray, PdfDict, PdfName, PdfNumber, PdfStream } from '@libpdf/core';

/** Where a visible signature goes: page (1-based) and box in PDF points from the page's lower-left corner. */
export interface SignatureAppearance {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The text a visible signature shows. */
export interface AppearanceText {
  signerName: string;
  signingTime: Date;
  reason?: string;
}

/** Thrown for a box that is not on the document's pages; the caller maps it to its own error. */
export class AppearanceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppearanceError';
  }
}

const FONT_SIZE = 9;
const LINE = FONT_SIZE * 1.25;
// Print flag (PDF 32000-1 §12.5.3): a visible signature is printed too.
const PRINT = 4;

/**
 * Makes the signature field `fieldName` visible: a widget on the asked page with a drawn box
 * ("Digitally signed by …", date, reason), all in the same incremental update as the signature,
 * so the appearance is itself signed.
 *
 * @libpdf/core's `sign()` always writes an invisible widget on page 1 (Rect 0 0 0 0) just before
 * it saves; the field is created here, and the one incremental save of the signing is wrapped to
 * give the widget its place and appearance at that moment. Throws {@link AppearanceError} when
 * the box is not inside the page.
 */
export function drawSignatureAppearance(
  document: PDF,
  fieldName: string,
  appearance: SignatureAppearance,
  text: AppearanceText,
): void {
  const page = document.getPage(appearance.page - 1);
  if (!Number.isInteger(appearance.page) || !page) {
    throw new AppearanceError(`page ${appearance.page} does not exist (the document has ${document.getPageCount()})`);
  }
  const { x, y, width, height } = appearance;
  const box = page.getMediaBox();
  const inside =
    [x, y, width, height].every(Number.isFinite) &&
    width > 0 &&
    height > 0 &&
    x >= box.x &&
    y >= box.y &&
    x + width <= box.x + box.width &&
    y + height <= box.y + box.height;
  if (!inside) throw new AppearanceError('the signature box must lie inside the page');

  const registry = document.context.registry;
  const field = document.getOrCreateForm().createSignatureField(fieldName).getDict();
  const appearanceRef = registry.register(appearanceStream(width, height, text));
  const save = document.save.bind(document);
  let placed = false;
  document.save = async (options) => {
    if (options?.incremental && !placed) {
      placed = true;
      field.set('Rect', numbers([x, y, x + width, y + height]));
      field.set('P', page.ref);
      field.set('F', PdfNumber.of(PRINT));
      field.set('AP', PdfDict.of({ N: appearanceRef }));
      const fieldRef = registry.getRef(field);
      if (fieldRef) {
        const annots = page.dict.getArray('Annots', registry.resolve.bind(registry));
        if (annots) annots.push(fieldRef);
        else page.dict.set('Annots', new PdfArray([fieldRef]));
      }
    }
    return save(options);
  };
}

function appearanceStream(width: number, height: number, text: AppearanceText): PdfStream {
  const lines = [
    `Digitally signed by ${text.signerName}`,
    `Date: ${text.signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    ...(text.reason ? [`Reason: ${text.reason}`] : []),
  ];
  const ops = [
    'q',
    '0.97 0.97 1 rg 0.2 0.3 0.6 RG 1 w',
    `0.5 0.5 ${fixed(width - 1)} ${fixed(height - 1)} re B`,
    // Clip to the box: a long name is cut at the edge rather than drawn over the page.
    `1 1 ${fixed(width - 2)} ${fixed(height - 2)} re W n`,
    'BT 0 0 0 rg',
    `/F1 ${FONT_SIZE} Tf`,
    `4 ${fixed(height - 4 - FONT_SIZE)} Td`,
    `${LINE} TL`,
    ...lines.map((line, i) => `${i === 0 ? '' : 'T* '}(${pdfText(line)}) Tj`),
    'ET Q',
  ];
  const font = PdfDict.of({
    Type: PdfName.of('Font'),
    Subtype: PdfName.of('Type1'),
    BaseFont: PdfName.of('Helvetica'),
    Encoding: PdfName.of('WinAnsiEncoding'),
  });
  return PdfStream.fromDict(
    {
      Type: PdfName.of('XObject'),
      Subtype: PdfName.of('Form'),
      BBox: numbers([0, 0, width, height]),
      Resources: PdfDict.of({ Font: PdfDict.of({ F1: font }) }),
    },
    new Uint8Array(Buffer.from(ops.join('\n'), 'latin1')),
  );
}

/** A PDF literal string body in WinAnsi (Latin-1 here); characters outside it become `?`. */
function pdfText(text: string): string {
  return [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0xff ? '?' : c))
    .join('')
    .replace(/[\\()]/g, (c) => `\\${c}`);
}

function numbers(values: number[]): PdfArray {
  return new PdfArray(values.map((v) => PdfNumber.of(Number(v.toFixed(2)))));
}

function fixed(value: number): string {
  return String(Number(value.toFixed(2)));
}

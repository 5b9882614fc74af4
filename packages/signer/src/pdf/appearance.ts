import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type EmbeddedFont,
  type PDF,
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  type PdfRef,
  PdfStream,
} from '@libpdf/core';

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

// DejaVu Sans (dejavu-fonts-ttf; Bitstream Vera licence + public domain): Latin, Greek, Cyrillic
// and more, so names such as "Núñez" render on every viewer; embedded as a subset.
const FONT_FILE = 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf';
// DejaVu Sans's ascender and descender (hhea), in ems.
const ASCENT = 0.928;
const DESCENT = 0.236;
const LEADING = 1.2;
/** The text is set at the largest of these sizes (points) at which every line fits the box. */
const MAX_FONT_SIZE = 10;
const MIN_FONT_SIZE = 4;
const PADDING = 4;
// Print flag (PDF 32000-1 §12.5.3): a visible signature is printed too.
const PRINT = 4;

let fontBytes: Uint8Array | undefined;
function fontProgram(): Uint8Array {
  fontBytes ??= new Uint8Array(readFileSync(createRequire(import.meta.url).resolve(FONT_FILE)));
  return fontBytes;
}

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
  const font = document.embedFont(fontProgram());
  const appearanceRef = registry.register(appearanceStream(width, height, text, font, font.ref));
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
    // Subset the font: only the glyphs of this box are embedded, not the whole 700 KB program.
    return save(options?.incremental ? { ...options, subsetFonts: true } : options);
  };
}

function appearanceStream(
  width: number,
  height: number,
  text: AppearanceText,
  font: EmbeddedFont,
  fontRef: PdfRef,
): PdfStream {
  const paragraphs = [
    `Digitally signed by ${text.signerName}`,
    `Date: ${text.signingTime.toISOString().replace('T', ' ').slice(0, 19)} UTC`,
    ...(text.reason ? [`Reason: ${text.reason}`] : []),
  ].map((p) => printable(p, font));
  const { size, lines } = layOut(paragraphs, width - 2 * PADDING, height - 2 * PADDING, font);
  const leading = size * LEADING;
  // Centre the block vertically; the first baseline sits one ascent below its top.
  const block = (lines.length - 1) * leading + (ASCENT + DESCENT) * size;
  const top = height / 2 + block / 2;
  const ops = [
    'q',
    '0.97 0.97 1 rg 0.2 0.3 0.6 RG 1 w',
    `0.5 0.5 ${fixed(width - 1)} ${fixed(height - 1)} re B`,
    // The layout keeps the text inside; the clip only guards the border against rounding.
    `1 1 ${fixed(width - 2)} ${fixed(height - 2)} re W n`,
    'BT 0 0 0 rg',
    `/F1 ${fixed(size)} Tf`,
    `${PADDING} ${fixed(top - ASCENT * size)} Td`,
    `${fixed(leading)} TL`,
    ...lines.map((line, i) => `${i === 0 ? '' : 'T* '}<${glyphHex(line, font)}> Tj`),
    'ET Q',
  ];
  return PdfStream.fromDict(
    {
      Type: PdfName.of('XObject'),
      Subtype: PdfName.of('Form'),
      BBox: numbers([0, 0, width, height]),
      Resources: PdfDict.of({ Font: PdfDict.of({ F1: fontRef }) }),
    },
    new Uint8Array(Buffer.from(ops.join('\n'), 'latin1')),
  );
}

/**
 * The largest font size (down to {@link MIN_FONT_SIZE}) at which the paragraphs, wrapped at word
 * boundaries (a word too long for a line is broken), fit `width` × `height`. At the smallest size
 * whatever still does not fit is cut to the lines that do, the last one ending in `…`.
 */
export function layOut(
  paragraphs: string[],
  width: number,
  height: number,
  font: { getTextWidth(text: string, size: number): number },
): { size: number; lines: string[] } {
  for (let size = MAX_FONT_SIZE; size >= MIN_FONT_SIZE; size -= 0.5) {
    const lines = paragraphs.flatMap((p) => wrap(p, width, size, font));
    if (blockHeight(lines.length, size) <= height) return { size, lines };
  }
  const size = MIN_FONT_SIZE;
  const lines = paragraphs.flatMap((p) => wrap(p, width, size, font));
  let fit = lines.length;
  while (fit > 1 && blockHeight(fit, size) > height) fit--;
  const kept = lines.slice(0, fit);
  if (fit < lines.length) {
    let last = kept[fit - 1] ?? '';
    while (last && font.getTextWidth(`${last}…`, size) > width) last = last.slice(0, -1);
    kept[fit - 1] = `${last}…`;
  }
  return { size, lines: kept };
}

function blockHeight(lines: number, size: number): number {
  return (lines - 1) * size * LEADING + (ASCENT + DESCENT) * size;
}

function wrap(
  paragraph: string,
  width: number,
  size: number,
  font: { getTextWidth(text: string, size: number): number },
): string[] {
  const fits = (t: string) => font.getTextWidth(t, size) <= width;
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (fits(candidate)) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = '';
    // A word wider than the line is broken wherever it has to be.
    let rest = word;
    while (!fits(rest)) {
      let cut = [...rest].length - 1;
      while (cut > 1 && !fits([...rest].slice(0, cut).join(''))) cut--;
      lines.push([...rest].slice(0, cut).join(''));
      rest = [...rest].slice(cut).join('');
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

/** The text with control characters and characters the font has no glyph for replaced by `?`. */
function printable(text: string, font: EmbeddedFont): string {
  const missing = new Set(font.getUnencodableCharacters(text));
  return [...text].map((c) => (/\p{Cc}/u.test(c) || missing.has(c) ? '?' : c)).join('');
}

/** Identity-H: the content stream shows glyph ids, two bytes each (hex string). */
function glyphHex(text: string, font: EmbeddedFont): string {
  return font
    .encodeTextToGids(text)
    .map((gid) => gid.toString(16).padStart(4, '0'))
    .join('');
}

function numbers(values: number[]): PdfArray {
  return new PdfArray(values.map((v) => PdfNumber.of(Number(v.toFixed(2)))));
}

function fixed(value: number): string {
  return String(Number(value.toFixed(2)));
}

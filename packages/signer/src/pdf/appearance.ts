import type { PDF } from '@libpdf/core';

/** Where a visible signature goes: page (1-based) and box in PDF points from the page's lower-left corner. */
export interface SignatureAppearance {
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Draws nothing yet: placeholder so sign.ts compiles while the appearance is written. */
export function drawSignatureAppearance(
  _document: PDF,
  _fieldName: string,
  _appearance: SignatureAppearance,
  _text: { signerName: string; signingTime: Date; reason?: string },
): void {}

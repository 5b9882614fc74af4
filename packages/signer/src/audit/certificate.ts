import { PDF, type PDFPage, rgb, StandardFonts } from '@libpdf/core';
import type { AuditEvent, Envelope } from '@signet/protocol';

const PAGE_TOP = 790;
const PAGE_BOTTOM = 50;
const LEFT = 50;
const WIDTH = 495;

/**
 * The certificate of completion: the envelope, its documents (with the SHA-256 of what was
 * uploaded), its signers and every audit event, as a PDF. The standard PDF fonts only cover
 * Latin-1, so any other character is shown as `?` rather than failing the download.
 */
export async function certificateOfCompletion(
  envelope: Envelope,
  events: AuditEvent[],
  issuedAt: Date,
): Promise<Uint8Array> {
  const pdf = PDF.create();
  let page = pdf.addPage({ size: 'a4' });
  let y = PAGE_TOP;
  const write = (text: string, options: { size?: number; bold?: boolean; indent?: number } = {}) => {
    const size = options.size ?? 9;
    const lineHeight = size * 1.35;
    const indent = options.indent ?? 0;
    for (const line of wrap(latin1(text), Math.floor((WIDTH - indent) / (size * 0.5)))) {
      if (y - lineHeight < PAGE_BOTTOM) {
        page = pdf.addPage({ size: 'a4' });
        y = PAGE_TOP;
      }
      drawLine(page, line, LEFT + indent, y, size, options.bold === true);
      y -= lineHeight;
    }
  };
  const gap = () => {
    y -= 8;
  };

  write('Certificate of completion', { size: 18, bold: true });
  write(`Issued ${issuedAt.toISOString()} by Signet`, { size: 9 });
  gap();
  write('Envelope', { size: 12, bold: true });
  write(`Id: ${envelope.id}`);
  write(`Status: ${envelope.status}${envelope.statusReason ? ` (${envelope.statusReason})` : ''}`);
  write(`Initiative: ${envelope.issuer.initiative}   Nonce: ${envelope.issuer.nonce}`);
  write(`Created: ${envelope.createdAt}   Finished: ${envelope.finishedAt ?? '-'}`);
  gap();
  write('Documents', { size: 12, bold: true });
  for (const document of envelope.documents) {
    write(
      `#${document.index} ${document.name} - ${document.pageCount} page(s), ${document.signatureCount} signature(s)`,
    );
    write(`SHA-256 as uploaded: ${document.originalSha256}`, { indent: 12, size: 8 });
  }
  gap();
  write('Signers', { size: 12, bold: true });
  for (const person of envelope.persons) {
    const contact = person.email ? ` <${person.email}>` : '';
    write(
      `#${person.index} ${person.name}${contact} - ${person.status}${person.signedAt ? ` at ${person.signedAt}` : ''} (identified by ${person.identifiedBy === 'id_token' ? 'id_token' : 'invitation'})`,
    );
  }
  gap();
  write('Audit trail', { size: 12, bold: true });
  for (const event of events) {
    const actor = event.actor.name ? `${event.actor.name} (${event.actor.id})` : event.actor.id;
    write(`${event.occurredAt}  ${event.type}  by ${event.actor.type} ${actor}`);
    const origin = [event.ip ? `IP ${event.ip}` : null, event.userAgent ? `UA ${event.userAgent}` : null]
      .filter(Boolean)
      .join('  ');
    if (origin) write(origin, { indent: 12, size: 8 });
    if (Object.keys(event.data).length > 0) write(JSON.stringify(event.data), { indent: 12, size: 8 });
  }
  return pdf.save();
}

function drawLine(page: PDFPage, text: string, x: number, y: number, size: number, bold: boolean): void {
  page.drawText(text, {
    x,
    y,
    size,
    font: bold ? StandardFonts.HelveticaBold : StandardFonts.Helvetica,
    color: rgb(0, 0, 0),
  });
}

/** Printable Latin-1 only: the standard fonts' WinAnsi encoding has nothing else. */
function latin1(text: string): string {
  return text.replace(/[^\x20-\x7E\xA0-\xFF]/g, '?');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let rest = text; rest.length > 0; ) {
    if (rest.length <= width) {
      lines.push(rest);
      break;
    }
    const space = rest.lastIndexOf(' ', width);
    const cut = space > width / 2 ? space : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  return lines.length > 0 ? lines : [''];
}

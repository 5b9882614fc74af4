import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type EmbeddedFont, PDF, type PDFPage, type RGB, rgb, StandardFonts } from '@libpdf/core';
import type { AuditEvent, Envelope } from '@signet/protocol';
import { signPdf } from '../pdf/sign.js';
import type { CertificateAuthority } from '../pki/authority.js';
import type { CertificateMessages, Plural } from '../signing-page/i18n/index.js';
import { MESSAGES } from '../signing-page/i18n/index.js';
import type { Locale } from '../signing-page/locale.js';

/** Options of {@link certificateOfCompletion}. */
export interface CertificateOptions {
  /** When the certificate is issued (and sealed). */
  issuedAt: Date;
  /** Language of the text. Default `en`. */
  locale?: Locale;
  /** IANA time zone every time is shown in, with its UTC offset. Default `UTC`. */
  timeZone?: string;
  /** Who issues it: the seal's organisation. Default `Signet`. */
  organization?: string;
  /** The seal's common name, for the note that says the certificate is sealed; omitted when unsealed. */
  sealName?: string;
}

/** Whether `timeZone` is an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * The certificate of completion sealed by the Signer: {@link certificateOfCompletion} signed with
 * the CA's organisation seal credential and timestamped by its timestamp authority (PAdES, at
 * whatever level `signPdf` makes).
 */
export async function sealedCertificateOfCompletion(
  ca: CertificateAuthority,
  envelope: Envelope,
  events: AuditEvent[],
  options: Omit<CertificateOptions, 'sealName' | 'organization'>,
): Promise<Uint8Array> {
  const seal = await ca.sealCredential();
  const organization = seal.certificate.subjectName.getField('O')[0] ?? 'Signet';
  const pdf = await certificateOfCompletion(envelope, events, {
    ...options,
    organization,
    sealName: seal.identity.name,
  });
  return signPdf(pdf, {
    credential: seal,
    timestampAuthority: ca.timestampAuthority,
    validationData: ca.validationData,
    signingTime: options.issuedAt,
    reason: MESSAGES[options.locale ?? 'en'].certificate.sealReason,
  });
}

// A4 in points, with 50 pt margins; the footer sits in the bottom margin.
const PAGE = { width: 595.28, height: 841.89 };
const LEFT = 50;
const RIGHT = PAGE.width - 50;
const TOP = PAGE.height - 56;
const BOTTOM = 64;
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.38, 0.38, 0.42);
const RULE = rgb(0.8, 0.8, 0.84);
/** Events: the time in a column of its own, the sentence beside it. */
const TIME_COLUMN = 124;

interface Fonts {
  regular: EmbeddedFont;
  bold: EmbeddedFont;
}

/** One line to draw, already wrapped to its width. */
interface Line {
  text: string;
  font: EmbeddedFont | typeof StandardFonts.Courier;
  size: number;
  color: RGB;
  x: number;
  /** Vertical space the line takes. */
  height: number;
}

let fontFiles: { regular: Uint8Array; bold: Uint8Array } | undefined;

/** Noto Sans (SIL OFL), embedded and subset: Latin with accents, Greek and Cyrillic, unlike the standard fonts' Latin-1. */
function loadFontFiles(): { regular: Uint8Array; bold: Uint8Array } {
  if (!fontFiles) {
    const require = createRequire(import.meta.url);
    const file = (path: string) =>
      new Uint8Array(readFileSync(require.resolve(`@expo-google-fonts/noto-sans/${path}`)));
    fontFiles = { regular: file('400Regular/NotoSans_400Regular.ttf'), bold: file('700Bold/NotoSans_700Bold.ttf') };
  }
  return fontFiles;
}

/**
 * The certificate of completion: the envelope, its documents with the SHA-256 fingerprint of what
 * was uploaded, its signers, and every audit event as a sentence, in English or Spanish, with
 * times in one time zone (labelled, each with its UTC offset), persons by name, each fingerprint
 * whole on a line of its own in a monospaced font, and "Page n of N" on every page.
 */
export async function certificateOfCompletion(
  envelope: Envelope,
  events: AuditEvent[],
  options: CertificateOptions,
): Promise<Uint8Array> {
  const locale = options.locale ?? 'en';
  const t = MESSAGES[locale].certificate;
  const timeZone = options.timeZone ?? 'UTC';
  const time = timeFormatter(locale, timeZone);
  const pdf = PDF.create();
  const files = loadFontFiles();
  const fonts: Fonts = { regular: pdf.embedFont(files.regular), bold: pdf.embedFont(files.bold) };
  pdf.setTitle(`${t.title} · ${envelope.id}`);
  pdf.setLanguage(locale);
  const layout = new Layout(pdf, fonts);
  const plural = (forms: Plural, count: number) =>
    fill(new Intl.PluralRules(locale).select(count) === 'one' ? forms.one : forms.other, { count: String(count) });

  // Title block.
  layout.block([
    ...layout.wrap(t.title, { font: fonts.bold, size: 20, height: 28 }),
    ...layout.wrap(fill(t.issued, { time: time(options.issuedAt), organization: options.organization ?? 'Signet' }), {
      color: MUTED,
    }),
    ...layout.wrap(fill(t.timeZone, { zone: timeZone }), { color: MUTED }),
    ...(options.sealName ? layout.wrap(fill(t.sealNote, { seal: options.sealName }), { color: MUTED }) : []),
  ]);

  // The envelope.
  layout.heading(t.envelope.heading);
  const field = (label: string, value: string) => layout.field(label, value);
  field(t.envelope.reference, envelope.id);
  field(t.envelope.status, t.statuses[envelope.status]);
  if (envelope.statusReason) field(t.envelope.reason, `“${envelope.statusReason}”`);
  field(t.envelope.requestedBy, capitalize(fill(t.actors.client, { id: envelope.issuer.initiative })));
  field(t.envelope.requesterReference, envelope.issuer.nonce);
  field(t.envelope.created, time(envelope.createdAt));
  field(t.envelope.expires, envelope.expiresAt ? time(envelope.expiresAt) : t.envelope.never);
  if (envelope.finishedAt) field(t.envelope.finished, time(envelope.finishedAt));

  // Documents.
  layout.heading(t.documents.heading);
  for (const document of envelope.documents) {
    layout.block([
      ...layout.wrap(`${document.index + 1}. ${document.name}`, { font: fonts.bold }),
      ...layout.wrap(
        `${plural(t.documents.pages, document.pageCount)} · ${plural(t.documents.signatures, document.signatureCount)}`,
        { color: MUTED },
      ),
      ...layout.wrap(t.documents.uploadedHash, { color: MUTED, size: 8.5 }),
      layout.hash(document.originalSha256, LEFT),
    ]);
  }

  // Signers.
  layout.heading(t.signers.heading);
  for (const person of envelope.persons) {
    const status =
      person.status === 'signed' && person.signedAt
        ? fill(t.signers.signed, { time: time(person.signedAt) })
        : person.status === 'rejected'
          ? t.signers.rejected
          : t.signers.pending;
    const identified =
      person.identifiedBy === 'id_token'
        ? t.signers.byIdToken
        : fill(t.signers.byInvitation, { email: person.email ?? '' });
    layout.block([
      ...layout.wrap(`${person.index + 1}. ${person.name}${person.email ? ` · ${person.email}` : ''}`, {
        font: fonts.bold,
      }),
      ...layout.wrap(`${status} · ${identified}`, { color: MUTED }),
    ]);
  }

  // Events.
  layout.heading(t.events.heading);
  for (const event of events) {
    const at = new Date(event.occurredAt);
    const [day, clock] = time.parts(at);
    const x = LEFT + TIME_COLUMN;
    const lines: Line[] = [];
    lines.push(...layout.wrap(sentence(t, event, envelope, time), { x }));
    const sha256 = typeof event.data.sha256 === 'string' ? event.data.sha256 : undefined;
    if (event.type === 'document.signed' && sha256) {
      lines.push(...layout.wrap(t.events.signedHash, { x, color: MUTED, size: 8.5 }));
      lines.push(layout.hash(sha256, x));
    }
    const reason = typeof event.data.reason === 'string' ? event.data.reason : undefined;
    if (reason) lines.push(...layout.wrap(fill(t.events.reason, { reason }), { x, color: MUTED }));
    if (event.ip) lines.push(...layout.wrap(fill(t.events.ip, { ip: event.ip }), { x, color: MUTED, size: 8 }));
    if (event.userAgent) {
      lines.push(
        ...layout.wrap(fill(t.events.userAgent, { userAgent: event.userAgent }), { x, color: MUTED, size: 8 }),
      );
    }
    layout.block(lines, [
      ...layout.wrap(day, { font: fonts.bold, size: 8.5 }),
      ...layout.wrap(clock, { size: 8.5, color: MUTED }),
    ]);
  }

  layout.footers(`${t.title} · ${envelope.id}`, (page, pages) =>
    fill(t.page, { page: String(page), pages: String(pages) }),
  );
  return pdf.save({ subsetFonts: true });
}

/** The sentence that tells what an audit event records, with names instead of ids. */
function sentence(t: CertificateMessages, event: AuditEvent, envelope: Envelope, time: TimeFormatter): string {
  const data = event.data;
  const personIndex =
    typeof data.person === 'number'
      ? data.person
      : event.actor.personIndex !== undefined
        ? event.actor.personIndex
        : -1;
  const person = envelope.persons[personIndex];
  const name =
    (typeof data.name === 'string' ? data.name : undefined) ?? event.actor.name ?? person?.name ?? t.actors.person;
  const actor =
    event.actor.type === 'client'
      ? fill(t.actors.client, { id: event.actor.id })
      : event.actor.type === 'system'
        ? t.actors.system
        : (event.actor.name ?? person?.name ?? t.actors.person);
  const document =
    typeof data.document === 'number' ? (envelope.documents[data.document]?.name ?? `#${data.document + 1}`) : '';
  const email =
    typeof data.email === 'string'
      ? data.email
      : typeof data.invitedEmail === 'string'
        ? data.invitedEmail
        : (person?.email ?? '');
  const values: Record<string, string> = { actor, name, document, email };
  const count = (forms: Plural, n: number) => fill(n === 1 ? forms.one : forms.other, { count: String(n) });
  let template: string;
  switch (event.type) {
    case 'envelope.created': {
      const documents = Array.isArray(data.documents) ? data.documents.length : envelope.documents.length;
      const persons = typeof data.persons === 'number' ? data.persons : envelope.persons.length;
      values.documents = count(t.events.documents, documents);
      values.signers = count(t.events.signers, persons);
      template = t.events.created;
      break;
    }
    case 'person.identified':
      if (data.method === 'id_token') {
        values.acr = typeof data.acr === 'string' ? data.acr : '-';
        values.time = typeof data.authTime === 'number' ? time(new Date(data.authTime * 1000)) : '-';
        template = t.events.identifiedByIdToken;
      } else {
        template = t.events.identifiedByInvitation;
      }
      break;
    case 'invitation.created':
      if (typeof data.expiresAt === 'string' || typeof data.expiresAt === 'number') {
        // Recorded as epoch seconds by create (and resend); as ISO text by older versions.
        values.time = time(typeof data.expiresAt === 'number' ? new Date(data.expiresAt * 1000) : data.expiresAt);
        template = t.events.invited;
      } else {
        template = t.events.invitedNoExpiry;
      }
      break;
    case 'invitation.opened':
      template = t.events.opened;
      break;
    case 'invitation.resent':
      template = t.events.resent;
      break;
    case 'email.sent':
    case 'email.failed': {
      const kind = data.kind === 'reminder' || data.kind === 'completion' ? data.kind : 'invitation';
      values.kind = t.events.emailKinds[kind];
      template = event.type === 'email.sent' ? t.events.emailSent : t.events.emailFailed;
      break;
    }
    case 'document.signed':
      template = t.events.documentSigned;
      break;
    case 'person.signed':
      template = t.events.personSigned;
      break;
    case 'envelope.completed':
      template = t.events.completed;
      break;
    case 'envelope.rejected':
      template = t.events.rejected;
      break;
    case 'envelope.canceled':
      template = t.events.canceled;
      break;
    case 'envelope.expired':
      template = t.events.expired;
      break;
    case 'document.downloaded':
      values.version = data.version === 'original' ? t.events.versions.original : t.events.versions.current;
      template = t.events.downloaded;
      break;
    default:
      values.type = String(event.type);
      template = t.events.other;
  }
  return capitalize(fill(template, values));
}

/** Fills `{name}` placeholders; an unknown one stays as written. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

interface TimeFormatter {
  (value: Date | string): string;
  /** The date and the time with its offset, apart (for the events' time column). */
  parts(value: Date): [string, string];
}

/** Times as `5 Dec 2026, 13:20:13 UTC+01:00` in the locale's words, in `timeZone`. */
function timeFormatter(locale: Locale, timeZone: string): TimeFormatter {
  const tag = locale === 'es' ? 'es-ES' : 'en-GB';
  const date = new Intl.DateTimeFormat(tag, { timeZone, day: 'numeric', month: 'short', year: 'numeric' });
  const clock = new Intl.DateTimeFormat(tag, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const zone = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offset = (at: Date) => {
    const name = zone.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    return name === 'GMT' ? 'UTC+00:00' : name.replace('GMT', 'UTC');
  };
  const parts = (at: Date): [string, string] => [date.format(at), `${clock.format(at)} ${offset(at)}`];
  const format = (value: Date | string) => {
    const [day, rest] = parts(typeof value === 'string' ? new Date(value) : value);
    return `${day}, ${rest}`;
  };
  return Object.assign(format, { parts });
}

/** Characters `font` cannot draw become `?`; control characters are dropped. */
function printable(text: string, font: EmbeddedFont): string {
  let out = '';
  for (const char of text.replace(/[\p{Cc}\p{Cf}]/gu, '')) out += font.canEncode(char) ? char : '?';
  return out;
}

interface WrapOptions {
  font?: EmbeddedFont;
  size?: number;
  color?: RGB;
  x?: number;
  /** Line height. Default 1.45 × size. */
  height?: number;
  /** Width to wrap to. Default: from `x` to the right margin. */
  width?: number;
}

/** Places lines top to bottom, page after page, keeping each block on one page when it fits. */
class Layout {
  private readonly pages: PDFPage[] = [];
  private y = TOP;

  constructor(
    private readonly pdf: PDF,
    private readonly fonts: Fonts,
  ) {
    this.newPage();
  }

  private get page(): PDFPage {
    const page = this.pages.at(-1);
    if (!page) throw new Error('no page');
    return page;
  }

  private newPage(): void {
    this.pages.push(this.pdf.addPage({ width: PAGE.width, height: PAGE.height }));
    this.y = TOP;
  }

  /** `text` wrapped to the space right of `x`, breaking inside a word only when the word alone is too wide. */
  wrap(text: string, options: WrapOptions = {}): Line[] {
    const font = options.font ?? this.fonts.regular;
    const size = options.size ?? 9.5;
    const x = options.x ?? LEFT;
    const width = options.width ?? RIGHT - x;
    const style = { font, size, color: options.color ?? INK, x, height: options.height ?? size * 1.45 };
    const fits = (s: string) => font.widthOfTextAtSize(s, size) <= width;
    const lines: Line[] = [];
    let current = '';
    for (const word of printable(text, font).split(/ +/)) {
      const candidate = current ? `${current} ${word}` : word;
      if (fits(candidate)) {
        current = candidate;
        continue;
      }
      if (current) lines.push({ ...style, text: current });
      current = '';
      // A word wider than the line (a long URL or user agent) is cut where it must be.
      let rest = word;
      while (!fits(rest)) {
        let cut = rest.length - 1;
        while (cut > 1 && !fits(rest.slice(0, cut))) cut--;
        lines.push({ ...style, text: rest.slice(0, cut) });
        rest = rest.slice(cut);
      }
      current = rest;
    }
    lines.push({ ...style, text: current });
    return lines;
  }

  /** A SHA-256 fingerprint, whole on one line: monospaced, in eight groups of eight hex digits. */
  hash(hex: string, x: number): Line {
    const groups = hex.toLowerCase().match(/.{1,8}/g) ?? [];
    return { text: groups.join(' '), font: StandardFonts.Courier, size: 8.5, color: INK, x, height: 14 };
  }

  heading(text: string): void {
    this.y -= 10;
    const lines = this.wrap(text, { font: this.fonts.bold, size: 13, height: 20 });
    // Keep a heading with at least a few lines of what follows it.
    this.ensure(lines.reduce((h, l) => h + l.height, 0) + 60);
    this.rule();
    this.place(lines);
  }

  field(label: string, value: string): void {
    const labelLines = this.wrap(label, { color: MUTED, width: TIME_COLUMN - 8 });
    const valueLines = this.wrap(value, { x: LEFT + TIME_COLUMN });
    this.block(valueLines, labelLines);
  }

  /** Lines kept together on one page when they fit; `aside` are placed in the left column beside them. */
  block(lines: Line[], aside: Line[] = []): void {
    const height = Math.max(
      lines.reduce((h, l) => h + l.height, 0),
      aside.reduce((h, l) => h + l.height, 0),
    );
    this.ensure(height);
    const top = this.y;
    this.place(aside);
    const asideBottom = this.y;
    this.y = top;
    this.place(lines);
    this.y = Math.min(this.y, asideBottom) - 5;
  }

  /** Draws "`left`" and "Page n of N" at the foot of every page, once the number of pages is known. */
  footers(left: string, pageLabel: (page: number, pages: number) => string): void {
    const total = this.pages.length;
    for (const [i, page] of this.pages.entries()) {
      const size = 8;
      page.drawLine({
        start: { x: LEFT, y: BOTTOM - 14 },
        end: { x: RIGHT, y: BOTTOM - 14 },
        color: RULE,
        thickness: 0.5,
      });
      const font = this.fonts.regular;
      page.drawText(printable(left, font), { x: LEFT, y: BOTTOM - 28, size, font, color: MUTED });
      const label = pageLabel(i + 1, total);
      const width = font.widthOfTextAtSize(label, size);
      page.drawText(label, { x: RIGHT - width, y: BOTTOM - 28, size, font, color: MUTED });
    }
  }

  private ensure(height: number): void {
    if (this.y - height < BOTTOM && this.y < TOP) this.newPage();
  }

  private rule(): void {
    this.page.drawLine({
      start: { x: LEFT, y: this.y + 2 },
      end: { x: RIGHT, y: this.y + 2 },
      color: RULE,
      thickness: 0.5,
    });
    this.y -= 6;
  }

  private place(lines: Line[]): void {
    for (const line of lines) {
      if (this.y - line.height < BOTTOM) this.newPage();
      this.y -= line.height;
      this.page.drawText(line.text, {
        x: line.x,
        y: this.y + line.height * 0.28,
        size: line.size,
        font: line.font,
        color: line.color,
      });
    }
  }
}

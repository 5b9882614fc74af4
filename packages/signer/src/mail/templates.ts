import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { MAIL_MESSAGES, type MailLocale } from './messages.js';

/** What every email is made of, before it is rendered. */
export interface MailContent {
  subject: string;
  html: string;
  text: string;
}

/** The facts an email tells, in any language. */
export interface MailFacts {
  kind: 'invitation' | 'reminder' | 'completion';
  locale: MailLocale;
  /** The integrator's name (`issuer.name`, else its client id). */
  sender: string;
  /** The person's name as invited. */
  name: string;
  /** The names of the documents the email is about. */
  documents: string[];
  /** The signing link (invitations and reminders). */
  link?: string;
  /** When the link stops working, epoch seconds (invitations and reminders). */
  expiresAt?: number;
  /** Completion: whether the signed PDFs are attached. */
  attached?: boolean;
}

// autoEscape: `<%= %>` escapes & < > " ' — every name, document name and link in the HTML part
// comes from integrators or persons, never trusted as markup.
const eta = new Eta({ views: fileURLToPath(new URL('./views/', import.meta.url)), cache: true, autoEscape: true });

const fill = (template: string, values: Record<string, string>): string =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);

/** No line breaks or other control characters: a subject is one header line. */
const oneLine = (text: string): string =>
  [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/ +/g, ' ')
    .trim();

function formatTime(locale: MailLocale, seconds: number): string {
  const date = new Intl.DateTimeFormat(locale === 'es' ? 'es-ES' : 'en-GB', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(new Date(seconds * 1000));
  return fill(MAIL_MESSAGES[locale].time, { date });
}

/** The subject, the HTML part (escaped) and the plain-text part of one email. */
export function renderMail(facts: MailFacts): MailContent {
  const t = MAIL_MESSAGES[facts.locale];
  const sender = oneLine(facts.sender);
  const values = {
    sender,
    name: oneLine(facts.name),
    documents: facts.documents.map(oneLine).join(', '),
    time: facts.expiresAt === undefined ? '' : formatTime(facts.locale, facts.expiresAt),
  };
  const paragraphs = [fill(t.greeting, values)];
  let heading: string;
  let subject: string;
  let after: string[] = [];
  let button: { href: string; label: string; fallback: string } | undefined;
  if (facts.kind === 'completion') {
    heading = t.completion.heading;
    subject = fill(t.completion.subject, values);
    paragraphs.push(fill(t.completion.lead, values));
    after = [fill(facts.attached ? t.completion.attached : t.completion.notAttached, values)];
  } else {
    const m = facts.kind === 'invitation' ? t.invitation : t.reminder;
    heading = m.heading;
    subject = fill(m.subject, values);
    paragraphs.push(fill(m.lead, values));
    after = [fill(m.expiry, values)];
    button = { href: facts.link ?? '', label: m.button, fallback: t.fallback };
  }
  const footer = fill(t.footer, values);
  const html = eta.render('./mail', {
    locale: facts.locale,
    subject: oneLine(subject),
    brand: t.brand,
    heading,
    paragraphs,
    documents: facts.documents,
    after,
    button,
    footer,
  });
  const text = [
    ...paragraphs,
    '',
    ...facts.documents.map((d) => `  - ${oneLine(d)}`),
    '',
    ...after,
    ...(button ? ['', `${button.label}: ${button.href}`] : []),
    '',
    '--',
    footer,
    '',
  ].join('\n');
  return { subject: oneLine(subject), html, text };
}

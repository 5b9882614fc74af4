/** The languages emails are written in; a person's `locale`, else English. */
export type MailLocale = 'en' | 'es';

/** Every text of the Signer's emails in one language. Placeholders in braces are filled, then escaped in HTML. */
export interface MailMessages {
  brand: string;
  invitation: { subject: string; heading: string; lead: string; expiry: string; button: string };
  reminder: { subject: string; heading: string; lead: string; expiry: string; button: string };
  completion: { subject: string; heading: string; lead: string; attached: string; notAttached: string };
  /** The link in words, under the button, for mail clients that hide buttons. */
  fallback: string;
  greeting: string;
  footer: string;
  /** How a moment is written: `{date}` (in UTC). */
  time: string;
}

const en: MailMessages = {
  brand: 'Signet',
  invitation: {
    subject: '{sender} asks you to sign {documents}',
    heading: 'Documents to sign',
    lead: '{sender} asks you to review and sign:',
    expiry: 'Your signing link works until {time}.',
    button: 'Review and sign',
  },
  reminder: {
    subject: 'Reminder: {sender} is waiting for your signature',
    heading: 'Your signature is still needed',
    lead: '{sender} is still waiting for you to review and sign:',
    expiry: 'Your signing link stops working on {time}.',
    button: 'Review and sign',
  },
  completion: {
    subject: 'Signed: {documents}',
    heading: 'Everyone has signed',
    lead: 'Every signature requested by {sender} has been applied to:',
    attached: 'The signed documents are attached to this email.',
    notAttached: 'The signed documents are too large to attach; ask {sender} for a copy.',
  },
  fallback: 'If the button does not work, copy this link into your browser:',
  greeting: 'Hello {name},',
  footer:
    'You received this email because {sender} asked you to sign documents through Signet. The link is personal: do not forward it. If you did not expect it, ignore this email.',
  time: '{date} (UTC)',
};

const es: MailMessages = {
  brand: 'Signet',
  invitation: {
    subject: '{sender} te pide que firmes {documents}',
    heading: 'Documentos para firmar',
    lead: '{sender} te pide que revises y firmes:',
    expiry: 'Tu enlace de firma funciona hasta el {time}.',
    button: 'Revisar y firmar',
  },
  reminder: {
    subject: 'Recordatorio: {sender} espera tu firma',
    heading: 'Todavía falta tu firma',
    lead: '{sender} sigue esperando que revises y firmes:',
    expiry: 'Tu enlace de firma deja de funcionar el {time}.',
    button: 'Revisar y firmar',
  },
  completion: {
    subject: 'Firmado: {documents}',
    heading: 'Ya han firmado todos',
    lead: 'Se aplicaron todas las firmas que pidió {sender} en:',
    attached: 'Los documentos firmados van adjuntos a este correo.',
    notAttached: 'Los documentos firmados son demasiado grandes para adjuntarlos; pide una copia a {sender}.',
  },
  fallback: 'Si el botón no funciona, copia este enlace en tu navegador:',
  greeting: 'Hola, {name}:',
  footer:
    'Recibes este correo porque {sender} te pidió firmar documentos con Signet. El enlace es personal: no lo reenvíes. Si no lo esperabas, ignora este correo.',
  time: '{date} (UTC)',
};

/** The messages of each language. */
export const MAIL_MESSAGES: Readonly<Record<MailLocale, MailMessages>> = { en, es };

/** A stored locale as one emails are written in: unknown or missing is English. */
export const mailLocale = (value: string | null | undefined): MailLocale => (value === 'es' ? 'es' : 'en');

import { createTransport } from 'nodemailer';

/** One email, ready to go. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

/** Sends an email; resolves with the server's Message-ID once the server accepted it, throws otherwise. */
export type SendMail = (mail: OutgoingMail) => Promise<{ messageId: string }>;

/** How long a connection, its greeting and each later step may take before the attempt fails, ms. */
export const SMTP_TIMEOUT_MS = 15_000;

/**
 * nodemailer's SMTP transport for `SIGNET_SIGNER_SMTP_URL` (`smtp://`: STARTTLS when the server
 * offers it; `smtps://`: TLS from the start). One connection per message, no pool: the outbox
 * sends few messages, and a connection never outlives a failure.
 */
export function smtpSender(url: string): SendMail & { close(): void } {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  const user = decodeURIComponent(parsed.username);
  const transport = createTransport({
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(parsed.password) } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  const send = async (mail: OutgoingMail) => {
    const info = await transport.sendMail({ ...mail, disableFileAccess: true, disableUrlAccess: true });
    return { messageId: String(info.messageId ?? '') };
  };
  return Object.assign(send, { close: () => transport.close() });
}

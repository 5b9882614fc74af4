import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './accounts.js';

/** A real SMTP server on a loopback port, started by a test, keeping what it receives. */
export interface TestSmtpServer {
  port: number;
  /** Every message accepted, parsed, in order. */
  received: ParsedMail[];
  /** `refuse`: how many next messages to answer 451 (try again later); `refused`: how many were. */
  state: { refuse: number; refused: number };
  /** The messages accepted for `address`. */
  to(address: string): ParsedMail[];
  close(): Promise<void>;
}

/**
 * Starts a real SMTP server (the `smtp-server` package, no TLS, no authentication) on `port` or a
 * free one, parsing each message with `mailparser`: what the Signer's mail tests read.
 *
 * @example
 * const smtp = await smtpServer();
 * // SIGNET_SIGNER_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`
 */
export async function smtpServer(port?: number): Promise<TestSmtpServer> {
  const received: ParsedMail[] = [];
  const state = { refuse: 0, refused: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (state.refuse > 0) {
          state.refuse -= 1;
          state.refused += 1;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        simpleParser(Buffer.concat(chunks)).then((mail) => {
          received.push(mail);
          callback();
        }, callback);
      });
    },
  });
  const listenPort = port ?? (await freePort());
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  return {
    port: listenPort,
    received,
    state,
    to: (address) => received.filter((m) => m.to && JSON.stringify(m.to).includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import {
  ACR_FACE,
  authorizationUrl,
  createPkce,
  createTokenProvider,
  encodeBase64,
  exchangeCode,
  randomNonce,
  randomState,
  SdkError,
  SignerClient,
} from '@signet/sdk';
import { type IntegratorConfig, redirectUriOf } from './config.js';
import { EventRelay } from './events.js';
import { envelopePage, errorPage, signInPage, uploadPage } from './pages.js';
import { type Session, Sessions } from './sessions.js';

/** The Signer's limit on one document. */
const MAX_PDF_BYTES = 20 * 1024 * 1024;
/** What the app asks Signet for: who the person is and her identity document (for her certificate). */
const SCOPE = 'openid profile email credential';

const file = (name: string) => readFileSync(new URL(name, import.meta.url));
const STATIC: Record<string, { type: string; body: Buffer }> = {
  '/app.js': { type: 'text/javascript; charset=utf-8', body: file('./public/app.js') },
  '/style.css': { type: 'text/css; charset=utf-8', body: file('./public/style.css') },
};
const SAMPLE_PDF = file('./sample.pdf');

/** A running integrator example. */
export interface Integrator {
  server: Server;
  /** Its public URL. */
  url: string;
  /** Stops the events relay and the server. */
  close(): Promise<void>;
}

/**
 * Starts the integrator example: a person signs in with her face through Signet (code + PKCE,
 * `acr_values=urn:acr:face`, all through `@signet/sdk`), signs a PDF in an envelope created for her
 * id_token, watches it live (the Signer's events relayed over SSE) and downloads the signed PDF.
 *
 * @example
 * const app = await startIntegrator(readConfig(process.env));
 */
export async function startIntegrator(config: IntegratorConfig): Promise<Integrator> {
  const redirectUri = redirectUriOf(config);
  const tokens = createTokenProvider({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    audience: config.audience,
  });
  const signer = new SignerClient({ baseUrl: config.signerUrl, tokens });
  const relay = new EventRelay(config.signerUrl, tokens);
  const sessions = new Sessions(config.publicUrl.startsWith('https:'));

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', config.publicUrl);
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const asset = STATIC[url.pathname];
    if (request.method === 'GET' && asset) {
      response.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(asset.body);
      return;
    }
    const session = sessions.of(request, response);
    const envelopeRoute = /^\/envelopes\/([\w-]{1,100})(\/events|\/document)?$/.exec(url.pathname);

    if (request.method === 'GET' && url.pathname === '/') {
      return html(response, 200, session.person ? uploadPage(session.person) : signInPage());
    }
    if (request.method === 'GET' && url.pathname === '/login') {
      const { codeVerifier, codeChallenge } = await createPkce();
      const pending = { codeVerifier, state: randomState(), nonce: randomNonce() };
      session.pending = pending;
      const target = await authorizationUrl({
        issuer: config.issuer,
        clientId: config.clientId,
        redirectUri,
        scope: SCOPE,
        state: pending.state,
        nonce: pending.nonce,
        codeChallenge,
        acrValues: ACR_FACE,
      });
      response.writeHead(303, { location: target.href }).end();
      return;
    }
    if (request.method === 'GET' && url.pathname === '/callback') {
      const pending = session.pending;
      session.pending = undefined;
      if (!pending) return html(response, 400, errorPage('Sign-in expired', 'Start again from the home page.'));
      const result = await exchangeCode({
        issuer: config.issuer,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        redirectUri,
        callbackUrl: url,
        expectedState: pending.state,
        nonce: pending.nonce,
        codeVerifier: pending.codeVerifier,
        acrValues: [ACR_FACE],
      });
      const { claims } = result;
      session.person = {
        idToken: result.idToken,
        name: typeof claims.name === 'string' ? claims.name : claims.sub,
        acr: String(claims.acr),
        authTime: Number(claims.auth_time),
      };
      response.writeHead(303, { location: '/' }).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/envelopes') return createEnvelope(request, response, session);
    if (request.method === 'GET' && envelopeRoute) {
      const [, id = '', part] = envelopeRoute;
      if (!session.envelopes.has(id)) return html(response, 404, errorPage('Not found', 'No such envelope of yours.'));
      if (part === '/events') return streamEvents(request, response, id);
      if (part === '/document') {
        const pdf = await signer.downloadDocument(id, 0);
        response
          .writeHead(200, {
            'content-type': 'application/pdf',
            'content-disposition': `attachment; filename="signed-${id}.pdf"`,
            'cache-control': 'no-store',
          })
          .end(pdf);
        return;
      }
      return html(response, 200, envelopePage(await signer.getEnvelope(id)));
    }
    html(response, 404, errorPage('Not found', 'There is no such page.'));
  }

  /** `POST /envelopes`: the PDF as the body (none: the sample), signed at once for her id_token. */
  async function createEnvelope(request: IncomingMessage, response: ServerResponse, session: Session): Promise<void> {
    // Another site must not make her sign: same origin only (a PDF body also needs a CORS preflight).
    if (request.headers.origin !== config.publicUrl) {
      return json(response, 403, { error: 'forbidden', error_description: 'cross-origin request' });
    }
    if (request.headers['content-type'] !== 'application/pdf') {
      return json(response, 415, { error: 'invalid_request', error_description: 'send the PDF as application/pdf' });
    }
    const person = session.person;
    if (!person) return json(response, 401, { error: 'login_required', error_description: 'Sign in first.' });
    const uploaded = await readBody(request, MAX_PDF_BYTES);
    if (!uploaded) return json(response, 413, { error: 'too_large', error_description: 'The PDF is over 20 MB.' });
    const pdf = uploaded.length > 0 ? uploaded : SAMPLE_PDF;
    // An id_token identifies a signer once (the Signer refuses it again): the next PDF needs a new sign-in.
    session.person = undefined;
    const envelope = await signer.createEnvelope({
      issuer: { initiative: config.clientId, nonce: randomUUID() },
      documents: [{ name: uploaded.length > 0 ? 'document.pdf' : 'sample-agreement.pdf', content: encodeBase64(pdf) }],
      persons: [{ id_token: person.idToken }],
      signatures: [{ document: 0, person: 0, position: { page: 1, x: 56, y: 56, width: 240, height: 70 } }],
    });
    session.envelopes.add(envelope.id);
    json(response, 201, { id: envelope.id, status: envelope.status });
  }

  /** `GET /envelopes/{id}/events`: the envelope's events so far, then live ones, as SSE. */
  function streamEvents(request: IncomingMessage, response: ServerResponse, id: string): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    response.write('retry: 3000\n\n');
    const stop = relay.watch(id, (event) => response.write(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`));
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), 15_000);
    request.on('close', () => {
      clearInterval(keepAlive);
      stop();
    });
  }

  const server = createServer((request, response) => {
    response.setHeader(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'",
    );
    response.setHeader('x-content-type-options', 'nosniff');
    // The callback URL carries the code: never send it on as a referrer.
    response.setHeader('referrer-policy', 'no-referrer');
    route(request, response).catch((error: unknown) => {
      const message =
        error instanceof SdkError
          ? `${error.error ?? error.code}: ${error.error_description ?? error.message}`
          : 'internal error';
      if (!(error instanceof SdkError)) console.error(error);
      if (response.headersSent) return response.end();
      if (request.method === 'POST') return json(response, 502, { error: 'signet_error', error_description: message });
      html(response, 502, errorPage('Signet said no', message));
    });
  });
  relay.start();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  return {
    server,
    url: config.publicUrl,
    async close() {
      relay.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function html(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

/** The request body, or undefined when it is over `limit` bytes. */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

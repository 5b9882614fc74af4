import type { CreateEnvelopeRequest, SignaturePosition } from '@signet/protocol';
import type { CertificateAuthority } from '@signet/signer';
import { createEnvelope } from '@signet/signer/testing';
import type { FastifyInstance } from 'fastify';
import { createTestUser } from './accounts.js';
import { formAction, hiddenField, TestBrowser } from './browser.js';
import { makePdf } from './pdf.js';
import { freePort, type TestSigner, testSigner } from './signer.js';

/** The password `createTestUser` gives every person. */
export const PASSWORD = 'correct horse battery';

/** A Signer listening on its public URL, with the Signer's own client at the issuer. */
export interface SigningPageHarness {
  t: TestSigner;
  /** The Signer's app (signing page and API), listening on `publicUrl`. */
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>`: the Signer's public URL, where signing links point. */
  publicUrl: string;
  ca: CertificateAuthority;
  /** The Signer's client at the issuer (redirect URI `${publicUrl}/sign/callback`). */
  client: { client_id: string; client_secret: string };
  /** The client that creates the envelopes. */
  integratorId: string;
  /**
   * Creates an envelope of `documents` PDFs to be signed by one person invited by `name` and
   * `email`, each signature drawn at `position` when given (else invisible); returns the signing URL.
   */
  invite(options?: {
    name?: string;
    email?: string;
    documents?: number;
    expiresAt?: string;
    position?: SignaturePosition;
  }): Promise<{
    envelopeId: string;
    signingUrl: string;
    token: string;
  }>;
  /**
   * Creates an envelope through the Signer API over HTTP (`POST /v1/envelopes` with a fresh
   * client's access token): one PDF, one person invited by `name` and `email`; returns the envelope JSON.
   */
  inviteThroughApi(options: { name: string; email: string; pdf: Uint8Array }): Promise<{
    id: string;
    persons: { signingUrl?: string }[];
  }>;
  /** A person at the issuer with `email` (the default test claims otherwise). */
  person(email: string, body?: Record<string, unknown>): Promise<{ id: string; username: string }>;
  /** A new cookie-keeping browser; its relative URLs go to the signing page. */
  browser(headers?: Record<string, string>): TestBrowser;
  /**
   * Follows a signing link through the issuer's login page with the password (no face step: the
   * harness requires `urn:acr:password` unless `env` says otherwise) and returns the response of
   * the signing page's callback.
   */
  signInThroughLink(browser: TestBrowser, signingUrl: string, username: string): Promise<Response>;
  dispose(): Promise<void>;
}

/**
 * Starts the issuer and the real Signer app (see `testSigner`, with its own client at the issuer)
 * listening on its public URL. The required `acr` is `urn:acr:password` unless `env`
 * sets `SIGNET_SIGNER_REQUIRED_ACR`, so the route tests need no camera; the browser test runs the face step.
 */
export async function signingPageHarness(
  env: Record<string, string> = {},
  accountsEnv: Record<string, string> = {},
): Promise<SigningPageHarness> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await testSigner({
    env: {
      SIGNET_SIGNER_PUBLIC_URL: publicUrl,
      SIGNET_SIGNER_PORT: String(port),
      SIGNET_SIGNER_REQUIRED_ACR: 'urn:acr:password',
      ...env,
    },
    accountsEnv,
    signingClient: true,
  });
  try {
    const client = t.signingClient as { client_id: string; client_secret: string };
    const ca = t.signer.ca;
    const services = { ...t.signer.context, ca };
    await t.signer.listen();
    const integratorId = 'acme-integration';
    let nonce = 0;
    return {
      t,
      app: t.app,
      publicUrl,
      ca,
      client,
      integratorId,
      async invite(options = {}) {
        const documents = await Promise.all(
          Array.from({ length: options.documents ?? 1 }, async (_, i) => ({
            name: `contract-${i + 1}.pdf`,
            content: Buffer.from(await makePdf(2, `Contract ${i + 1}`)).toString('base64'),
          })),
        );
        const request: CreateEnvelopeRequest = {
          issuer: { initiative: integratorId, nonce: `n-${++nonce}-${Date.now()}` },
          documents,
          persons: [{ name: options.name ?? 'Ana Ruiz', email: options.email ?? 'ana@example.com' }],
          signatures: documents.map((_, document) => ({
            document,
            person: 0,
            ...(options.position ? { position: options.position } : {}),
          })),
          ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}),
        };
        const envelope = await createEnvelope(
          services,
          { clientId: integratorId, scope: ['envelopes:write'], tokenId: undefined },
          request,
          { ip: '127.0.0.1', userAgent: 'test' },
        );
        const signingUrl = envelope.persons[0]?.signingUrl;
        if (!signingUrl) throw new Error('no signing URL');
        return { envelopeId: envelope.id, signingUrl, token: signingUrl.slice(signingUrl.lastIndexOf('/') + 1) };
      },
      async inviteThroughApi({ name, email, pdf }) {
        const integrator = await t.newClient();
        const res = await fetch(`${publicUrl}/v1/envelopes`, {
          method: 'POST',
          headers: { authorization: integrator.authorization, 'content-type': 'application/json' },
          body: JSON.stringify({
            issuer: { initiative: integrator.clientId, nonce: `order-${Date.now()}` },
            documents: [{ name: 'contract.pdf', content: Buffer.from(pdf).toString('base64') }],
            persons: [{ name, email }],
            signatures: [{ document: 0, person: 0 }],
          } satisfies CreateEnvelopeRequest),
        });
        if (res.status !== 201) throw new Error(`envelope creation failed: ${res.status} ${await res.text()}`);
        return (await res.json()) as { id: string; persons: { signingUrl?: string }[] };
      },
      person: (email, body = {}) => createTestUser(t.accounts, { email, ...body }),
      browser: (headers = {}) => new TestBrowser(publicUrl, headers),
      async signInThroughLink(browser, signingUrl, username) {
        let res = await browser.get(signingUrl);
        if (res.status !== 303) throw new Error(`signing link answered ${res.status}: ${await res.text()}`);
        // The issuer's authorization endpoint, then its login page.
        res = await browser.get(res.headers.get('location') as string);
        while (res.status === 303 && !(res.headers.get('location') ?? '').includes('/sign/callback')) {
          res = await browser.get(new URL(res.headers.get('location') as string, t.issuer).href);
        }
        const html = await res.text();
        const action = formAction(html);
        const csrf = hiddenField(html, 'csrf');
        if (!action || !csrf) throw new Error(`no login form: ${res.status} ${html.slice(0, 300)}`);
        res = await browser.post(new URL(action, t.issuer).href, { csrf, username, password: PASSWORD });
        // Through any further hops of the issuer to the callback.
        while (res.status === 303) {
          const location = new URL(res.headers.get('location') as string, t.issuer);
          res = await browser.get(location.href);
          if (location.pathname === '/sign/callback') break;
        }
        return res;
      },
      dispose: () => t.dispose(),
    };
  } catch (error) {
    await t.dispose();
    throw error;
  }
}

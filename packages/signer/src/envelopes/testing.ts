import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDF } from '@libpdf/core';
import { makePdf } from '@signet/testing/pdf';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { Caller } from '../auth/caller.js';
import { loadSignerConfig } from '../config.js';
import type { SignerContext } from '../context.js';
import { registerErrorHandling } from '../http/errors.js';
import { untrustedPdfs } from '../pdf/untrusted.js';
import { CertificateAuthority } from '../pki/authority.js';
import type { SignerStore } from '../store/signer-store.js';
import { envelopeRoutes } from './routes.js';

/** The issuer of the harness's id_tokens. */
export const TEST_ISSUER = 'https://issuer.envelopes.test';

/** A Signer app with the envelope routes, a local issuer key and a controllable clock. */
export interface EnvelopeHarness {
  app: FastifyInstance;
  context: SignerContext & { ca: CertificateAuthority };
  clock: { now: number; advance(seconds: number): void };
  /** An id_token from the harness's issuer for `clientId`, with `acr=urn:acr:face` and a fresh `auth_time` unless overridden. */
  idToken(clientId: string, claims?: JWTPayload, header?: { typ?: string }): Promise<string>;
  /** The same, signed by a key the issuer never published. */
  foreignIdToken(clientId: string): Promise<string>;
  /** Headers that make the harness treat the request as coming from `clientId`. */
  as(clientId: string): Record<string, string>;
  dispose(): Promise<void>;
}

/**
 * Builds the envelope routes on their own: the bearer check is replaced by a hook that takes the
 * caller from an `x-test-client` header (the bearer check has its own tests), id_tokens are signed
 * with a local ES256 key published through `createLocalJWKSet`; everything else is real (store,
 * CA, PDF signing). The clock starts at `options.now` (epoch seconds; default 1 800 000 000, in
 * 2027): a test whose certificates an outside validator checks against the real time starts it now.
 */
export async function envelopeHarness(
  store: SignerStore,
  env: Record<string, string> = {},
  options: { now?: number } = {},
): Promise<EnvelopeHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-envelopes-'));
  const config = loadSignerConfig({ SIGNET_DATA_DIR: dataDir, SIGNET_LOG_LEVEL: 'silent', ...env });
  const clock = {
    now: options.now ?? 1_800_000_000,
    advance(seconds: number) {
      clock.now += seconds;
    },
  };
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const other = await generateKeyPair('ES256');
  const ca = await CertificateAuthority.open({ db: store.db, masterKey: randomBytes(32), now: () => clock.now });
  const app = Fastify();
  const context = {
    config,
    store,
    log: app.log,
    now: () => clock.now,
    issuerKeys: createLocalJWKSet({ keys: [jwk] }),
    issuer: TEST_ISSUER,
    masterKey: randomBytes(32),
    pdfs: untrustedPdfs(config),
    ca,
  } satisfies SignerContext & { ca: CertificateAuthority };
  registerErrorHandling(app);
  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (request) => {
    const clientId = request.headers['x-test-client'];
    request.caller = { clientId: String(clientId ?? 'nobody'), scope: [], tokenId: undefined };
  });
  await app.register(envelopeRoutes(context));
  await app.ready();
  const sign = (key: Parameters<SignJWT['sign']>[0], kid: string, clientId: string, claims: JWTPayload, typ: string) =>
    new SignJWT({
      acr: 'urn:acr:face',
      auth_time: clock.now - 60,
      name: 'Ana Ruiz',
      email: 'ana@example.com',
      credential: { country: 'ES', issuer: 'ES-DGP', type: 'id_card', number: '12345678Z' },
      jti: randomUUID(),
      ...claims,
    })
      .setProtectedHeader({ alg: 'ES256', kid, typ })
      .setIssuer(TEST_ISSUER)
      .setSubject(typeof claims.sub === 'string' ? claims.sub : `person-${randomUUID()}`)
      .setAudience(claims.aud ?? clientId)
      .setIssuedAt(clock.now - 60)
      .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : clock.now + 3600)
      .sign(key);
  return {
    app,
    context,
    clock,
    idToken: (clientId, claims = {}, header = {}) => sign(privateKey, 'k1', clientId, claims, header.typ ?? 'JWT'),
    foreignIdToken: (clientId) => sign(other.privateKey, 'k1', clientId, {}, 'JWT'),
    as: (clientId) => ({ 'x-test-client': clientId }),
    async dispose() {
      await app.close();
      await context.pdfs.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A small PDF, base64, for create requests. */
export async function pdfBase64(pages = 2): Promise<string> {
  return Buffer.from(await makePdf(pages)).toString('base64');
}

/** A password-protected PDF (AES), which the Signer must refuse. */
export async function encryptedPdf(): Promise<Uint8Array> {
  const pdf = await PDF.load(await makePdf(1));
  pdf.setProtection({ userPassword: 'secret', ownerPassword: 'owner' });
  return pdf.save();
}

/**
 * Stores a completed envelope of one already-signed document straight in the database, as a
 * Signer would have left it, for tests of what runs over stored documents (archive renewal,
 * the CLI). Returns the envelope id.
 */
export async function storeSignedEnvelope(
  db: SignerStore['db'],
  signed: Uint8Array,
  at: number,
  id: string = randomUUID(),
): Promise<string> {
  await db
    .insertInto('envelopes')
    .values({
      id,
      client_id: 'acme',
      status: 'completed',
      nonce: randomUUID(),
      issuer_person_index: null,
      callback_url: null,
      expires_at: null,
      status_reason: null,
      created_at: at,
      updated_at: at,
      finished_at: at,
      version: 1,
    })
    .execute();
  await db
    .insertInto('envelope_documents')
    .values({
      envelope_id: id,
      document_index: 0,
      name: 'contract.pdf',
      page_count: 1,
      original_sha256: '0'.repeat(64),
      original: signed,
      current: signed,
      signature_count: 1,
    })
    .execute();
  return id;
}

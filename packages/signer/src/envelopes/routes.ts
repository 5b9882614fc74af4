import type { CreateEnvelopeRequest, EnvelopeStatus, VerifyResponse } from '@signet/protocol';
import { originOf } from '@signet/web';
import { errorCodes, type FastifyPluginAsync } from 'fastify';
import { isTimeZone, sealedCertificateOfCompletion } from '../audit/certificate.js';
import { recordAudit } from '../audit/record-repository.js';
import { readAuditTrail } from '../audit/trail-repository.js';
import type { SignerContext } from '../context.js';
import type { CertificateAuthority } from '../pki/authority.js';
import { POLICY_ORGANISATION_SEAL, POLICY_PERSON_SIGNING } from '../pki/policies.js';
import { pickLocale } from '../signing-page/locale.js';
import { createEnvelope } from './create.js';
import { admitted, whenWorkersFree } from './documents.js';
import { EnvelopeError, envelopeNotFound, invalidField } from './errors.js';
import { cancelEnvelope } from './lifecycle.js';
import { presentEnvelope } from './present.js';
import { listEnvelopes, loadDocumentBytes, loadEnvelope } from './repository.js';
import {
  auditTrailQuerySchema,
  auditTrailSchema,
  cancelEnvelopeBodySchema,
  createEnvelopeBodySchema,
  documentParamsSchema,
  documentQuerySchema,
  envelopeErrorSchema,
  envelopeListSchema,
  envelopeParamsSchema,
  envelopeSchema,
  LIMITS,
  listEnvelopesQuerySchema,
  verifyBodySchema,
  verifyResponseSchema,
} from './schemas.js';

/**
 * `POST /v1/envelopes`'s body limit: the envelope's documents at their largest total
 * (`SIGNET_SIGNER_MAX_ENVELOPE_BYTES`) in base64 (a third more, and padding per document), plus
 * 2 MiB for the rest (50 persons with id_tokens of up to 16 KiB, 200 signatures, names). Fastify
 * refuses a larger `Content-Length` before reading, and a chunked body once that many bytes came.
 */
export function createEnvelopeBodyLimit(maxEnvelopeBytes: number): number {
  return Math.ceil(maxEnvelopeBytes / 3) * 4 + LIMITS.documents * 4 + 2 * 1024 * 1024;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, { description: 'Error', ...envelopeErrorSchema }]));

/**
 * The envelope routes of the Signer API, registered inside the authenticated `/v1` scope
 * (`request.caller` is set): create, list, get, cancel, document download, audit trail, and
 * `POST /v1/verify`. Every query is scoped to the calling client, so another client's envelope
 * is a 404 like one that does not exist.
 */
export function envelopeRoutes(context: SignerContext & { ca: CertificateAuthority }): FastifyPluginAsync {
  return async (app) => {
    const maxDocument = context.config.maxDocumentBytes;
    const createBodyLimit = createEnvelopeBodyLimit(context.config.maxEnvelopeBytes);
    // A route's bodyLimit wins over a parser's: /v1/verify allows room for base64 JSON, so a raw PDF
    // is held to the document limit here, with the same 413 as any body over a route's limit.
    app.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: maxDocument }, (_req, body, done) =>
      body.length > maxDocument ? done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE(), undefined) : done(null, body),
    );

    app.post<{ Body: CreateEnvelopeRequest }>(
      '/v1/envelopes',
      {
        bodyLimit: createBodyLimit,
        schema: {
          operationId: 'createEnvelope',
          summary: 'Create an envelope',
          description:
            'Uploads PDFs and says who signs what, in order. Persons given with an id_token are identified by it and ' +
            'their signatures are applied at once; persons given by name and email get a one-time `signingUrl` in ' +
            'the response. `issuer.nonce` may be used once per initiative (409 `nonce_reused`). Any invalid input ' +
            'is a 400/422 naming the field, and creates nothing.',
          tags: ['envelopes'],
          body: createEnvelopeBodySchema,
          response: {
            201: { description: 'The new envelope.', ...envelopeSchema },
            ...errors(400, 409, 413, 422, 503),
          },
        },
      },
      async (request, reply) => {
        const envelope = await createEnvelope(context, request.caller, request.body, originOf(request));
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .header('location', `/v1/envelopes/${envelope.id}`)
          .send(presentEnvelope(envelope, context.config.publicUrl));
      },
    );

    app.get<{ Querystring: { status?: EnvelopeStatus; limit: number; cursor?: string } }>(
      '/v1/envelopes',
      {
        schema: {
          operationId: 'listEnvelopes',
          summary: "List the caller's envelopes",
          description: 'Newest first, optionally by status; pass `nextCursor` as `cursor` for the next page.',
          tags: ['envelopes'],
          querystring: listEnvelopesQuerySchema,
          response: { 200: { description: 'A page of envelopes.', ...envelopeListSchema }, ...errors(400) },
        },
      },
      async (request, reply) => {
        const { status, limit, cursor } = request.query;
        const after = cursor === undefined ? undefined : decodeCursor(cursor);
        const page = await listEnvelopes(context.store.db, request.caller.clientId, {
          ...(status ? { status } : {}),
          limit: limit + 1,
          ...(after ? { after } : {}),
        });
        const more = page.length > limit;
        const envelopes = page.slice(0, limit);
        const last = envelopes.at(-1);
        reply.header('cache-control', 'no-store');
        return {
          envelopes: envelopes.map((envelope) => presentEnvelope(envelope, context.config.publicUrl)),
          nextCursor: more && last ? encodeCursor(last.createdAt, last.id) : null,
        };
      },
    );

    app.get<{ Params: { id: string } }>(
      '/v1/envelopes/:id',
      {
        schema: {
          operationId: 'getEnvelope',
          summary: 'Get an envelope',
          tags: ['envelopes'],
          params: envelopeParamsSchema,
          response: { 200: { description: 'The envelope.', ...envelopeSchema }, ...errors(404) },
        },
      },
      async (request, reply) => {
        const envelope = await loadEnvelope(context.store.db, request.caller.clientId, request.params.id);
        if (!envelope) throw envelopeNotFound();
        reply.header('cache-control', 'no-store');
        return presentEnvelope(envelope, context.config.publicUrl);
      },
    );

    app.post<{ Params: { id: string }; Body: { reason?: string } | null }>(
      '/v1/envelopes/:id/cancel',
      {
        schema: {
          operationId: 'cancelEnvelope',
          summary: 'Cancel an envelope in progress',
          description: 'Signing links stop working; 409 `invalid_state` once the envelope is finished.',
          tags: ['envelopes'],
          params: envelopeParamsSchema,
          body: cancelEnvelopeBodySchema,
          response: { 200: { description: 'The canceled envelope.', ...envelopeSchema }, ...errors(404, 409) },
        },
      },
      async (request, reply) => {
        const reason = request.body?.reason?.trim() || null;
        const canceled = await cancelEnvelope(
          context,
          request.caller.clientId,
          request.params.id,
          reason,
          originOf(request),
        );
        const envelope = await loadEnvelope(context.store.db, request.caller.clientId, canceled.id);
        reply.header('cache-control', 'no-store');
        return presentEnvelope(envelope ?? canceled, context.config.publicUrl);
      },
    );

    app.get<{ Params: { id: string; n: number }; Querystring: { version?: 'current' | 'original' } }>(
      '/v1/envelopes/:id/documents/:n',
      {
        schema: {
          operationId: 'getEnvelopeDocument',
          summary: 'Download a document',
          description:
            'The current PDF (`application/pdf`): the signed one once signed, carrying every signature applied so ' +
            'far. `?version=original` gives the PDF as uploaded.',
          tags: ['envelopes'],
          params: documentParamsSchema,
          querystring: documentQuerySchema,
          response: errors(404),
        },
      },
      async (request, reply) => {
        const { id, n } = request.params;
        const version = request.query.version ?? 'current';
        const document = await loadDocumentBytes(context.store.db, request.caller.clientId, id, n, version);
        if (!document) throw new EnvelopeError('not_found', 'no such envelope or document', 404);
        if (document.bytes.length === 0) {
          throw new EnvelopeError('document_purged', 'the document was deleted by the retention policy', 410);
        }
        await recordAudit(context.store.db, {
          envelopeId: id,
          clientId: request.caller.clientId,
          type: 'document.downloaded',
          occurredAt: context.now(),
          actor: { type: 'client', id: request.caller.clientId },
          origin: originOf(request),
          data: { document: n, version },
        });
        return reply
          .header('content-type', 'application/pdf')
          .header('content-disposition', `attachment; filename="${document.name.replace(/[^\x20-\x7e]/g, '_')}"`)
          .header('cache-control', 'no-store')
          .send(Buffer.from(document.bytes));
      },
    );

    app.get<{ Params: { id: string }; Querystring: { locale?: string; timeZone?: string } }>(
      '/v1/envelopes/:id/audit-trail',
      {
        schema: {
          operationId: 'getEnvelopeAuditTrail',
          summary: "An envelope's audit trail",
          description:
            'Every event with its time, actor, IP address and user agent. `Accept: application/pdf` returns it as a ' +
            "certificate of completion sealed with the Signer's organisation seal (PAdES), in the language of " +
            '`locale` or `Accept-Language` (English or Spanish) with times in `timeZone` (default UTC).',
          tags: ['envelopes'],
          params: envelopeParamsSchema,
          querystring: auditTrailQuerySchema,
          response: { 200: { description: 'The audit trail.', ...auditTrailSchema }, ...errors(404) },
        },
      },
      async (request, reply) => {
        const envelope = await loadEnvelope(context.store.db, request.caller.clientId, request.params.id);
        if (!envelope) throw envelopeNotFound();
        const timeZone = request.query.timeZone ?? 'UTC';
        if (!isTimeZone(timeZone)) throw invalidField('timeZone', 'is not an IANA time zone such as Europe/Madrid');
        const events = await readAuditTrail(context.store.db, envelope.id);
        reply.header('cache-control', 'no-store').header('vary', 'accept, accept-language');
        if (prefersPdf(request.headers.accept)) {
          const pdf = await sealedCertificateOfCompletion(
            context.ca,
            presentEnvelope(envelope, context.config.publicUrl),
            events,
            {
              issuedAt: new Date(context.now() * 1000),
              locale: pickLocale(request.query.locale, request.headers['accept-language']),
              timeZone,
            },
          );
          // A Buffer is sent as is: the JSON response schema does not apply to it.
          return reply
            .header('content-type', 'application/pdf')
            .header('content-disposition', `attachment; filename="${envelope.id}-certificate.pdf"`)
            .send(Buffer.from(pdf));
        }
        return { envelopeId: envelope.id, status: envelope.status, events };
      },
    );

    app.post<{ Body: Buffer | { content: string } }>(
      '/v1/verify',
      {
        bodyLimit: Math.ceil((maxDocument * 4) / 3) + 1024,
        schema: {
          operationId: 'verifyPdf',
          summary: 'Verify the signatures of a PDF',
          description:
            'The body is the PDF (`application/pdf`) or JSON `{ "content": "<base64>" }`. Answers a validation report ' +
            '(ETSI EN 319 102-1 indications): per signature its PAdES level, signer, proven time, integrity, chain to ' +
            "this Signet's root, revocation status and any change made after it; and each document timestamp.",
          tags: ['verification'],
          consumes: ['application/json', 'application/pdf'],
          body: {
            anyOf: [verifyBodySchema, { type: 'string', format: 'binary', description: 'The PDF itself.' }],
          },
          response: {
            200: { description: 'The validation report.', ...verifyResponseSchema },
            ...errors(400, 413, 422, 503),
          },
        },
        // The raw PDF is a Buffer, which no JSON Schema describes; validate JSON bodies only.
        validatorCompiler: () => (body: unknown) =>
          Buffer.isBuffer(body) || isContentBody(body)
            ? { value: body }
            : { error: invalidField('content', 'is required (base64), or send the PDF as application/pdf') },
      },
      async (request, reply): Promise<VerifyResponse> => {
        const body = request.body;
        const bytes = Buffer.isBuffer(body) ? new Uint8Array(body) : decodeBase64Pdf(body.content, maxDocument);
        // Read in a worker: the document is untrusted, and only a worker may find that out the hard way.
        // The CA's current CRL: revocations since a document's DSS was written count too.
        const crl = await context.ca.revocation.crl();
        const verification = await whenWorkersFree(() =>
          context.pdfs.verify(bytes, [context.ca.rootCertificatePem], {
            now: new Date(context.now() * 1000),
            signingPolicies: SIGNING_POLICIES,
            revocation: { ocsps: [], crls: crl ? [crl] : [] },
          }),
        );
        admitted(verification.admission, Buffer.isBuffer(body) ? 'body' : 'content');
        const report = verification.report;
        if (!report) throw new Error('the PDF worker admitted a document without a report');
        reply.header('cache-control', 'no-store');
        return report;
      },
    );
  };
}

/** A signature this Signet vouches for is a person's or its own seal: no other certificate of its CA signs documents. */
const SIGNING_POLICIES = [POLICY_PERSON_SIGNING, POLICY_ORGANISATION_SEAL];

function isContentBody(body: unknown): body is { content: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { content?: unknown }).content === 'string' &&
    Object.keys(body).length === 1
  );
}

function decodeBase64Pdf(content: string, maxBytes: number): Uint8Array {
  const compact = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) throw invalidField('content', 'is not valid base64');
  const bytes = new Uint8Array(Buffer.from(compact, 'base64'));
  if (bytes.length > maxBytes) {
    throw new EnvelopeError('document_too_large', `content: the document is larger than ${maxBytes} bytes`, 422, {
      field: 'content',
    });
  }
  return bytes;
}

/** Whether `Accept` asks for the PDF certificate before (or instead of) JSON. */
function prefersPdf(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept
    .split(',')
    .map((part) => part.split(';')[0]?.trim().toLowerCase())
    .filter((type) => type === 'application/pdf' || type === 'application/json');
  return types[0] === 'application/pdf';
}

function encodeCursor(createdAt: number, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'number' && typeof id === 'string') return { createdAt, id };
  } catch {
    // falls through to the error below
  }
  throw invalidField('cursor', 'is not a cursor this API returned');
}

import { invalidRequest, OAuthError } from '@signet/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { CertificateAuthority } from './authority.js';
import { OcspRequestError } from './revocation.js';
import { TimestampRequestError } from './timestamp-authority.js';

const TIMESTAMP_QUERY = 'application/timestamp-query';
const TIMESTAMP_REPLY = 'application/timestamp-reply';
// A TimeStampReq is a hash, a nonce and a few flags: well under 1 KB. Anything larger is not one.
const MAX_TIMESTAMP_QUERY_BYTES = 8_192;
// The root changes only when an operator rotates it; a day's caching is safe and spares the CA.
const ROOT_CACHE = 'public, max-age=86400';
const OCSP_REQUEST = 'application/ocsp-request';
const OCSP_RESPONSE = 'application/ocsp-response';
// An OCSPRequest for a few certificates is a few hundred bytes; a signed one with its certificate, a few KB.
const MAX_OCSP_REQUEST_BYTES = 8_192;
// GET requests carry the request base64 in the path (RFC 6960 Appendix A.1); RFC 5019 keeps them under 255 bytes.
const MAX_OCSP_GET_CHARS = 2_048;
// A revocation must show within minutes: caches may keep an answer or a CRL this long, no longer.
const REVOCATION_CACHE = 'public, max-age=60';

/** OpenAPI description of a CA route (no bearer token; bodies and answers are DER or PEM, not JSON). */
function doc(summary: string): { tags: string[]; summary: string } {
  return { tags: ['certification authority'], summary };
}

/**
 * The CA's public routes (no bearer token):
 * - `GET /v1/ca/root.pem`: the root certificate, PEM (`application/x-pem-file`), for validators to trust;
 * - `GET /v1/ca/root.cer`: the same, DER (`application/pkix-cert`);
 * - `POST /v1/timestamp`: RFC 3161 over HTTP (`application/timestamp-query` in,
 *   `application/timestamp-reply` out). A body that is not a TimeStampReq is a 400; a well-formed
 *   request the TSA refuses (unknown hash, another policy) gets a rejection TimeStampResp.
 * - `POST /v1/ca/ocsp` (`application/ocsp-request`) and `GET /v1/ca/ocsp/<base64 request>`: the
 *   RFC 6960 OCSP responder, answers signed by the root (`application/ocsp-response`);
 * - `GET /v1/ca/crl`: the active root's CRL, DER (`application/pkix-crl`);
 * - `GET /v1/ca/roots/<id>.cer` and `.crl`: a root's certificate and CRL by its id, the URLs the
 *   certificates' AIA caIssuers and CRL distribution points name (stable across a root rotation).
 */
export function pkiRoutes(ca: CertificateAuthority): FastifyPluginAsync {
  const rootPem = ca.rootCertificatePem;
  const rootDer = Buffer.from(ca.rootCertificate.rawData);
  return async (app) => {
    app.addContentTypeParser(
      TIMESTAMP_QUERY,
      { parseAs: 'buffer', bodyLimit: MAX_TIMESTAMP_QUERY_BYTES },
      (_r, body, done) => done(null, body),
    );

    app.get(
      '/v1/ca/root.pem',
      { schema: doc('The root certificate, PEM: what validators trust') },
      async (_request, reply) => {
        reply.type('application/x-pem-file').header('cache-control', ROOT_CACHE);
        return rootPem;
      },
    );

    app.get('/v1/ca/root.cer', { schema: doc('The root certificate, DER') }, async (_request, reply) => {
      reply.type('application/pkix-cert').header('cache-control', ROOT_CACHE);
      return rootDer;
    });

    app.addContentTypeParser(OCSP_REQUEST, { parseAs: 'buffer', bodyLimit: MAX_OCSP_REQUEST_BYTES }, (_r, body, done) =>
      done(null, body),
    );

    const ocsp = async (request: Uint8Array): Promise<Buffer> => {
      try {
        return Buffer.from(await ca.revocation.respond(request));
      } catch (error) {
        if (error instanceof OcspRequestError) throw invalidRequest(`body: ${error.message}`);
        throw error;
      }
    };

    app.post(
      '/v1/ca/ocsp',
      { schema: doc('OCSP (RFC 6960): a DER OCSPRequest in, a signed OCSPResponse out') },
      async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw invalidRequest(`body: send a DER OCSPRequest as ${OCSP_REQUEST}`);
        }
        const response = await ocsp(new Uint8Array(body));
        reply.type(OCSP_RESPONSE).header('cache-control', 'no-store');
        return response;
      },
    );

    app.get<{ Params: { '*': string } }>(
      '/v1/ca/ocsp/*',
      { schema: doc('OCSP over GET: the base64 DER OCSPRequest in the path (RFC 6960 Appendix A.1)') },
      async (request, reply) => {
        const encoded = request.params['*'];
        if (encoded.length === 0 || encoded.length > MAX_OCSP_GET_CHARS) {
          throw invalidRequest('path: the base64 of a DER OCSPRequest, at most 2048 characters');
        }
        // Fastify has already percent-decoded the path; base64url is accepted as well as base64.
        const der = Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
        const response = await ocsp(new Uint8Array(der));
        reply.type(OCSP_RESPONSE).header('cache-control', REVOCATION_CACHE);
        return response;
      },
    );

    app.get('/v1/ca/crl', { schema: doc("The active root's CRL (RFC 5280), DER") }, async (_request, reply) => {
      reply.type('application/pkix-crl').header('cache-control', REVOCATION_CACHE);
      return Buffer.from((await ca.revocation.crl()) ?? new Uint8Array());
    });

    app.get<{ Params: { file: string } }>(
      '/v1/ca/roots/:file',
      { schema: doc('A root by id, as named in certificates: `<id>.cer` (DER) or `<id>.crl`') },
      async (request, reply) => {
        const match = /^([0-9a-f-]{36})\.(cer|crl)$/.exec(request.params.file);
        if (match?.[1] !== ca.rootId) throw new OAuthError('not_found', 'no such root', 404);
        if (match[2] === 'cer') {
          reply.type('application/pkix-cert').header('cache-control', ROOT_CACHE);
          return rootDer;
        }
        reply.type('application/pkix-crl').header('cache-control', REVOCATION_CACHE);
        return Buffer.from((await ca.revocation.crl(ca.rootId)) ?? new Uint8Array());
      },
    );

    app.post(
      '/v1/timestamp',
      { schema: doc('RFC 3161 time-stamping: a DER TimeStampReq in, a TimeStampResp out') },
      async (request, reply) => {
        const body = request.body;
        if (!Buffer.isBuffer(body) || body.length === 0) {
          throw invalidRequest(`body: send a DER TimeStampReq as ${TIMESTAMP_QUERY}`);
        }
        let response: Uint8Array;
        try {
          response = await ca.timestampAuthority.respond(new Uint8Array(body));
        } catch (error) {
          if (error instanceof TimestampRequestError) throw invalidRequest(`body: ${error.message}`);
          throw error;
        }
        reply.type(TIMESTAMP_REPLY).header('cache-control', 'no-store');
        return Buffer.from(response);
      },
    );
  };
}

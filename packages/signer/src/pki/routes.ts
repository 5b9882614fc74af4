import { invalidRequest } from '@signet/protocol';
import type { FastifyPluginAsync } from 'fastify';
import type { CertificateAuthority } from './authority.js';
import { TimestampRequestError } from './timestamp-authority.js';

const TIMESTAMP_QUERY = 'application/timestamp-query';
const TIMESTAMP_REPLY = 'application/timestamp-reply';
// A TimeStampReq is a hash, a nonce and a few flags: well under 1 KB. Anything larger is not one.
const MAX_TIMESTAMP_QUERY_BYTES = 8_192;
// The root changes only when an operator rotates it; a day's caching is safe and spares the CA.
const ROOT_CACHE = 'public, max-age=86400';

/**
 * The CA's public routes (no bearer token):
 * - `GET /v1/ca/root.pem`: the root certificate, PEM (`application/x-pem-file`), for validators to trust;
 * - `GET /v1/ca/root.cer`: the same, DER (`application/pkix-cert`);
 * - `POST /v1/timestamp`: RFC 3161 over HTTP (`application/timestamp-query` in,
 *   `application/timestamp-reply` out). A body that is not a TimeStampReq is a 400; a well-formed
 *   request the TSA refuses (unknown hash, another policy) gets a rejection TimeStampResp.
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

    app.get('/v1/ca/root.pem', async (_request, reply) => {
      reply.type('application/x-pem-file').header('cache-control', ROOT_CACHE);
      return rootPem;
    });

    app.get('/v1/ca/root.cer', async (_request, reply) => {
      reply.type('application/pkix-cert').header('cache-control', ROOT_CACHE);
      return rootDer;
    });

    app.post('/v1/timestamp', async (request, reply) => {
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
    });
  };
}

/**
 * JSON Schemas (draft 2020-12 subset that Fastify's Ajv and OpenAPI 3.1 both read) of the Signer
 * API's envelope requests and responses. Request schemas validate at the HTTP edge (route
 * `schema`); response schemas are for the OpenAPI document only, so a response never loses a
 * field to serializer stripping. Rules a schema cannot say (an index in range, a person given
 * either an id_token or a name and email) are checked in code with errors that name the field.
 */

/** Most documents, persons and signatures in one envelope. */
export const LIMITS = { documents: 10, persons: 50, signatures: 200 } as const;

const position = {
  type: 'object',
  description:
    'A visible signature box in PDF points from the bottom-left of the page; omit for an invisible signature.',
  required: ['page', 'x', 'y', 'width', 'height'],
  additionalProperties: false,
  properties: {
    page: { type: 'integer', minimum: 1, description: '1-based page number' },
    x: { type: 'number', minimum: 0 },
    y: { type: 'number', minimum: 0 },
    width: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
    height: { type: 'number', exclusiveMinimum: 0, maximum: 10000 },
  },
} as const;

/** Body of `POST /v1/envelopes`. */
export const createEnvelopeBodySchema = {
  type: 'object',
  required: ['issuer', 'documents', 'persons', 'signatures'],
  additionalProperties: false,
  properties: {
    issuer: {
      type: 'object',
      required: ['initiative', 'nonce'],
      additionalProperties: false,
      properties: {
        initiative: { type: 'string', minLength: 1, maxLength: 200, description: "The caller's client_id." },
        personIndex: { type: 'integer', minimum: 0, description: 'Which person (0-based) issued the envelope.' },
        name: {
          type: 'string',
          minLength: 1,
          maxLength: 100,
          pattern: '\\S',
          description: "The sender's name in the envelope's emails. Default the initiative.",
        },
        nonce: {
          type: 'string',
          minLength: 1,
          maxLength: 200,
          pattern: '\\S',
          description: 'Unique per initiative; a reuse is 409.',
        },
      },
    },
    documents: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.documents,
      items: {
        type: 'object',
        required: ['content'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', maxLength: 500 },
          content: { type: 'string', minLength: 1, description: 'The PDF, base64.' },
        },
      },
    },
    persons: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.persons,
      description: 'Each person has either an id_token, or a name and an email to be invited.',
      items: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id_token: { type: 'string', minLength: 1, maxLength: 16384 },
          name: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
          email: { type: 'string', minLength: 3, maxLength: 254 },
          locale: {
            type: 'string',
            enum: ['en', 'es'],
            description: "The invited person's language for emails. Default `en`.",
          },
        },
      },
    },
    signatures: {
      type: 'array',
      minItems: 1,
      maxItems: LIMITS.signatures,
      description: 'Applied in array order.',
      items: {
        type: 'object',
        required: ['document', 'person'],
        additionalProperties: false,
        properties: {
          document: { type: 'integer', minimum: 0 },
          person: { type: 'integer', minimum: 0 },
          position,
        },
      },
    },
    expiresAt: { type: 'string', maxLength: 40, description: 'ISO 8601 date-time in the future.' },
    callbackUrl: { type: 'string', maxLength: 2000, description: 'https URL (http on localhost).' },
  },
} as const;

/** Path parameters `{id}`. */
export const envelopeParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const;

/** Path parameters `{id}` and `{n}`. */
export const documentParamsSchema = {
  type: 'object',
  required: ['id', 'n'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 100 },
    n: { type: 'integer', minimum: 0, maximum: 1000 },
  },
} as const;

/** Query of `GET /v1/envelopes/{id}/documents/{n}`. */
export const documentQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'string', enum: ['current', 'original'], description: 'Default `current` (the signed PDF).' },
  },
} as const;

/** Query of `GET /v1/envelopes/{id}/audit-trail`: how the certificate of completion (PDF) is written. */
export const auditTrailQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    locale: {
      type: 'string',
      maxLength: 35,
      description:
        'Language of the certificate of completion (`en` or `es`; region subtags ignored). Default: from `Accept-Language`, else `en`.',
    },
    timeZone: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description:
        'IANA time zone the certificate of completion shows times in, e.g. `Europe/Madrid`. Default `UTC`. The JSON trail is always UTC.',
    },
  },
} as const;

/** Query of `GET /v1/envelopes`. */
export const listEnvelopesQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['in_progress', 'completed', 'rejected', 'canceled', 'expired'] },
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    cursor: { type: 'string', maxLength: 200 },
  },
} as const;

/** Body of `POST /v1/envelopes/{id}/cancel` (optional). */
export const cancelEnvelopeBodySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

/** JSON body of `POST /v1/verify` (the raw PDF as `application/pdf` is accepted too). */
export const verifyBodySchema = {
  type: 'object',
  required: ['content'],
  additionalProperties: false,
  properties: { content: { type: 'string', minLength: 1, description: 'The PDF, base64.' } },
} as const;

const isoTime = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

/** An envelope (response of create, get, cancel; items of the list). */
export const envelopeSchema = {
  type: 'object',
  required: [
    'id',
    'status',
    'issuer',
    'createdAt',
    'updatedAt',
    'expiresAt',
    'finishedAt',
    'callbackUrl',
    'statusReason',
    'documents',
    'persons',
    'signatures',
  ],
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['in_progress', 'completed', 'rejected', 'canceled', 'expired'] },
    issuer: {
      type: 'object',
      required: ['initiative', 'personIndex', 'nonce'],
      properties: {
        initiative: { type: 'string' },
        personIndex: { type: ['integer', 'null'] },
        nonce: { type: 'string' },
        name: { type: ['string', 'null'] },
      },
    },
    createdAt: isoTime,
    updatedAt: isoTime,
    expiresAt: nullableTime,
    finishedAt: nullableTime,
    callbackUrl: { type: ['string', 'null'] },
    statusReason: { type: ['string', 'null'] },
    documents: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'name', 'pageCount', 'size', 'originalSha256', 'signatureCount', 'url'],
        properties: {
          index: { type: 'integer' },
          name: { type: 'string' },
          pageCount: { type: 'integer' },
          size: { type: 'integer' },
          originalSha256: { type: 'string' },
          signatureCount: { type: 'integer' },
          url: { type: 'string' },
        },
      },
    },
    persons: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'identifiedBy', 'name', 'email', 'status', 'signedAt'],
        properties: {
          index: { type: 'integer' },
          identifiedBy: { type: 'string', enum: ['id_token', 'invitation'] },
          name: { type: 'string' },
          email: { type: ['string', 'null'] },
          status: { type: 'string', enum: ['pending', 'signed', 'rejected'] },
          signedAt: nullableTime,
          signingUrl: { type: 'string', description: 'Only in the responses to create and resend.' },
          locale: { type: ['string', 'null'], description: 'Invited persons: the language of their emails.' },
          invitationExpiresAt: nullableTime,
        },
      },
    },
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['index', 'document', 'person', 'status', 'signedAt', 'position'],
        properties: {
          index: { type: 'integer' },
          document: { type: 'integer' },
          person: { type: 'integer' },
          status: { type: 'string', enum: ['pending', 'signed'] },
          signedAt: nullableTime,
          position: { oneOf: [position, { type: 'null' }] },
        },
      },
    },
  },
} as const;

/** Response of `GET /v1/envelopes`. */
export const envelopeListSchema = {
  type: 'object',
  required: ['envelopes', 'nextCursor'],
  properties: {
    envelopes: { type: 'array', items: envelopeSchema },
    nextCursor: { type: ['string', 'null'] },
  },
} as const;

/** Response of `GET /v1/envelopes/{id}/audit-trail` (JSON). */
export const auditTrailSchema = {
  type: 'object',
  required: ['envelopeId', 'status', 'events'],
  properties: {
    envelopeId: { type: 'string' },
    status: { type: 'string', enum: ['in_progress', 'completed', 'rejected', 'canceled', 'expired'] },
    events: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sequence', 'type', 'occurredAt', 'actor', 'ip', 'userAgent', 'data'],
        properties: {
          sequence: { type: 'integer' },
          type: { type: 'string' },
          occurredAt: isoTime,
          actor: {
            type: 'object',
            required: ['type', 'id'],
            properties: {
              type: { type: 'string', enum: ['client', 'person', 'system'] },
              id: { type: 'string' },
              name: { type: 'string' },
              personIndex: { type: 'integer' },
            },
          },
          ip: { type: ['string', 'null'] },
          userAgent: { type: ['string', 'null'] },
          data: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
} as const;

const indication = { type: 'string', enum: ['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE'] } as const;
const subIndication = { type: ['string', 'null'] } as const;
const changesAfter = {
  type: 'array',
  items: {
    type: 'object',
    required: ['allowed', 'description'],
    properties: { allowed: { type: 'boolean' }, description: { type: 'string' } },
  },
} as const;
const covers = {
  type: 'object',
  required: ['revision', 'bytes'],
  properties: { revision: { type: 'integer' }, bytes: { type: 'integer' } },
} as const;

/** Response of `POST /v1/verify`: the validation report. */
export const verifyResponseSchema = {
  type: 'object',
  required: ['valid', 'indication', 'subIndication', 'signatures', 'documentTimestamps'],
  properties: {
    valid: { type: 'boolean' },
    indication,
    subIndication,
    signatures: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'field',
          'indication',
          'subIndication',
          'errors',
          'level',
          'signer',
          'signingTime',
          'timestamp',
          'bestSignatureTime',
          'integrity',
          'chain',
          'revocation',
          'coversWholeDocument',
          'covers',
          'changesAfter',
        ],
        properties: {
          field: { type: 'string' },
          indication,
          subIndication,
          errors: { type: 'array', items: { type: 'string' } },
          level: { type: ['string', 'null'], enum: ['B-B', 'B-T', 'B-LT', 'B-LTA', null] },
          signer: {
            type: 'object',
            required: ['name', 'certificateSubject'],
            properties: {
              name: { type: 'string' },
              serialNumber: { type: 'string' },
              country: { type: 'string' },
              certificateSubject: { type: 'string' },
            },
          },
          signingTime: nullableTime,
          timestamp: nullableTime,
          bestSignatureTime: { type: 'string', format: 'date-time' },
          integrity: { type: 'string', enum: ['valid', 'invalid'] },
          chain: { type: 'string', enum: ['trusted', 'untrusted'] },
          revocation: {
            type: 'object',
            required: ['status', 'source', 'revokedAt'],
            properties: {
              status: { type: 'string', enum: ['good', 'revoked', 'unknown'] },
              source: { type: ['string', 'null'], enum: ['ocsp', 'crl', null] },
              revokedAt: nullableTime,
            },
          },
          coversWholeDocument: { type: 'boolean' },
          covers,
          changesAfter,
        },
      },
    },
    documentTimestamps: {
      type: 'array',
      items: {
        type: 'object',
        required: [
          'field',
          'indication',
          'subIndication',
          'errors',
          'time',
          'authority',
          'integrity',
          'chain',
          'coversWholeDocument',
          'covers',
          'changesAfter',
        ],
        properties: {
          field: { type: 'string' },
          indication,
          subIndication,
          errors: { type: 'array', items: { type: 'string' } },
          time: nullableTime,
          authority: { type: 'string' },
          integrity: { type: 'string', enum: ['valid', 'invalid'] },
          chain: { type: 'string', enum: ['trusted', 'untrusted'] },
          coversWholeDocument: { type: 'boolean' },
          covers,
          changesAfter,
        },
      },
    },
  },
} as const;

/** The error body of every envelope operation. */
export const envelopeErrorSchema = {
  type: 'object',
  required: ['error', 'error_description'],
  properties: {
    error: {
      type: 'string',
      enum: [
        'invalid_request',
        'invalid_document',
        'document_too_large',
        'invalid_id_token',
        'nonce_reused',
        'not_found',
        'invalid_state',
        'invitation_invalid',
        'document_purged',
      ],
    },
    error_description: { type: 'string' },
    field: { type: 'string' },
    reason: { type: 'string' },
    envelopeId: { type: 'string' },
  },
} as const;

/**
 * JSON schemas of the notification routes, for Fastify (validation, serialization) and the
 * OpenAPI document, which is built from the routes' schemas.
 */

import { ENVELOPE_EVENT_TYPES } from '@signet/protocol';

const TAGS = ['Notifications'];

/** The error body every failure answers with. */
export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'string' }, error_description: { type: 'string' } },
} as const;

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

/** An envelope event: a webhook's body and an SSE message's `data`. */
export const eventPayloadSchema = {
  type: 'object',
  required: ['id', 'type', 'occurred_at', 'envelope_id', 'data'],
  properties: {
    id: { type: 'string', description: 'The event sequence number; the SSE `id`. Deduplicate on it.' },
    type: {
      type: 'string',
      enum: [...ENVELOPE_EVENT_TYPES],
    },
    occurred_at: { type: 'integer', description: 'Epoch seconds.' },
    envelope_id: { type: 'string' },
    data: { type: 'object', additionalProperties: true },
  },
  examples: [
    {
      id: '42',
      type: 'envelope.completed',
      occurred_at: 1767225600,
      envelope_id: 'env_8c1f2',
      data: { status: 'completed' },
    },
  ],
} as const;

/** `GET /v1/webhook` and `PUT /v1/webhook` responses. */
export const webhookSettingsSchema = {
  type: 'object',
  required: ['url', 'has_secret'],
  properties: {
    url: { ...nullableString, description: 'Where final-state events of envelopes without a callbackUrl go.' },
    has_secret: { type: 'boolean', description: 'Whether a signing secret exists (it is never shown again).' },
    secret: { type: 'string', description: 'Only when this call created the signing secret: store it now.' },
  },
  examples: [{ url: 'https://example.com/signet-webhook', has_secret: true }],
} as const;

/** `PUT /v1/webhook` body. */
export const putWebhookBodySchema = {
  type: 'object',
  required: ['url'],
  properties: {
    url: {
      ...nullableString,
      maxLength: 2048,
      description: 'https URL (http only for localhost); null removes it.',
    },
  },
  examples: [{ url: 'https://example.com/signet-webhook' }],
} as const;

/** `POST /v1/webhook/secret` response. */
export const webhookSecretSchema = {
  type: 'object',
  required: ['secret'],
  properties: { secret: { type: 'string', description: 'The new signing secret, shown this once.' } },
  examples: [{ secret: 'whsec_3q2-7wE…' }],
} as const;

/** One attempt to send a webhook. */
export const deliveryAttemptSchema = {
  type: 'object',
  required: ['attempted_at', 'url', 'status_code', 'error', 'duration_ms', 'next_attempt_at'],
  properties: {
    attempted_at: { type: 'integer', description: 'Epoch seconds.' },
    url: nullableString,
    status_code: { ...nullableInteger, description: 'The receiver’s HTTP status; null when none came.' },
    error: { ...nullableString, description: 'Why the attempt failed; null on success.' },
    duration_ms: { type: 'integer' },
    next_attempt_at: { ...nullableInteger, description: 'When it is retried (epoch seconds); null if not.' },
  },
} as const;

/** One webhook delivery and its attempts. */
export const deliverySchema = {
  type: 'object',
  required: [
    'id',
    'event_id',
    'event_type',
    'url',
    'status',
    'attempt_count',
    'next_attempt_at',
    'delivered_at',
    'attempts',
  ],
  properties: {
    id: { type: 'string', description: 'Also sent as the `Signet-Delivery-Id` header.' },
    event_id: { type: 'string' },
    event_type: { type: 'string' },
    url: { ...nullableString, description: 'The envelope’s callbackUrl; null means the client’s webhook URL.' },
    status: { type: 'string', enum: ['pending', 'delivered', 'failed'] },
    attempt_count: { type: 'integer' },
    next_attempt_at: nullableInteger,
    delivered_at: nullableInteger,
    attempts: { type: 'array', items: deliveryAttemptSchema },
  },
} as const;

/** `GET /v1/envelopes/{id}/deliveries` response. */
export const deliveryListSchema = {
  type: 'object',
  required: ['deliveries'],
  properties: { deliveries: { type: 'array', items: deliverySchema } },
} as const;

const envelopeIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'The envelope id.' } },
} as const;

/** The route schemas, with the OpenAPI fields. */
export const routeSchemas = {
  events: {
    operationId: 'streamEvents',
    summary: 'Stream the calling client’s envelope events (Server-Sent Events)',
    description:
      'A `text/event-stream`: each message has `id` (the event sequence number), `event` (its type) and ' +
      '`data` (the event JSON, as in a webhook). Send `Last-Event-ID` on reconnect to receive the events ' +
      'missed; comment lines every 15 s keep the connection alive.',
    tags: TAGS,
    headers: {
      type: 'object',
      properties: { 'last-event-id': { type: 'string', description: 'The id of the last event received.' } },
    },
    response: {
      200: { description: 'The event stream.', content: { 'text/event-stream': { schema: eventPayloadSchema } } },
      400: { description: 'A malformed Last-Event-ID.', ...errorSchema },
    },
  },
  getWebhook: {
    operationId: 'getWebhook',
    summary: 'Read the client’s webhook URL, and whether a signing secret exists',
    tags: TAGS,
    response: { 200: webhookSettingsSchema },
  },
  putWebhook: {
    operationId: 'setWebhook',
    summary: 'Set the client’s webhook URL',
    description:
      'The first time, this also creates the signing secret and returns it as `secret`, once. ' +
      'See docs/webhooks.md for the `Signet-Signature` header.',
    tags: TAGS,
    body: putWebhookBodySchema,
    response: { 200: webhookSettingsSchema, 400: { description: 'A URL that is not allowed.', ...errorSchema } },
  },
  rotateSecret: {
    operationId: 'rotateWebhookSecret',
    summary: 'Create or replace the webhook signing secret',
    description: 'Returns the new secret, once. Every delivery from now on, retries included, is signed with it.',
    tags: TAGS,
    response: { 201: webhookSecretSchema },
  },
  listDeliveries: {
    operationId: 'listEnvelopeDeliveries',
    summary: 'List the webhook deliveries of an envelope’s events, with every attempt',
    tags: TAGS,
    params: envelopeIdParams,
    response: { 200: deliveryListSchema, 404: { description: 'No such envelope for this client.', ...errorSchema } },
  },
  retryDeliveries: {
    operationId: 'retryEnvelopeDeliveries',
    summary: 'Queue the envelope’s failed deliveries again',
    tags: TAGS,
    params: envelopeIdParams,
    response: {
      202: { type: 'object', required: ['retried'], properties: { retried: { type: 'integer' } } },
      404: { description: 'No such envelope for this client.', ...errorSchema },
    },
  },
};

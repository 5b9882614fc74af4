import type { Operation } from './operations.js';

/** A JSON Schema (2020-12, which OpenAPI 3.1 uses as is). */
export type JsonSchema = Record<string, unknown>;

/** The OpenAPI 3.1 document's shape, as far as Signet fills it. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, JsonSchema> };
}

/** One operation of {@link OpenApiDocument}. */
export interface OpenApiOperation {
  operationId: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: OpenApiParameter[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

/** A path, query or header parameter. */
export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** The error body every failure carries (RFC 6749 §5.2 shape). */
export const ERROR_BODY_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: { type: 'string', description: 'A stable, machine-readable code.' },
    error_description: { type: 'string', description: 'What went wrong, for a developer.' },
  },
  required: ['error'],
  examples: [{ error: 'invalid_token', error_description: 'the access token has expired' }],
};

const DESCRIPTION = `The Signet Signer API: envelopes of PDF documents signed by people identified through OpenID Connect.

Every \`/v1\` call except the public ones needs \`Authorization: Bearer <access token>\`: a JWT access
token (\`typ: at+jwt\`) from the issuer's token endpoint, obtained with \`grant_type=client_credentials\`
and \`audience\` set to this API's audience. A client sees and changes only its own envelopes; another
client's envelope is a 404. Failures answer \`{ "error", "error_description" }\`; a rejected token
answers 401 with \`WWW-Authenticate: Bearer error="invalid_token"\` (RFC 6750).`;

/** What the document says about the deployment. */
export interface DocumentInfo {
  /** Where integrators reach the API. */
  publicUrl: string;
  /** The issuer whose token endpoint hands out access tokens. */
  issuer: string;
  /** The audience tokens must be requested for. */
  audience: string;
  version: string;
}

/**
 * Builds the OpenAPI 3.1 document from the routes the app really serves: each route's Fastify
 * schema gives its parameters, request body and responses; routes behind the bearer check get
 * the security requirement and the 401 answer.
 */
export function buildOpenApiDocument(operations: Operation[], info: DocumentInfo): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const op of operations) {
    const path = openApiPath(op.url);
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = operation(op);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Signet Signer API', version: info.version, description: DESCRIPTION },
    servers: [{ url: info.publicUrl }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `An access token from ${info.issuer}/oauth2/token (client_credentials, audience=${info.audience}).`,
        },
      },
      schemas: { Error: ERROR_BODY_SCHEMA },
    },
  };
}

/** `/v1/envelopes/:id` → `/v1/envelopes/{id}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `GET /v1/envelopes/:id` → `getV1EnvelopesId`, for routes that name no operationId. */
export function derivedOperationId(method: string, url: string): string {
  const words = url.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]?.toUpperCase() + w.slice(1)).join('');
}

function operation(op: Operation): OpenApiOperation {
  const s = op.schema;
  const result: OpenApiOperation = {
    operationId: s.operationId ?? derivedOperationId(op.method, op.url),
    ...(s.summary ? { summary: s.summary } : {}),
    ...(s.description ? { description: s.description } : {}),
    ...(s.tags ? { tags: s.tags } : {}),
    responses: {},
  };
  if (op.secured) result.security = [{ bearer: [] }];
  const parameters = [
    ...parametersOf(s.params, 'path'),
    ...parametersOf(s.querystring, 'query'),
    ...parametersOf(s.headers, 'header'),
  ];
  // Every path parameter must be declared (OpenAPI 3.1 §4.8.12.1), schema or not.
  for (const name of op.url.match(/:([A-Za-z0-9_]+)/g) ?? []) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name.slice(1))) {
      parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
    }
  }
  if (parameters.length > 0) result.parameters = parameters;
  if (isSchema(s.body)) result.requestBody = requestBody(s.body, s.consumes);
  result.responses = responses(s.response);
  if (op.secured) {
    result.responses['401'] ??= {
      description: 'No access token, or one that is invalid, expired, or not for this API.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return result;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parametersOf(schema: unknown, place: OpenApiParameter['in']): OpenApiParameter[] {
  if (!isSchema(schema) || !isSchema(schema.properties)) return [];
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  return Object.entries(schema.properties)
    .filter(([name]) => !(place === 'header' && name.toLowerCase() === 'authorization'))
    .map(([name, property]) => {
      const { description, ...rest } = isSchema(property) ? property : {};
      return {
        name,
        in: place,
        required: place === 'path' || required.includes(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: rest,
      };
    });
}

function requestBody(body: JsonSchema, consumes: string[] | undefined): NonNullable<OpenApiOperation['requestBody']> {
  // Fastify 5 also takes `body: { content: { 'media/type': { schema } } }`.
  if (isSchema(body.content)) {
    return { required: true, content: body.content as Record<string, { schema: JsonSchema }> };
  }
  const content: Record<string, { schema: JsonSchema }> = {};
  for (const type of consumes ?? ['application/json']) content[type] = { schema: body };
  return { required: true, content };
}

function responses(response: unknown): OpenApiOperation['responses'] {
  const result: OpenApiOperation['responses'] = {};
  if (!isSchema(response)) {
    result['200'] = { description: 'Success.' };
    return result;
  }
  for (const [code, value] of Object.entries(response)) {
    if (!isSchema(value)) continue;
    const status = code.toLowerCase() === 'default' ? 'default' : code.toUpperCase();
    const { description, content, ...schema } = value;
    const text = typeof description === 'string' ? description : defaultDescription(status);
    if (isSchema(content)) {
      result[status] = { description: text, content: content as Record<string, { schema: JsonSchema }> };
    } else if (Object.keys(schema).length === 0 || (schema.type === 'null' && Object.keys(schema).length === 1)) {
      result[status] = { description: text };
    } else {
      result[status] = { description: text, content: { 'application/json': { schema } } };
    }
  }
  return result;
}

function defaultDescription(status: string): string {
  if (status.startsWith('2')) return 'Success.';
  if (status === 'default') return 'An error.';
  return `Error ${status}.`;
}

import { SdkError, type SdkErrorDetails } from './errors.js';
import { defaultFetch, type FetchLike, isRecord, readJsonObject, send } from './http.js';
import type {
  AuditTrail,
  CreateEnvelopeRequest,
  Envelope,
  EnvelopeList,
  EnvelopeStatus,
  ListEnvelopesQuery,
  ResentInvitation,
  VerifyResponse,
} from './signer-types.js';
import type { TokenProvider } from './token-provider.js';

/**
 * Configuration of {@link SignerClient}.
 *
 * @example
 * const config: SignerClientConfig = { baseUrl: 'http://localhost:4446', tokens };
 * const signer = new SignerClient(config);
 */
export interface SignerClientConfig {
  /** Where the Signer API listens, without `/v1`. Example: `'http://localhost:4446'`. */
  baseUrl: string;
  /** Where bearer tokens come from. Example: `createTokenProvider({ ..., audience: 'http://localhost:4446' })`. */
  tokens: TokenProvider;
  /** Default: the global `fetch`. */
  fetch?: FetchLike;
}

/**
 * An error answer of the Signer API (`{ error, error_description, field?, reason?, envelopeId? }`),
 * with `code` `response_error`. `error` is one of the API's codes (`invalid_document`,
 * `nonce_reused`, `not_found`, …; see `SignerErrorCode`).
 *
 * @example
 * catch (e) {
 *   if (e instanceof SignerApiError && e.error === 'nonce_reused') return client.getEnvelope(e.envelopeId!);
 * }
 */
export class SignerApiError extends SdkError {
  /** The offending field as a path into the request, e.g. `documents[0].content`. */
  readonly field: string | undefined;
  /** A stable sub-code, e.g. `auth_time` for an `invalid_id_token`. */
  readonly reason: string | undefined;
  /** With `nonce_reused`: the envelope the nonce already created. */
  readonly envelopeId: string | undefined;

  constructor(message: string, details: SdkErrorDetails & { field?: string; reason?: string; envelopeId?: string }) {
    super('response_error', message, details);
    this.name = 'SignerApiError';
    this.field = details.field;
    this.reason = details.reason;
    this.envelopeId = details.envelopeId;
  }
}

/**
 * Options of {@link SignerClient.listEnvelopes}.
 *
 * @example
 * for await (const e of signer.listEnvelopes({ status: 'completed', limit: 100 })) console.log(e.id);
 */
export interface ListEnvelopesOptions {
  /** Only envelopes in this status. Default: all. */
  status?: EnvelopeStatus;
  /** Envelopes per page (1 to 100). Default: the server's (20). */
  limit?: number;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  accept: string;
  body?: string | Uint8Array<ArrayBuffer>;
  contentType?: string;
}

/**
 * A typed client of the Signer API. Every call carries `Authorization: Bearer` from `tokens`
 * (cached there); when the API answers 401 with `WWW-Authenticate: Bearer error="invalid_token"`
 * (the token was revoked, or keys rotated), the client drops that token and retries once with a
 * new one. Errors are {@link SignerApiError}s.
 *
 * @example
 * const signer = new SignerClient({ baseUrl: 'http://localhost:4446', tokens });
 * const envelope = await signer.createEnvelope({
 *   issuer: { initiative: clientId, nonce: 'order-8812' },
 *   documents: [{ name: 'contract.pdf', content: encodeBase64(pdfBytes) }],
 *   persons: [{ id_token: idToken }],
 *   signatures: [{ document: 0, person: 0 }],
 * });
 */
export class SignerClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenProvider;
  private readonly fetch: FetchLike;

  constructor(config: SignerClientConfig) {
    try {
      new URL(config.baseUrl);
    } catch (cause) {
      throw new SdkError('invalid_argument', `baseUrl "${config.baseUrl}" is not an absolute URL`, { cause });
    }
    if (!config.tokens) throw new SdkError('invalid_argument', 'tokens is required');
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.tokens = config.tokens;
    this.fetch = config.fetch ?? defaultFetch;
  }

  /**
   * `POST /v1/envelopes`: uploads the PDFs and says who signs what. Persons given by id_token
   * sign at once; invited persons get a `signingUrl` in this answer only.
   *
   * @example
   * const envelope = await signer.createEnvelope(request); // envelope.status === 'in_progress' or 'completed'
   */
  async createEnvelope(request: CreateEnvelopeRequest): Promise<Envelope> {
    return this.json<Envelope>({
      method: 'POST',
      path: '/v1/envelopes',
      accept: 'application/json',
      body: JSON.stringify(request),
      contentType: 'application/json',
    });
  }

  /**
   * `GET /v1/envelopes/{id}`.
   *
   * @example
   * const { status } = await signer.getEnvelope('env_3q2…');
   */
  async getEnvelope(id: string): Promise<Envelope> {
    return this.json<Envelope>({ method: 'GET', path: `/v1/envelopes/${segment(id)}`, accept: 'application/json' });
  }

  /**
   * One page of `GET /v1/envelopes`, newest first; pass `nextCursor` back as `cursor`.
   *
   * @example
   * const { envelopes, nextCursor } = await signer.listEnvelopePage({ status: 'completed', limit: 50 });
   */
  async listEnvelopePage(query: ListEnvelopesQuery = {}): Promise<EnvelopeList> {
    const params = new URLSearchParams();
    if (query.status !== undefined) params.set('status', query.status);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    const search = params.size > 0 ? `?${params}` : '';
    return this.json<EnvelopeList>({ method: 'GET', path: `/v1/envelopes${search}`, accept: 'application/json' });
  }

  /**
   * Every envelope, newest first, fetching pages as the loop asks for them.
   *
   * @example
   * for await (const envelope of signer.listEnvelopes({ status: 'in_progress' })) console.log(envelope.id);
   */
  async *listEnvelopes(options: ListEnvelopesOptions = {}): AsyncGenerator<Envelope, void, undefined> {
    let cursor: string | undefined;
    const seen = new Set<string>();
    do {
      const page = await this.listEnvelopePage({ ...options, ...(cursor !== undefined ? { cursor } : {}) });
      if (!Array.isArray(page.envelopes)) throw new SdkError('invalid_response', 'list: envelopes is not an array');
      yield* page.envelopes;
      cursor = page.nextCursor ?? undefined;
      // A server that hands back a cursor twice would loop forever.
      if (cursor !== undefined) {
        if (seen.has(cursor)) throw new SdkError('invalid_response', 'list: the server repeated a cursor');
        seen.add(cursor);
      }
    } while (cursor !== undefined);
  }

  /**
   * `POST /v1/envelopes/{id}/cancel`: stops an envelope still `in_progress`.
   *
   * @example
   * await signer.cancelEnvelope(envelope.id, 'the order was withdrawn');
   */
  async cancelEnvelope(id: string, reason?: string): Promise<Envelope> {
    return this.json<Envelope>({
      method: 'POST',
      path: `/v1/envelopes/${segment(id)}/cancel`,
      accept: 'application/json',
      body: JSON.stringify(reason === undefined ? {} : { reason }),
      contentType: 'application/json',
    });
  }

  /**
   * `POST /v1/envelopes/{id}/persons/{n}/resend`: gives an invited person who has not signed a new
   * signing link; their old link stops working at once. When the Signer sends email the
   * invitation goes to them again (`email: 'queued'`), else deliver `signingUrl` yourself (`'off'`).
   *
   * @example
   * const { signingUrl } = await signer.resendInvitation(envelope.id, 1);
   */
  async resendInvitation(id: string, person: number): Promise<ResentInvitation> {
    return this.json<ResentInvitation>({
      method: 'POST',
      path: `/v1/envelopes/${segment(id)}/persons/${person}/resend`,
      accept: 'application/json',
      body: '{}',
      contentType: 'application/json',
    });
  }

  /**
   * `GET /v1/envelopes/{id}/documents/{n}`: the PDF bytes, signed once signed; with
   * `version: 'original'` the PDF as uploaded. Default: `'current'`.
   *
   * @example
   * const pdf = await signer.downloadDocument(envelope.id, 0);
   */
  async downloadDocument(
    id: string,
    index: number,
    options: { version?: 'current' | 'original' } = {},
  ): Promise<Uint8Array> {
    if (!Number.isInteger(index) || index < 0) {
      throw new SdkError('invalid_argument', 'index must be a non-negative integer');
    }
    const search = options.version ? `?version=${options.version}` : '';
    return this.bytes({
      method: 'GET',
      path: `/v1/envelopes/${segment(id)}/documents/${index}${search}`,
      accept: 'application/pdf',
    });
  }

  /**
   * `GET /v1/envelopes/{id}/audit-trail`: who did what and when.
   *
   * @example
   * const { events } = await signer.auditTrail(envelope.id);
   */
  async auditTrail(id: string): Promise<AuditTrail> {
    return this.json<AuditTrail>({
      method: 'GET',
      path: `/v1/envelopes/${segment(id)}/audit-trail`,
      accept: 'application/json',
    });
  }

  /**
   * The same audit trail as a PDF certificate of completion.
   *
   * @example
   * await writeFile('certificate.pdf', await signer.certificateOfCompletion(envelope.id));
   */
  async certificateOfCompletion(id: string): Promise<Uint8Array> {
    return this.bytes({ method: 'GET', path: `/v1/envelopes/${segment(id)}/audit-trail`, accept: 'application/pdf' });
  }

  /**
   * `POST /v1/verify`: checks the signatures of a PDF (sent as `application/pdf`).
   *
   * @example
   * const { valid, signatures } = await signer.verify(await readFile('signed.pdf'));
   */
  async verify(pdf: Uint8Array): Promise<VerifyResponse> {
    return this.json<VerifyResponse>({
      method: 'POST',
      path: '/v1/verify',
      accept: 'application/json',
      body: new Uint8Array(pdf),
      contentType: 'application/pdf',
    });
  }

  private async json<T>(call: Call): Promise<T> {
    const res = await this.call(call);
    return (await readJsonObject(res, `${call.method} ${pathOf(call)}`)) as T;
  }

  private async bytes(call: Call): Promise<Uint8Array> {
    const res = await this.call(call);
    return new Uint8Array(await res.arrayBuffer());
  }

  /** Sends with the cached token; on 401 invalid_token drops it and retries once with a new one. */
  private async call(call: Call): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.tokens.getToken();
      const headers: Record<string, string> = { accept: call.accept, authorization: `Bearer ${token}` };
      if (call.contentType) headers['content-type'] = call.contentType;
      const res = await send(this.fetch, `${this.baseUrl}${call.path}`, {
        method: call.method,
        headers,
        ...(call.body !== undefined ? { body: call.body } : {}),
      });
      if (res.ok) return res;
      if (res.status === 401 && attempt === 1 && invalidTokenChallenge(res.headers.get('www-authenticate'))) {
        await res.body?.cancel();
        this.tokens.invalidate(token);
        continue;
      }
      throw await signerError(res, `${call.method} ${pathOf(call)}`);
    }
  }
}

/**
 * Standard base64 of bytes, for `documents[].content`.
 *
 * @example
 * documents: [{ name: 'contract.pdf', content: encodeBase64(await readFile('contract.pdf')) }]
 */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list short for multi-megabyte PDFs.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** RFC 6750 §3: `Bearer …, error="invalid_token"` (the scheme may carry other parameters). */
function invalidTokenChallenge(header: string | null): boolean {
  return header !== null && /^\s*bearer\b/i.test(header) && /\berror\s*=\s*"?invalid_token"?/i.test(header);
}

async function signerError(res: Response, what: string): Promise<SignerApiError> {
  let body: unknown;
  try {
    body = JSON.parse(await res.text());
  } catch {
    body = undefined;
  }
  if (!isRecord(body) || typeof body.error !== 'string') {
    return new SignerApiError(`${what}: HTTP ${res.status}`, { status: res.status });
  }
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] : undefined);
  const description = text('error_description');
  const details: SdkErrorDetails & { field?: string; reason?: string; envelopeId?: string } = {
    error: body.error,
    status: res.status,
  };
  if (description !== undefined) details.error_description = description;
  for (const name of ['field', 'reason', 'envelopeId'] as const) {
    const value = text(name);
    if (value !== undefined) details[name] = value;
  }
  return new SignerApiError(`${what}: ${body.error}${description ? ` (${description})` : ''}`, details);
}

const segment = (id: string): string => {
  if (typeof id !== 'string' || id === '') throw new SdkError('invalid_argument', 'id is required');
  return encodeURIComponent(id);
};

const pathOf = (call: Call): string => call.path.split('?')[0] ?? call.path;

import { resolve } from 'node:path';
import {
  ConfigError,
  type Env,
  envBool,
  envHttpUrl,
  envInt,
  envIssuer,
  envLogLevel,
  envMasterKey,
  envSignerAudience,
  envString,
  isLoopback,
} from '@signet/protocol';

/**
 * The Signer's configuration, read once at start from `SIGNET_*` variables by
 * {@link loadSignerConfig}. Every field documents its variable and default.
 */
export interface SignerConfig {
  /** `SIGNET_ISSUER`: the accounts issuer the Signer trusts, found via discovery. Default `http://localhost:4444`. */
  issuer: string;
  /** `SIGNET_SIGNER_AUDIENCE`: this API's audience; access tokens must carry it in `aud`. Default `http://localhost:4446`. */
  audience: string;
  /** `SIGNET_SIGNER_PUBLIC_URL`: the URL people and integrators reach the Signer at (signing links, callback). Default `http://localhost:4446`. */
  publicUrl: string;
  /** `SIGNET_SIGNER_HOST`. Default `127.0.0.1`. */
  host: string;
  /** `SIGNET_SIGNER_PORT`. Default 4446. */
  port: number;
  /** `SIGNET_DATA_DIR`: where the SQLite database and generated secrets live. Default `./.signet`. */
  dataDir: string;
  /** `SIGNET_SIGNER_DATABASE_URL`: unset for SQLite at `<dataDir>/signer.db`; `postgres://…` for PostgreSQL. */
  databaseUrl: string;
  /** `SIGNET_SIGNER_MASTER_KEY`: 32 bytes base64url. Unset: generated into `<dataDir>/signer-master-key` (0600). */
  masterKey: string | undefined;
  /** `SIGNET_SIGNER_MAX_DOCUMENT_BYTES`: largest PDF accepted. Default 20 MB (20971520). */
  maxDocumentBytes: number;
  /**
   * `SIGNET_SIGNER_MAX_ENVELOPE_BYTES`: largest total of an envelope's documents, decoded, at
   * least `SIGNET_SIGNER_MAX_DOCUMENT_BYTES`. Default 50 MiB (52428800). `POST /v1/envelopes`'s
   * body limit follows from it (base64 adds a third, plus room for persons and signatures), so a
   * larger body is refused with 413 by its `Content-Length`, or as soon as that many bytes arrived.
   */
  maxEnvelopeBytes: number;
  /**
   * Untrusted PDFs (uploaded documents, `POST /v1/verify`) are parsed in a pool of worker threads
   * (see `pdf/untrusted.ts`), within these limits; a document that goes past one is refused as
   * 422 `invalid_document` with `reason` `too_complex`, and a full queue answers 503.
   * `SIGNET_SIGNER_PDF_WORKERS`: worker threads (1–64). Default 2.
   */
  pdfWorkers: number;
  /** `SIGNET_SIGNER_PDF_QUEUE`: documents that may wait for a worker before requests get 503 (0–10000). Default 16. */
  pdfQueue: number;
  /** `SIGNET_SIGNER_PDF_DEADLINE_MS`: wall-clock time a worker may spend on one document, ms (100–600000). Default 10000. */
  pdfDeadlineMs: number;
  /** `SIGNET_SIGNER_PDF_WORKER_MEMORY_MB`: V8 heap of each worker, MB (32–16384). Default 512. */
  pdfWorkerMemoryMb: number;
  /** `SIGNET_SIGNER_PDF_MAX_STREAM_BYTES`: bytes one stream of a document may decompress to. Default 32 MiB (33554432). */
  pdfMaxStreamBytes: number;
  /**
   * `SIGNET_SIGNER_PDF_MAX_DECODED_BYTES`: bytes all streams of one document together may
   * decompress to, at least `SIGNET_SIGNER_PDF_MAX_STREAM_BYTES`. Default 128 MiB (134217728).
   */
  pdfMaxDecodedBytes: number;
  /** `SIGNET_SIGNER_REQUIRED_ACR`: the `acr` an id_token must carry to identify a signer. Default `urn:acr:face`. */
  requiredAcr: string;
  /**
   * `SIGNET_SIGNER_REQUIRED_AMR`: authentication methods (RFC 8176) of which an id_token's `amr`
   * must contain at least one to identify a signer, separated by `|`; e.g. `hwk|swk` requires a
   * possession factor (a passkey). Default empty: no `amr` rule.
   */
  requiredAmr: string[];
  /** `SIGNET_SIGNER_AUTH_MAX_AGE`: how old an id_token's `auth_time` may be, in seconds. Default 900 (15 minutes). */
  authMaxAge: number;
  /** `SIGNET_SIGNER_CLIENT_ID` / `SIGNET_SIGNER_CLIENT_SECRET`: the Signer's own OIDC client at accounts, for the signing page. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /**
   * `SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS`: `deny` or `allow` webhooks (client webhook URLs and
   * envelope `callbackUrl`s) to private network addresses: loopback, RFC 1918, link-local (cloud
   * metadata at 169.254.169.254), CGNAT, IPv6 unique-local and link-local, and the like. Integrators
   * choose these URLs, so `deny` keeps them from making the Signer post into the operator's own
   * network (SSRF). Default: `allow` when `SIGNET_SIGNER_PUBLIC_URL`'s host is localhost,
   * 127.0.0.1 or ::1 (a developer's machine, whose receivers are local too), `deny` otherwise.
   *
   * @example SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS=allow // receivers on the operator's own network
   */
  webhookPrivateNetworks: 'allow' | 'deny';
  /** `SIGNET_LOG_LEVEL`. Default `info`. */
  logLevel: string;
  /** `SIGNET_ACCESS_LOG`: one log line per request (method, route, status, ms, request id). Default true. */
  accessLog: boolean;
  /**
   * `SIGNET_SIGNER_METRICS_HOST` / `SIGNET_SIGNER_METRICS_PORT`: the metrics listener (`GET
   * /metrics`, Prometheus text format), apart from the public one so a load balancer never
   * exposes it. Default `127.0.0.1:4448`; port 0 when `SIGNET_SIGNER_PORT` is 0 (tests).
   */
  metricsHost: string;
  metricsPort: number;
  /** `SIGNET_METRICS_TOKEN`: when set, the metrics listener requires `Authorization: Bearer <it>`. Default unset. */
  metricsToken: string | undefined;
  /**
   * `SIGNET_SIGNER_RETENTION_DAYS`: days after an envelope ends (completed, declined, cancelled,
   * expired) until its documents and audit events are deleted; the envelope row stays with
   * `purged_at` and the documents' SHA-256 hashes, and one `envelope.purged` audit event records
   * the deletion. 0 (default) keeps everything for ever.
   */
  retentionDays: number;
  /**
   * `SIGNET_SIGNER_SEAL_COUNTRY`: the C (ISO 3166-1 alpha-2) of the organisation seal that seals
   * certificates of completion; ETSI EN 319 412-3 requires it. Default: unset (no C).
   */
  sealCountry: string | undefined;
  /** `SIGNET_SIGNER_SEAL_ORGANIZATION_ID`: the seal's organizationIdentifier, e.g. `VATES-B12345678`. Default: unset. */
  sealOrganizationIdentifier: string | undefined;
  /**
   * `SIGNET_SIGNER_SMTP_URL`: the mail server invitations, reminders and completion emails go
   * through (`smtp://user:pass@host:587` with STARTTLS when offered, `smtps://…:465` for TLS from
   * the start). Default: unset, and the Signer sends no email (integrators deliver `signingUrl`s).
   *
   * @example SIGNET_SIGNER_SMTP_URL=smtps://signet:secret@mail.example.com:465
   */
  smtpUrl: string | undefined;
  /** `SIGNET_SIGNER_MAIL_FROM`: the From of every email, `Name <address>` or an address; required with SMTP. */
  mailFrom: string | undefined;
  /**
   * `SIGNET_SIGNER_REMINDERS`: hours before a signing link expires at which a person who has not
   * signed gets a reminder, comma-separated (each 1–720), or `none`. Default `24`.
   *
   * @example SIGNET_SIGNER_REMINDERS=72,24
   */
  reminderHours: number[];
  /**
   * `SIGNET_SIGNER_MAIL_ATTACH_MAX_BYTES`: the completion email carries the signed PDFs when
   * together they are at most this size; past it (or at 0) it names them and says to ask the sender.
   * Default 10 MiB (10485760), below the common 20–25 MB message limits once base64 grows it.
   */
  mailAttachMaxBytes: number;
}

export { ConfigError, isLoopback };

/** A `|`-separated list of RFC 8176 method names (`hwk|swk`); empty when unset. */
function envAmrList(env: Env, name: string): string[] {
  const raw = env[name]?.trim() ?? '';
  if (raw === '') return [];
  const values = raw.split('|').map((v) => v.trim());
  for (const v of values) {
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(v)) {
      throw new ConfigError(
        name,
        `must be authentication methods (RFC 8176) separated by |, e.g. hwk|swk; got "${raw}"`,
      );
    }
  }
  return [...new Set(values)];
}

/**
 * Reads and validates the Signer's configuration; throws {@link ConfigError} on the first bad
 * variable. `SIGNET_ISSUER`, `SIGNET_DATA_DIR` and `SIGNET_LOG_LEVEL` are shared with accounts,
 * so `signet start` runs both from one environment.
 *
 * @example
 * const config = loadSignerConfig({ SIGNET_ISSUER: 'https://accounts.example.com', SIGNET_SIGNER_PORT: '8446' });
 */
export function loadSignerConfig(env: Env = process.env): SignerConfig {
  const dataDir = resolve(envString(env, 'SIGNET_DATA_DIR', './.signet'));
  const issuer = envIssuer(env);
  const audience = envSignerAudience(env);
  const publicUrl = envHttpUrl(env, 'SIGNET_SIGNER_PUBLIC_URL', 'http://localhost:4446').replace(/\/+$/, '');
  const webhookPrivateNetworks = envString(
    env,
    'SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS',
    isLoopback(new URL(publicUrl).hostname) ? 'allow' : 'deny',
  );
  if (webhookPrivateNetworks !== 'allow' && webhookPrivateNetworks !== 'deny') {
    throw new ConfigError(
      'SIGNET_SIGNER_WEBHOOK_PRIVATE_NETWORKS',
      `must be "deny" or "allow", got "${webhookPrivateNetworks}"`,
    );
  }
  const masterKey = envMasterKey(env, 'SIGNET_SIGNER_MASTER_KEY');
  const clientId = env.SIGNET_SIGNER_CLIENT_ID?.trim() || undefined;
  const clientSecret = env.SIGNET_SIGNER_CLIENT_SECRET?.trim() || undefined;
  if (clientId && !clientSecret) {
    throw new ConfigError('SIGNET_SIGNER_CLIENT_SECRET', 'is required when SIGNET_SIGNER_CLIENT_ID is set');
  }
  if (clientSecret && !clientId) {
    throw new ConfigError('SIGNET_SIGNER_CLIENT_ID', 'is required when SIGNET_SIGNER_CLIENT_SECRET is set');
  }
  const logLevel = envLogLevel(env);
  const sealCountry = env.SIGNET_SIGNER_SEAL_COUNTRY?.trim().toUpperCase() || undefined;
  if (sealCountry && !/^[A-Z]{2}$/.test(sealCountry)) {
    throw new ConfigError(
      'SIGNET_SIGNER_SEAL_COUNTRY',
      `must be an ISO 3166-1 alpha-2 code such as ES, got "${sealCountry}"`,
    );
  }
  const sealOrganizationIdentifier = env.SIGNET_SIGNER_SEAL_ORGANIZATION_ID?.trim() || undefined;
  // ETSI EN 319 412-1 §5.1.4: 3-letter type (VAT, NTR, PSD, LEI) or `XX:` national, 2-letter country, `-`, identifier.
  if (
    sealOrganizationIdentifier &&
    !/^(?:[A-Z]{3}|[A-Z]{2}:)[A-Z]{2}-[\x21-\x7e]{1,120}$/.test(sealOrganizationIdentifier)
  ) {
    throw new ConfigError(
      'SIGNET_SIGNER_SEAL_ORGANIZATION_ID',
      `must look like VATES-B12345678 (ETSI EN 319 412-1), got "${sealOrganizationIdentifier}"`,
    );
  }
  const GiB = 1024 * 1024 * 1024;
  const pdfMaxStreamBytes = envInt(env, 'SIGNET_SIGNER_PDF_MAX_STREAM_BYTES', 32 * 1024 * 1024, 1024 * 1024, 4 * GiB);
  const pdfMaxDecodedBytes = envInt(
    env,
    'SIGNET_SIGNER_PDF_MAX_DECODED_BYTES',
    128 * 1024 * 1024,
    1024 * 1024,
    16 * GiB,
  );
  if (pdfMaxDecodedBytes < pdfMaxStreamBytes) {
    throw new ConfigError(
      'SIGNET_SIGNER_PDF_MAX_DECODED_BYTES',
      `must be at least SIGNET_SIGNER_PDF_MAX_STREAM_BYTES (${pdfMaxStreamBytes}), got ${pdfMaxDecodedBytes}`,
    );
  }
  const smtpUrl = env.SIGNET_SIGNER_SMTP_URL?.trim() || undefined;
  if (smtpUrl) {
    let protocol = '';
    try {
      protocol = new URL(smtpUrl).protocol;
    } catch {}
    if (protocol !== 'smtp:' && protocol !== 'smtps:') {
      throw new ConfigError(
        'SIGNET_SIGNER_SMTP_URL',
        'must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@mail.example.com:465',
      );
    }
  }
  const mailFrom = env.SIGNET_SIGNER_MAIL_FROM?.trim() || undefined;
  if (smtpUrl && !mailFrom) {
    throw new ConfigError(
      'SIGNET_SIGNER_MAIL_FROM',
      'is required when SIGNET_SIGNER_SMTP_URL is set, e.g. "Acme Signatures <sign@acme.example>"',
    );
  }
  if (mailFrom && !/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(mailFrom)) {
    throw new ConfigError('SIGNET_SIGNER_MAIL_FROM', `must be "Name <address>" or an address, got "${mailFrom}"`);
  }
  const remindersText = envString(env, 'SIGNET_SIGNER_REMINDERS', '24');
  let reminderHours: number[] = [];
  if (remindersText !== 'none' && remindersText !== '') {
    reminderHours = remindersText.split(',').map((part) => {
      const hours = Number(part.trim());
      if (!/^\d+$/.test(part.trim()) || hours < 1 || hours > 720) {
        throw new ConfigError(
          'SIGNET_SIGNER_REMINDERS',
          `must be hours before expiry (1-720), comma-separated, or "none"; got "${remindersText}"`,
        );
      }
      return hours;
    });
    reminderHours = [...new Set(reminderHours)].sort((a, b) => b - a);
  }
  const port = envInt(env, 'SIGNET_SIGNER_PORT', 4446, 0, 65535);
  const metricsToken = env.SIGNET_METRICS_TOKEN?.trim() || undefined;
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('SIGNET_METRICS_TOKEN', 'must be at least 16 characters');
  }
  const metricsPort = envInt(env, 'SIGNET_SIGNER_METRICS_PORT', port === 0 ? 0 : 4448, 0, 65535);
  if (metricsPort !== 0 && metricsPort === port) {
    throw new ConfigError('SIGNET_SIGNER_METRICS_PORT', `must differ from SIGNET_SIGNER_PORT (${port})`);
  }
  const maxDocumentBytes = envInt(env, 'SIGNET_SIGNER_MAX_DOCUMENT_BYTES', 20 * 1024 * 1024, 1024, 512 * 1024 * 1024);
  const maxEnvelopeBytes = envInt(
    env,
    'SIGNET_SIGNER_MAX_ENVELOPE_BYTES',
    Math.max(50 * 1024 * 1024, maxDocumentBytes),
    1024,
    2 * GiB,
  );
  if (maxEnvelopeBytes < maxDocumentBytes) {
    throw new ConfigError(
      'SIGNET_SIGNER_MAX_ENVELOPE_BYTES',
      `must be at least SIGNET_SIGNER_MAX_DOCUMENT_BYTES (${maxDocumentBytes}), got ${maxEnvelopeBytes}`,
    );
  }
  return {
    issuer,
    audience,
    publicUrl,
    host: envString(env, 'SIGNET_SIGNER_HOST', '127.0.0.1'),
    port,
    dataDir,
    databaseUrl: env.SIGNET_SIGNER_DATABASE_URL?.trim() || resolve(dataDir, 'signer.db'),
    masterKey,
    maxDocumentBytes,
    maxEnvelopeBytes,
    pdfWorkers: envInt(env, 'SIGNET_SIGNER_PDF_WORKERS', 2, 1, 64),
    pdfQueue: envInt(env, 'SIGNET_SIGNER_PDF_QUEUE', 16, 0, 10_000),
    pdfDeadlineMs: envInt(env, 'SIGNET_SIGNER_PDF_DEADLINE_MS', 10_000, 100, 600_000),
    pdfWorkerMemoryMb: envInt(env, 'SIGNET_SIGNER_PDF_WORKER_MEMORY_MB', 512, 32, 16_384),
    pdfMaxStreamBytes,
    pdfMaxDecodedBytes,
    requiredAcr: envString(env, 'SIGNET_SIGNER_REQUIRED_ACR', 'urn:acr:face'),
    requiredAmr: envAmrList(env, 'SIGNET_SIGNER_REQUIRED_AMR'),
    authMaxAge: envInt(env, 'SIGNET_SIGNER_AUTH_MAX_AGE', 900, 1, 86_400),
    clientId,
    clientSecret,
    webhookPrivateNetworks,
    logLevel,
    accessLog: envBool(env, 'SIGNET_ACCESS_LOG', true),
    metricsHost: envString(env, 'SIGNET_SIGNER_METRICS_HOST', '127.0.0.1'),
    metricsPort,
    metricsToken,
    retentionDays: envInt(env, 'SIGNET_SIGNER_RETENTION_DAYS', 0, 0, 36_500),
    sealCountry,
    sealOrganizationIdentifier,
    smtpUrl,
    mailFrom,
    reminderHours,
    mailAttachMaxBytes: envInt(env, 'SIGNET_SIGNER_MAIL_ATTACH_MAX_BYTES', 10 * 1024 * 1024, 0, 100 * 1024 * 1024),
  };
}

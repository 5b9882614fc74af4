/**
 * The Signer's configuration, read once at start from `SIGNET_*` variables (owner: service core;
 * this first version only fixes the fields other parts rely on).
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
  /** `SIGNET_SIGNER_REQUIRED_ACR`: the `acr` an id_token must carry to identify a signer. Default `urn:acr:face`. */
  requiredAcr: string;
  /** `SIGNET_SIGNER_AUTH_MAX_AGE`: how old an id_token's `auth_time` may be, in seconds. Default 900 (15 minutes). */
  authMaxAge: number;
  /** `SIGNET_SIGNER_CLIENT_ID` / `SIGNET_SIGNER_CLIENT_SECRET`: the Signer's own OIDC client at accounts, for the signing page. */
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** `SIGNET_LOG_LEVEL`. Default `info`. */
  logLevel: string;
}

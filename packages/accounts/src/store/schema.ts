import type { ScheduledJobsTable } from '@signet/store';
import type { Generated } from 'kysely';

/**
 * Table shapes shared by every backend. Lists are stored as JSON text and timestamps as
 * epoch seconds (bigint in PostgreSQL) so that SQLite and PostgreSQL hold identical values.
 */
export interface Database {
  clients: ClientTable;
  signing_keys: SigningKeyTable;
  revoked_tokens: RevokedTokenTable;
  users: UserTable;
  sessions: SessionTable;
  interactions: InteractionTable;
  grants: GrantTable;
  authorization_codes: AuthorizationCodeTable;
  refresh_tokens: RefreshTokenTable;
  grant_access_tokens: GrantAccessTokenTable;
  consents: ConsentTable;
  login_throttle: LoginThrottleTable;
  face_templates: FaceTemplateTable;
  face_enrolment_links: FaceEnrolmentLinkTable;
  passkeys: PasskeyTable;
  passkey_challenges: PasskeyChallengeTable;
  scheduled_jobs: ScheduledJobsTable;
}

/** An OAuth 2.0 client registration (RFC 7591 field names). */
export interface ClientTable {
  client_id: string;
  client_name: string;
  /** Keyed SHA-256 of the secret; null for clients that authenticate without one. */
  client_secret_hash: string | null;
  grant_types: string;
  response_types: string;
  redirect_uris: string;
  scope: string;
  audience: string;
  token_endpoint_auth_method: string;
  /** 1 for first-party clients whose users are not asked for consent. */
  skip_consent: number;
  post_logout_redirect_uris: string;
  created_at: number | string;
  updated_at: number | string;
}

/** A JWS signing key; the private JWK is sealed with the data key. */
export interface SigningKeyTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_sealed: string;
  /** `next` (published, not yet signing), `active` (signing), `previous` (published), `retired`. */
  status: string;
  created_at: number | string;
  activated_at: number | string | null;
  retired_at: number | string | null;
  /** Monotonic order so "the newest" is unambiguous across nodes. */
  seq: Generated<number>;
}

/** A revoked JWT access token, kept until it would have expired anyway (RFC 7009). */
export interface RevokedTokenTable {
  jti: string;
  expires_at: number | string;
}

type Epoch = number | string;

/** A person who can sign in. `claims` holds the OpenID Connect standard claims as JSON. */
export interface UserTable {
  id: string;
  username: string;
  password_hash: string | null;
  claims: string;
  /** The lower-cased `email` claim while it is verified, else null (migration 0008). */
  sign_in_email: string | null;
  created_at: Epoch;
  updated_at: Epoch;
}

/** A signed-in browser session; the cookie value is stored only as its SHA-256. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  auth_time: Epoch;
  acr: string;
  amr: string;
  created_at: Epoch;
  expires_at: Epoch;
}

/** An authorization request waiting for the person (login, consent). */
export interface InteractionTable {
  id: string;
  client_id: string;
  request: string;
  browser_hash: string;
  csrf_token: string;
  user_id: string | null;
  auth_time: Epoch | null;
  acr: string | null;
  amr: string | null;
  /** The head turn the face step asked for (`left` or `right`), once it began. */
  face_challenge: string | null;
  /** Face checks made in this interaction. */
  face_attempts: Generated<number>;
  created_at: Epoch;
  expires_at: Epoch;
}

/** A person's enrolled face template, sealed by the accounts service; never the photo. */
export interface FaceTemplateTable {
  user_id: string;
  template_sealed: string;
  created_at: Epoch;
}

/** A one-time link through which a person enrols their own face; the token only as a keyed hash. */
export interface FaceEnrolmentLinkTable {
  token_hash: string;
  user_id: string;
  created_at: Epoch;
  expires_at: Epoch;
  /** When the person enrolled through it; a used link never works again. */
  used_at: Epoch | null;
  /** When it stopped working unused: a newer link was issued, or too many checks failed. */
  revoked_at: Epoch | null;
  /** SHA-256 of the binding cookie of the browser that last opened the link. */
  browser_hash: string | null;
  /** Synchronizer token of the camera page's form. */
  csrf_token: string | null;
  /** The head turn asked for (`left` or `right`). */
  face_challenge: string | null;
  face_attempts: Generated<number>;
}

/** What a person allowed a client: the root of codes, refresh tokens and access tokens. */
export interface GrantTable {
  id: string;
  user_id: string;
  client_id: string;
  scope: string;
  audience: string;
  auth_time: Epoch;
  acr: string;
  amr: string;
  created_at: Epoch;
  revoked_at: Epoch | null;
}

/** A single-use authorization code (RFC 6749 §4.1.2), bound to its PKCE challenge. */
export interface AuthorizationCodeTable {
  code_hash: string;
  grant_id: string;
  redirect_uri: string;
  code_challenge: string;
  nonce: string | null;
  created_at: Epoch;
  expires_at: Epoch;
  consumed_at: Epoch | null;
}

/** A refresh token; rotated on every use. */
export interface RefreshTokenTable {
  token_hash: string;
  grant_id: string;
  scope: string;
  created_at: Epoch;
  expires_at: Epoch;
  consumed_at: Epoch | null;
}

/** An access token issued under a grant, kept so revoking the grant can deny-list it. */
export interface GrantAccessTokenTable {
  jti: string;
  grant_id: string;
  expires_at: Epoch;
}

/** A remembered consent decision for one person, client and scope set. */
export interface ConsentTable {
  user_id: string;
  client_id: string;
  scope: string;
  created_at: Epoch;
}

/** Failed sign-in counts per account or address, in a fixed window. */
export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: Epoch;
}

/** A person's passkey (issue 10): a WebAuthn credential, its public key as COSE, base64url. */
export interface PasskeyTable {
  /** The credential ID, base64url. */
  credential_id: string;
  user_id: string;
  public_key: string;
  /** The authenticator's signature counter at the last use (0 for authenticators that keep none). */
  sign_count: Epoch;
  /** JSON list of transports the browser reported (`usb`, `internal`, `hybrid`…). */
  transports: string;
  /** 1 when the credential may be synced to other devices (WebAuthn BE flag): `swk`, else `hwk`. */
  backup_eligible: number;
  /** 1 when it is backed up now (WebAuthn BS flag, may change). */
  backed_up: number;
  /** `platform` or `cross-platform`, as the browser reported it at registration (not signed). */
  attachment: string | null;
  aaguid: string;
  /** A label for the person and operators. */
  name: string;
  created_at: Epoch;
  last_used_at: Epoch | null;
}

/** The challenge of a WebAuthn ceremony in flight, keyed by what it is bound to. */
export interface PasskeyChallengeTable {
  /** What the ceremony belongs to: `interaction:<id>`, `link:<token hash>`, `session:<id hash>`. */
  binding: string;
  /** `register` or `authenticate`. */
  purpose: string;
  /** The person a registration is for; null for a usernameless sign-in. */
  user_id: string | null;
  /** base64url; null once taken by a response. */
  challenge: string | null;
  challenge_expires_at: Epoch;
  /** When the binding's right to new challenges ends. */
  expires_at: Epoch;
}

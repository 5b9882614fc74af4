/**
 * A person's passkey as the admin API shows it (`GET /admin/users/{id}/passkeys`, issue 10).
 * The public key is not shown.
 */
export interface PasskeyJson {
  /** The WebAuthn credential ID, base64url; names the passkey in `DELETE …/passkeys/{credential_id}`. */
  credential_id: string;
  /** A label (`Device passkey`, `Security key`, `Synced passkey`). */
  name: string;
  /**
   * What a sign-in with it puts in `amr` (RFC 8176) beside `user`: `hwk` when the key cannot leave
   * its authenticator (WebAuthn BE flag clear), `swk` when it may be synced (BE set).
   */
  amr: 'hwk' | 'swk';
  /** WebAuthn BE: the key may be backed up or synced. Fixed for the passkey's life. */
  backup_eligible: boolean;
  /** WebAuthn BS at the last use: it is backed up now. */
  backed_up: boolean;
  /** `platform` or `cross-platform`, as the browser said at registration (not signed); null if it did not. */
  attachment: string | null;
  /** The authenticator model's AAGUID (all zeros when it does not say). */
  aaguid: string;
  /** Transports the browser reported (`internal`, `usb`, `hybrid`…). */
  transports: string[];
  /** The signature counter at the last use (0 for authenticators that keep none). */
  sign_count: number;
  /** RFC 3339. */
  created_at: string;
  /** RFC 3339, or null when never used to sign in. */
  last_used_at: string | null;
}

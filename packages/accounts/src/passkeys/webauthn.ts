/**
 * Passkeys (issue 10): WebAuthn ceremonies with @simplewebauthn/server, as small steps.
 *
 * Every ceremony's challenge is bound to what started it (an interaction, an enrolment link, a
 * session) and stored there; a response is checked against the challenge its own client data
 * names only after that challenge was *taken* from its binding by one conditional UPDATE, so a
 * challenge answers at most one response, within {@link CHALLENGE_TTL} seconds. User
 * verification is required in both ceremonies; the RP ID and origin are the issuer's.
 */

import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { passkeyAmr } from '../people/acr.js';
import type { User } from '../people/repository.js';
import type { Store } from '../store/accounts-store.js';
import type { Passkey, PasskeyCeremony } from './repository.js';

/** Seconds a challenge may be answered in. */
export const CHALLENGE_TTL = 5 * 60;

/** The longest `credential` form field accepted (a registration response with attestation fits easily). */
export const MAX_CREDENTIAL_FIELD = 16 * 1024;

/** The relying party: this issuer's host (RP ID) and origin. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

/** The relying party of an issuer: its host name as RP ID, its origin as the only expected origin. */
export function relyingParty(issuer: string, name = 'Signet'): RelyingParty {
  const url = new URL(issuer);
  return { id: url.hostname, origin: url.origin, name };
}

/** Why a passkey response was refused, as logs and pages name it. */
export type PasskeyProblem =
  | 'malformed'
  | 'challenge'
  | 'unknown_credential'
  | 'wrong_person'
  | 'verification'
  | 'origin'
  | 'rp_id'
  | 'user_verification'
  | 'counter'
  | 'backup_eligibility'
  | 'already_registered';

/** A refused passkey response. */
export class PasskeyError extends Error {
  constructor(
    readonly problem: PasskeyProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PasskeyError';
  }
}

const refuse = (problem: PasskeyProblem, message: string) => new PasskeyError(problem, message);

/** Parses the browser's JSON response from the form field `credential`. */
export function readCredential<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(
  field: string | undefined,
): T {
  if (!field || field.length > MAX_CREDENTIAL_FIELD) throw refuse('malformed', 'no passkey response was sent');
  let parsed: unknown;
  try {
    parsed = JSON.parse(field);
  } catch {
    throw refuse('malformed', 'the passkey response is not JSON');
  }
  const response = parsed as Partial<T> | null;
  if (
    typeof response !== 'object' ||
    response === null ||
    typeof response.id !== 'string' ||
    typeof response.response !== 'object' ||
    response.response === null ||
    typeof (response.response as { clientDataJSON?: unknown }).clientDataJSON !== 'string'
  ) {
    throw refuse('malformed', 'the passkey response is incomplete');
  }
  return response as T;
}

/** The challenge a response's client data answers (to be taken from its binding before verifying). */
export function challengeOf(response: RegistrationResponseJSON | AuthenticationResponseJSON): string {
  try {
    const data = JSON.parse(Buffer.from(response.response.clientDataJSON, 'base64url').toString('utf8')) as {
      challenge?: unknown;
    };
    if (typeof data.challenge === 'string' && /^[A-Za-z0-9_-]{16,128}$/.test(data.challenge)) return data.challenge;
  } catch {}
  throw refuse('malformed', 'the passkey response names no challenge');
}

/**
 * Takes the challenge `response` answers from `binding`, once. Returns the person the ceremony
 * is for (null for a usernameless sign-in); throws `challenge` when it is unknown, expired,
 * already answered, or bound elsewhere.
 */
export async function takeChallenge(
  store: Store,
  binding: string,
  purpose: PasskeyCeremony,
  response: RegistrationResponseJSON | AuthenticationResponseJSON,
  now: number,
): Promise<{ challenge: string; userId: string | null }> {
  const challenge = challengeOf(response);
  const taken = await store.passkeys.takeChallenge(binding, purpose, challenge, now);
  if (!taken) throw refuse('challenge', 'the challenge is unknown, expired, already used or not this page’s');
  return { challenge, userId: taken.userId };
}

/** Options for a usernameless sign-in: no credential list, discoverable credentials, UV required. */
export function signInOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, userVerification: 'required', timeout: CHALLENGE_TTL * 1000 });
}

/**
 * Options to register a passkey for `user`: a discoverable credential (resident key required),
 * UV required, no attestation asked (Signet trusts no vendor list; see decision 0020), the
 * person's passkeys excluded so one authenticator is not registered twice.
 */
export function registrationOptions(
  rp: RelyingParty,
  user: User,
  existing: readonly Passkey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.username,
    userDisplayName: typeof user.claims.name === 'string' ? user.claims.name : user.username,
    userID: new TextEncoder().encode(user.id),
    attestationType: 'none',
    timeout: CHALLENGE_TTL * 1000,
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
  });
}

/** Verifies a registration response against its taken challenge and returns the passkey to store. */
export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
  userId: string,
  now: number,
): Promise<Passkey> {
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
  } catch (error) {
    throw refuse(problemOf(error), `the passkey was not created: ${(error as Error).message}`);
  }
  if (!verified.verified) throw refuse('verification', 'the passkey was not created');
  const info = verified.registrationInfo;
  const attachment = response.authenticatorAttachment;
  return {
    credentialId: info.credential.id,
    userId,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    signCount: info.credential.counter,
    transports: (info.credential.transports ?? []).slice(0, 8),
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    attachment: attachment === 'platform' || attachment === 'cross-platform' ? attachment : null,
    aaguid: info.aaguid,
    name: passkeyName(attachment, info.credentialDeviceType === 'multiDevice'),
    createdAt: now,
    lastUsedAt: null,
  };
}

/** A plain label for a new passkey, from what the browser and authenticator said. */
function passkeyName(attachment: string | undefined, synced: boolean): string {
  if (synced) return 'Synced passkey';
  return attachment === 'cross-platform' ? 'Security key' : 'Device passkey';
}

/** A verified passkey sign-in: who, with which passkey, and the methods (`amr`) it proves. */
export interface PasskeySignIn {
  passkey: Passkey;
  amr: string[];
}

/**
 * Verifies a sign-in (assertion) against its taken challenge: the credential must be registered
 * (to `expectedUser` when the ceremony named one), signed for this RP ID and origin, with user
 * verification, its counter moving forward (recorded by compare-and-set), and its backup
 * eligibility unchanged since registration.
 */
export async function verifySignIn(
  store: Store,
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  expectedUser: string | null,
  now: number,
): Promise<PasskeySignIn> {
  const passkey = await store.passkeys.get(response.id);
  if (!passkey) throw refuse('unknown_credential', 'this passkey is not registered here');
  if (expectedUser !== null && passkey.userId !== expectedUser) {
    throw refuse('wrong_person', 'this passkey belongs to someone else');
  }
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
      credential: {
        id: passkey.credentialId,
        publicKey: Buffer.from(passkey.publicKey, 'base64url'),
        counter: passkey.signCount,
        transports: passkey.transports as never,
      },
    });
  } catch (error) {
    throw refuse(problemOf(error), `the passkey sign-in failed: ${(error as Error).message}`);
  }
  const info = verified.authenticationInfo;
  if (!verified.verified || !info.userVerified) throw refuse('user_verification', 'the person was not verified');
  // BE is fixed for a credential's life (WebAuthn §6.1.3): a change means another authenticator.
  if ((info.credentialDeviceType === 'multiDevice') !== passkey.backupEligible) {
    throw refuse('backup_eligibility', 'the passkey’s backup eligibility changed');
  }
  const recorded = await store.passkeys.recordUse(passkey.credentialId, {
    previousCount: passkey.signCount,
    signCount: info.newCounter,
    backedUp: info.credentialBackedUp,
    now,
  });
  if (!recorded) throw refuse('counter', 'the passkey was used at the same time elsewhere');
  return { passkey, amr: passkeyAmr(passkey.backupEligible) };
}

/** Sorts the library's errors into problems (its messages stay in the log). */
function problemOf(error: unknown): PasskeyProblem {
  const message = error instanceof Error ? error.message : '';
  if (/user verification|user could not be verified/i.test(message)) return 'user_verification';
  if (/counter/i.test(message)) return 'counter';
  if (/challenge/i.test(message)) return 'challenge';
  if (/origin/i.test(message)) return 'origin';
  if (/RP ID/i.test(message)) return 'rp_id';
  return 'verification';
}

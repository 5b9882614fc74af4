/**
 * Authentication context classes (`acr`) and the methods behind them (`amr`, RFC 8176).
 *
 * The level a sign-in reached is worked out from its `amr`, the methods actually used, never
 * from a label stored beside them: a session that was good enough under an older configuration
 * is judged by today's (issue 10).
 */

/** Authentication context class reached with a password alone. */
export const ACR_PASSWORD = 'urn:acr:password';

/**
 * Authentication context class reached with a passkey (issue 10): proof of possession of a key
 * (`hwk` or `swk`) with user verification (`user`). Also meets a request for `urn:acr:password`.
 */
export const ACR_PASSKEY = 'urn:acr:passkey';

/**
 * Authentication context class reached with a possession factor (a passkey) and then a live
 * face match. Password and face reach it only where the operator allows it
 * (`SIGNET_FACE_ALLOW_PASSWORD=true`), as the documented weaker level (issue 10).
 */
export const ACR_FACE = 'urn:acr:face';

/** The classes Signet can deliver, advertised as `acr_values_supported`. */
export const ACR_VALUES_SUPPORTED: readonly string[] = [ACR_PASSWORD, ACR_PASSKEY, ACR_FACE];

/** RFC 8176 methods Signet records. */
export const AMR = {
  password: 'pwd',
  /** A passkey whose key cannot leave its authenticator (WebAuthn BE flag clear). */
  hardwareKey: 'hwk',
  /** A passkey whose key may be synced off the device (BE set): software-secured as far as we know. */
  softwareKey: 'swk',
  /** The authenticator verified the person (WebAuthn UV: a PIN, a fingerprint, a face on the device). */
  userVerification: 'user',
  face: 'face',
} as const;

/** What the operator allows; the defaults are the strict ones. */
export interface AcrPolicy {
  /** `SIGNET_FACE_ALLOW_PASSWORD`: a password and a face may reach `urn:acr:face`. Default false. */
  faceAllowPassword: boolean;
}

/** A passkey was used, with user verification. */
export function hasPossession(amr: readonly string[]): boolean {
  return (amr.includes(AMR.hardwareKey) || amr.includes(AMR.softwareKey)) && amr.includes(AMR.userVerification);
}

/** Whether the face step can lift a sign-in with these methods to `urn:acr:face`. */
export function faceStepApplies(amr: readonly string[], policy: AcrPolicy): boolean {
  return hasPossession(amr) || (policy.faceAllowPassword && amr.includes(AMR.password));
}

/** Every class a sign-in with these methods meets, strongest first. */
export function metAcrs(amr: readonly string[], policy: AcrPolicy): string[] {
  const met: string[] = [];
  if (amr.includes(AMR.face) && faceStepApplies(amr, policy)) met.push(ACR_FACE);
  if (hasPossession(amr)) met.push(ACR_PASSKEY);
  if (hasPossession(amr) || amr.includes(AMR.password)) met.push(ACR_PASSWORD);
  return met;
}

/** The strongest class these methods meet (a session's and a login's own `acr`). */
export function achievedAcr(amr: readonly string[], policy: AcrPolicy): string {
  return metAcrs(amr, policy)[0] ?? ACR_PASSWORD;
}

/**
 * Picks the acr to present for a request: with no `acr_values`, the strongest one met; else the
 * first requested value met. Undefined means the requirement is unmet (the person may still reach
 * it with another step, see {@link nextAcrStep}).
 */
export function satisfiedAcr(
  requested: readonly string[],
  amr: readonly string[],
  policy: AcrPolicy,
): string | undefined {
  if (requested.length === 0) return achievedAcr(amr, policy);
  const met = metAcrs(amr, policy);
  return requested.find((value) => met.includes(value));
}

/**
 * The step that would meet an unmet `acr_values`: `face` when the request accepts
 * `urn:acr:face`, the sign-in so far can be lifted by a face (a passkey; a password only where
 * the operator allows it), no face was checked yet, and the person has an enrolled face (`hasFace`).
 * Otherwise undefined, and the flow ends in `unmet_authentication_requirements`.
 */
export function nextAcrStep(
  requested: readonly string[],
  amr: readonly string[],
  policy: AcrPolicy,
  hasFace: boolean,
): 'face' | undefined {
  return requested.includes(ACR_FACE) && hasFace && !amr.includes(AMR.face) && faceStepApplies(amr, policy)
    ? 'face'
    : undefined;
}

/** The methods of a passkey sign-in: `hwk` or `swk` by the credential's backup eligibility, and `user`. */
export function passkeyAmr(backupEligible: boolean): string[] {
  return [backupEligible ? AMR.softwareKey : AMR.hardwareKey, AMR.userVerification];
}

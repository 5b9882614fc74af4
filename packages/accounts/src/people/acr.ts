import type { User } from '@signet/store';

/** Authentication context class reached with a password alone. */
export const ACR_PASSWORD = 'urn:acr:password';

/** Authentication context class reached with a password and then a live face match (issue 4). */
export const ACR_FACE = 'urn:acr:face';

/** The classes Signet can deliver, advertised as `acr_values_supported`. */
export const ACR_VALUES_SUPPORTED: readonly string[] = [ACR_PASSWORD, ACR_FACE];

/** Authentication methods (RFC 8176) behind each class, as the id_token's `amr` shows them. */
export const AMR_OF: Readonly<Record<string, readonly string[]>> = {
  [ACR_PASSWORD]: ['pwd'],
  [ACR_FACE]: ['pwd', 'face'],
};

/**
 * The classes this person could reach, weakest first: a password always, and a face match when
 * a face is enrolled for them (`hasFace`).
 */
export function achievableAcrs(_user: User, hasFace: boolean): string[] {
  return hasFace ? [ACR_PASSWORD, ACR_FACE] : [ACR_PASSWORD];
}

/**
 * Picks the acr to present for a request: with no `acr_values`, whatever was achieved; else
 * the first requested value the person has achieved. Undefined means the requirement is
 * unmet (the person may still reach it with another step, see {@link nextAcrStep}).
 */
export function satisfiedAcr(requested: readonly string[], achieved: string): string | undefined {
  if (requested.length === 0) return achieved;
  // A face sign-in began with the password, so it also meets a request for the password level.
  const met = achieved === ACR_FACE ? [ACR_FACE, ACR_PASSWORD] : [achieved];
  return requested.find((value) => met.includes(value));
}

/**
 * The step that would meet an unmet `acr_values` after a password sign-in: `face` when the
 * request accepts `urn:acr:face`, the person signed in with a password and can reach it;
 * otherwise undefined, and the flow ends in `unmet_authentication_requirements`.
 */
export function nextAcrStep(
  requested: readonly string[],
  achieved: string,
  achievable: readonly string[],
): 'face' | undefined {
  return achieved === ACR_PASSWORD && requested.includes(ACR_FACE) && achievable.includes(ACR_FACE)
    ? 'face'
    : undefined;
}

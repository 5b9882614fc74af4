import type { User } from '@signet/store';

/** Authentication context class reached with a password alone. */
export const ACR_PASSWORD = 'urn:acr:password';

/** Authentication context class reached with a password and a face match (issue 4). */
export const ACR_FACE = 'urn:acr:face';

/** The classes Signet can actually deliver today, advertised as `acr_values_supported`. */
export const ACR_VALUES_SUPPORTED: readonly string[] = [ACR_PASSWORD];

/** The classes this person could reach, weakest first. */
export function achievableAcrs(_user: User): string[] {
  // Face verification (issue 4) will add ACR_FACE for people with an enrolled face.
  return [ACR_PASSWORD];
}

/**
 * Picks the acr to present for a request: with no `acr_values`, whatever was achieved; else
 * the first requested value the person has achieved. Undefined means the requirement is
 * unmet and the flow must end in `unmet_authentication_requirements`.
 */
export function satisfiedAcr(requested: readonly string[], achieved: string): string | undefined {
  if (requested.length === 0) return achieved;
  return requested.includes(achieved) ? achieved : undefined;
}

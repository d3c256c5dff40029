/** The most values an `acr` or `amr` requirement may list. */
export const MAX_ASSURANCE_VALUES = 10;
const MAX_VALUE_LENGTH = 200;
// Visible ASCII without space, `"` and `\`: each value fits a space-separated `acr_values` and
// the quoted string of a `WWW-Authenticate` parameter as it is.
const ASSURANCE_VALUE = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** What a route requires of how the user signed in, besides when. */
export interface AssuranceRequirement {
  /** Accepted authentication context classes (`acr`); the token's must be one of them. */
  acr?: readonly string[];
  /** Accepted authentication methods (`amr`); the token's must include at least one of them. */
  amr?: readonly string[];
}

/**
 * Whether `value` is a usable `acr` or `amr` list: 1 to 10 distinct values, each 1 to 200
 * visible ASCII characters without spaces, quotes or backslashes.
 *
 * @example
 * ```ts
 * isValidAssuranceList(['urn:example:loa:2']); // true
 * isValidAssuranceList(['two words']); // false
 * ```
 */
export function isValidAssuranceList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= MAX_ASSURANCE_VALUES &&
    new Set(value).size === value.length &&
    value.every(
      (item) =>
        typeof item === 'string' && item.length <= MAX_VALUE_LENGTH && ASSURANCE_VALUE.test(item),
    )
  );
}

/**
 * Whether verified claims meet an {@link AssuranceRequirement}: `acr` one of the accepted
 * classes, and `amr` naming at least one of the accepted methods. A claim that is missing or
 * malformed meets nothing.
 *
 * @example
 * ```ts
 * meetsAssurance({ acr: 'urn:example:loa:2', amr: ['pwd', 'otp'] }, { amr: ['otp', 'hwk'] }); // true
 * ```
 */
export function meetsAssurance(
  claims: { acr?: unknown; amr?: unknown },
  requirement: AssuranceRequirement,
): boolean {
  if (requirement.acr !== undefined) {
    if (typeof claims.acr !== 'string' || !requirement.acr.includes(claims.acr)) return false;
  }
  if (requirement.amr !== undefined) {
    const amr = claims.amr;
    if (!Array.isArray(amr) || !amr.some((method) => requirement.amr!.includes(method as string))) {
      return false;
    }
  }
  return true;
}

/**
 * RFC 9396 Rich Authorization Requests for action-bound re-authentication: the
 * `authorization_details` an authorization request carries for a bound action, and the check of
 * what the token response says the user authorized. Pure functions of the settings, the
 * discovery document and the response.
 */
import type { BoundActionRequest } from '../identity-provider';

/** `oidc.authorizationDetailsType` when not given. */
export const DEFAULT_AUTHORIZATION_DETAILS_TYPE = 'step_up_action';

/**
 * The largest `authorization_details` (JSON, in bytes) an authorization URL carries: URL-encoded
 * it roughly doubles, and the whole URL must stay within what browsers, proxies and providers
 * accept (8 KB is a common limit). A summary is at most 200 characters; only many or long bound
 * fields come near it.
 */
export const MAX_AUTHORIZATION_DETAILS_BYTES = 2_000;

const TYPE_NAME = /^[\x21-\x7E]{1,200}$/;

/** Whether `value` can be an `authorization_details` type (checked once, at start-up). */
export function isAuthorizationDetailsType(value: unknown): value is string {
  return typeof value === 'string' && TYPE_NAME.test(value);
}

/**
 * What a bound action's authorization request carries: `authorization_details` with one entry
 * of `type` whose `identifier` is the action's digest, where discovery's
 * `authorization_details_types_supported` lists `type`; nothing where it does not. Where the
 * fields would take the JSON past {@link MAX_AUTHORIZATION_DETAILS_BYTES}, they go as `{}`
 * (`fieldsLeftOut`: the bytes they would have taken): the identifier still commits to them, and
 * the callback, which knows only the digest and the summary, must reach the same answer.
 */
export type BoundActionDetails =
  | { sent: true; parameter: string; fieldsLeftOut?: { bytes: number } }
  | { sent: false; reason: 'not_advertised' }
  | { sent: false; reason: 'too_large'; bytes: number };

export function boundActionDetails(
  type: string,
  action: BoundActionRequest,
  typesSupported: unknown,
): BoundActionDetails {
  if (!Array.isArray(typesSupported) || !typesSupported.includes(type)) {
    return { sent: false, reason: 'not_advertised' };
  }
  const entry = { type, identifier: action.digest, summary: action.summary };
  const parameter = JSON.stringify([{ ...entry, fields: { ...action.fields } }]);
  const bytes = Buffer.byteLength(parameter);
  if (bytes <= MAX_AUTHORIZATION_DETAILS_BYTES) return { sent: true, parameter };
  const withoutFields = JSON.stringify([{ ...entry, fields: {} }]);
  if (Buffer.byteLength(withoutFields) > MAX_AUTHORIZATION_DETAILS_BYTES) {
    return { sent: false, reason: 'too_large', bytes };
  }
  return { sent: true, parameter: withoutFields, fieldsLeftOut: { bytes } };
}

/** A token response's `authorization_details`, kept only when it is an array of JSON objects. */
export function grantedAuthorizationDetails(value: unknown): Record<string, unknown>[] | undefined {
  if (!Array.isArray(value) || !value.every(isJsonObject)) return undefined;
  return value;
}

/**
 * Whether `granted` says the bound action was authorized: an entry of `type` whose `identifier`
 * is the action's digest (RFC 9396 lets the provider change the rest of what it grants).
 */
export function authorizesBoundAction(
  granted: readonly Record<string, unknown>[] | undefined,
  type: string,
  action: BoundActionRequest,
): boolean {
  return (
    granted?.some((detail) => detail.type === type && detail.identifier === action.digest) ?? false
  );
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

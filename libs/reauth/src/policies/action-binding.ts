import { sha256Base64url } from '../crypto/digest';
import { ReauthBadActionException } from '../exceptions/reauth-bad-action.exception';
import type { ActionBinding, BoundValue } from './effective-policy';

/** The longest summary of an action: it travels in the authorization URL's sealed state. */
export const SUMMARY_MAX_LENGTH = 200;

/** A request's bound action: what a confirmation for it commits to. */
export interface BoundAction {
  /** SHA-256 (base64url) of the method, the route and the bound fields in declared order. */
  digest: string;
  /** What the user is asked to confirm. */
  summary: string;
  /** The bound fields' values. */
  fields: Readonly<Record<string, BoundValue>>;
  /** Where its one-time grant is kept: `<route>#<digest>`. */
  scope: string;
}

/**
 * The action a request to a bound route asks to perform: the digest of `[method, route,
 * [[field, value], ...]]` and the route's summary of it. A request whose body lacks a bound field
 * (or holds an object, an array or `null` there) is refused with a 400, never let through; so is
 * a summary that is not 1 to 200 characters of text.
 *
 * @param method - `POST`, `PUT`, ... for HTTP; `MUTATION` (or `QUERY`) for GraphQL.
 * @param body - The request body (HTTP) or the field's arguments (GraphQL).
 */
export function bindAction(
  binding: ActionBinding,
  method: string,
  route: string,
  body: unknown,
): BoundAction {
  const source: Record<string, unknown> =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const fields: Record<string, BoundValue> = {};
  const missing: string[] = [];
  for (const field of binding.fields) {
    const value = Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;
    if (
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      fields[field] = value;
    } else {
      missing.push(field);
    }
  }
  if (missing.length > 0) throw new ReauthBadActionException('action_fields_missing', missing);
  Object.freeze(fields);
  let summary: unknown;
  try {
    summary = binding.summary(fields);
  } catch (error) {
    throw new ReauthBadActionException('action_summary_invalid', [], { cause: error });
  }
  if (!isSummary(summary)) throw new ReauthBadActionException('action_summary_invalid');
  const digest = actionDigest(method, route, binding.fields, fields);
  return Object.freeze({ digest, summary, fields, scope: `${route}#${digest}` });
}

/** The digest a bound action's confirmation commits to. */
export function actionDigest(
  method: string,
  route: string,
  names: readonly string[],
  fields: Readonly<Record<string, BoundValue>>,
): string {
  return sha256Base64url(
    JSON.stringify([method.toUpperCase(), route, names.map((name) => [name, fields[name]])]),
  );
}

/** Whether a value can be shown as an action's summary. */
export function isSummary(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.trim().length > 0 &&
    value.length <= SUMMARY_MAX_LENGTH &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(value)
  );
}

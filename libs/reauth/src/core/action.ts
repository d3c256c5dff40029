import { ReauthInternalError } from './internal-error';

/**
 * The largest action, in UTF-8 bytes of its JSON, that may travel in the re-authentication
 * `state`. It keeps the sealed state, and so the authorization URL, comfortably short.
 *
 * @example
 * ```ts
 * if (Buffer.byteLength(JSON.stringify(action)) > ACTION_MAX_BYTES) {
 *   // too large to carry through the sign-in
 * }
 * ```
 */
export const ACTION_MAX_BYTES = 2048;

/**
 * Thrown by {@link assertActionSize} when the action's JSON is over {@link ACTION_MAX_BYTES}.
 *
 * @example
 * ```ts
 * try {
 *   assertActionSize(request.body);
 * } catch (error) {
 *   if (error instanceof ActionTooLargeError) {
 *     throw new PayloadTooLargeException(error.code);
 *   }
 *   throw error;
 * }
 * ```
 */
export class ActionTooLargeError extends ReauthInternalError {
  readonly code = 'action_too_large';
}

/**
 * Thrown by {@link assertActionSize} when the action is not a plain JSON value, so it would not
 * come back from the sign-in exactly as it went in.
 *
 * @example
 * ```ts
 * try {
 *   assertActionSize({ when: new Date() });
 * } catch (error) {
 *   if (error instanceof ActionInvalidError) {
 *     // error.code === 'action_invalid'
 *   }
 * }
 * ```
 */
export class ActionInvalidError extends ReauthInternalError {
  readonly code = 'action_invalid';
}

/**
 * Checks that an action (the in-progress operation to restore after re-authentication) can be
 * carried in the `state`: a plain JSON value (`null`, booleans, finite numbers, strings, arrays
 * and plain objects of those) whose JSON is at most {@link ACTION_MAX_BYTES} UTF-8 bytes.
 *
 * Values that `JSON.stringify` would silently alter are refused rather than mangled: `undefined`
 * anywhere (including array holes), functions, symbols, `NaN`/`Infinity`, and objects that are
 * not plain (`Date`, `Map`, class instances, anything with `toJSON`).
 *
 * @throws ActionInvalidError (`action_invalid`) when the value is not a plain JSON value, or
 * cannot be serialised at all (circular, `BigInt`, nested too deeply).
 * @throws ActionTooLargeError (`action_too_large`) when its JSON is too large.
 *
 * @example
 * ```ts
 * assertActionSize({ type: 'change-email', email: 'new@example.com' }); // passes
 * assertActionSize({ blob: 'x'.repeat(5000) }); // throws ActionTooLargeError
 * assertActionSize(() => 1); // throws ActionInvalidError
 * ```
 */
export function assertActionSize(action: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(action);
  } catch (error) {
    throw new ActionInvalidError('action cannot be serialised as JSON', { cause: error });
  }
  if (json === undefined) {
    throw new ActionInvalidError('action must be a plain JSON value');
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > ACTION_MAX_BYTES) {
    throw new ActionTooLargeError(`action is ${bytes} bytes of JSON, over ${ACTION_MAX_BYTES}`);
  }
  if (!isPlainJson(action)) {
    throw new ActionInvalidError('action must be a plain JSON value');
  }
}

// Called only once the JSON is known to be small and acyclic: every level of nesting the walk
// enters shows up in that JSON, so the recursion stays shallow.
function isPlainJson(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) {
        return true;
      }
      if (Array.isArray(value)) {
        return (
          Object.getPrototypeOf(value) === Array.prototype &&
          // Array.from turns holes into undefined, which JSON would have turned into null.
          Array.from(value as unknown[]).every(isPlainJson)
        );
      }
      return isPlainObject(value) && Object.values(value).every(isPlainJson);
    default:
      return false;
  }
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return (
    (prototype === Object.prototype || prototype === null || isBareDictionary(prototype)) &&
    !('toJSON' in value)
  );
}

/**
 * The prototype of the objects Fastify's form parsers make (fast-querystring's): an empty object
 * with no prototype of its own, so nothing is inherited and the value is plain data.
 */
function isBareDictionary(prototype: unknown): boolean {
  return (
    typeof prototype === 'object' &&
    prototype !== null &&
    Object.getPrototypeOf(prototype) === null &&
    Reflect.ownKeys(prototype).length === 0
  );
}

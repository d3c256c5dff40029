/**
 * Base class of the library's internal errors: what the core, the providers and the token
 * verifier throw for untrusted input or a refusal, before the edge turns it into an HTTP answer.
 * Never public. Caller misuse (a bad secret, a negative `maxAge`) throws a plain `TypeError`
 * instead, so that it cannot be mistaken for something a client did.
 *
 * `code` is stable and safe to show to clients; `message` is for logs; `cause` keeps the
 * lower-level error (from `jose`, `JSON.parse`, ...) when there is one.
 *
 * @example
 * ```ts
 * try {
 *   await unsealState(token, secret, now);
 * } catch (error) {
 *   if (error instanceof ReauthInternalError) {
 *     logger.warn(`${error.name} ${error.code}: ${error.message}`);
 *   }
 *   throw error;
 * }
 * ```
 */
export abstract class ReauthInternalError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

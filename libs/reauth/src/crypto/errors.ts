/**
 * Base of the errors the hand-written formats in `crypto/` throw for input that does not parse,
 * open or verify. Each format has its own subclass and codes; callers translate them into the
 * library's errors (keeping this one as `cause`) and never show them to clients.
 *
 * `code` is stable, `name` is the subclass's name, and `cause` keeps the lower-level error
 * (`node:crypto`'s, `JSON.parse`'s) when there is one.
 */
export abstract class CryptoError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = this.constructor.name;
  }
}

/** A {@link CryptoError} whose format has several codes: the thrower names the one that applies. */
export abstract class CodedCryptoError<Code extends string> extends CryptoError {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

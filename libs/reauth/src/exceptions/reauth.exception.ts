import { HttpException } from '@nestjs/common';

/**
 * The base of the HTTP exceptions the library throws: {@link ReauthRequiredException} (401),
 * {@link ReauthForbiddenException} (403) and {@link ReauthUnavailableException} (503).
 * `ReauthExceptionFilter` answers each of them; an app's own filter can tell them apart from
 * other `HttpException`s with one `instanceof`.
 *
 * Every one carries a stable {@link ReauthException.code} (the JSON body's `error`), a `name`
 * equal to its class name, and the original error as `cause` when there is one (for logs; never
 * sent to clients).
 *
 * @example
 * ```ts
 * @Catch()
 * export class AuditFilter implements ExceptionFilter {
 *   catch(exception: unknown, host: ArgumentsHost) {
 *     if (exception instanceof ReauthException) {
 *       audit.record(exception.code, exception.getStatus());
 *     }
 *     // ...
 *   }
 * }
 * ```
 */
export abstract class ReauthException extends HttpException {
  /**
   * Stable, machine-readable: `reauth_required`, `reauth_forbidden` or `reauth_unavailable`.
   * It is the `error` field of the JSON body.
   */
  abstract readonly code: string;

  /**
   * @param response - The JSON body the filter sends.
   * @param status - The HTTP status.
   * @param options - `cause`: the error that led to this one, kept for logs.
   */
  protected constructor(response: object, status: number, options: { cause?: unknown } = {}) {
    super(response, status, { cause: options.cause });
    this.name = this.constructor.name;
  }
}

import { HttpStatus } from '@nestjs/common';
import { ReauthException } from './reauth.exception';

/** Which dependency failed; named in the log line, never in the response. */
export type ReauthDependency = 'jwks' | 'workos' | 'oidc' | 'store' | 'passkeys' | 'policy';

/**
 * Thrown when authentication cannot be decided because a dependency failed: the JWKS is
 * unreachable, the WorkOS API errs, the store or the passkey credentials do not answer, or the
 * app's organization policy fails (`organizationPolicy`). The request is refused with 503 (never
 * let through); its `code` is stable: `reauth_unavailable`. `cause` keeps the original error for
 * logs.
 *
 * @example
 * ```ts
 * throw new ReauthUnavailableException('jwks', { cause: error });
 * ```
 */
export class ReauthUnavailableException extends ReauthException {
  /** Stable: `reauth_unavailable`, also the `error` of the JSON 503. */
  readonly code = 'reauth_unavailable';
  /**
   * A `Set-Cookie` the 503 must still carry: a session refreshed just before the failure, whose
   * old refresh token is already spent, so the browser keeps the new one for its next try.
   */
  readonly setCookie?: string;

  constructor(
    /**
     * What could not be reached: the provider, its keys, the store, the passkey credentials or
     * the organization policy.
     */
    readonly dependency: ReauthDependency,
    options: { cause?: unknown; setCookie?: string } = {},
  ) {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'reauth_unavailable',
        message: 'Authentication is temporarily unavailable. Try again shortly.',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
      options,
    );
    this.setCookie = options.setCookie;
  }
}

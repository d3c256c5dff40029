import { HttpStatus } from '@nestjs/common';
import { ReauthException } from './reauth.exception';

/**
 * Why a signed-in request is refused outright (no re-authentication would help):
 * - `cross_site_request`: a cookie-authenticated `POST`, `PUT`, `PATCH` or `DELETE` that did not
 *   come from the app's own pages (or a trusted origin): a cross-site request forgery, or a page
 *   the app did not expect;
 * - `impersonation_not_allowed`: a token with an `act` claim (someone acting as the user) on a
 *   `@RequireRecentAuth` route, whose freshness the actor's sign-in cannot show.
 */
export type ReauthForbiddenReason = 'cross_site_request' | 'impersonation_not_allowed';

const MESSAGES: Record<ReauthForbiddenReason, { title: string; message: string }> = {
  cross_site_request: {
    title: 'Request refused',
    message: 'This request must come from the application’s own pages.',
  },
  impersonation_not_allowed: {
    title: 'Not while acting as this user',
    message: 'This action needs the user’s own recent sign-in; it cannot be done on their behalf.',
  },
};

/**
 * Thrown by `RecentAuthGuard` when a request is refused whatever the session's age.
 * `ReauthExceptionFilter` answers 403: JSON `{ statusCode, error: 'reauth_forbidden', reason,
 * message }`, or a page for browser navigations. Its `code` is stable: `reauth_forbidden`.
 *
 * @example
 * ```ts
 * throw new ReauthForbiddenException('cross_site_request');
 * ```
 */
export class ReauthForbiddenException extends ReauthException {
  /** Stable: `reauth_forbidden`, also the `error` of the JSON 403. */
  readonly code = 'reauth_forbidden';

  /** @param options - `cause`: the error that led to the refusal, kept for logs. */
  constructor(
    /** Why no re-authentication would help. */
    readonly reason: ReauthForbiddenReason,
    options: { cause?: unknown } = {},
  ) {
    super(
      {
        statusCode: HttpStatus.FORBIDDEN,
        error: 'reauth_forbidden',
        reason,
        message: MESSAGES[reason].message,
      },
      HttpStatus.FORBIDDEN,
      options,
    );
  }

  /** The heading of the page a browser is shown. */
  get title(): string {
    return MESSAGES[this.reason].title;
  }
}

import { HttpStatus } from '@nestjs/common';
import { ReauthException } from './reauth.exception';

/**
 * Why a request to an action-bound route (`@RequireRecentAuth(0, { bind })`) cannot be confirmed:
 * - `action_fields_missing`: a bound field is absent from the body, or is not a string, a number
 *   or a boolean;
 * - `action_summary_invalid`: the route's summary of this action is empty, over 200 characters,
 *   not text, or could not be made.
 */
export type ReauthBadActionReason = 'action_fields_missing' | 'action_summary_invalid';

const MESSAGES: Record<ReauthBadActionReason, string> = {
  action_fields_missing: 'This action is missing what identifies it, so it cannot be confirmed.',
  action_summary_invalid: 'This action cannot be described for confirmation.',
};

/**
 * Thrown by `RecentAuthGuard` when an action-bound route's request cannot be bound: answered
 * with a 400 `{ statusCode, error: 'reauth_bad_action', reason, message }`, never let through.
 * Its `code` is stable: `reauth_bad_action`.
 *
 * @example
 * ```ts
 * throw new ReauthBadActionException('action_fields_missing', ['payee']);
 * ```
 */
export class ReauthBadActionException extends ReauthException {
  /** Stable: `reauth_bad_action`, also the `error` of the JSON 400. */
  readonly code = 'reauth_bad_action';

  /**
   * @param fields - The bound fields that are missing or unusable (named in the response: they
   * are the route's own declaration, not the request's values).
   * @param options - `cause`: the error that led to the refusal, kept for logs.
   */
  constructor(
    /** What is wrong with the request. */
    readonly reason: ReauthBadActionReason,
    /** The bound fields that are missing or unusable. */
    readonly fields: readonly string[] = [],
    options: { cause?: unknown } = {},
  ) {
    super(
      {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'reauth_bad_action',
        reason,
        message: MESSAGES[reason],
        ...(fields.length > 0 ? { fields: [...fields] } : {}),
      },
      HttpStatus.BAD_REQUEST,
      options,
    );
  }
}

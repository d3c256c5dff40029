/** Codes of the errors the helper rejects with. */
export type ReauthClientErrorCode =
  | 'reauth_cancelled'
  | 'reauth_failed'
  | 'reauth_loop'
  | 'reauth_declined'
  | 'popup_blocked'
  | 'reauth_url_missing'
  | 'reauth_url_rejected'
  | 'step_up_failed'
  | 'passkey_request_failed';

/** Base of the helper's errors: a stable `code`, `name` of the class, the original `cause`. */
export class ReauthClientError extends Error {
  constructor(
    /** Which failure this is; the same for every instance of a subclass. */
    readonly code: ReauthClientErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The user closed the popup, cancelled at the provider, or cancelled the confirmation in the page
 * (`cancel()` of `ReauthInfo`, the dialog's Cancel button or Escape) before confirming it's them.
 */
export class ReauthCancelledError extends ReauthClientError {
  constructor(message = 'Re-authentication was cancelled') {
    super('reauth_cancelled', message);
  }
}

/** The re-authentication completed but the server could not accept it (`reason` says why). */
export class ReauthFailedError extends ReauthClientError {
  constructor(
    /**
     * The failure code the popup reported (the server's, e.g. `state_expired`), or `undefined`
     * when it gave none.
     */
    readonly reason?: string,
  ) {
    super('reauth_failed', `Re-authentication failed${reason ? `: ${reason}` : ''}`);
  }
}

/** The retried request asked for re-authentication again: the helper never loops. */
export class ReauthLoopError extends ReauthClientError {
  constructor() {
    super('reauth_loop', 'The request still needs re-authentication after one re-authentication');
  }
}

/** `onReauthRequired` answered no. */
export class ReauthDeclinedError extends ReauthClientError {
  constructor() {
    super('reauth_declined', 'Re-authentication was declined');
  }
}

/** The browser blocked the popup and no redirect fallback was allowed. */
export class PopupBlockedError extends ReauthClientError {
  constructor() {
    super('popup_blocked', 'The re-authentication popup was blocked');
  }
}

/** A re-auth response without a URL to re-authenticate at (and no `reauthUrl` option). */
export class ReauthUrlMissingError extends ReauthClientError {
  constructor() {
    super('reauth_url_missing', 'The response asks for re-authentication but gives no URL');
  }
}

/**
 * A cross-origin response asked for re-authentication at a URL whose origin is not in
 * `authorizationOrigins`: the helper neither navigates nor opens a popup.
 */
export class ReauthUrlRejectedError extends ReauthClientError {
  constructor(reauthOrigin: string) {
    super(
      'reauth_url_rejected',
      `A cross-origin response asks for re-authentication at ${reauthOrigin}, which is not in authorizationOrigins`,
    );
  }
}

/**
 * Why a confirmation in the page did not confirm:
 * - the server's answer: `invalid_credentials` (wrong password), `invalid_code` (wrong TOTP
 *   code), `challenge_expired`, `passkey_not_verified`, `invalid_request` (400s),
 *   `session_ended` (401: the session is over, confirming in the page cannot help),
 *   `forbidden` (403), `too_many_attempts` (429), `unavailable` (503), `unexpected_response`
 *   (any other answer);
 * - the browser: `passkey_cancelled` (the passkey prompt was dismissed or failed; `cause` says
 *   how);
 * - the caller: `method_unavailable` (the server did not offer that method, or this browser
 *   cannot use it), `settled` (the confirmation already ended: confirmed, cancelled, or left for
 *   the provider).
 */
export type StepUpFailureReason =
  | 'invalid_request'
  | 'invalid_credentials'
  | 'invalid_code'
  | 'challenge_expired'
  | 'passkey_not_verified'
  | 'session_ended'
  | 'forbidden'
  | 'too_many_attempts'
  | 'unavailable'
  | 'unexpected_response'
  | 'passkey_cancelled'
  | 'method_unavailable'
  | 'settled';

/**
 * A confirmation in the page did not confirm. The request still waits: the user may try again
 * (a wrong password, say), use another way, or cancel.
 */
export class StepUpFailedError extends ReauthClientError {
  /** The HTTP status of the server's answer, when it gave one. */
  readonly status?: number;
  /** Seconds to wait before trying again (`Retry-After` of a 429 or 503), when the server said. */
  readonly retryAfter?: number;

  constructor(
    /** Why; see {@link StepUpFailureReason}. */
    readonly reason: StepUpFailureReason,
    details: { status?: number; retryAfter?: number; cause?: unknown } = {},
  ) {
    super('step_up_failed', `Confirmation failed: ${reason}`, { cause: details.cause });
    this.status = details.status;
    this.retryAfter = details.retryAfter;
  }
}

/**
 * A passkey management request (enrol, list, rename, delete) was refused, or the browser's
 * passkey prompt failed (`status` `undefined`, `cause` the browser's error).
 */
export class PasskeyRequestError extends ReauthClientError {
  constructor(
    /** The server's `error` code (`invalid_request`, `not_found`, ...) or `passkey_cancelled`. */
    readonly reason: string,
    /** The HTTP status of the server's answer; `undefined` when the browser's prompt failed. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super('passkey_request_failed', `Passkey request failed: ${reason}`, options);
  }
}

/** Codes of the errors the helper rejects with. */
export type ReauthClientErrorCode =
  | 'reauth_cancelled'
  | 'reauth_failed'
  | 'reauth_loop'
  | 'reauth_declined'
  | 'popup_blocked'
  | 'reauth_url_missing'
  | 'reauth_url_rejected';

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

/** The user closed the popup (or cancelled at the provider) before confirming it's them. */
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

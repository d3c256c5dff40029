import { ReauthInternalError } from '../core/internal-error';

/** A token that fails verification. `expired` tells a refreshable session from a bad token. */
export class InvalidAccessTokenError extends ReauthInternalError {
  readonly code = 'invalid_token';

  constructor(
    readonly expired: boolean,
    options: { cause?: unknown } = {},
  ) {
    super(expired ? 'the access token has expired' : 'the access token is invalid', options);
  }
}

/**
 * Why a token's claims or header were refused: the `cause` of an {@link InvalidAccessTokenError},
 * naming the claim (or header parameter) for logs and tests. Never shown to the caller.
 */
export class TokenClaimError extends ReauthInternalError {
  readonly code = 'token_claim_refused';

  constructor(
    readonly claim: string,
    readonly reason: 'missing' | 'invalid' | 'check_failed',
  ) {
    super(`the "${claim}" ${reason === 'missing' ? 'is missing' : `check failed (${reason})`}`);
  }
}

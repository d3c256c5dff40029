import { ReauthInternalError } from '../core/internal-error';
export { shownValue } from '../core/shown-value';

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
    /**
     * What was expected and what the token has, for the log: claim values and times only,
     * never the token itself.
     */
    readonly detail?: string,
  ) {
    super(`the "${claim}" ${reason === 'missing' ? 'is missing' : `check failed (${reason})`}`);
  }
}

/**
 * Why a token failed verification, for the log: the claim or header parameter and, where the
 * check compared values, what was expected and what the token has. Never the token.
 */
export function tokenFailureText(error: unknown): string {
  if (!(error instanceof InvalidAccessTokenError)) {
    return error instanceof Error ? error.name : typeof error;
  }
  const cause = error.cause;
  if (cause instanceof TokenClaimError) {
    return cause.detail === undefined ? cause.message : `${cause.message}: ${cause.detail}`;
  }
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  if (code === 'jws_signature_invalid') return 'its signature does not verify';
  if (code === 'jws_malformed') return 'it is not a compact JWS';
  return error.message;
}

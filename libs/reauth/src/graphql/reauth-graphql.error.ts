import { IntrinsicException } from '@nestjs/common';
import type { StepUpOffer } from '../factors/step-up-offers';

/** `extensions.code` of the GraphQL errors the library answers refused fields with. */
export type ReauthGraphQLCode =
  'REAUTH_REQUIRED' | 'REAUTH_FORBIDDEN' | 'REAUTH_UNAVAILABLE' | 'DOWNSTREAM_CHALLENGE_REFUSED';

/**
 * What a refused field's GraphQL error carries in `extensions`: the JSON 401's (or 403's, or
 * 503's) fields, never a token or a claim.
 * - `REAUTH_REQUIRED`: `reason` (`stale`, `unauthenticated`, ...), `maxAge` (absent for
 *   `@RequireSignIn()`), `acrValues` (when the field asks for some) and `reauthUrl`, built as for
 *   HTTP (popup or redirect per `X-Reauth-Mode`);
 * - `REAUTH_FORBIDDEN`: `reason` (`cross_site_request`, `impersonation_not_allowed`);
 * - `REAUTH_UNAVAILABLE`: nothing more; try again shortly;
 * - `DOWNSTREAM_CHALLENGE_REFUSED`: `reason` (`malformed`, `unsatisfiable`, `loop`): a downstream
 *   API's challenge that `ReauthService.relayChallenge` would not relay (the HTTP 502).
 */
export interface ReauthGraphQLExtensions {
  /** Which refusal this is. */
  code: ReauthGraphQLCode;
  /**
   * Why: a `ReauthReason` for `REAUTH_REQUIRED`, a `ReauthForbiddenReason` for
   * `REAUTH_FORBIDDEN`, a `DownstreamChallengeRefusal` for `DOWNSTREAM_CHALLENGE_REFUSED`.
   */
  reason?: string;
  /** How recent the sign-in must be, in seconds; absent for `@RequireSignIn()`. */
  maxAge?: number;
  /** The authentication context classes the field accepts, when it asks for some. */
  acrValues?: readonly string[];
  /** Where to send the user to sign in again (a popup or a redirect URL, per `X-Reauth-Mode`). */
  reauthUrl?: string;
  /** How the user can confirm without leaving the page, when the field accepts that. */
  stepUp?: StepUpOffer;
}

/**
 * The error a refused GraphQL field resolves to. graphql-js copies an original error's
 * `extensions` into the GraphQL error it reports, so no import of `graphql` is needed. It is an
 * `IntrinsicException`: Nest does not log it as an unexpected error. `cause` keeps the exception
 * the guard threw, for the server's own use; it is never serialized.
 */
export class ReauthGraphQLError extends IntrinsicException {
  /** What the client reads: graphql-js copies it into the reported error. */
  readonly extensions: ReauthGraphQLExtensions;

  constructor(message: string, extensions: ReauthGraphQLExtensions, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReauthGraphQLError';
    this.extensions = Object.fromEntries(
      Object.entries(extensions).filter(([, value]) => value !== undefined),
    ) as unknown as ReauthGraphQLExtensions;
  }
}

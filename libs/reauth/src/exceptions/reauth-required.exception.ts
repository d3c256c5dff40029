import { HttpStatus } from '@nestjs/common';
import { ReauthException } from './reauth.exception';

/**
 * Why a request needs (re-)authentication:
 * - `stale`: signed in, but not recently enough for this route;
 * - `missing_auth_time`: the token carries no usable `auth_time`, so freshness cannot be shown;
 * - `unauthenticated`: no credentials, or a session that has ended;
 * - `invalid_token`: a token that fails verification (signature, algorithm, issuer, expiry);
 * - `insufficient_assurance`: signed in recently enough, but not with the `acr` (or `amr`) the
 *   route requires.
 */
export type ReauthReason =
  'stale' | 'missing_auth_time' | 'unauthenticated' | 'invalid_token' | 'insufficient_assurance';

/**
 * Why a request was refused, for debugging (see the module's `explainRefusals`): which rules
 * shaped the route's policy, what it needs, and what would satisfy it.
 */
export interface RefusalExplanation {
  /** `<controller path>:Controller.handler` of the refused route. */
  route: string;
  /** Why: `unauthenticated`, `stale`, `insufficient_assurance`, ... */
  reason: string;
  /** The rules that shaped the policy, in order: `level strict`, `organization org_1`, ... */
  rules: readonly string[];
  /** What the route needs. */
  needs: {
    /** Seconds since the last proof; `null` for a sign-in of any age. */
    maxAge: number | null;
    acr?: readonly string[];
    amr?: readonly string[];
    /** A sliding window's cap, when the level slides. */
    slideCapSeconds?: number;
    /** The action's summary, when the confirmation is bound to it. */
    action?: string;
  };
  /** What would satisfy it: the in-page methods this caller can use, then `provider`. */
  satisfiedBy: readonly string[];
}

/** A request's action on an action-bound route: what a confirmation commits to. */
export interface ReauthBoundAction {
  /** SHA-256 (base64url) of the method, the route and the bound fields. */
  digest: string;
  /** What the user is asked to confirm, in the route's words. */
  summary: string;
  /** The bound fields' values. */
  fields: Readonly<Record<string, string | number | boolean>>;
}

/** What the guard knows when it throws; the filter builds the re-auth URL from it. */
export interface ReauthRequiredDetails {
  /** Why the caller must sign in again. */
  reason: ReauthReason;
  /** The route's `max_age`; `undefined` for routes that only need a sign-in. */
  maxAge?: number;
  /** The token's `auth_time`, when it is a valid one. */
  authTime?: number;
  /** The signed-in user, so the callback can insist on the same one. */
  sub?: string;
  /** The session that asked, which a failed re-authentication must leave alone. */
  sid?: string;
  /** The user's email, passed to AuthKit as `login_hint`. */
  loginHint?: string;
  /** `Controller.handler` of the guarded route (for `max_age` 0 grants). */
  route?: string;
  /** The in-progress action to restore after re-authentication. */
  action?: unknown;
  /** The route's accepted `acr` values, sent as `acr_values`. */
  acrValues?: readonly string[];
  /** The route's accepted `amr` values, checked at the callback. */
  amr?: readonly string[];
  /**
   * The confirmations inside the page the route accepts for this session (see the module's
   * `stepUp` option); the JSON 401 lists those this user can use.
   */
  methods?: readonly ('passkey' | 'password')[];
  /** The action a confirmation is bound to, on an action-bound route. */
  boundAction?: ReauthBoundAction;
  /** Which rule asked and what would satisfy it (see the module's `explainRefusals`). */
  explanation?: RefusalExplanation;
  /**
   * A `claims` request (OpenID Connect Core §5.5) relayed from a downstream API's
   * `insufficient_claims` challenge, sent to the provider with the sign-in.
   */
  claims?: Readonly<Record<string, unknown>>;
  /**
   * Authentication contexts (Entra's `acrs`) a relayed challenge asked for: the new access
   * token's `acrs` must name one of them.
   */
  acrs?: readonly string[];
  /** Scopes a relayed `insufficient_scope` challenge asked for: the new token must carry each. */
  scope?: readonly string[];
}

const MESSAGES: Record<ReauthReason, string> = {
  stale: 'More recent authentication is required.',
  missing_auth_time: 'The access token does not say when the user last signed in.',
  unauthenticated: 'Authentication is required.',
  invalid_token: 'The access token is invalid.',
  insufficient_assurance: 'A stronger authentication is required.',
};

/**
 * Thrown by `RecentAuthGuard` when a request must (re-)authenticate first.
 * `ReauthExceptionFilter` turns it into a JSON 401 with an RFC 9470 challenge, or a redirect
 * to AuthKit. Its `code` is stable: `reauth_required`.
 *
 * @example
 * ```ts
 * throw new ReauthRequiredException({ reason: 'stale', maxAge: 300, authTime: 1735680000 });
 * ```
 */
export class ReauthRequiredException extends ReauthException {
  /** Stable: `reauth_required`, also the `error` of the JSON 401. */
  readonly code = 'reauth_required';
  /** Why the caller must sign in again. */
  readonly reason: ReauthReason;
  /** The route's `maxAge` in seconds: how recent the sign-in must be. */
  readonly maxAge?: number;
  /** When the caller last actively signed in (the token's `auth_time`), in seconds since the epoch. */
  readonly authTime?: number;
  /** The authentication context classes the route accepts (RFC 9470 `acr_values`). */
  readonly acrValues?: readonly string[];
  /** Not sent to clients: used to build the re-auth URL and state. */
  readonly details: Readonly<ReauthRequiredDetails>;
  /**
   * Which rules asked and what would satisfy them, when the guard refused: for logs and
   * debugging. Sent to the client only with the module's `explainRefusals.header`.
   */
  readonly explanation?: RefusalExplanation;

  /** @param options - `cause`: the error that led to the refusal, kept for logs. */
  constructor(details: ReauthRequiredDetails, options: { cause?: unknown } = {}) {
    super(
      {
        statusCode: HttpStatus.UNAUTHORIZED,
        error: 'reauth_required',
        reason: details.reason,
        message: MESSAGES[details.reason],
        maxAge: details.maxAge,
        authTime: details.authTime,
        acrValues: details.acrValues,
        ...(details.boundAction ? { actionSummary: details.boundAction.summary } : {}),
      },
      HttpStatus.UNAUTHORIZED,
      options,
    );
    this.reason = details.reason;
    this.maxAge = details.maxAge;
    this.authTime = details.authTime;
    this.acrValues = details.acrValues;
    this.explanation = details.explanation;
    this.details = Object.freeze({ ...details });
  }
}

import type { ReauthReason } from '../exceptions/reauth-required.exception';

/**
 * Why a re-authentication (or sign-in) did not complete: a callback failure code (documented in
 * docs/errors.md, Callback failures), `cancelled` when the user cancelled at the provider, or `unavailable` when
 * the callback answered 503 (the provider, its keys or the store failed).
 */
export type ReauthFailureReason =
  | 'cancelled'
  | 'unavailable'
  | 'state_expired'
  | 'state_invalid'
  | 'state_not_bound'
  | 'state_replayed'
  | 'issuer_mismatch'
  | 'code_missing'
  | 'action_not_authorized'
  | 'code_invalid'
  | 'provider_token_invalid'
  | 'session_too_large'
  | 'max_age_not_satisfied'
  | 'auth_time_unknown'
  | 'max_age_refused'
  | 'acr_not_satisfied'
  | 'acr_missing'
  | 'claims_not_satisfied'
  | 'scope_not_satisfied'
  | 'provider_refused'
  | 'provider_error'
  | 'user_mismatch'
  | 'session_conflict'
  | 'too_many_sign_ins'
  | 'invalid_callback';

/**
 * What every event carries. Identifiers only: never a token, code, `state`, cookie, email
 * address or request path (a path can hold personal data; `route` names the handler instead).
 */
export interface ReauthEventBase {
  /** When it happened, on the library's clock (the `now` option). */
  time: Date;
  /** The user's id (the token's `sub`), when known. */
  userId?: string;
  /** The provider session's id (the token's `sid`), when known. */
  sessionId?: string;
  /**
   * The guarded handler, as `<controller path>:Controller.handler` (the name grants and logs
   * use), when the event concerns one.
   */
  route?: string;
}

/** A guarded request was refused until the user signs in again (the 401 or the redirect). */
export interface ReauthRequiredEvent extends ReauthEventBase {
  /** The event's name, `reauth.required`: what to switch on. */
  type: 'reauth.required';
  /** The 401's `reason`: `stale`, `missing_auth_time`, `unauthenticated`, `invalid_token`... */
  reason: ReauthReason;
  /** The route's `max_age`; absent for `@RequireSignIn()`. */
  maxAge?: number;
  /** The `acr` values the route accepts, when it asks for an assurance level. */
  acrValues?: readonly string[];
}

/**
 * A sign-in was started: the browser is sent to the provider (a redirect, or the URL of a JSON
 * 401). A re-authentication has `maxAge`; a plain sign-in has none.
 */
export interface ReauthStartedEvent extends ReauthEventBase {
  /** The event's name, `reauth.started`: what to switch on. */
  type: 'reauth.started';
  /** The `max_age` the new sign-in must satisfy; absent for a plain sign-in. */
  maxAge?: number;
  /** The `acr_values` sent to the provider. */
  acrValues?: readonly string[];
  /** `popup`: the browser helper re-authenticates in a popup. */
  mode: 'redirect' | 'popup';
}

/** The callback accepted a sign-in that satisfies what was asked. */
export interface ReauthCompletedEvent extends ReauthEventBase {
  /** The event's name, `reauth.completed`: what to switch on. */
  type: 'reauth.completed';
  /** The `max_age` the sign-in satisfied; absent for a plain sign-in. */
  maxAge?: number;
  /** The new sign-in's `auth_time`. */
  authTime?: number;
  /** The new sign-in's `acr`, when the provider issues one. */
  acr?: string;
  /** An in-progress action (a form) travels back to the page to be restored. */
  actionRestored: boolean;
}

/**
 * The callback refused, the user cancelled, or the callback failed with a 503. The user, session
 * and route are given only when the `state` proved to be this browser's: a `state` replayed from
 * elsewhere names nobody.
 */
export interface ReauthFailedEvent extends ReauthEventBase {
  /** The event's name, `reauth.failed`: what to switch on. */
  type: 'reauth.failed';
  /** Why it failed: a callback failure code, `cancelled`, or `unavailable`. */
  reason: ReauthFailureReason;
  /** The `max_age` that was asked for, when the state proved to be this browser's. */
  maxAge?: number;
}

/** An expired access token in the session cookie was exchanged for a new one. */
export interface SessionRefreshedEvent extends ReauthEventBase {
  /** The event's name, `session.refreshed`: what to switch on. */
  type: 'session.refreshed';
}

/**
 * A session ended: signed out here (`sign_out`), found ended when the provider refused its
 * refresh token (`refresh_refused`), or ended by the provider's word: an OpenID Connect
 * Back-Channel Logout token (`backchannel_logout`) or a WorkOS event (`provider_event`). An end
 * of all of a user's sessions names the user and no session.
 */
export interface SessionRevokedEvent extends ReauthEventBase {
  /** The event's name, `session.revoked`: what to switch on. */
  type: 'session.revoked';
  /** How it ended: signed out here, its refresh refused, or the provider's signal. */
  cause: 'sign_out' | 'refresh_refused' | 'backchannel_logout' | 'provider_event';
}

/** The store did not answer, so a request got a 503 (or a refresh went unshared). */
export interface StoreUnavailableEvent extends ReauthEventBase {
  /** The event's name, `store.unavailable`: what to switch on. */
  type: 'store.unavailable';
  /** `refused`: a request was answered 503; `degraded`: it went on without the store. */
  effect: 'refused' | 'degraded';
}

/** The user confirmed inside the page: a proof was added to the session's factor ledger. */
export interface StepUpConfirmedEvent extends ReauthEventBase {
  /** The event's name, `step-up.confirmed`: what to switch on. */
  type: 'step-up.confirmed';
  /** `passkey` or `password`. */
  method: 'passkey' | 'password';
  /** What the proof showed (RFC 8176), e.g. `['hwk', 'user', 'mfa']`. */
  amr: readonly string[];
}

/** A confirmation inside the page was refused: a wrong password or code, a passkey that failed. */
export interface StepUpFailedEvent extends ReauthEventBase {
  /** The event's name, `step-up.failed`: what to switch on. */
  type: 'step-up.failed';
  /** `passkey` or `password`. */
  method: 'passkey' | 'password';
  /** The refusal's `error` code, e.g. `invalid_credentials` or `passkey_not_verified`. */
  reason: string;
}

/** An audit event of the step-up flow, delivered after the decision it reports. */
export type ReauthEvent =
  | ReauthRequiredEvent
  | ReauthStartedEvent
  | ReauthCompletedEvent
  | ReauthFailedEvent
  | SessionRefreshedEvent
  | SessionRevokedEvent
  | StoreUnavailableEvent
  | StepUpConfirmedEvent
  | StepUpFailedEvent;

/** The names of {@link ReauthEvent}s, as `@OnEvent()` takes them. */
export type ReauthEventType = ReauthEvent['type'];

/** Every event name, for `@OnEvent()` wildcards or subscriptions. */
export const REAUTH_EVENT_TYPES: readonly ReauthEventType[] = Object.freeze([
  'reauth.required',
  'reauth.started',
  'reauth.completed',
  'reauth.failed',
  'session.refreshed',
  'session.revoked',
  'store.unavailable',
  'step-up.confirmed',
  'step-up.failed',
]);

/**
 * Receives the library's events: an object with `onReauthEvent`, or a function. It runs after
 * the request's decision was made and never inside it: what it returns or throws (or how long
 * its promise takes) changes nothing for the request. Keep it quick; queue slow work.
 *
 * @example
 * ```ts
 * ReauthModule.forRootAsync({
 *   inject: [AuditLog],
 *   useFactory: (audit: AuditLog) => ({
 *     ...options,
 *     events: { listener: (event) => audit.record(event) },
 *   }),
 * });
 * ```
 */
export type ReauthEventListener =
  ((event: ReauthEvent) => unknown) | { onReauthEvent(event: ReauthEvent): unknown };

/** Distributes `T` over a union, so each event keeps its own fields. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An event before the library stamps its time. */
export type ReauthEventInput = DistributiveOmit<ReauthEvent, 'time'>;

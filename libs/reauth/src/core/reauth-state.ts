import { isValidAssuranceList } from './assurance';
import { isValidMaxAge } from './freshness';
import { sanitizeReturnTo } from './return-to';

/**
 * How long a re-authentication `state` stays valid, in seconds: `exp - iat` may not exceed it.
 *
 * @example
 * ```ts
 * const iat = now();
 * const state: ReauthState = { v: 1, returnTo, maxAge, nonce, iat, exp: iat + STATE_TTL_SECONDS };
 * ```
 */
export const STATE_TTL_SECONDS = 600;

/**
 * What the library carries through the sign-in in the OAuth `state` parameter, sealed by
 * {@link sealState}. All times are integer Unix seconds.
 *
 * @example
 * ```ts
 * const state: ReauthState = {
 *   v: 1,
 *   returnTo: '/account/security',
 *   maxAge: 300,
 *   sub: 'user_01EH...',
 *   nonce: randomBytes(16).toString('base64url'),
 *   iat: now,
 *   exp: now + STATE_TTL_SECONDS,
 * };
 * ```
 */
export interface ReauthState {
  /** Format version; always `1`. */
  v: 1;
  /** Where to send the user afterwards; a path that passes `sanitizeReturnTo`. */
  returnTo: string;
  /** The in-progress operation to restore; a plain JSON value, see `assertActionSize`. */
  action?: unknown;
  /** The `max_age` the new sign-in must satisfy; absent for a plain sign-in. */
  maxAge?: number;
  /** Where a cancelled re-authentication sends the user; a path like `returnTo`. */
  cancelTo?: string;
  /** The guarded route that asked: scopes the one-time grant of a `max_age` of 0, names events. */
  route?: string;
  /** The `auth_time` of the token that asked: a re-authentication must come after it. */
  authTime?: number;
  /** The PKCE code verifier (RFC 7636) of this authorization request. */
  cv?: string;
  /** The user who started, when known, so the callback can insist on the same one. */
  sub?: string;
  /** Binds the state to the browser that started (matched against a cookie) and makes it single-use. */
  nonce: string;
  /** When the state was issued. */
  iat: number;
  /** When the state stops being accepted (inclusive), at most {@link STATE_TTL_SECONDS} after `iat`. */
  exp: number;
  /** How the browser started the flow. */
  mode?: 'redirect' | 'popup';
  /**
   * SHA-256 (base64url) of the random value of the cookie that binds the state to the browser
   * that started it: a cookie planted by another host must also know the value.
   */
  bh?: string;
  /** The session that asked, when known: a failed re-authentication never revokes it. */
  sid?: string;
  /** The browser helper's id for the request that asked, echoed on the way back. */
  rid?: string;
  /** Accepted `acr` values: the new sign-in's must be one of them (RFC 9470). */
  acr?: readonly string[];
  /** Accepted `amr` values: the new sign-in must have used at least one of them. */
  amr?: readonly string[];
  /** What the user confirms, on an action-bound route: shown on the library's pages. */
  summary?: string;
  /**
   * Authentication contexts a relayed challenge asked for: the new access token's `acrs` must
   * name one of them.
   */
  acrs?: readonly string[];
  /** Scopes a relayed challenge asked for: the new access token must carry each. */
  scope?: readonly string[];
}

const NONCE_MAX_LENGTH = 128;
const SUB_MAX_LENGTH = 256;
/** The longest route name a state carries. */
export const ROUTE_MAX_LENGTH = 320;
/** The longest action summary a state carries. */
const SUMMARY_MAX_LENGTH = 200;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const BINDING_HASH = /^[A-Za-z0-9_-]{43}$/;
/** What the browser helper may send as `X-Reauth-Id`. */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9_-]{16,64}$/;
const STATE_FIELDS = new Set([
  'v',
  'returnTo',
  'action',
  'maxAge',
  'sub',
  'nonce',
  'iat',
  'exp',
  'mode',
  'cancelTo',
  'route',
  'authTime',
  'cv',
  'bh',
  'sid',
  'rid',
  'acr',
  'amr',
  'summary',
  'acrs',
  'scope',
]);

// One validator for both directions: a state we would refuse to unseal is never sealed.
export function findStateProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'state must be an object';
  }
  const state = value as Record<string, unknown>;
  if (Object.keys(state).some((field) => !STATE_FIELDS.has(field))) {
    return 'state has an unknown field';
  }
  if (state.v !== 1) {
    return 'state.v must be 1';
  }
  if (sanitizeReturnTo(state.returnTo) === null) {
    return 'state.returnTo must be a same-origin absolute path';
  }
  if (state.cancelTo !== undefined && sanitizeReturnTo(state.cancelTo) === null) {
    return 'state.cancelTo must be a same-origin absolute path';
  }
  if (state.route !== undefined && !isBoundedString(state.route, ROUTE_MAX_LENGTH)) {
    return `state.route must be a non-empty string of at most ${ROUTE_MAX_LENGTH} characters`;
  }
  if (state.cv !== undefined && (typeof state.cv !== 'string' || !CODE_VERIFIER.test(state.cv))) {
    return 'state.cv must be a PKCE code verifier';
  }
  if (state.authTime !== undefined && !isUnixSeconds(state.authTime)) {
    return 'state.authTime must be a non-negative integer';
  }
  if (state.maxAge !== undefined && !isValidMaxAge(state.maxAge)) {
    return 'state.maxAge must be an integer number of seconds from 0 to 10 years';
  }
  if (state.sub !== undefined && !isBoundedString(state.sub, SUB_MAX_LENGTH)) {
    return `state.sub must be a non-empty string of at most ${SUB_MAX_LENGTH} characters`;
  }
  if (!isBoundedString(state.nonce, NONCE_MAX_LENGTH)) {
    return `state.nonce must be a non-empty string of at most ${NONCE_MAX_LENGTH} characters`;
  }
  if (!isUnixSeconds(state.iat) || !isUnixSeconds(state.exp)) {
    return 'state.iat and state.exp must be non-negative integers';
  }
  if (state.exp < state.iat || state.exp - state.iat > STATE_TTL_SECONDS) {
    return `state.exp must be within ${STATE_TTL_SECONDS} seconds after state.iat`;
  }
  if (state.mode !== undefined && state.mode !== 'redirect' && state.mode !== 'popup') {
    return "state.mode must be 'redirect' or 'popup'";
  }
  if (state.bh !== undefined && (typeof state.bh !== 'string' || !BINDING_HASH.test(state.bh))) {
    return 'state.bh must be a base64url SHA-256 hash';
  }
  if (state.sid !== undefined && !isBoundedString(state.sid, SUB_MAX_LENGTH)) {
    return `state.sid must be a non-empty string of at most ${SUB_MAX_LENGTH} characters`;
  }
  if (
    state.rid !== undefined &&
    (typeof state.rid !== 'string' || !CLIENT_REQUEST_ID.test(state.rid))
  ) {
    return 'state.rid must be 16 to 64 base64url characters';
  }
  if (state.acr !== undefined && !isValidAssuranceList(state.acr)) {
    return 'state.acr must be a list of 1 to 10 acr values';
  }
  if (state.amr !== undefined && !isValidAssuranceList(state.amr)) {
    return 'state.amr must be a list of 1 to 10 amr values';
  }
  if (state.summary !== undefined && !isBoundedString(state.summary, SUMMARY_MAX_LENGTH)) {
    return `state.summary must be a non-empty string of at most ${SUMMARY_MAX_LENGTH} characters`;
  }
  if (state.acrs !== undefined && !isValidAssuranceList(state.acrs)) {
    return 'state.acrs must be a list of 1 to 10 authentication contexts';
  }
  if (state.scope !== undefined && !isScopeList(state.scope)) {
    return `state.scope must be a list of 1 to ${SCOPE_LIST_MAX} scope tokens`;
  }
  return undefined;
}

const SCOPE_LIST_MAX = 20;
// RFC 6749 §3.3 scope-token, at most 200 characters.
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/;

function isScopeList(value: unknown): value is readonly string[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= SCOPE_LIST_MAX &&
    value.every((scope) => typeof scope === 'string' && SCOPE_TOKEN.test(scope))
  );
}

function isBoundedString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength;
}

function isUnixSeconds(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { assertActionSize } from './action';
import { isValidAssuranceList } from './assurance';
import { ReauthCoreError } from './errors';
import { isValidMaxAge } from './freshness';
import { randomBytesPooled } from './random';
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
}

/**
 * The stable codes of {@link StateError}.
 *
 * - `state_malformed`: not a string, too long, or not a compact JWE of the expected shape.
 * - `state_invalid`: does not decrypt with this secret (tampered, forged, another key), or
 *   decrypts to something that is not a valid {@link ReauthState}.
 * - `state_expired`: authentic and well-formed, but past its `exp`.
 *
 * @example
 * ```ts
 * const retryable: StateErrorCode[] = ['state_expired'];
 * ```
 */
export type StateErrorCode = 'state_malformed' | 'state_invalid' | 'state_expired';

/**
 * Thrown by {@link unsealState} for a `state` that cannot be trusted. The message is for logs;
 * show clients only the `code`.
 *
 * @example
 * ```ts
 * try {
 *   state = await unsealState(query.state, secret, now());
 * } catch (error) {
 *   if (error instanceof StateError) {
 *     throw new BadRequestException({ error: error.code });
 *   }
 *   throw error;
 * }
 * ```
 */
export class StateError extends ReauthCoreError {
  readonly code: StateErrorCode;

  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const SECRET_MIN_LENGTH = 32;
// Comfortably above the largest valid state (2 KiB returnTo + 2 KiB action, base64url-encoded),
// low enough that an attacker cannot make us decrypt megabytes.
const STATE_MAX_LENGTH = 8192;
const NONCE_MAX_LENGTH = 128;
const SUB_MAX_LENGTH = 256;
/** The longest route name a state carries. */
export const ROUTE_MAX_LENGTH = 256;
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
const BINDING_HASH = /^[A-Za-z0-9_-]{43}$/;
/** What the browser helper may send as `X-Reauth-Id`. */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9_-]{16,64}$/;
// The secret is typically the cookie password, which seals other things too; a purpose-bound
// derived key means a sealed state can never be accepted as another kind of token, or vice versa.
const HKDF_SALT = 'nest-reauth';
const HKDF_INFO = 'nest-reauth state v1';
const KEY_CACHE_LIMIT = 8;
const JWE_HEADER = { alg: 'dir', enc: 'A256GCM' } as const;
// Compact JWE with `dir`: protected header, an empty encrypted key, IV, ciphertext, tag.
const COMPACT_DIR_JWE = /^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/;
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
]);

const keyCache = new Map<string, Uint8Array>();

/**
 * Encrypts and authenticates a {@link ReauthState} into a URL-safe string (a compact JWE, `dir`
 * + `A256GCM`), for the OAuth `state` parameter. The key is derived from `secret` with
 * HKDF-SHA256 for this purpose only.
 *
 * @throws TypeError when `secret` is shorter than 32 characters or `state` is not a valid
 * {@link ReauthState} (caller misuse).
 * @throws ActionTooLargeError / ActionInvalidError when `state.action` cannot be carried, see
 * `assertActionSize`; check the action earlier to answer the client cleanly.
 *
 * @example
 * ```ts
 * const sealed = await sealState(state, options.cookiePassword);
 * const url = workos.userManagement.getAuthorizationUrl({ ..., state: sealed });
 * ```
 */
// Async though it awaits nothing: every failure stays a rejection, as callers expect.
// eslint-disable-next-line @typescript-eslint/require-await
export async function sealState(state: ReauthState, secret: string): Promise<string> {
  const key = deriveKey(secret);
  const problem = findStateProblem(state);
  if (problem !== undefined) {
    throw new TypeError(problem);
  }
  if (state.action !== undefined) {
    assertActionSize(state.action);
  }
  return encryptCompact(Buffer.from(JSON.stringify(state), 'utf8'), key);
}

/**
 * Decrypts, authenticates and strictly validates a `state` produced by {@link sealState}. It
 * proves only that this server issued the state and that it has not expired; binding to the
 * browser (nonce cookie) and single use are the caller's job.
 *
 * @param now The current time in integer Unix seconds; the state is accepted while `now <= exp`.
 * @throws StateError with code `state_malformed`, `state_invalid` or `state_expired`.
 * @throws TypeError when `secret` is shorter than 32 characters or `now` is not a non-negative
 * integer (caller misuse).
 *
 * @example
 * ```ts
 * const state = await unsealState(request.query.state, options.cookiePassword, clock.now());
 * if (state.nonce !== request.cookies['reauth-nonce']) {
 *   // not the browser that started
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/require-await
export async function unsealState(
  token: string,
  secret: string,
  now: number,
): Promise<ReauthState> {
  const key = deriveKey(secret);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new TypeError('now must be a non-negative integer number of Unix seconds');
  }
  if (
    typeof token !== 'string' ||
    token.length > STATE_MAX_LENGTH ||
    !COMPACT_DIR_JWE.test(token)
  ) {
    throw new StateError('state_malformed', 'state is not a sealed state');
  }

  const state = parseState(decryptCompact(token, key));
  if (now > state.exp) {
    throw new StateError('state_expired', 'state has expired');
  }
  return state;
}

// The protected header every sealed state carries, encoded once: it is also the AES-GCM AAD.
const ENCODED_HEADER = Buffer.from(JSON.stringify(JWE_HEADER)).toString('base64url');
const HEADER_AAD = Buffer.from(ENCODED_HEADER, 'ascii');

/**
 * A compact JWE with `dir` and `A256GCM` (RFC 7516), made with `node:crypto` directly: the same
 * format as any JOSE library's, without a round trip through WebCrypto for each refusal.
 */
function encryptCompact(plaintext: Buffer, key: Uint8Array): string {
  const iv = randomBytesPooled(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(HEADER_AAD);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${ENCODED_HEADER}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
}

/**
 * Opens a compact JWE made by {@link encryptCompact} (or any JOSE library, with `dir` and
 * `A256GCM`): `state_malformed` for a header that is not a JSON object or parts of the wrong
 * size, `state_invalid` for another algorithm or anything that does not decrypt and authenticate.
 */
function decryptCompact(token: string, key: Uint8Array): Buffer {
  const [encodedHeader, , encodedIv, encodedCiphertext, encodedTag] = token.split('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encodedHeader, 'base64url').toString('utf8'));
  } catch (error) {
    throw new StateError('state_malformed', 'state is not a sealed state', { cause: error });
  }
  const iv = Buffer.from(encodedIv, 'base64url');
  const tag = Buffer.from(encodedTag, 'base64url');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new StateError('state_malformed', 'state is not a sealed state');
  }
  if (iv.length !== 12 || tag.length !== 16) {
    throw new StateError('state_malformed', 'state is not a sealed state');
  }
  const { alg, enc } = header as { alg?: unknown; enc?: unknown };
  if (alg !== JWE_HEADER.alg || enc !== JWE_HEADER.enc) {
    throw new StateError('state_invalid', 'state is not sealed with dir and A256GCM');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(encodedHeader, 'ascii'));
    decipher.setAuthTag(tag);
    return Buffer.concat([
      decipher.update(Buffer.from(encodedCiphertext, 'base64url')),
      decipher.final(),
    ]);
  } catch (error) {
    throw new StateError('state_invalid', 'state does not decrypt with this secret', {
      cause: error,
    });
  }
}

function deriveKey(secret: unknown): Uint8Array {
  if (typeof secret !== 'string' || secret.length < SECRET_MIN_LENGTH) {
    throw new TypeError(`secret must be a string of at least ${SECRET_MIN_LENGTH} characters`);
  }
  let key = keyCache.get(secret);
  if (key === undefined) {
    key = new Uint8Array(hkdfSync('sha256', secret, HKDF_SALT, HKDF_INFO, 32));
    // A process normally holds one or two secrets (during rotation); the limit only guards
    // against a caller that passes a fresh one each time.
    if (keyCache.size >= KEY_CACHE_LIMIT) {
      keyCache.clear();
    }
    keyCache.set(secret, key);
  }
  return key;
}

function parseState(plaintext: Uint8Array): ReauthState {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plaintext));
  } catch (error) {
    throw new StateError('state_invalid', 'state is not JSON', { cause: error });
  }
  const problem = findStateProblem(value);
  if (problem !== undefined) {
    throw new StateError('state_invalid', problem);
  }
  const state = value as ReauthState;
  if ('action' in state) {
    try {
      assertActionSize(state.action);
    } catch (error) {
      throw new StateError('state_invalid', 'state.action cannot be carried', { cause: error });
    }
  }
  return state;
}

// One validator for both directions: a state we would refuse to unseal is never sealed.
function findStateProblem(value: unknown): string | undefined {
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
  return undefined;
}

function isBoundedString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength;
}

function isUnixSeconds(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

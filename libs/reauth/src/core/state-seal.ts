import { decryptCompactDir, encryptCompactDir, JweError } from '../crypto/jwe';
import { deriveKey, STATE_KEY } from '../crypto/key-derivation';
import { assertActionSize } from './action';
import { ReauthInternalError } from './internal-error';
import { findStateProblem, type ReauthState } from './reauth-state';

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
export class StateError extends ReauthInternalError {
  readonly code: StateErrorCode;

  constructor(code: StateErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

const SECRET_MIN_LENGTH = 32;
// Comfortably above the largest valid state (2 KiB returnTo + 2 KiB action, base64url-encoded),
// low enough that an attacker cannot make us decrypt megabytes.
const STATE_MAX_LENGTH = 8192; /**
 * Encrypts and authenticates a {@link ReauthState} into a URL-safe string (a compact JWE, `dir`
 * + `A256GCM`, see `crypto/jwe.ts`), for the OAuth `state` parameter. The key is derived from
 * `secret` with HKDF-SHA256 for this purpose only (`crypto/key-derivation.ts`).
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
  const key = stateKey(secret);
  const problem = findStateProblem(state);
  if (problem !== undefined) {
    throw new TypeError(problem);
  }
  if (state.action !== undefined) {
    assertActionSize(state.action);
  }
  return encryptCompactDir(Buffer.from(JSON.stringify(state), 'utf8'), key);
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
  const key = stateKey(secret);
  if (!Number.isSafeInteger(now) || now < 0) {
    throw new TypeError('now must be a non-negative integer number of Unix seconds');
  }
  if (typeof token !== 'string' || token.length > STATE_MAX_LENGTH) {
    throw new StateError('state_malformed', 'state is not a sealed state');
  }

  const state = parseState(decrypted(token, key));
  if (now > state.exp) {
    throw new StateError('state_expired', 'state has expired');
  }
  return state;
}

// What the JWE's refusals mean for a state. The StateError keeps the lower-level error (the
// AES-GCM or JSON failure) as its cause, as it did before the JWE had errors of its own.
const REFUSALS = {
  jwe_malformed: ['state_malformed', 'state is not a sealed state'],
  jwe_unsupported: ['state_invalid', 'state is not sealed with dir and A256GCM'],
  jwe_decryption_failed: ['state_invalid', 'state does not decrypt with this secret'],
} as const satisfies Record<JweError['code'], readonly [StateErrorCode, string]>;

function decrypted(token: string, key: Uint8Array): Buffer {
  try {
    return decryptCompactDir(token, key);
  } catch (error) {
    if (!(error instanceof JweError)) throw error;
    const [code, message] = REFUSALS[error.code];
    throw new StateError(code, message, error.cause === undefined ? {} : { cause: error.cause });
  }
}

function stateKey(secret: unknown): Uint8Array {
  if (typeof secret !== 'string' || secret.length < SECRET_MIN_LENGTH) {
    throw new TypeError(`secret must be a string of at least ${SECRET_MIN_LENGTH} characters`);
  }
  return deriveKey(secret, STATE_KEY);
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

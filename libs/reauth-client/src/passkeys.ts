import { startRegistration } from '@simplewebauthn/browser';
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { PasskeyRequestError } from './errors.js';
import { jsonOf } from './step-up.requests.js';
import { isRecord } from './values.js';

// The requests of an app's "passkeys" page: enrol, list, rename, delete.

/** A passkey of the signed-in user, as the server lists it (times in Unix seconds). */
export interface PasskeySummary {
  /** The credential id (base64url): what `renamePasskey` and `deletePasskey` take. */
  id: string;
  /** The user's name for it. */
  name: string;
  /** When it was enrolled. */
  createdAt: number;
  /** `multiDevice` when it may be synced to the user's other devices. */
  deviceType: 'singleDevice' | 'multiDevice';
  /** Whether it is backed up (synced) now. */
  backedUp: boolean;
  /** When it last confirmed an action, if it has. */
  lastUsedAt?: number;
}

/** Options of the passkey functions. */
export interface PasskeyRequestOptions {
  /**
   * Sends the requests. Default the global `fetch`. Pass a `createReauthFetch()` function so
   * that an enrolment that asks for a recent sign-in gets one and goes on.
   */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /** The passkeys collection (`GET` lists, `POST` enrols). Default `/auth/passkeys`. */
  passkeysPath?: string;
  /** Where enrolment options come from. Default `/auth/passkeys/registration/options`. */
  registrationOptionsPath?: string;
  /** Extra headers for every request (a Bearer token, a CSRF token). */
  headers?: Record<string, string>;
}

const PASSKEYS_PATH = '/auth/passkeys';
const REGISTRATION_OPTIONS_PATH = '/auth/passkeys/registration/options';

async function call(
  options: PasskeyRequestOptions,
  path: string,
  method: string,
  body?: object,
): Promise<Response> {
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const response = await send(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    const json = await jsonOf(response);
    const reason = isRecord(json) && typeof json.error === 'string' ? json.error : 'request_failed';
    throw new PasskeyRequestError(reason, response.status);
  }
  return response;
}

async function jsonRecord(response: Response): Promise<Record<string, unknown>> {
  const json = await jsonOf(response);
  if (!isRecord(json)) throw new PasskeyRequestError('unexpected_response', response.status);
  return json;
}

const passkeyPath = (options: PasskeyRequestOptions, id: string) =>
  `${options.passkeysPath ?? PASSKEYS_PATH}/${encodeURIComponent(id)}`;

/**
 * Enrols a passkey for the signed-in user: asks the server for options, runs the browser's
 * passkey creation, and sends the result under `name`. Rejects with `PasskeyRequestError` when
 * the server refuses (`status`) or the user dismisses the browser's prompt
 * (`passkey_cancelled`).
 *
 * @example
 * ```ts
 * const api = createReauthFetch();
 * const passkey = await enrolPasskey({ name: 'Work laptop', fetch: api });
 * ```
 */
export async function enrolPasskey(
  options: PasskeyRequestOptions & { name: string },
): Promise<PasskeySummary> {
  const creation = await jsonRecord(
    await call(options, options.registrationOptionsPath ?? REGISTRATION_OPTIONS_PATH, 'POST', {}),
  );
  let response: unknown;
  try {
    response = await startRegistration({
      optionsJSON: creation as unknown as PublicKeyCredentialCreationOptionsJSON,
    });
  } catch (cause) {
    throw new PasskeyRequestError('passkey_cancelled', undefined, { cause });
  }
  const created = await call(options, options.passkeysPath ?? PASSKEYS_PATH, 'POST', {
    name: options.name,
    response,
  });
  return (await jsonRecord(created)) as unknown as PasskeySummary;
}

/** The signed-in user's passkeys. */
export async function listPasskeys(options: PasskeyRequestOptions = {}): Promise<PasskeySummary[]> {
  const response = await call(options, options.passkeysPath ?? PASSKEYS_PATH, 'GET');
  const json = await jsonOf(response);
  // A bare array, or one under `passkeys`.
  const list = isRecord(json) ? json.passkeys : json;
  if (!Array.isArray(list)) throw new PasskeyRequestError('unexpected_response', response.status);
  return list as PasskeySummary[];
}

/** Renames one of the signed-in user's passkeys. */
export async function renamePasskey(
  id: string,
  name: string,
  options: PasskeyRequestOptions = {},
): Promise<void> {
  await call(options, passkeyPath(options, id), 'PATCH', { name });
}

/** Deletes one of the signed-in user's passkeys. */
export async function deletePasskey(
  id: string,
  options: PasskeyRequestOptions = {},
): Promise<void> {
  await call(options, passkeyPath(options, id), 'DELETE');
}

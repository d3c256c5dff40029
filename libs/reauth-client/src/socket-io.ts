import {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
} from './errors.js';
import { awaitPopup } from './popup.js';
import { POPUP_MODE, RECONNECT_REQUIRED_ERROR, REAUTH_REQUIRED_ERROR } from './protocol.js';
import type { ReauthContext, ReauthInfo, ReauthWindow } from './reauth-fetch.js';
import { validActionSummary, validMaxAge } from './reauth-response.js';
import { decideStepUp, startConfirmation, type StepUpDecision } from './step-up.confirmation.js';
import { readStepUpOffer } from './step-up.protocol.js';

/**
 * What {@link emitWithStepUp} needs of a socket.io client socket (`Socket` of `socket.io-client`
 * 4.6 or later), so this package does not depend on socket.io.
 */
export interface StepUpSocket {
  /** A view of the socket whose acknowledgements time out after `ms`. */
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  /** Opens the connection (again). */
  connect(): unknown;
  /** Closes the connection. */
  disconnect(): unknown;
  /** Listens once for `connect` or `connect_error`. */
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Stops listening. */
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  /**
   * The socket's Manager (socket.io-client's `socket.io`): the server's URL it holds is what a
   * refusal's relative `reauthUrl` and `refreshUrl` are resolved against. Without it, the page's
   * origin.
   */
  readonly io?: unknown;
}

/**
 * A refused message's answer, as a `nest-workos-reauth` gateway sends it: the JSON 401's fields
 * (`error`, `reason`, `maxAge`, `acrValues`, `reauthUrl`, `stepUp`), plus `event`, the refused
 * message's name; `refreshUrl` when the connection must be renewed (`reconnect_required`).
 */
export interface SocketRefusal {
  /** `reauth_required`, `reconnect_required`, `reauth_forbidden` or `reauth_unavailable`. */
  error: string;
  /** Why, as the JSON 401's `reason`. */
  reason?: string;
  /** The refused message's event name. */
  event: string;
  /** Where the browser starts the re-authentication the refusal asks for. */
  reauthUrl?: string;
  /** Where an HTTP request renews the session cookie (`reconnect_required`). */
  refreshUrl?: string;
  /** The in-page confirmation offer, as in the JSON 401. */
  stepUp?: unknown;
  /** The JSON 401's other fields. */
  [field: string]: unknown;
}

/** Options of {@link emitWithStepUp}. */
export interface SocketStepUpOptions {
  /** How long to wait for each acknowledgement, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /**
   * Asks the user before anything happens, as `createReauthFetch`'s option of the same name:
   * `stepUpDialog()` fits. With a way to confirm in the page (the refusal's `stepUp`), its
   * functions confirm with a passkey or the password, and the message is then sent again on
   * the same connection; otherwise (or with `useProvider()`) the provider is opened in a popup.
   * Resolving `false` rejects with `ReauthDeclinedError`. Without it, the popup opens directly.
   */
  onReauthRequired?: (info: ReauthInfo) => boolean | Promise<boolean>;
  /** The window: popups, the page's origin. Default `globalThis`. */
  window?: ReauthWindow;
  /** `fetch` for `refreshUrl`. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Features of the popup window. */
  popupFeatures?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Sends a socket.io message with an acknowledgement and answers a `nest-workos-reauth` refusal
 * of it, then sends it once more:
 * - `reauth_required` with an in-page offer and `confirmInPage`: confirms in the page; the
 *   session's proof lets the next message through on the same connection;
 * - `reauth_required` otherwise: opens `reauthUrl` (same-origin only) in a popup, waits for the
 *   provider sign-in to complete, then reconnects so the socket carries the new session cookie;
 * - `reconnect_required`: requests `refreshUrl` (which renews the session cookie), reconnects.
 * Both URLs are resolved against the socket's server and followed only when of the page's own
 * origin. Resolves with the handler's answer. A first answer that is another refusal
 * (`reauth_forbidden`, `reauth_unavailable`) is resolved as it came, for the app to show; once
 * the helper has renewed or re-authenticated, it never resolves with a refusal: after a
 * `reconnect_required`, one `reauth_required` is answered as above; a refusal of a kind it has
 * answered already rejects with `ReauthLoopError`, and any other with `ReauthFailedError` (its
 * `reason` the refusal's).
 *
 * It renews the session cookie: for a socket authenticated by the cookie. A socket that sends
 * a token (`auth.token`) must get a new token itself, then reconnect.
 *
 * Call it from a user gesture (a click), so the browser lets the popup open.
 *
 * @example
 * ```ts
 * import { io } from 'socket.io-client';
 * import { emitWithStepUp } from 'step-up-fetch';
 *
 * const socket = io();
 * button.onclick = async () => {
 *   const answer = await emitWithStepUp(socket, 'delete-channel', 'general');
 * };
 * ```
 */
export async function emitWithStepUp(
  socket: StepUpSocket,
  event: string,
  data: unknown,
  options: SocketStepUpOptions = {},
): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const send = () => socket.timeout(timeoutMs).emitWithAck(event, data);
  let answer = await send();
  let refusal = socketRefusalOf(answer, event);
  if (!refusal || !STEP_UP_ERRORS.has(refusal.error)) return answer;
  const win = options.window ?? globalThis;
  const base = serverUrlOf(socket) ?? win.location.origin;
  const answered = new Set<string>();
  while (refusal) {
    if (answered.has(refusal.error)) throw new ReauthLoopError();
    if (!STEP_UP_ERRORS.has(refusal.error))
      throw new ReauthFailedError(refusal.reason ?? refusal.error);
    answered.add(refusal.error);
    if (refusal.error === RECONNECT_REQUIRED_ERROR) {
      await renew(socket, refusal, base, win, options);
    } else {
      await reauthenticate(socket, refusal, base, win, options);
    }
    answer = await send();
    refusal = socketRefusalOf(answer, event);
  }
  return answer;
}

/** The refusals the helper answers itself. */
const STEP_UP_ERRORS: ReadonlySet<string> = new Set([
  RECONNECT_REQUIRED_ERROR,
  REAUTH_REQUIRED_ERROR,
]);

/** `reconnect_required`: renews the session cookie at `refreshUrl`, then reconnects. */
async function renew(
  socket: StepUpSocket,
  refusal: SocketRefusal,
  base: string,
  win: ReauthWindow,
  options: SocketStepUpOptions,
): Promise<void> {
  if (refusal.refreshUrl !== undefined) {
    const url = sameOriginUrl(refusal.refreshUrl, base, win);
    await (options.fetch ?? fetch)(url, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
  }
  await reconnect(socket);
}

/** `reauth_required`: confirms in the page, or signs in at the provider in a popup and reconnects. */
async function reauthenticate(
  socket: StepUpSocket,
  refusal: SocketRefusal,
  base: string,
  win: ReauthWindow,
  options: SocketStepUpOptions,
): Promise<void> {
  if (refusal.reauthUrl === undefined) throw new ReauthUrlMissingError();
  const url = new URL(sameOriginUrl(refusal.reauthUrl, base, win));
  const decision = await decide(refusal, url.href, win, options);
  if (decision === 'cancelled') throw new ReauthCancelledError('Confirmation was cancelled');
  if (decision !== 'provider') return;
  url.searchParams.set('mode', POPUP_MODE);
  const popup = win.open(url.href, 'reauth', options.popupFeatures ?? 'popup,width=520,height=640');
  if (!popup) throw new PopupBlockedError();
  await awaitPopup(popup, () => win, win.location.origin);
  await reconnect(socket);
}

/** The server URL socket.io-client's Manager connected to, when the socket exposes it. */
function serverUrlOf(socket: StepUpSocket): string | undefined {
  const manager = socket.io;
  if (typeof manager !== 'object' || manager === null) return undefined;
  const uri = (manager as { uri?: unknown }).uri;
  if (typeof uri !== 'string') return undefined;
  try {
    return new URL(uri).href;
  } catch {
    return undefined;
  }
}

/**
 * The refusal in a message's answer (a socket.io acknowledgement or the `reauth_error` event's
 * data) for the message `event`; `undefined` for any other answer.
 */
export function socketRefusalOf(answer: unknown, event?: string): SocketRefusal | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const candidate = answer as Partial<SocketRefusal>;
  if (typeof candidate.error !== 'string' || typeof candidate.event !== 'string') return undefined;
  if (event !== undefined && candidate.event !== event) return undefined;
  if (typeof candidate.statusCode !== 'number') return undefined;
  return candidate as SocketRefusal;
}

/**
 * Asks the app (`onReauthRequired`), with the functions to confirm in the page when the refusal
 * offers a way this browser can use; whichever settles first decides, as for HTTP refusals.
 */
async function decide(
  refusal: SocketRefusal,
  url: string,
  win: ReauthWindow,
  options: SocketStepUpOptions,
): Promise<StepUpDecision> {
  const origin = win.location.origin;
  const request = new Request(url, { credentials: 'same-origin' });
  const acrValues = Array.isArray(refusal.acrValues)
    ? refusal.acrValues.filter((value): value is string => typeof value === 'string')
    : undefined;
  const context: ReauthContext = {
    url,
    maxAge: validMaxAge(refusal.maxAge),
    acrValues,
    reason: refusal.reason,
    actionSummary: validActionSummary(refusal.actionSummary),
    request,
  };
  const offer = refusal.stepUp === undefined ? undefined : readStepUpOffer(refusal.stepUp, origin);
  const confirmation =
    offer &&
    startConfirmation(offer, {
      fetch: (confirm) => (options.fetch ?? fetch)(confirm),
      original: request,
    });
  return decideStepUp(options.onReauthRequired, context, confirmation);
}

/**
 * `url` resolved against the socket's server `base`, when of the page's own origin; anything
 * else is refused, never followed.
 */
function sameOriginUrl(url: string, base: string, win: ReauthWindow): string {
  const resolved = new URL(url, base);
  if (resolved.origin !== win.location.origin) throw new ReauthUrlRejectedError(resolved.origin);
  return resolved.href;
}

/** Closes and opens the connection again, so its handshake carries the current cookies. */
function reconnect(socket: StepUpSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    const connected = () => {
      socket.off('connect_error', failed);
      resolve();
    };
    const failed = (error: unknown) => {
      socket.off('connect', connected);
      reject(error instanceof Error ? error : new Error('The socket could not reconnect'));
    };
    socket.once('connect', connected);
    socket.once('connect_error', failed);
    socket.disconnect();
    socket.connect();
  });
}

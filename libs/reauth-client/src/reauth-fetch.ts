import { findStepUpChallenge, type StepUpChallenge } from './challenge.js';
import {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
} from './errors.js';

/** What the app learns before the user leaves to re-authenticate (see `onReauthRequired`). */
export interface ReauthInfo {
  /** Where the user will re-authenticate. */
  url: string;
  /** The `max_age` the server asks for, when it says. */
  maxAge?: number;
  /** Our server's `reason` (`stale`, `unauthenticated`, ...), when the body carries one. */
  reason?: string;
  challenge?: StepUpChallenge;
  /** The request that needs it. */
  request: Request;
}

/** The browser surface the helper uses; `window` by default. */
export interface ReauthWindow {
  open(url: string, target: string, features: string): { closed: boolean; close(): void } | null;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  location: { origin: string; assign(url: string): void };
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/** Options of {@link createReauthFetch}. */
export interface ReauthClientOptions {
  /**
   * `popup` (default): re-authenticate in a popup and retry; the page keeps its state.
   * `redirect`: send the whole page to re-authenticate.
   */
  mode?: 'popup' | 'redirect';
  /** When the browser blocks the popup: `redirect` (default) or `reject` with `PopupBlockedError`. */
  popupFallback?: 'redirect' | 'reject';
  /**
   * Called once before the user leaves (ask "Confirm it's you to continue"); resolve `false` to
   * reject with `ReauthDeclinedError` instead.
   */
  onReauthRequired?: (info: ReauthInfo) => boolean | Promise<boolean>;
  /**
   * Builds the re-auth URL for a server that sends only the RFC 9470 challenge (ours also sends
   * `reauthUrl` in the JSON body).
   */
  reauthUrl?: (response: Response, challenge: StepUpChallenge | undefined) => string | undefined;
  /**
   * In redirect mode, whether to record the request and replay it after the return (see
   * `resumePending`). Default: only GET and HEAD. Replaying anything else (a transfer, say) is
   * the app's explicit choice: pass `true` or a function.
   */
  replayAfterRedirect?: boolean | ((request: Request) => boolean);
  /** Origin the popup's message must come from. Default the page's own origin. */
  messageOrigin?: string;
  /** `window.open` features of the popup. */
  popupFeatures?: string;
  fetch?: typeof fetch;
  window?: ReauthWindow;
  /** sessionStorage key of the request waiting for the redirect's return. */
  storageKey?: string;
}

/** A `fetch` that re-authenticates when the server asks, then retries once. */
export interface ReauthFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /**
   * After a redirect re-authentication: replays the request recorded before leaving, once.
   * Resolves `undefined` when none was recorded.
   */
  resumePending(): Promise<Response | undefined>;
}

interface RecordedRequest {
  url: string;
  method: string;
  headers: [string, string][];
  body?: string;
}

interface ReauthBody {
  error?: unknown;
  reason?: unknown;
  reauthUrl?: unknown;
}

const POPUP_CLOSED_CHECK_MS = 400;

/**
 * Wraps `fetch` for pages that call an API guarded by `@RequireRecentAuth()` (or any RFC 9470
 * server): a response that asks for re-authentication (the `insufficient_user_authentication`
 * challenge, or our JSON body with `reauthUrl`) sends the user to re-authenticate, in a popup or
 * by redirect, and the original request is retried once. Requests that fail together share one
 * re-authentication; a second re-auth response rejects with `ReauthLoopError`.
 *
 * @example
 * ```ts
 * const api = createReauthFetch({
 *   onReauthRequired: () => confirm('Confirm it’s you to continue'),
 * });
 * const res = await api('/api/transfers', { method: 'POST', body: JSON.stringify(transfer) });
 * ```
 */
export function createReauthFetch(options: ReauthClientOptions = {}): ReauthFetch {
  const mode = options.mode ?? 'popup';
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const win = (): ReauthWindow =>
    options.window ?? (globalThis as unknown as { window: ReauthWindow }).window;
  const storageKey = options.storageKey ?? 'nest-reauth:pending';
  let inflight: Promise<void> | undefined;

  const send = (request: Request): Promise<Response> => {
    const copy = request.clone();
    if (mode === 'popup') copy.headers.set('X-Reauth-Mode', 'popup');
    return doFetch(copy);
  };

  const reauthFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const first = await send(request);
    const needed = await reauthNeeded(first, options);
    if (!needed) return first;
    inflight ??= reauthenticate(needed, request).finally(() => {
      inflight = undefined;
    });
    await inflight;
    const second = await send(request);
    if (await reauthNeeded(second, options)) throw new ReauthLoopError();
    return second;
  };

  const reauthenticate = async (
    info: Omit<ReauthInfo, 'request'>,
    request: Request,
  ): Promise<void> => {
    if (options.onReauthRequired && !(await options.onReauthRequired({ ...info, request }))) {
      throw new ReauthDeclinedError();
    }
    if (mode === 'redirect') return redirect(info.url, request);
    const popup = win().open(
      info.url,
      'nest-reauth',
      options.popupFeatures ?? 'popup,width=480,height=640',
    );
    if (!popup) {
      if (options.popupFallback === 'reject') throw new PopupBlockedError();
      return redirect(info.url, request);
    }
    return awaitPopup(popup);
  };

  const redirect = async (url: string, request: Request): Promise<never> => {
    if (shouldReplay(request, options.replayAfterRedirect)) {
      const record: RecordedRequest = {
        url: request.url,
        method: request.method,
        headers: [...request.headers.entries()],
        body: ['GET', 'HEAD'].includes(request.method) ? undefined : await request.clone().text(),
      };
      win().sessionStorage.setItem(storageKey, JSON.stringify(record));
    }
    win().location.assign(url);
    // The page is leaving: the caller's promise stays pending instead of reporting a failure.
    return new Promise<never>(() => undefined);
  };

  const awaitPopup = (popup: { closed: boolean }): Promise<void> =>
    new Promise((resolve, reject) => {
      const expectedOrigin = options.messageOrigin ?? win().location.origin;
      let closedOnce = false;
      const cleanup = () => {
        clearInterval(watch);
        win().removeEventListener('message', onMessage);
      };
      const onMessage = (event: MessageEvent) => {
        if (event.source !== (popup as unknown) || event.origin !== expectedOrigin) return;
        const data = event.data as { type?: unknown; status?: unknown; code?: unknown } | null;
        if (!data || data.type !== 'nest-reauth') return;
        cleanup();
        if (data.status === 'ok') resolve();
        else if (data.status === 'cancelled') reject(new ReauthCancelledError());
        else reject(new ReauthFailedError(typeof data.code === 'string' ? data.code : undefined));
      };
      // A popup that closes without a word was closed by the user. Closing right after posting
      // is normal, so a closed popup gets one more check for its message before counting.
      const watch = setInterval(() => {
        if (!popup.closed) return;
        if (!closedOnce) {
          closedOnce = true;
          return;
        }
        cleanup();
        reject(new ReauthCancelledError('The re-authentication window was closed'));
      }, POPUP_CLOSED_CHECK_MS);
      win().addEventListener('message', onMessage);
    });

  const resumePending = async (): Promise<Response | undefined> => {
    const storage = win().sessionStorage;
    const saved = storage.getItem(storageKey);
    if (saved === null) return undefined;
    storage.removeItem(storageKey);
    let record: RecordedRequest;
    try {
      record = JSON.parse(saved) as RecordedRequest;
    } catch {
      return undefined;
    }
    return reauthFetch(record.url, {
      method: record.method,
      headers: record.headers,
      body: record.body,
    });
  };

  return Object.assign(reauthFetch, { resumePending });
}

function shouldReplay(
  request: Request,
  choice: ReauthClientOptions['replayAfterRedirect'],
): boolean {
  if (typeof choice === 'function') return choice(request);
  if (choice !== undefined) return choice;
  return request.method === 'GET' || request.method === 'HEAD';
}

/** What the response asks for, or `undefined` when it is not a re-auth response. */
async function reauthNeeded(
  response: Response,
  options: ReauthClientOptions,
): Promise<Omit<ReauthInfo, 'request'> | undefined> {
  if (response.status !== 401) return undefined;
  const challenge = findStepUpChallenge(response.headers.get('www-authenticate'));
  let body: ReauthBody | undefined;
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      body = (await response.clone().json()) as ReauthBody;
    } catch {
      body = undefined;
    }
  }
  const ours = body?.error === 'reauth_required';
  if (!challenge && !ours) return undefined;
  const url =
    (typeof body?.reauthUrl === 'string' && /^https?:\/\//i.test(body.reauthUrl)
      ? body.reauthUrl
      : undefined) ?? options.reauthUrl?.(response, challenge);
  if (!url) throw new ReauthUrlMissingError();
  return {
    url,
    maxAge: challenge?.maxAge,
    reason: typeof body?.reason === 'string' ? body.reason : undefined,
    challenge,
  };
}

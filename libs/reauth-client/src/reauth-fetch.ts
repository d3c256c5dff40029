import type { StepUpChallenge } from './challenge.js';
import type { StepUpControls } from './step-up.confirmation.js';

/** What the server asked for, and of which request (see `onReauthRequired`). */
export interface ReauthContext {
  /** Where the user will re-authenticate. */
  url: string;
  /**
   * The `max_age` the server asks for, when it says: the challenge's `max_age`, else our JSON
   * body's `maxAge` (or a GraphQL error's `extensions.maxAge`). A refusal without a step-up
   * challenge (`unauthenticated`, `invalid_token`) has it only there.
   */
  maxAge?: number;
  /**
   * The assurance levels (`acr` values) the server accepts, most preferred first, when it says:
   * the JSON body's `acrValues`, else the challenge's `acr_values`.
   */
  acrValues?: readonly string[];
  /**
   * Our server's `reason` (`stale`, `insufficient_assurance`, `unauthenticated`, ...), when the
   * body carries one. Any string is passed on as it is.
   */
  reason?: string;
  /**
   * What the user confirms when the route is bound to one action (`actionSummary` of our JSON
   * body or GraphQL error, e.g. `Transfer 50 EUR to Bob`): at most 200 characters, written by
   * the server from the request's own values. Show it to the user, as text (never as HTML), so
   * they know what their confirmation allows; `stepUpDialog()` does.
   */
  actionSummary?: string;
  /** The RFC 9470 challenge of the response, when it has one. */
  challenge?: StepUpChallenge;
  /**
   * `true` when a GraphQL error asked (`errors[].extensions.code` `REAUTH_REQUIRED`), rather
   * than a JSON 401 or a challenge.
   */
  graphql?: boolean;
  /** The request that needs it. */
  request: Request;
}

/** A re-authentication that only the provider can give: popup or redirect, as `mode` says. */
export interface ProviderReauthInfo extends ReauthContext {
  /** No way to confirm in the page: the server offered none this browser can use. */
  methods?: undefined;
}

/**
 * A re-authentication the user can also give in the page: the server's `stepUp` offered a
 * passkey or the password, and this browser can use it. See {@link StepUpControls}.
 */
export interface InPageReauthInfo extends ReauthContext, StepUpControls {}

/**
 * What `onReauthRequired` is told. With `methods` (an {@link InPageReauthInfo}), the user can
 * confirm in the page through its functions; without, only the provider can re-authenticate.
 *
 * @example
 * ```ts
 * createReauthFetch({
 *   onReauthRequired: async (info) => {
 *     if (!info.methods?.includes('passkey')) return true; // popup or redirect
 *     await info.confirmWithPasskey(); // resolves once confirmed: the request is retried
 *     return true;
 *   },
 * });
 * ```
 */
export type ReauthInfo = ProviderReauthInfo | InPageReauthInfo;

/**
 * Which responses the helper reads for a GraphQL error that asks for re-authentication
 * (`errors[].extensions.code === 'REAUTH_REQUIRED'` with a `reauthUrl`), whatever their status:
 * - `'challenged'` (default): JSON responses that carry a `WWW-Authenticate` header, as
 *   `nest-workos-reauth` sends with every such error, and every JSON 401;
 * - `'always'`: every JSON response (for a cross-origin API that does not expose
 *   `WWW-Authenticate` to the page);
 * - `'never'`: none; only the JSON 401 and the RFC 9470 challenge ask.
 */
export type GraphQLErrorsOption = 'challenged' | 'always' | 'never';

/** The browser surface the helper uses; `window` by default. */
export interface ReauthWindow {
  /** `window.open`: opens the re-auth popup; `null` when the browser blocked it. */
  open(url: string, target: string, features: string): { closed: boolean; close(): void } | null;
  /** Listens for the popup's `message` that reports the outcome. */
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /** Stops listening once the popup has reported or was closed. */
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /**
   * `href` is where `resumePending` reads the outcome of a redirect re-auth: without it, nothing
   * recorded is ever replayed.
   */
  location: { origin: string; href?: string; assign(url: string): void };
  /**
   * Where redirect mode records the request to replay (under `storageKey`), and where
   * `resumePending` reads and removes it.
   */
  sessionStorage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** Removes the outcome's parameters from the address bar; without it they stay. */
  history?: Pick<History, 'state' | 'replaceState'>;
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
   * Called once before the user leaves (ask "Confirm it's you to continue"); resolve `true` to
   * re-authenticate with the provider, `false` to reject with `ReauthDeclinedError` instead.
   * When the server offers ways to confirm in the page, `info.methods` lists them and `info`'s
   * functions confirm, continue with the provider or cancel; the first of these or of the
   * returned value to settle decides. `stepUpDialog()` returns a ready-made one.
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
  /**
   * Which responses are read for a GraphQL error that asks for re-authentication: `'challenged'`
   * (default: JSON responses with a `WWW-Authenticate` header, and JSON 401s), `'always'` (every
   * JSON response) or `'never'`. See {@link GraphQLErrorsOption}.
   *
   * @example
   * ```ts
   * createReauthFetch({ graphqlErrors: 'always', authorizationOrigins: ['https://auth.example'] });
   * ```
   */
  graphqlErrors?: GraphQLErrorsOption;
  /**
   * Origins (exactly `scheme://host[:port]`) whose re-auth URLs the helper follows when a
   * cross-origin response asks for re-authentication. A same-origin response's `reauthUrl` is
   * always followed; any other is refused with `ReauthUrlRejectedError`. Default none. (What the
   * `reauthUrl` option returns is the app's own choice and is not checked.)
   *
   * @example
   * ```ts
   * createReauthFetch({ authorizationOrigins: ['https://auth.example.com'] });
   * ```
   */
  authorizationOrigins?: string[];
  /** Origin the popup's message must come from. Default the page's own origin. */
  messageOrigin?: string;
  /** `window.open` features of the popup. */
  popupFeatures?: string;
  /** Sends each request and its retry. Default the global `fetch`, looked up at each call. */
  fetch?: typeof fetch;
  /**
   * The browser surface for popups, redirects, messages and storage. Default the global
   * `window`, looked up only when needed.
   */
  window?: ReauthWindow;
  /** sessionStorage key of the request waiting for the redirect's return. */
  storageKey?: string;
  /** The clock, in ms since the epoch, that dates a recorded request. Default `Date.now`. */
  now?: () => number;
}

/** A `fetch` that re-authenticates when the server asks, then retries once. */
export interface ReauthFetch {
  /**
   * Sends the request as `fetch` would. When the response asks for re-authentication, resolves
   * to the response of one retry after it; rejects with a {@link ReauthClientError} when the
   * re-authentication does not complete or the retry asks again. When it goes by redirect, the
   * page leaves and the promise never settles. A GraphQL operation that may not be sent twice
   * resolves to the first response instead of a retry.
   */
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /**
   * Call it when the page loads. After a redirect re-authentication that reports success
   * (`?reauth=ok&reauth_id=<id>` on the return), replays the request recorded before leaving
   * with that id, if it is less than 10 minutes old. Any other record is discarded unsent, and
   * `reauth` and `reauth_id` are removed from the address bar either way. Resolves to the
   * replay's `Response`, or `undefined` when nothing was replayed; rejects with
   * `ReauthLoopError` when the replay asks for re-authentication again.
   *
   * @example
   * ```ts
   * const resumed = await api.resumePending();
   * if (resumed?.ok) showMessage('Transfer sent.');
   * ```
   */
  resumePending(): Promise<Response | undefined>;
}

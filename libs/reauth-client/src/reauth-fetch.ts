import { findStepUpChallenge, validAcrValues, type StepUpChallenge } from './challenge.js';
import {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthDeclinedError,
  ReauthFailedError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
} from './errors.js';
import {
  mayReplay,
  newReauthId,
  parsePendingRequest,
  readReauthReturn,
  type PendingRequest,
} from './pending-request.js';
import {
  POPUP_MODE,
  PROTOCOL,
  REAUTH_REQUIRED_ERROR,
  REAUTH_REQUIRED_GRAPHQL_CODE,
  type ReauthMarker,
} from './protocol.js';

/** What the app learns before the user leaves to re-authenticate (see `onReauthRequired`). */
export interface ReauthInfo {
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
  open(url: string, target: string, features: string): { closed: boolean; close(): void } | null;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  /**
   * `href` is where `resumePending` reads the outcome of a redirect re-auth: without it, nothing
   * recorded is ever replayed.
   */
  location: { origin: string; href?: string; assign(url: string): void };
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
  fetch?: typeof fetch;
  window?: ReauthWindow;
  /** sessionStorage key of the request waiting for the redirect's return. */
  storageKey?: string;
  /** The clock, in ms since the epoch, that dates a recorded request. Default `Date.now`. */
  now?: () => number;
}

/** A `fetch` that re-authenticates when the server asks, then retries once. */
export interface ReauthFetch {
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

/** One sending of a request, with the `X-Reauth-Id` it carried. */
interface Attempt {
  response: Response;
  id?: string;
}

interface ReauthBody {
  error?: unknown;
  reason?: unknown;
  maxAge?: unknown;
  acrValues?: unknown;
  reauthUrl?: unknown;
}

const POPUP_CLOSED_CHECK_MS = 400;
const ORIGIN_EXAMPLE = '"https://auth.example"';

/**
 * Wraps `fetch` for pages that call an API guarded by `@RequireRecentAuth()` (or any RFC 9470
 * server): a response that asks for re-authentication (the `insufficient_user_authentication`
 * challenge, or our JSON body with `reauthUrl`) sends the user to re-authenticate, in a popup or
 * by redirect, and the original request is retried once. The challenge may ask for `max_age`,
 * `acr_values` or both; either way the handling is the same. Requests that fail together share
 * one re-authentication; a second re-auth response rejects with `ReauthLoopError`.
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
  const graphqlErrors = graphqlErrorsOption(options.graphqlErrors);
  const authorizationOrigins = authorizationOriginsOption(options.authorizationOrigins);
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const now = options.now ?? Date.now;
  const win = (): ReauthWindow =>
    options.window ?? (globalThis as unknown as { window: ReauthWindow }).window;
  const storageKey = options.storageKey ?? 'nest-reauth:pending';
  const isPageOrigin = (url: string) => originOf(url) === win().location.origin;
  let inflight: Promise<void> | undefined;

  const send = async (request: Request): Promise<Attempt> => {
    const copy = request.clone();
    let id: string | undefined;
    if (mode === 'popup') {
      copy.headers.set(PROTOCOL.modeHeader, POPUP_MODE);
    } else if (isPageOrigin(request.url)) {
      // Cross-origin, a custom header would cost a CORS preflight; those requests are not replayed.
      id = newReauthId();
      copy.headers.set(PROTOCOL.idHeader, id);
    }
    return { response: await doFetch(copy), id };
  };

  /** The retry after a re-authentication: asked again, it fails rather than loops. */
  const retry = async (request: Request): Promise<Response> => {
    const { response } = await send(request);
    if (await readReauthResponse(response, graphqlErrors)) throw new ReauthLoopError();
    return response;
  };

  const reauthFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    // With 'always', only answers to GraphQL requests are read for GraphQL errors: any other
    // JSON of the origin (stored user data, say) must not be able to open a sign-in page.
    const documents = graphqlErrors === 'always' ? await graphqlDocuments(request) : undefined;
    const first = await send(request);
    const asked = await readReauthResponse(
      first.response,
      graphqlErrors === 'always' && documents === undefined ? 'challenged' : graphqlErrors,
    );
    if (!asked) return first.response;
    const needed = reauthTarget(asked, first.response, request);
    inflight ??= reauthenticate(needed, request, first.id).finally(() => {
      inflight = undefined;
    });
    await inflight;
    if (asked.graphql && !(await repeatable(request, documents, asked.json))) {
      // Other fields of this operation may have run already: sending it again would run them
      // twice. The user is signed in again; the app decides what to send.
      return first.response;
    }
    return retry(request);
  };

  /** Where to re-authenticate: the body's `reauthUrl` when it may be trusted, or the option's. */
  const reauthTarget = (
    asked: ReauthResponse,
    response: Response,
    request: Request,
  ): Omit<ReauthInfo, 'request'> => {
    const { challenge, body, graphql } = asked;
    const bodyUrl = absoluteHttpUrl(body?.reauthUrl);
    // A synthetic Response (from a custom `fetch`) has no URL: it answers the request's.
    if (
      bodyUrl &&
      !isPageOrigin(response.url || request.url) &&
      !authorizationOrigins.has(bodyUrl.origin)
    ) {
      throw new ReauthUrlRejectedError(bodyUrl.origin);
    }
    const url = bodyUrl?.href ?? options.reauthUrl?.(response, challenge);
    if (!url) throw new ReauthUrlMissingError();
    const acrValues = validAcrValues(body?.acrValues) ?? validAcrValues(challenge?.acrValues);
    return {
      url,
      maxAge:
        challenge?.maxAge ??
        (graphql || body?.error === REAUTH_REQUIRED_ERROR ? validMaxAge(body?.maxAge) : undefined),
      acrValues: acrValues && Object.freeze(acrValues),
      reason: typeof body?.reason === 'string' ? body.reason : undefined,
      challenge,
      ...(graphql ? { graphql } : {}),
    };
  };

  const reauthenticate = async (
    info: Omit<ReauthInfo, 'request'>,
    request: Request,
    id: string | undefined,
  ): Promise<void> => {
    if (options.onReauthRequired && !(await options.onReauthRequired({ ...info, request }))) {
      throw new ReauthDeclinedError();
    }
    if (mode === 'redirect') return redirect(info.url, request, id);
    const popup = win().open(
      info.url,
      'nest-reauth',
      options.popupFeatures ?? 'popup,width=480,height=640',
    );
    if (!popup) {
      if (options.popupFallback === 'reject') throw new PopupBlockedError();
      // A popup-mode request carried no id, so nothing recorded now could be matched on return.
      return redirect(info.url, request, undefined);
    }
    return awaitPopup(popup);
  };

  const redirect = async (
    url: string,
    request: Request,
    id: string | undefined,
  ): Promise<never> => {
    const storage = win().sessionStorage;
    if (id !== undefined && shouldReplay(request, options.replayAfterRedirect)) {
      const record: PendingRequest = {
        id,
        createdAt: now(),
        request: {
          url: request.url,
          method: request.method,
          headers: [...request.headers.entries()],
          body: ['GET', 'HEAD'].includes(request.method) ? undefined : await request.clone().text(),
        },
      };
      storage.setItem(storageKey, JSON.stringify(record));
    } else {
      storage.removeItem(storageKey);
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
        if (!data || data.type !== PROTOCOL.popupMessageType) return;
        cleanup();
        if (data.status === ('ok' satisfies ReauthMarker)) resolve();
        else if (data.status === ('cancelled' satisfies ReauthMarker))
          reject(new ReauthCancelledError());
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
    const page = win();
    const returned = readReauthReturn(page.location.href);
    if (returned.cleanedUrl !== undefined && page.history) {
      page.history.replaceState(page.history.state, '', returned.cleanedUrl);
    }
    const saved = page.sessionStorage.getItem(storageKey);
    if (saved === null) return undefined;
    // Used at most once, whatever comes next.
    page.sessionStorage.removeItem(storageKey);
    const pending = parsePendingRequest(saved);
    if (!pending || !mayReplay(pending, returned, now(), page.location.origin)) return undefined;
    const { url, method, headers, body } = pending.request;
    return retry(new Request(url, { method, headers, body }));
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

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

function absoluteHttpUrl(value: unknown): { href: string; origin: string } | undefined {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return undefined;
  const origin = originOf(value);
  return origin === undefined ? undefined : { href: value, origin };
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

/** `authorizationOrigins`, checked: each an exact http(s) origin, as `URL#origin` writes it. */
function authorizationOriginsOption(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set();
  if (!Array.isArray(value)) {
    throw new TypeError(
      `createReauthFetch: authorizationOrigins must be an array of origins such as ${ORIGIN_EXAMPLE}`,
    );
  }
  return new Set(
    value.map((origin: unknown, i) => {
      if (
        typeof origin !== 'string' ||
        !/^https?:\/\//.test(origin) ||
        originOf(origin) !== origin
      ) {
        throw new TypeError(
          `createReauthFetch: authorizationOrigins[${i}] must be an origin such as ${ORIGIN_EXAMPLE}, got ${describeValue(origin)}`,
        );
      }
      return origin;
    }),
  );
}

interface ReauthResponse {
  challenge?: StepUpChallenge;
  body?: ReauthBody;
  /** The body is a GraphQL error's `extensions`. */
  graphql?: boolean;
  /** The whole JSON of the response, when it had one. */
  json?: unknown;
}

const GRAPHQL_ERRORS_OPTIONS: readonly GraphQLErrorsOption[] = ['challenged', 'always', 'never'];

function graphqlErrorsOption(value: unknown): GraphQLErrorsOption {
  if (value === undefined) return 'challenged';
  if (GRAPHQL_ERRORS_OPTIONS.includes(value as GraphQLErrorsOption)) {
    return value as GraphQLErrorsOption;
  }
  throw new TypeError(
    `createReauthFetch: graphqlErrors must be 'challenged', 'always' or 'never', got ${describeValue(value)}`,
  );
}

function validMaxAge(value: unknown): number | undefined {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The first GraphQL error of a response body (one result, or a batch of them) that asks for
 * re-authentication with a usable `reauthUrl`, as a body the rest of the helper reads.
 */
function graphqlReauthError(json: unknown): ReauthBody | undefined {
  for (const result of Array.isArray(json) ? (json as unknown[]) : [json]) {
    const errors = isRecord(result) ? result.errors : undefined;
    if (!Array.isArray(errors)) continue;
    for (const error of errors as unknown[]) {
      const extensions = isRecord(error) ? error.extensions : undefined;
      if (
        isRecord(extensions) &&
        extensions.code === REAUTH_REQUIRED_GRAPHQL_CODE &&
        absoluteHttpUrl(extensions.reauthUrl)
      ) {
        const { reason, maxAge, acrValues, reauthUrl } = extensions;
        return { error: REAUTH_REQUIRED_ERROR, reason, maxAge, acrValues, reauthUrl };
      }
    }
  }
  return undefined;
}

/**
 * The challenge and body of a response that asks for re-authentication, else `undefined`: a
 * 401 with the step-up challenge or our JSON body, or (per `graphqlErrors`) a GraphQL error
 * `REAUTH_REQUIRED` with a `reauthUrl`, whatever the status.
 */
async function readReauthResponse(
  response: Response,
  graphqlErrors: GraphQLErrorsOption,
): Promise<ReauthResponse | undefined> {
  const header = response.headers.get('www-authenticate');
  const unauthorized = response.status === 401;
  const lookForGraphQL =
    graphqlErrors === 'always' ||
    (graphqlErrors === 'challenged' && (unauthorized || header !== null));
  if (!unauthorized && !lookForGraphQL) return undefined;
  const challenge = findStepUpChallenge(header);
  let json: unknown;
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      json = await response.clone().json();
    } catch {
      json = undefined;
    }
  }
  const body = isRecord(json) ? (json as ReauthBody) : undefined;
  if (unauthorized && body?.error === REAUTH_REQUIRED_ERROR) return { challenge, body };
  const graphql = lookForGraphQL ? graphqlReauthError(json) : undefined;
  if (graphql) return { challenge, body: graphql, graphql: true, json };
  if (unauthorized && challenge) return { challenge, body };
  return undefined;
}

/**
 * The GraphQL documents a request sends: a POST's JSON body (`{ query }`, or a batch of them) or
 * a GET's `query` parameter; `undefined` when it is not a GraphQL request.
 */
async function graphqlDocuments(request: Request): Promise<string[] | undefined> {
  if (request.method === 'GET') {
    const query = new URL(request.url).searchParams.get('query');
    return query === null ? undefined : [query];
  }
  if (!/\bjson\b/i.test(request.headers.get('content-type') ?? '')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(await request.clone().text());
  } catch {
    return undefined;
  }
  const operations = Array.isArray(body) ? (body as unknown[]) : [body];
  const documents = operations.map((operation) =>
    isRecord(operation) && typeof operation.query === 'string' ? operation.query : undefined,
  );
  return documents.length > 0 && documents.every((document) => document !== undefined)
    ? documents
    : undefined;
}

/** Whether a GraphQL document may hold a mutation (in doubt, it may). */
function mayMutate(document: string): boolean {
  const withoutComments = document.replace(/#[^\n\r]*/g, '');
  return /(^|[^\w$])mutation\b/.test(withoutComments);
}

/**
 * Whether a refused GraphQL operation may be sent again as it is: a single query, or a single
 * mutation of which nothing ran (every field of `data` is null and refused). A batch, or a
 * mutation whose other fields ran, is not: they would run twice.
 */
async function repeatable(
  request: Request,
  known: string[] | undefined,
  json: unknown,
): Promise<boolean> {
  const documents = known ?? (await graphqlDocuments(request));
  if (documents === undefined || documents.length !== 1) return false;
  if (!mayMutate(documents[0])) return true;
  return nothingElseRan(json);
}

/** Every top-level field of the result is null and has a refusal of its own. */
function nothingElseRan(json: unknown): boolean {
  if (!isRecord(json)) return false;
  const { data, errors } = json;
  if (data === null || data === undefined) return true;
  if (!isRecord(data) || !Array.isArray(errors)) return false;
  const refused = new Set(
    (errors as unknown[]).flatMap((error) =>
      isRecord(error) &&
      isRecord(error.extensions) &&
      error.extensions.code === REAUTH_REQUIRED_GRAPHQL_CODE &&
      Array.isArray(error.path) &&
      error.path.length === 1
        ? [String(error.path[0])]
        : [],
    ),
  );
  return Object.entries(data).every(([field, value]) => value === null && refused.has(field));
}

import { validAcrValues } from './challenge.js';
import {
  PopupBlockedError,
  ReauthCancelledError,
  ReauthLoopError,
  ReauthUrlMissingError,
  ReauthUrlRejectedError,
} from './errors.js';
import { graphqlDocuments, repeatable } from './graphql-operations.js';
import {
  mayReplay,
  newReauthId,
  parsePendingRequest,
  readReauthReturn,
  recordPendingRequest,
} from './pending-request.js';
import { awaitPopup } from './popup.js';
import { POPUP_MODE, PROTOCOL, REAUTH_REQUIRED_ERROR } from './protocol.js';
import type {
  ReauthClientOptions,
  ReauthContext,
  ReauthFetch,
  ReauthWindow,
} from './reauth-fetch.js';
import {
  authorizationOriginsOption,
  graphqlErrorsOption,
  shouldReplay,
} from './reauth-fetch.options.js';
import {
  readReauthResponse,
  validActionSummary,
  validMaxAge,
  type ReauthResponse,
} from './reauth-response.js';
import { decideStepUp, startConfirmation } from './step-up.confirmation.js';
import { readStepUpOffer, type StepUpOffer } from './step-up.protocol.js';
import { absoluteHttpUrl, originOf } from './values.js';

/** What a refusal asks for: the provider's URL and, maybe, ways to confirm in the page. */
type ReauthTarget = Omit<ReauthContext, 'request'> & { offer?: StepUpOffer };

/** One sending of a request, with the `X-Reauth-Id` it carried. */
interface Attempt {
  response: Response;
  id?: string;
}

/**
 * Wraps `fetch` for pages that call an API guarded by `@RequireRecentAuth()` (or any RFC 9470
 * server): a response that asks for re-authentication (the `insufficient_user_authentication`
 * challenge, or our JSON body with `reauthUrl`) sends the user to re-authenticate, in a popup or
 * by redirect, and the original request is retried once. The challenge may ask for `max_age`,
 * `acr_values` or both; either way the handling is the same. When a same-origin refusal offers
 * ways to confirm in the page (`stepUp`), `onReauthRequired` can confirm with a passkey or the
 * password instead (see `InPageReauthInfo`, and `stepUpDialog()` for a ready-made dialog).
 * Requests that fail together share one re-authentication or confirmation; a second re-auth
 * response rejects with `ReauthLoopError`.
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
  ): ReauthTarget => {
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
    const ours = graphql || body?.error === REAUTH_REQUIRED_ERROR;
    const actionSummary = ours ? validActionSummary(body?.actionSummary) : undefined;
    return {
      url,
      maxAge: challenge?.maxAge ?? (ours ? validMaxAge(body?.maxAge) : undefined),
      acrValues: acrValues && Object.freeze(acrValues),
      reason: typeof body?.reason === 'string' ? body.reason : undefined,
      ...(actionSummary !== undefined ? { actionSummary } : {}),
      challenge,
      ...(graphql ? { graphql } : {}),
      offer: stepUpOffer(body?.stepUp, response, request),
    };
  };

  /**
   * The refusal's ways to confirm in the page, taken only from the page's own origin: a password
   * is typed into this page, so it goes nowhere else.
   */
  const stepUpOffer = (value: unknown, response: Response, request: Request) => {
    if (value === undefined || !isPageOrigin(response.url || request.url)) return undefined;
    return readStepUpOffer(value, win().location.origin);
  };

  const reauthenticate = async (
    { offer, ...info }: ReauthTarget,
    request: Request,
    id: string | undefined,
  ): Promise<void> => {
    const confirmation =
      offer &&
      startConfirmation(offer, { fetch: (confirm) => doFetch(confirm), original: request });
    const decision = await decideStepUp(
      options.onReauthRequired,
      { ...info, request },
      confirmation,
    );
    if (decision === 'confirmed') return;
    if (decision === 'cancelled') throw new ReauthCancelledError('Confirmation was cancelled');
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
    return awaitPopup(popup, win, options.messageOrigin ?? win().location.origin);
  };

  const redirect = async (
    url: string,
    request: Request,
    id: string | undefined,
  ): Promise<never> => {
    const storage = win().sessionStorage;
    if (id !== undefined && shouldReplay(request, options.replayAfterRedirect)) {
      const record = await recordPendingRequest(id, request, now());
      storage.setItem(storageKey, JSON.stringify(record));
    } else {
      storage.removeItem(storageKey);
    }
    win().location.assign(url);
    // The page is leaving: the caller's promise stays pending instead of reporting a failure.
    return new Promise<never>(() => undefined);
  };

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

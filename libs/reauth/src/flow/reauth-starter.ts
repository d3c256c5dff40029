import { Injectable } from '@nestjs/common';
import { sha256Base64url } from '../crypto/digest';
import {
  CLIENT_REQUEST_ID,
  pathOf,
  refererPath,
  returnToFromRequest,
  ROUTE_MAX_LENGTH,
  sealState,
  STATE_TTL_SECONDS,
  type ReauthState,
} from '../core';
import { withoutMarker } from '../core/markers';
import { PROTOCOL } from '../core/protocol';
import { randomToken } from '../crypto/random';
import type { ReauthRequest } from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { ReauthClock } from '../core/clock';
import { RedirectSettings, StateSealSettings } from '../options/reauth-settings';
import { ReauthEvents } from '../events/reauth-events';
import {
  type ReauthBoundAction,
  type ReauthRequiredDetails,
} from '../exceptions/reauth-required.exception';
import { StateBindings } from './state-binding';

/** What starting a (re-)authentication needs to know. */
export interface StartFlowInput {
  request: ReauthRequest;
  /** The `max_age` the new sign-in must satisfy; omitted for a plain sign-in. */
  maxAge?: number;
  sub?: string;
  /** The `auth_time` of the token that asked, when it had a valid one. */
  authTime?: number;
  loginHint?: string;
  route?: string;
  action?: unknown;
  /** An explicit destination (already a safe path); default derived from the request. */
  returnTo?: string;
  /** `popup`: the callback answers with a page that tells the opener, instead of a redirect. */
  mode?: 'redirect' | 'popup';
  /** The session that asked; a failed re-authentication never revokes it. */
  sid?: string;
  /** The browser helper's `X-Reauth-Id`, echoed on the way back; ignored unless well-formed. */
  clientRequestId?: string;
  /** Accepted `acr` values (sent as `acr_values`); the new sign-in's `acr` must be one. */
  acrValues?: readonly string[];
  /** Accepted `amr` values; the new sign-in must have used one. */
  amr?: readonly string[];
  /** The action the re-authentication confirms, on an action-bound route. */
  boundAction?: ReauthBoundAction;
  /** A `claims` request relayed from a downstream API, sent to the provider. */
  claims?: Readonly<Record<string, unknown>>;
  /** Authentication contexts the new access token's `acrs` must name one of. */
  acrs?: readonly string[];
  /** Scopes to ask for besides the sign-in's own; the new access token must carry each. */
  scope?: readonly string[];
}

export interface StartedFlow {
  authorizationUrl: string;
  /** The `Set-Cookie` that binds the state to this browser. */
  setCookie: string;
}

/**
 * Starts (re-)authentications, and is the one place that does: the sealed, browser-bound `state`
 * (where to return, what to restore, what the new sign-in must satisfy, the PKCE verifier), the
 * provider's authorization URL with `max_age` and `acr_values`, and the `reauth.started` event.
 * Writes nothing to the store, so refusals cost no server state.
 */
@Injectable()
export class ReauthStarter {
  constructor(
    private readonly sealing: StateSealSettings,
    private readonly redirects: RedirectSettings,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly bindings: StateBindings,
    private readonly events: ReauthEvents,
  ) {}

  /**
   * Starts the re-authentication a refusal asks for, with what the guard knew (`details`). The
   * action is kept only when `withAction`: a script that sent a GraphQL operation retries it
   * itself, so there is nothing to restore.
   */
  startRefused(
    request: ReauthRequest,
    details: Readonly<ReauthRequiredDetails>,
    { withAction }: { withAction: boolean },
  ): Promise<StartedFlow> {
    const clientRequestId = request.headers[PROTOCOL.idHeader];
    return this.start({
      request,
      maxAge: details.maxAge,
      sub: details.sub,
      authTime: details.authTime,
      loginHint: details.loginHint,
      route: details.route,
      action: withAction ? details.action : undefined,
      sid: details.sid,
      acrValues: details.acrValues,
      amr: details.amr,
      boundAction: details.boundAction,
      claims: details.claims,
      acrs: details.acrs,
      scope: details.scope,
      mode: request.headers[PROTOCOL.modeHeader] === 'popup' ? 'popup' : 'redirect',
      clientRequestId: typeof clientRequestId === 'string' ? clientRequestId : undefined,
    });
  }

  /** Builds the sealed state and the authorization URL, and reports the start. */
  async start(input: StartFlowInput): Promise<StartedFlow> {
    const started = await this.seal(input);
    this.events.emit({
      type: 'reauth.started',
      userId: input.sub,
      sessionId: input.sid,
      route: input.route,
      maxAge: input.maxAge,
      acrValues: input.acrValues,
      mode: input.mode === 'popup' ? 'popup' : 'redirect',
    });
    return started;
  }

  private async seal(input: StartFlowInput): Promise<StartedFlow> {
    const { request } = input;
    const now = this.clock.nowSeconds();
    const fallback = this.redirects.fallbackReturnTo;
    const host = header(request, 'host');
    const returnTo = withoutMarker(
      input.returnTo ??
        returnToFromRequest({
          method: request.method,
          originalUrl: request.originalUrl ?? request.url ?? '/',
          referer: header(request, 'referer'),
          host,
          fallback,
        }),
    );
    const cancelTo = this.cancelTarget(request, returnTo, host);
    const nonce = randomToken(16);
    const binding = this.bindings.bind(request);
    const codeVerifier = randomToken(32);
    const codeChallenge = sha256Base64url(codeVerifier);
    const state: ReauthState = {
      v: 1,
      returnTo,
      maxAge: input.maxAge,
      cancelTo: cancelTo === returnTo ? undefined : cancelTo,
      // Scopes a max_age=0 grant (which needs it); otherwise only names the route in the
      // callback's events, so a route name too long to seal is left out rather than refused.
      route:
        input.maxAge === 0 || (input.route !== undefined && input.route.length <= ROUTE_MAX_LENGTH)
          ? input.route
          : undefined,
      sub: input.sub,
      authTime: input.authTime,
      mode: input.mode === 'popup' ? 'popup' : undefined,
      cv: codeVerifier,
      action: input.action,
      bh: binding.hash,
      sid: input.sid,
      rid:
        input.clientRequestId !== undefined && CLIENT_REQUEST_ID.test(input.clientRequestId)
          ? input.clientRequestId
          : undefined,
      nonce,
      iat: now,
      exp: now + STATE_TTL_SECONDS,
      acr: input.acrValues,
      amr: input.amr,
      summary: input.boundAction?.summary,
      acrs: input.acrs,
      scope: input.scope,
    };
    // Fields left undefined are not sealed: JSON has no undefined.
    const sealed = await sealState(state, this.sealing.cookiePassword);
    // The state's nonce doubles as the OpenID Connect nonce: random, sealed, single-use.
    const authorizationUrl = await this.provider.authorizationUrl({
      state: sealed,
      codeChallenge,
      nonce,
      maxAge: input.maxAge,
      acrValues: input.acrValues,
      loginHint: input.loginHint,
      ...(input.boundAction ? { boundAction: input.boundAction } : {}),
      ...(input.claims ? { claims: input.claims } : {}),
      ...(input.scope ? { scope: input.scope } : {}),
    });
    return { authorizationUrl, setCookie: binding.setCookie };
  }

  /**
   * Where "Cancel" at the provider leads: for a page view, the page the user came from; else
   * `returnTo`. Either gets the `reauth=cancelled` marker; a guarded page reached with it shows
   * a choice instead of redirecting again (see the filter).
   */
  private cancelTarget(request: ReauthRequest, returnTo: string, host: string | undefined): string {
    const isRead = ['GET', 'HEAD'].includes(request.method.toUpperCase());
    if (!isRead) return returnTo;
    const referer = refererPath(header(request, 'referer'), host);
    return referer !== null && pathOf(referer) !== pathOf(returnTo) ? referer : returnTo;
  }
}

function header(request: ReauthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

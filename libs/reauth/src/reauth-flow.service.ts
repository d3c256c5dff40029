import { Inject, Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import {
  CLIENT_REQUEST_ID,
  evaluateFreshness,
  meetsAssurance,
  pathOf,
  refererPath,
  returnToFromRequest,
  sealState,
  STATE_TTL_SECONDS,
  StateError,
  unsealState,
  type ReauthState,
} from './core';
import { markerQuery, withoutMarker, withQuery } from './core/markers';
import { PROTOCOL } from './core/protocol';
import type { AccessTokenClaims, ReauthRequest } from './interfaces';
import {
  IdentityProvider,
  ProviderRejectedError,
  type IssuedSession,
} from './providers/identity-provider';
import { ReauthClock } from './reauth.clock';
import { REAUTH_RESOLVED_OPTIONS } from './reauth.constants';
import { type ResolvedReauthOptions } from './reauth.options';
import { ReauthUnavailableException, type ReauthDependency } from './reauth-unavailable.exception';
import {
  CALLBACK_FAILURES,
  providerFailure,
  type CallbackFailureCode,
} from './flow/callback-failures';
import { ReauthRecords, sessionKeyOf } from './flow/reauth-records';
import { StateBindings } from './flow/state-binding';
import { AccessTokenVerifier, InvalidAccessTokenError } from './tokens/access-token.verifier';
import { cookieAuthentication } from './tokens/request-authenticator';
import { SessionCookieService } from './tokens/session-cookie.service';

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
}

export interface StartedFlow {
  authorizationUrl: string;
  /** The `Set-Cookie` that binds the state to this browser. */
  setCookie: string;
}

/** The callback's query, already validated. */
export interface CallbackParams {
  code?: string;
  state: string;
  error?: string;
  errorDescription?: string;
  /** RFC 9207: the issuer that sent the browser back, checked where the provider sends it. */
  iss?: string;
}

/** What the callback answers. */
export type CallbackOutcome =
  | { kind: 'redirect'; location: string; setCookies: string[] }
  | {
      /** A popup re-authentication ended: the page tells the opener (`status`) and closes. */
      kind: 'popup';
      status: 'ok' | 'cancelled' | 'failed';
      code?: string;
      setCookies: string[];
    }
  | {
      kind: 'failure';
      status: number;
      code: string;
      title: string;
      message: string;
      setCookies: string[];
      /** A safe place to go from the failure page. */
      continueTo: string;
    };

/** The query parameter the callback adds to where it sends a user who cancelled or failed. */
export const REAUTH_MARKER = PROTOCOL.marker;

/**
 * Starts (re-)authentications and completes them at the callback: sealed, browser-bound,
 * single-use `state`; the authorization URL with `max_age` and `acr_values`; the code exchange;
 * the check that the new sign-in really satisfies `max_age` and the accepted `acr` and `amr`
 * (RFC 9470 §5: fail, never loop); and the one-time grant and restored action afterwards. The
 * provider, the records and the state bindings each do their part.
 */
@Injectable()
export class ReauthFlowService {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
    private readonly records: ReauthRecords,
    private readonly bindings: StateBindings,
  ) {}

  /** The dependency a failure to start a flow is reported as. */
  get dependency(): ReauthDependency {
    return this.provider.dependency;
  }

  /** Builds the sealed state and the authorization URL; writes nothing to the store. */
  async start(input: StartFlowInput): Promise<StartedFlow> {
    const { request } = input;
    const now = this.clock.nowSeconds();
    const fallback = this.options.fallbackReturnTo;
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
    const nonce = randomBytes(16).toString('base64url');
    const binding = this.bindings.bind(request);
    const codeVerifier = randomBytes(32).toString('base64url');
    const codeChallenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const state: ReauthState = {
      v: 1,
      returnTo,
      maxAge: input.maxAge,
      cancelTo: cancelTo === returnTo ? undefined : cancelTo,
      route: input.maxAge === 0 ? input.route : undefined,
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
    };
    const sealed = await sealState(stripUndefined(state), this.options.cookiePassword);
    // The state's nonce doubles as the OpenID Connect nonce: random, sealed, single-use.
    const authorizationUrl = await this.provider.authorizationUrl({
      state: sealed,
      codeChallenge,
      nonce,
      maxAge: input.maxAge,
      acrValues: input.acrValues,
      loginHint: input.loginHint,
    });
    return { authorizationUrl, setCookie: binding.setCookie };
  }

  /** Completes a (re-)authentication at the callback. */
  async complete(request: ReauthRequest, params: CallbackParams): Promise<CallbackOutcome> {
    const now = this.clock.nowSeconds();
    let state: ReauthState;
    try {
      state = await unsealState(params.state, this.options.cookiePassword, now);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      return error.code === 'state_expired'
        ? this.failure('state_expired')
        : this.failure('state_invalid');
    }

    const outcome = await this.settle(request, params, state, now);
    if (state.mode === 'popup' && outcome.kind === 'failure') {
      // The opener decides what to show; the popup only reports and closes.
      return {
        kind: 'popup',
        status: 'failed',
        code: outcome.code,
        setCookies: outcome.setCookies,
      };
    }
    return outcome;
  }

  /** Everything after the state itself proved authentic and unexpired. */
  private async settle(
    request: ReauthRequest,
    params: CallbackParams,
    state: ReauthState,
    now: number,
  ): Promise<CallbackOutcome> {
    if (!this.bindings.isBound(request, state.bh)) {
      return this.failure('state_not_bound');
    }
    // The binding cookie stays for the browser's other pending sign-ins; it expires on its own.

    if (params.error === 'access_denied') {
      this.logger.log('Re-authentication cancelled at the provider');
      if (state.mode === 'popup') {
        return { kind: 'popup', status: 'cancelled', code: 'provider_error', setCookies: [] };
      }
      return {
        kind: 'redirect',
        location: withQuery(state.cancelTo ?? state.returnTo, markerQuery('cancelled', state.rid)),
        setCookies: [],
      };
    }
    if (params.error !== undefined) {
      // Shown as what it is: the provider's own code, never its free text (anyone can craft
      // a callback URL, so the description could say anything).
      this.logger.warn(`The identity provider answered the sign-in with ${params.error}`);
      return this.failure(providerFailure(params.error), [], [params.error]);
    }
    if (params.code === undefined) {
      return this.failure('code_missing');
    }

    let issued: IssuedSession;
    try {
      issued = await this.provider.redeemCode({
        code: params.code,
        codeVerifier: state.cv!,
        nonce: state.nonce,
        maxAge: state.maxAge,
        callbackQuery: callbackQuery(params),
      });
    } catch (error) {
      if (error instanceof ProviderRejectedError) {
        this.logger.warn(`The identity provider refused the code exchange: ${error.code}`);
        return this.failure('code_invalid');
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException(this.provider.dependency, { cause: error });
    }
    // From here on a provider session is open: whatever stops the sign-in must close it.
    let claims: AccessTokenClaims;
    try {
      const verified = await this.verifier.verify(issued.accessToken, { fromProvider: true });
      claims = cookieAuthentication(verified, issued).claims;
    } catch (error) {
      await this.revokeOpened(issued, state);
      if (error instanceof InvalidAccessTokenError) {
        this.logger.warn('The identity provider issued an access token that does not verify');
        return this.failure('provider_token_invalid');
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('jwks', { cause: error });
    }
    try {
      return await this.admit(request, state, claims, issued, now);
    } catch (error) {
      await this.revokeOpened(issued, state);
      throw error;
    }
  }

  /** The checks and records after a verified code exchange; a refusal closes the new session. */
  private async admit(
    request: ReauthRequest,
    state: ReauthState,
    claims: AccessTokenClaims,
    issued: IssuedSession,
    now: number,
  ): Promise<CallbackOutcome> {
    const refuse = async (code: CallbackFailureCode): Promise<CallbackOutcome> => {
      await this.revokeOpened(
        issued,
        state,
        code === 'user_mismatch' || code === 'session_conflict',
      );
      return this.failure(code);
    };
    if (state.maxAge !== undefined && !this.satisfiesMaxAge(claims, state, now)) {
      this.logger.warn(
        `The identity provider did not re-authenticate the user within max_age=${state.maxAge}`,
      );
      return refuse('max_age_not_satisfied');
    }
    if (!meetsAssurance(claims, { acr: state.acr, amr: state.amr })) {
      this.logger.warn(
        `The identity provider's sign-in (acr ${JSON.stringify(claims.acr ?? null)}) does not meet the route's ${state.acr ? `acr_values "${state.acr.join(' ')}"` : ''}${state.acr && state.amr ? ' and ' : ''}${state.amr ? `amr "${state.amr.join(' ')}"` : ''}`,
      );
      return refuse('acr_not_satisfied');
    }
    if (state.sub !== undefined && claims.sub !== state.sub) {
      return refuse('user_mismatch');
    }

    if (state.sub === undefined && (await this.signedInAsAnotherUser(request, claims))) {
      // A sign-in completing in a browser that holds someone else's session: a login CSRF (a
      // planted state cookie), or a shared computer. Never swap the session silently.
      return refuse('session_conflict');
    }
    if (await this.overSignInLimits(request, claims)) {
      return refuse('too_many_sign_ins');
    }

    // Written only once a real sign-in completed, so anonymous traffic cannot fill the store.
    const firstUse = await this.records.markStateUsed(
      state.nonce,
      state.exp - now + this.options.clockToleranceSeconds,
    );
    if (!firstUse) return refuse('state_replayed');
    const sessionKey = sessionKeyOf(
      typeof claims.sid === 'string' ? claims.sid : issued.sessionId,
      claims.sub,
    );
    if (state.maxAge === 0 && state.route !== undefined) {
      await this.records.saveGrant(sessionKey, claims.auth_time!, state.route);
    }
    if (state.action !== undefined) {
      await this.records.saveAction(sessionKey, state.returnTo, state.action);
    }
    const setCookies = [this.sessions.serialize(issued.sealed)];
    if (state.mode === 'popup') return { kind: 'popup', status: 'ok', setCookies };
    const location =
      state.rid === undefined
        ? state.returnTo
        : withQuery(state.returnTo, markerQuery('ok', state.rid));
    return { kind: 'redirect', location, setCookies };
  }

  /** The origin a popup's result is posted to: the app's, where the opener runs. */
  get popupTargetOrigin(): string {
    return new URL(this.options.redirectUri).origin;
  }

  /** Where users go when nothing better is known. */
  get fallbackReturnTo(): string {
    return this.options.fallbackReturnTo;
  }

  /** The answer to a callback whose query fails validation. */
  malformedCallback(fields: string[]): CallbackOutcome {
    return this.failure('invalid_callback', [], fields);
  }

  private satisfiesMaxAge(claims: AccessTokenClaims, state: ReauthState, now: number): boolean {
    const tolerance = this.options.clockToleranceSeconds;
    const authTime = claims.auth_time;
    if (state.maxAge === 0) {
      // "Authenticate again now": a sign-in after this flow started, and after the one the
      // asking token recorded; a provider that skips the prompt hands back the old auth_time.
      return (
        Number.isSafeInteger(authTime) &&
        (authTime as number) >= state.iat - tolerance &&
        (authTime as number) <= now + tolerance &&
        (state.authTime === undefined || (authTime as number) > state.authTime)
      );
    }
    return evaluateFreshness({
      authTime,
      maxAge: state.maxAge!,
      now,
      toleranceSeconds: tolerance,
    }).fresh;
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

  /** Whether the browser holds a session of another user than the one who just signed in. */
  private async signedInAsAnotherUser(
    request: ReauthRequest,
    claims: AccessTokenClaims,
  ): Promise<boolean> {
    const sealed = this.sessions.read(request);
    const contents = sealed === undefined ? undefined : await this.sessions.unseal(sealed);
    if (!contents) return false;
    let sub: unknown;
    try {
      // The seal authenticates what is inside; whether the token is still valid does not matter.
      ({ sub } = decodeJwt(contents.accessToken));
    } catch {
      return false;
    }
    return typeof sub === 'string' && sub !== claims.sub;
  }

  /**
   * Counts a completed sign-in against its user and its client address; true once either is
   * past its limit within the window, so one account or client cannot fill the store.
   */
  private async overSignInLimits(
    request: ReauthRequest,
    claims: AccessTokenClaims,
  ): Promise<boolean> {
    const { perUser, perAddress, windowSeconds } = this.options.signInLimits;
    const { byUser, byAddress } = await this.records.countSignIn(
      claims.sub,
      this.options.clientAddress(request),
    );
    if (byUser <= perUser && byAddress <= perAddress) return false;
    this.logger.warn(
      `Sign-in refused: over the limit of ${byUser > perUser ? `${perUser} per user` : `${perAddress} per address`} in ${windowSeconds}s`,
    );
    return true;
  }

  /**
   * Ends the provider session a code exchange just opened, when the callback then refuses it:
   * nothing should stay signed in that the user never got. The session that asked is never
   * touched (a provider that skipped the prompt hands that one back); where revocation ends a
   * whole grant, only another user's sign-in is revoked.
   */
  private async revokeOpened(
    issued: IssuedSession,
    state: ReauthState,
    anotherUser = false,
  ): Promise<void> {
    const sessionId = issued.sessionId;
    if (sessionId !== undefined && sessionId === state.sid) return;
    // Revoking by grant could end the very session that asked, or the user's others.
    if (this.provider.revocationScope === 'grant' && !anotherUser) return;
    const revoked = await this.provider.revoke({
      sessionId,
      refreshToken: issued.refreshToken,
    });
    if (!revoked) this.logger.warn("Revoking a refused sign-in's session at the provider failed");
  }

  private failure(
    code: CallbackFailureCode,
    setCookies: string[] = [],
    details?: string[],
  ): CallbackOutcome {
    const { status, title, message } = CALLBACK_FAILURES[code];
    return {
      kind: 'failure',
      status,
      code,
      title,
      message: details ? `${message} (${details.join(', ')})` : message,
      setCookies,
      continueTo: this.options.fallbackReturnTo,
    };
  }
}

function header(request: ReauthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** The callback's query as the provider sent it, for the provider's own checks. */
function callbackQuery(params: CallbackParams): URLSearchParams {
  const query = new URLSearchParams({ state: params.state });
  if (params.code !== undefined) query.set('code', params.code);
  if (params.iss !== undefined) query.set('iss', params.iss);
  return query;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

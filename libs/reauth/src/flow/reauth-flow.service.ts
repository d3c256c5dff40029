import { Inject, Injectable, Logger } from '@nestjs/common';
import { StateError, unsealState, type ReauthState } from '../core';
import { markerQuery, withQuery } from '../core/markers';
import { PROTOCOL } from '../core/protocol';
import type { AccessTokenClaims, ReauthRequest } from '../interfaces';
import {
  IdentityProvider,
  ProviderRejectedError,
  type IssuedSession,
} from '../providers/identity-provider';
import { ReauthClock } from '../reauth.clock';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../options/reauth.options';
import {
  ReauthUnavailableException,
  type ReauthDependency,
} from '../exceptions/reauth-unavailable.exception';
import { CALLBACK_FAILURES, providerFailure, type CallbackFailureCode } from './callback-failures';
import { ReauthRecords, sessionKeyOf } from './reauth-records';
import { ReauthStarter, type StartedFlow, type StartFlowInput } from './reauth-starter';
import { SignInAdmission } from './sign-in-admission';
import { StateBindings } from './state-binding';
import type { ReauthFailureReason } from '../events/event.types';
import { ReauthEvents } from '../events/reauth-events';
import {
  AccessTokenVerifier,
  InvalidAccessTokenError,
} from '../authentication/access-token.verifier';
import { cookieAuthentication } from '../authentication/request-authenticator';
import { SessionCookieService, type HeldSession } from '../authentication/session-cookie.service';

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
 * Runs (re-)authentications: {@link ReauthStarter} starts them; at the callback this service
 * opens the `state` and checks its browser binding, turns a provider's error into what it is,
 * has the provider exchange the code, verifies the new token, lets {@link SignInAdmission} decide
 * (`max_age`, `acr`/`amr`, the user, the limits: fail, never loop), then has
 * {@link ReauthRecords} mark the state used and keep the grant and the action, and answers with
 * the redirect, the popup page or the failure from {@link CALLBACK_FAILURES}. A refused sign-in's
 * new provider session is revoked.
 */
@Injectable()
export class ReauthFlowService {
  private readonly logger = new Logger('ReauthModule');
  /** The callback of each state being settled in this instance, by the state's nonce. */
  private readonly settling = new Map<string, Promise<CallbackOutcome>>();

  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly provider: IdentityProvider,
    private readonly clock: ReauthClock,
    private readonly starter: ReauthStarter,
    private readonly admission: SignInAdmission,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
    private readonly records: ReauthRecords,
    private readonly bindings: StateBindings,
    /** Where the flow's audit events go; the exception filter reports refusals through it. */
    readonly events: ReauthEvents,
  ) {}

  /** The dependency a failure to start a flow is reported as. */
  get dependency(): ReauthDependency {
    return this.provider.dependency;
  }

  /** Builds the sealed state and the authorization URL; writes nothing to the store. */
  async start(input: StartFlowInput): Promise<StartedFlow> {
    const started = await this.starter.start(input);
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

  /** Completes a (re-)authentication at the callback. */
  async complete(request: ReauthRequest, params: CallbackParams): Promise<CallbackOutcome> {
    const now = this.clock.nowSeconds();
    let state: ReauthState;
    try {
      state = await unsealState(params.state, this.options.cookiePassword, now);
    } catch (error) {
      if (!(error instanceof StateError)) throw error;
      const code = error.code === 'state_expired' ? 'state_expired' : 'state_invalid';
      this.events.emit({ type: 'reauth.failed', reason: code });
      return this.failure(code);
    }

    // Whose flow this is counts only once the state proved to be this browser's: anyone could
    // replay a state they saw elsewhere, to pin failures on its user.
    const bound = this.bindings.isBound(request, state.bh);
    const failed = (reason: ReauthFailureReason) =>
      this.events.emit({
        type: 'reauth.failed',
        reason,
        ...(bound
          ? { userId: state.sub, sessionId: state.sid, route: state.route, maxAge: state.maxAge }
          : {}),
      });
    let outcome: CallbackOutcome;
    try {
      outcome = await this.settle(request, params, state, now, bound);
    } catch (error) {
      if (error instanceof ReauthUnavailableException) failed('unavailable');
      throw error;
    }
    if (outcome.kind === 'failure') failed(outcome.code as CallbackFailureCode);
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

  /**
   * Everything after the state itself proved authentic and unexpired. Callbacks of one state run
   * one after the other in this instance (a double click, a reload while the first is still at
   * the provider), so the second finds the first one's marker instead of spending the code again.
   */
  private settle(
    request: ReauthRequest,
    params: CallbackParams,
    state: ReauthState,
    now: number,
    bound: boolean,
  ): Promise<CallbackOutcome> {
    if (!bound) return Promise.resolve(this.failure('state_not_bound'));
    // The binding cookie stays for the browser's other pending sign-ins; it expires on its own.
    const previous = this.settling.get(state.nonce);
    const run = (previous ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => this.settleUnused(request, params, state, now));
    this.settling.set(state.nonce, run);
    const forget = () => {
      if (this.settling.get(state.nonce) === run) this.settling.delete(state.nonce);
    };
    run.then(forget, forget);
    return run;
  }

  /** A bound state's callback: refused when already used, before the provider hears of it. */
  private async settleUnused(
    request: ReauthRequest,
    params: CallbackParams,
    state: ReauthState,
    now: number,
  ): Promise<CallbackOutcome> {
    // A used state's code was spent: sending it again makes a provider that follows RFC 6749
    // §4.1.2 revoke everything issued with it. Reading the marker first also proves the store
    // answers before the code is spent (a 503 now lets a reload finish the sign-in).
    const used = await this.records.usedState(state.nonce);
    if (used !== undefined) return this.replayed(request, state, used);

    // RFC 9207: whose answer this is comes first, before anything in it is believed.
    if (!(await this.provider.isOwnResponse(callbackQuery(params)))) {
      this.logger.warn('The callback carried another issuer than the identity provider');
      return this.failure('issuer_mismatch');
    }
    if (params.error === 'access_denied') {
      this.logger.log('Re-authentication cancelled at the provider');
      this.events.emit({
        type: 'reauth.failed',
        reason: 'cancelled',
        userId: state.sub,
        sessionId: state.sid,
        route: state.route,
        maxAge: state.maxAge,
      });
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
    // Whose session this browser holds decides what it may be handed, whatever the state says.
    const held = await this.sessions.held(request);

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
        if (error.code === 'session_too_large') return this.failure('session_too_large');
        this.logger.warn(`The identity provider refused the code exchange: ${error.code}`);
        return this.failure('code_invalid');
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException(this.provider.dependency, { cause: error });
    }
    // From here on a provider session is open: whatever stops the sign-in must close it.
    // Unless it is the session that asked, continued: a provider such as AuthKit then rotates
    // that session's refresh token, so the browser's cookie stops refreshing. Whatever stops the
    // sign-in hands the browser the continued session instead (it names the same session and
    // user the browser already had; its token is verified on every request like any cookie's).
    const kept = continuesHeldSession(issued, held)
      ? this.sessions.serialize(issued.sealed)
      : undefined;
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
      throw unavailableKeeping(
        error instanceof ReauthUnavailableException
          ? error
          : new ReauthUnavailableException('jwks', { cause: error }),
        kept,
      );
    }
    try {
      return await this.admit(request, state, claims, issued, now, held, kept);
    } catch (error) {
      await this.revokeOpened(issued, state);
      throw unavailableKeeping(error, kept);
    }
  }

  /** The checks and records after a verified code exchange; a refusal closes the new session. */
  private async admit(
    request: ReauthRequest,
    state: ReauthState,
    claims: AccessTokenClaims,
    issued: IssuedSession,
    now: number,
    held: HeldSession | undefined,
    kept: string | undefined,
  ): Promise<CallbackOutcome> {
    const refuse = async (code: CallbackFailureCode): Promise<CallbackOutcome> => {
      await this.revokeOpened(
        issued,
        state,
        code === 'user_mismatch' || code === 'session_conflict',
      );
      return this.failure(code, kept === undefined ? [] : [kept]);
    };
    const refused = await this.admission.refusal(request, state, claims, held);
    if (refused !== undefined) return refuse(refused);

    const sessionKey = sessionKeyOf(
      typeof claims.sid === 'string' ? claims.sid : issued.sessionId,
      claims.sub,
    );
    // Written only once a real sign-in completed, so anonymous traffic cannot fill the store;
    // it names the session the sign-in made, so a reload in the browser that holds it goes on.
    const firstUse = await this.records.markStateUsed(
      state.nonce,
      sessionKey,
      state.exp - now + this.options.clockToleranceSeconds,
    );
    if (!firstUse) return refuse('state_replayed');
    if (state.maxAge === 0 && state.route !== undefined) {
      await this.records.saveGrant(sessionKey, claims.auth_time!, state.route);
    }
    if (state.action !== undefined) {
      await this.records.saveAction(sessionKey, state.returnTo, state.action);
    }
    const setCookies = [kept ?? this.sessions.serialize(issued.sealed)];
    this.events.emit({
      type: 'reauth.completed',
      userId: claims.sub,
      sessionId: typeof claims.sid === 'string' ? claims.sid : issued.sessionId,
      route: state.route,
      maxAge: state.maxAge,
      authTime: claims.auth_time,
      // A provider's value: bounded, so an event stays small whatever it issues.
      acr: typeof claims.acr === 'string' && claims.acr.length <= 256 ? claims.acr : undefined,
      actionRestored: state.action !== undefined,
    });
    if (state.mode === 'popup') return { kind: 'popup', status: 'ok', setCookies };
    const location =
      state.rid === undefined
        ? state.returnTo
        : withQuery(state.returnTo, markerQuery('ok', state.rid));
    return { kind: 'redirect', location, setCookies };
  }

  /**
   * A callback whose state was already used (Back, a reload, a double click, a replay). The
   * browser that holds the very session that sign-in made is sent on to where it was going
   * (without the marker that would make a page replay its request again); anyone else learns
   * that the link works once. The provider never hears of it either way.
   */
  private async replayed(
    request: ReauthRequest,
    state: ReauthState,
    usedBy: string,
  ): Promise<CallbackOutcome> {
    const held = await this.sessions.held(request);
    if (state.mode !== 'popup' && held && sessionKeyOf(held.sessionId, held.sub) === usedBy) {
      return { kind: 'redirect', location: state.returnTo, setCookies: [] };
    }
    return this.failure('state_replayed');
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
    this.events.emit({ type: 'reauth.failed', reason: 'invalid_callback' });
    return this.failure('invalid_callback', [], fields);
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

/**
 * Whether the sign-in continued the very session this browser's cookie holds (its refresh token
 * now rotated). Only then may a refused sign-in hand the browser the continued session: a state
 * names the session of whoever started it, and a planted one names someone else's.
 */
function continuesHeldSession(issued: IssuedSession, held: HeldSession | undefined): boolean {
  return issued.sessionId !== undefined && issued.sessionId === held?.sessionId;
}

/**
 * A 503 that carries the continued session's cookie, when there is one: the browser's own cookie
 * no longer refreshes once the provider rotated its session.
 */
function unavailableKeeping(error: unknown, setCookie: string | undefined): unknown {
  if (!(error instanceof ReauthUnavailableException)) return error;
  if (setCookie === undefined || error.setCookie !== undefined) return error;
  return new ReauthUnavailableException(error.dependency, { cause: error.cause, setCookie });
}

/** The callback's query as the provider sent it, for the provider's own checks. */
function callbackQuery(params: CallbackParams): URLSearchParams {
  const query = new URLSearchParams({ state: params.state });
  if (params.code !== undefined) query.set('code', params.code);
  if (params.error !== undefined) query.set('error', params.error);
  if (params.iss !== undefined) query.set('iss', params.iss);
  return query;
}

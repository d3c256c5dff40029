import { Injectable, Logger } from '@nestjs/common';
import { describeError } from '../core/describe-error';
import { StateError, unsealState, type ReauthState } from '../core';
import { markerQuery, withQuery } from '../core/markers';
import type { AccessTokenClaims, ReauthRequest } from '../interfaces';
import { IdentityProvider, type IssuedSession } from '../providers/identity-provider';
import { ReauthClock } from '../core/clock';
import { RedirectSettings, StateSealSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import type { ReauthFailureReason } from '../events/event.types';
import { ReauthEvents } from '../events/reauth-events';
import { SessionCookieService, type HeldSession } from '../authentication/session-cookie.service';
import { providerFailure, type CallbackFailureCode } from './callback-failures';
import {
  callbackFailure,
  callbackQuery,
  type CallbackOutcome,
  type CallbackParams,
} from './callback-outcome';
import { CodeExchange, unavailableKeeping } from './code-exchange';
import { ReauthRecords, sessionKeyOf } from './reauth-records';
import { SignInAdmission } from './sign-in-admission';
import { StateBindings } from './state-binding';

/** What a refused sign-in's used state holds: no session key can be it. */
const REFUSED_SIGN_IN = '!refused';

/**
 * Completes (re-)authentications at the callback: opens the `state` and checks its browser
 * binding, refuses a used state before the provider hears of it, turns a provider's error into
 * what it is, lets {@link CodeExchange} redeem the code and verify the new token, lets
 * {@link SignInAdmission} decide (`max_age`, `acr`/`amr`, the user, the limits: fail, never loop),
 * then has {@link ReauthRecords} mark the state used and keep the grant and the action, and
 * answers with the redirect, the popup page or the failure from the failures table. A refused
 * sign-in's new provider session is revoked.
 */
@Injectable()
export class ReauthCallback {
  private readonly logger = new Logger('ReauthModule');
  /** The callback of each state being settled in this instance, by the state's nonce. */
  private readonly settling = new Map<string, Promise<CallbackOutcome>>();

  constructor(
    private readonly seal: StateSealSettings,
    private readonly redirects: RedirectSettings,
    private readonly clock: ReauthClock,
    private readonly provider: IdentityProvider,
    private readonly bindings: StateBindings,
    private readonly sessions: SessionCookieService,
    private readonly exchange: CodeExchange,
    private readonly admission: SignInAdmission,
    private readonly records: ReauthRecords,
    private readonly events: ReauthEvents,
  ) {}

  /** Completes a (re-)authentication at the callback. */
  async complete(request: ReauthRequest, params: CallbackParams): Promise<CallbackOutcome> {
    const now = this.clock.nowSeconds();
    let state: ReauthState;
    try {
      state = await unsealState(params.state, this.seal.cookiePassword, now);
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
      outcome = {
        kind: 'popup',
        status: 'failed',
        code: outcome.code,
        setCookies: outcome.setCookies,
      };
    }
    // The pages name the bound action only to the browser that asked for it: a state seen
    // elsewhere must not tell what it was for.
    if (bound && state.summary !== undefined && outcome.kind !== 'redirect') {
      return { ...outcome, summary: state.summary };
    }
    return outcome;
  }

  /** The answer to a callback whose query fails validation. */
  malformed(fields: string[]): CallbackOutcome {
    this.events.emit({ type: 'reauth.failed', reason: 'invalid_callback' });
    return this.failure('invalid_callback', [], fields);
  }

  /** The origin a popup's result is posted to: the app's, where the opener runs. */
  get popupTargetOrigin(): string {
    return new URL(this.redirects.redirectUri).origin;
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
    if (params.error === 'access_denied') return this.cancelled(state);
    if (
      params.error === 'invalid_request' &&
      state.maxAge === 0 &&
      this.provider.refusedMaxAgeZero()
    ) {
      // Its next authorization requests ask the other way: the user's retry goes through.
      return this.failure('max_age_refused', [], [params.error]);
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
    const exchanged = await this.exchange.redeem({ ...params, code: params.code }, state, held);
    if (!exchanged.ok) {
      return this.failure(exchanged.failure, exchanged.kept === undefined ? [] : [exchanged.kept]);
    }
    const { issued, claims, kept } = exchanged;
    try {
      return await this.admit(request, state, claims, issued, now, held, kept);
    } catch (error) {
      await this.exchange.revokeOpened(issued, state, false, held);
      throw unavailableKeeping(error, kept);
    }
  }

  /** The user cancelled at the provider: back where they were, with the marker that says so. */
  private cancelled(state: ReauthState): CallbackOutcome {
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
    // Revoking by grant (where a provider ends all of a user's sessions) is for another user's
    // sign-in only: never the browser's own user, whom a provider may sign in silently whatever
    // the state names.
    const anotherUser = held !== undefined && claims.sub !== held.sub;
    const refuse = async (code: CallbackFailureCode): Promise<CallbackOutcome> => {
      // Its code is spent: a reload or a replay is refused before the provider hears of it
      // again (which could revoke what that code issued, RFC 6749 §4.1.2). Marked before the
      // revocation, which may take a while. Not past the sign-in limits, which keep one account
      // or address from filling the store: that code is only refused again by the provider.
      if (code !== 'too_many_sign_ins' && code !== 'state_replayed') {
        await this.markRefused(request, state, claims, now);
      }
      await this.exchange.revokeOpened(issued, state, anotherUser, held);
      return this.failure(code, kept === undefined ? [] : [kept]);
    };
    const refused = await this.admission.refusal(request, state, claims, held);
    if (refused !== undefined) return refuse(refused);

    const sessionId = typeof claims.sid === 'string' ? claims.sid : issued.sessionId;
    const sessionKey = sessionKeyOf(sessionId, claims.sub);
    // Written only once a real sign-in completed, so anonymous traffic cannot fill the store;
    // it names the session the sign-in made, so a reload in the browser that holds it goes on.
    const firstUse = await this.records.markStateUsed(
      state.nonce,
      sessionKey,
      state.exp - now + this.seal.clockToleranceSeconds,
    );
    if (!firstUse) return refuse('state_replayed');
    if (state.maxAge === 0 && state.route !== undefined) {
      await this.records.saveGrant(sessionKey, claims.auth_time!, state.route);
    }
    if (state.action !== undefined) {
      await this.records.saveAction(sessionKey, state.returnTo, state.action);
    }
    const setCookies = [kept ?? (await this.exchange.sessionCookie(issued, held))];
    this.events.emit({
      type: 'reauth.completed',
      userId: claims.sub,
      sessionId,
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

  /** Marks a refused sign-in's state used, unless its user or address is past the limits. */
  private async markRefused(
    request: ReauthRequest,
    state: ReauthState,
    claims: AccessTokenClaims,
    now: number,
  ): Promise<void> {
    try {
      if (await this.admission.refusedOverLimits(request, claims)) return;
      await this.records.markStateUsed(
        state.nonce,
        REFUSED_SIGN_IN,
        state.exp - now + this.seal.clockToleranceSeconds,
      );
    } catch (error) {
      this.logger.warn(
        `Recording a refused sign-in's state as used failed (${describeError(error)}): a reload sends its code to the provider again`,
      );
    }
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

  private failure(
    code: CallbackFailureCode,
    setCookies: string[] = [],
    details?: string[],
  ): CallbackOutcome {
    return callbackFailure(code, this.redirects.fallbackReturnTo, setCookies, details);
  }
}

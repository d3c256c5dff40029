import { Injectable, Logger } from '@nestjs/common';
import { evaluateFreshness, meetsAssurance, type ReauthState } from '../core';
import type { AccessTokenClaims, ReauthRequest } from '../interfaces';
import { ReauthClock } from '../core/clock';
import { SignInLimitSettings } from '../options/reauth-settings';
import { type HeldSession } from '../authentication/session-cookie.service';
import { type CallbackFailureCode } from './callback-failures';
import { ReauthRecords } from './reauth-records';
import { hasAcrs, hasScopes } from '../core/token-grants';
import { IdentityProvider } from '../providers/identity-provider';

/**
 * An `auth_time` before this (2000-01-01T00:00:00Z) is no time anyone signed in to this app: a
 * provider that sends one (0, say) does not record when users sign in.
 */
export const EARLIEST_PLAUSIBLE_AUTH_TIME = 946_684_800;

/**
 * What a verified sign-in must show before the callback accepts it: a plausible `auth_time`
 * within the `max_age` asked for (RFC 9470 §5: fail, never loop), the route's `acr` and `amr`,
 * the user who started, no other user's session in the browser, and the sign-in limits. A
 * provider found not to record when (`auth_time` 0) or how (no `acr`) users sign in is named in
 * a warning, once.
 */
@Injectable()
export class SignInAdmission {
  private readonly logger = new Logger('ReauthModule');
  /** What the provider was found to lack, logged once each. */
  private readonly warned = new Set<'auth_time' | 'acr'>();

  constructor(
    private readonly options: SignInLimitSettings,
    private readonly clock: ReauthClock,
    private readonly records: ReauthRecords,
    private readonly provider: IdentityProvider,
  ) {}

  /**
   * The first check the sign-in fails, or `undefined`; only the sign-in counters are written.
   * `held` is the session the browser's own cookie holds.
   */
  async refusal(
    request: ReauthRequest,
    state: ReauthState,
    claims: AccessTokenClaims,
    held: HeldSession | undefined,
  ): Promise<CallbackFailureCode | undefined> {
    // First, whatever the state says: a state names whoever started it, and a planted one
    // (a tossed binding cookie) names someone else. Never put another user's session into a
    // browser that holds a session, on success or failure.
    if (held !== undefined && held.sub !== claims.sub) {
      // The user who started signed in as someone else; or a sign-in completing in a browser
      // that holds another user's session: a login CSRF, or a shared computer.
      return state.sub !== undefined && state.sub === held.sub
        ? 'user_mismatch'
        : 'session_conflict';
    }
    const authTime = claims.auth_time;
    if (authTime !== undefined && authTime < EARLIEST_PLAUSIBLE_AUTH_TIME) {
      this.warnOnce(
        'auth_time',
        `The identity provider (${this.provider.describe()}) says a sign-in it just completed happened at ${dateOf(authTime)} (auth_time ${authTime}): it does not record when users sign in, so no @RequireRecentAuth route can be passed through it, and re-authentications end in auth_time_unknown`,
      );
      if (state.maxAge !== undefined) return 'auth_time_unknown';
    }
    if (state.maxAge !== undefined && authTime === undefined) {
      this.logger.warn(
        `The identity provider (${this.provider.describe()}) did not say when the user signed in (no auth_time) at a sign-in that asked for max_age=${state.maxAge}`,
      );
      return 'auth_time_unknown';
    }
    if (state.maxAge !== undefined && !this.satisfiesMaxAge(claims, state)) {
      // Handed back the very sign-in that asked: the provider skipped the prompt (not a clock
      // off by a little, which fails the check too).
      if (state.maxAge === 0 && authTime !== undefined && state.authTime !== undefined) {
        if (authTime <= state.authTime) this.provider.skippedMaxAgeZero();
      }
      this.logger.warn(
        `The identity provider did not re-authenticate the user within max_age=${state.maxAge}`,
      );
      return 'max_age_not_satisfied';
    }
    if (state.acr !== undefined && claims.acr === undefined) {
      this.warnOnce(
        'acr',
        `The identity provider (${this.provider.describe()}) issued no acr at a sign-in that asked for acr_values "${state.acr.join(' ')}": routes that require an acr cannot be passed through it, and their re-authentications end in acr_missing`,
      );
      return 'acr_missing';
    }
    if (!meetsAssurance(claims, { acr: state.acr, amr: state.amr })) {
      this.logger.warn(
        `The identity provider's sign-in (acr ${JSON.stringify(claims.acr ?? null)}) does not meet the route's${state.acr ? ` acr_values "${state.acr.join(' ')}"` : ''}${state.amr ? ` amr "${state.amr.join(' ')}"` : ''}`,
      );
      return 'acr_not_satisfied';
    }
    const relayed = relayedRefusal(state, claims);
    if (relayed !== undefined) {
      this.logger.warn(
        relayed === 'claims_not_satisfied'
          ? `The identity provider's access token does not name one of the authentication contexts (acrs) "${state.acrs!.join(' ')}"`
          : `The identity provider's access token does not carry the scope "${state.scope!.join(' ')}"`,
      );
      return relayed;
    }
    if (state.sub !== undefined && claims.sub !== state.sub) return 'user_mismatch';
    if (await this.overSignInLimits(request, claims)) return 'too_many_sign_ins';
    return undefined;
  }

  /** Logs `message` the first time `what` is found missing: it is the provider's, not the user's. */
  private warnOnce(what: 'auth_time' | 'acr', message: string): void {
    if (this.warned.has(what)) return;
    this.warned.add(what);
    this.logger.warn(message);
  }

  private satisfiesMaxAge(claims: AccessTokenClaims, state: ReauthState): boolean {
    const now = this.clock.nowSeconds();
    const tolerance = this.options.clockToleranceSeconds;
    const authTime = claims.auth_time;
    if (state.maxAge === 0) {
      // "Authenticate again now": a sign-in after this flow started, and after the one the
      // asking token recorded; a provider that skips the prompt hands back the old auth_time.
      return (
        Number.isSafeInteger(authTime) &&
        (authTime as number) >= state.iat - tolerance &&
        (authTime as number) <= now + tolerance &&
        (state.authTime === undefined ||
          (authTime as number) > state.authTime ||
          // Two confirmations within one second: the asking token's sign-in was itself made
          // no earlier than this flow began, so it is as recent as a second allows.
          ((authTime as number) === state.authTime && state.authTime >= state.iat))
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
   * Counts a completed sign-in against its user and its client address; true once either is
   * past its limit within the window, so one account or client cannot fill the store.
   */
  /**
   * Counts a sign-in refused for another reason against the same limits: true once its user or
   * client address is past them, so that what its refusal writes to the store can be left out.
   */
  refusedOverLimits(request: ReauthRequest, claims: AccessTokenClaims): Promise<boolean> {
    return this.overSignInLimits(request, claims);
  }

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
}

/** What a relayed challenge asked for that the new access token does not show (Entra's `acrs`, a scope). */
function relayedRefusal(
  state: ReauthState,
  claims: AccessTokenClaims,
): 'claims_not_satisfied' | 'scope_not_satisfied' | undefined {
  if (state.acrs !== undefined && !hasAcrs(claims, state.acrs)) return 'claims_not_satisfied';
  if (state.scope !== undefined && !hasScopes(claims, state.scope)) return 'scope_not_satisfied';
  return undefined;
}

/** A Unix time as an ISO date for the log; a number no date can be is shown as it is. */
function dateOf(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? 'no valid date' : date.toISOString();
}

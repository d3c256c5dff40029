import { Inject, Injectable, Logger } from '@nestjs/common';
import { OauthException } from '@workos-inc/node';
import { decodeJwt } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import {
  CLIENT_REQUEST_ID,
  evaluateFreshness,
  pathOf,
  refererPath,
  returnToFromRequest,
  sanitizeReturnTo,
  sealState,
  STATE_TTL_SECONDS,
  StateError,
  unsealState,
  type ReauthState,
} from './core';
import { PROTOCOL, type ReauthMarker } from './core/protocol';
import type { AuthKitClaims, ReauthRequest } from './interfaces';
import { REAUTH_RESOLVED_OPTIONS } from './reauth.constants';
import { nowSeconds, type ResolvedReauthOptions } from './reauth.options';
import { ReauthUnavailableException } from './reauth-unavailable.exception';
import { CALLBACK_FAILURES, type CallbackFailureCode } from './flow/callback-failures';
import { ReauthRecords } from './flow/reauth-records';
import { StateBindings } from './flow/state-binding';
import { describeError } from './reauth.errors';
import { AccessTokenVerifier, InvalidAccessTokenError } from './tokens/access-token.verifier';
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
 * single-use `state`; the authorization URL with `max_age`; the code exchange; the check that
 * the new `auth_time` really satisfies `max_age` (RFC 9470 §5: fail, never loop); and the
 * one-time grant and restored action afterwards.
 */
@Injectable()
export class ReauthFlowService {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
    private readonly records: ReauthRecords,
    private readonly bindings: StateBindings,
  ) {}

  /** Builds the sealed state and the authorization URL; writes nothing to the store. */
  async start(input: StartFlowInput): Promise<StartedFlow> {
    const { request } = input;
    const now = nowSeconds(this.options);
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
    };
    const sealed = await sealState(stripUndefined(state), this.options.cookiePassword);
    const url = new URL(
      this.options.workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: this.options.clientId,
        redirectUri: this.options.redirectUri,
        state: sealed,
        maxAge: input.maxAge,
        loginHint: input.loginHint,
        codeChallenge,
        codeChallengeMethod: 'S256',
      }),
    );
    // SDKs before 10.6 drop maxAge without a word; the parameter is the whole point.
    if (input.maxAge !== undefined) url.searchParams.set('max_age', String(input.maxAge));
    url.searchParams.set('code_challenge', codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return { authorizationUrl: url.href, setCookie: binding.setCookie };
  }

  /** Completes a (re-)authentication at the callback. */
  async complete(request: ReauthRequest, params: CallbackParams): Promise<CallbackOutcome> {
    const now = nowSeconds(this.options);
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

    if (params.error !== undefined) {
      const marker: ReauthMarker = params.error === 'access_denied' ? 'cancelled' : 'failed';
      this.logger.log(`Re-authentication ended at the provider: ${marker}`);
      if (state.mode === 'popup') {
        return {
          kind: 'popup',
          status: marker,
          code: 'provider_error',
          setCookies: [],
        };
      }
      return {
        kind: 'redirect',
        location: withQuery(state.cancelTo ?? state.returnTo, markerQuery(marker, state)),
        setCookies: [],
      };
    }
    if (params.code === undefined) {
      return this.failure('code_missing');
    }

    let result: { accessToken: string; sealedSession?: string };
    try {
      result = await this.options.workos.userManagement.authenticateWithCode({
        clientId: this.options.clientId,
        code: params.code,
        codeVerifier: state.cv,
        session: { sealSession: true, cookiePassword: this.options.cookiePassword },
      });
    } catch (error) {
      if (
        error instanceof OauthException &&
        error.status >= 400 &&
        error.status < 500 &&
        error.status !== 401
      ) {
        return this.failure('code_invalid');
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('workos', { cause: error });
    }
    // From here on a provider session is open: whatever stops the sign-in must close it.
    let claims: AuthKitClaims;
    try {
      claims = await this.verifier.verify(result.accessToken, { fromProvider: true });
    } catch (error) {
      await this.revokeOpened(sessionIdOf(result.accessToken), state);
      if (error instanceof InvalidAccessTokenError) {
        this.logger.warn('The identity provider issued an access token that does not verify');
        return this.failure('provider_token_invalid');
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('jwks', { cause: error });
    }
    try {
      return await this.admit(request, state, claims, result.sealedSession!, now);
    } catch (error) {
      await this.revokeOpened(claims.sid, state);
      throw error;
    }
  }

  /** The checks and records after a verified code exchange; a refusal closes the new session. */
  private async admit(
    request: ReauthRequest,
    state: ReauthState,
    claims: AuthKitClaims,
    sealedSession: string,
    now: number,
  ): Promise<CallbackOutcome> {
    if (state.maxAge !== undefined && !this.satisfiesMaxAge(claims, state, now)) {
      this.logger.warn(
        `The identity provider did not re-authenticate the user within max_age=${state.maxAge}`,
      );
      await this.revokeOpened(claims.sid, state);
      return this.failure('max_age_not_satisfied');
    }
    if (state.sub !== undefined && claims.sub !== state.sub) {
      await this.revokeOpened(claims.sid, state);
      return this.failure('user_mismatch');
    }

    if (state.sub === undefined && (await this.signedInAsAnotherUser(request, claims))) {
      // A sign-in completing in a browser that holds someone else's session: a login CSRF (a
      // planted state cookie), or a shared computer. Never swap the session silently.
      await this.revokeOpened(claims.sid, state);
      return this.failure('session_conflict');
    }
    if (await this.overSignInLimits(request, claims)) {
      await this.revokeOpened(claims.sid, state);
      return this.failure('too_many_sign_ins');
    }

    // Written only once a real sign-in completed, so anonymous traffic cannot fill the store.
    const firstUse = await this.records.markStateUsed(
      state.nonce,
      state.exp - now + this.options.clockToleranceSeconds,
    );
    if (!firstUse) {
      await this.revokeOpened(claims.sid, state);
      return this.failure('state_replayed');
    }
    if (state.maxAge === 0 && state.route !== undefined) {
      await this.records.saveGrant(claims, state.route);
    }
    if (state.action !== undefined) {
      await this.records.saveAction(claims, state.returnTo, state.action);
    }
    const setCookies = [this.sessions.serialize(sealedSession)];
    if (state.mode === 'popup') return { kind: 'popup', status: 'ok', setCookies };
    const location =
      state.rid === undefined
        ? state.returnTo
        : withQuery(state.returnTo, markerQuery('ok', state));
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

  private satisfiesMaxAge(claims: AuthKitClaims, state: ReauthState, now: number): boolean {
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
    claims: AuthKitClaims,
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
  private async overSignInLimits(request: ReauthRequest, claims: AuthKitClaims): Promise<boolean> {
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
   * touched (a provider that skipped the prompt hands that one back).
   */
  private async revokeOpened(sessionId: unknown, state: ReauthState): Promise<void> {
    if (typeof sessionId !== 'string' || sessionId === '' || sessionId === state.sid) return;
    await this.options.workos.userManagement
      .revokeSession({ sessionId })
      .catch((error: unknown) => {
        this.logger.warn(
          `Revoking a refused sign-in's session failed with ${describeError(error)}`,
        );
      });
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

/** The marker query for the way back; the helper's id rides along when it sent one. */
function markerQuery(marker: ReauthMarker, state: ReauthState): Record<string, string> {
  return state.rid === undefined
    ? { [PROTOCOL.marker]: marker }
    : { [PROTOCOL.marker]: marker, [PROTOCOL.idMarker]: state.rid };
}

/** The `sid` of a token straight from the provider, read before (or without) verifying it. */
function sessionIdOf(accessToken: string): unknown {
  try {
    return decodeJwt(accessToken).sid;
  } catch {
    return undefined;
  }
}

function header(request: ReauthRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function withQuery(path: string, params: Record<string, string>): string {
  const url = new URL(path, 'http://x.invalid');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return sanitizeReturnTo(url.pathname + url.search + url.hash) ?? path;
}

/** A return path without the marker of an earlier attempt. */
function withoutMarker(path: string): string {
  const url = new URL(path, 'http://x.invalid');
  if (!url.searchParams.has(PROTOCOL.marker) && !url.searchParams.has(PROTOCOL.idMarker)) {
    return path;
  }
  url.searchParams.delete(PROTOCOL.marker);
  url.searchParams.delete(PROTOCOL.idMarker);
  return sanitizeReturnTo(url.pathname + url.search + url.hash) ?? path;
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

import { Injectable, Logger } from '@nestjs/common';
import { type ReauthState } from '../core';
import type { AccessTokenClaims } from '../interfaces';
import {
  IdentityProvider,
  ProviderRejectedError,
  type BoundActionRequest,
  type IssuedSession,
} from '../providers/identity-provider';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import {
  AccessTokenVerifier,
  InvalidAccessTokenError,
} from '../authentication/access-token.verifier';
import { tokenFailureText } from '../authentication/access-token.errors';
import { cookieAuthentication } from '../authentication/request-authenticator';
import { SessionCookieService, type HeldSession } from '../authentication/session-cookie.service';
import { type CallbackFailureCode } from './callback-failures';
import { unverifiedSessionClaims } from '../core/session-claims';
import { callbackQuery, type CallbackParams } from './callback-outcome';

/** A redeemed code: the session it opened and its verified claims, or why it was refused. */
export type ExchangedCode =
  | {
      ok: true;
      issued: IssuedSession;
      claims: AccessTokenClaims;
      /** The cookie of the session the browser already held, when the sign-in continued it. */
      kept?: string;
    }
  | {
      ok: false;
      failure: CallbackFailureCode;
      /** As above: the continued session's cookie, handed back whatever stopped the sign-in. */
      kept?: string;
    };

/**
 * The callback's code exchange: has the provider redeem the code, verifies the token it issued,
 * and closes the provider session a refused sign-in opened. A provider or key set that cannot
 * be reached becomes `ReauthUnavailableException`, keeping the original error as `cause`.
 */
@Injectable()
export class CodeExchange {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly provider: IdentityProvider,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
  ) {}

  /** Redeems the callback's code for the flow `state`; `held` is the browser's own session. */
  async redeem(
    params: CallbackParams & { code: string },
    state: ReauthState,
    held: HeldSession | undefined,
  ): Promise<ExchangedCode> {
    let issued: IssuedSession;
    try {
      issued = await this.provider.redeemCode({
        code: params.code,
        codeVerifier: state.cv!,
        nonce: state.nonce,
        maxAge: state.maxAge,
        callbackQuery: callbackQuery(params),
        ...(boundActionOf(state) ? { boundAction: boundActionOf(state) } : {}),
      });
    } catch (error) {
      if (error instanceof ProviderRejectedError) {
        if (error.code === 'session_too_large') return { ok: false, failure: 'session_too_large' };
        if (error.code === 'invalid_response' && boundActionOf(state)) {
          this.logger.warn('The identity provider did not authorize the bound action');
          return { ok: false, failure: 'action_not_authorized' };
        }
        this.logger.warn(
          `The identity provider refused the code exchange: ${error.code}${error.detail === undefined ? '' : ` (${error.detail})`}`,
        );
        return { ok: false, failure: 'code_invalid' };
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
      ? this.sessions.serialize((await this.superseding(held!, issued)).sealed)
      : undefined;
    try {
      const verified = await this.verifier.verify(issued.accessToken, { fromProvider: true });
      return { ok: true, issued, claims: cookieAuthentication(verified, issued).claims, kept };
    } catch (error) {
      await this.revokeOpened(issued, state, false, held);
      if (error instanceof InvalidAccessTokenError) {
        this.logger.warn(
          `The identity provider issued an access token that does not verify: ${tokenFailureText(error)}`,
        );
        return { ok: false, failure: 'provider_token_invalid', kept };
      }
      throw unavailableKeeping(
        error instanceof ReauthUnavailableException
          ? error
          : new ReauthUnavailableException('jwks', { cause: error }),
        kept,
      );
    }
  }

  /**
   * The `Set-Cookie` of a session the exchange issued, which replaces the browser's `held` one:
   * what that leaves behind at the provider is revoked, or carried for sign-out to revoke.
   */
  async sessionCookie(issued: IssuedSession, held: HeldSession | undefined): Promise<string> {
    const session = held === undefined ? issued : await this.superseding(held, issued);
    return this.sessions.serialize(session.sealed);
  }

  /** See `IdentityProvider.supersede`. */
  private superseding(held: HeldSession, issued: IssuedSession): Promise<IssuedSession> {
    return held.contents === undefined
      ? Promise.resolve(issued)
      : this.provider.supersede(held.contents, issued);
  }

  /**
   * Ends the provider session a code exchange just opened, when the callback then refuses it:
   * nothing should stay signed in that the user never got. The session that asked is never
   * touched (a provider that skipped the prompt hands that one back); where revocation ends a
   * whole grant, only another user's sign-in is revoked.
   */
  async revokeOpened(
    issued: IssuedSession,
    state: ReauthState,
    anotherUser = false,
    held?: HeldSession,
  ): Promise<void> {
    const sessionId = issued.sessionId;
    if (sessionId !== undefined && sessionId === state.sid) return;
    // Revoking by grant could end the very session that asked, or the user's others; unless the
    // new session is known to be of another grant than the browser's (another provider session).
    if (
      this.provider.revocationScope === 'grant' &&
      !anotherUser &&
      (held?.contents === undefined || this.provider.mayShareGrant(held.contents, issued))
    ) {
      return;
    }
    const revoked = await this.provider.revoke({
      sessionId,
      refreshToken: issued.refreshToken,
    });
    if (!revoked) this.logger.warn("Revoking a refused sign-in's session at the provider failed");
  }
}

/**
 * Whether the sign-in continued the very session this browser's cookie holds (its refresh token
 * now rotated): the same session id, and the same user (the token comes straight from the
 * provider's token endpoint, and is verified next). Only then may a refused sign-in hand the browser the continued session: a state
 * names the session of whoever started it, and a planted one names someone else's.
 */
function continuesHeldSession(issued: IssuedSession, held: HeldSession | undefined): boolean {
  if (issued.sessionId === undefined || issued.sessionId !== held?.sessionId) return false;
  // And the same user: a provider's sid may name the browser's session there, which any user
  // who signs in through that browser shares.
  return unverifiedSessionClaims(issued.accessToken)?.sub === held.sub;
}

/**
 * A 503 that carries the continued session's cookie, when there is one: the browser's own cookie
 * no longer refreshes once the provider rotated its session.
 */
export function unavailableKeeping(error: unknown, setCookie: string | undefined): unknown {
  if (!(error instanceof ReauthUnavailableException)) return error;
  if (setCookie === undefined || error.setCookie !== undefined) return error;
  return new ReauthUnavailableException(error.dependency, { cause: error.cause, setCookie });
}

/**
 * The bound action a re-authentication confirms, as far as the provider checks it: the digest
 * its grant scope (`<route>#<digest>`) ends with, and the summary the state carries.
 */
function boundActionOf(state: ReauthState): BoundActionRequest | undefined {
  const hash = state.route?.lastIndexOf('#') ?? -1;
  if (state.summary === undefined || hash < 0) return undefined;
  return { digest: state.route!.slice(hash + 1), summary: state.summary, fields: {} };
}

import { Injectable, Logger } from '@nestjs/common';
import type { ReauthRequest } from '../interfaces';
import { IdentityProvider } from '../providers/identity-provider';
import { ReauthEvents } from '../events/reauth-events';
import { SessionCookieSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { revocationTtlSeconds } from '../core/revocation-ttl';
import { revocationKeyOf, sessionSubject, unverifiedSessionClaims } from '../core/session-claims';
import { clearingSetCookie } from './session-cookie-header';
import { SessionRevocations } from './session-revocations';
import type { SessionContents } from './session-unsealer';
import { storeFailure } from './store-failure';

/** A session that was signed out: what the provider's logout URL needs. */
export interface EndedSession {
  sessionId?: string;
  idToken?: string;
}

/**
 * Signing out: the ended session goes on the revoked list in the store for as long as a token of
 * it can verify, and is revoked at the provider.
 */
@Injectable()
export class SessionSignOut {
  private readonly logger = new Logger('ReauthModule');
  /** The `Set-Cookie` that removes the session, sent with the 503 of a sign-out not recorded. */
  private readonly clearing: string;

  constructor(
    private readonly options: SessionCookieSettings,
    private readonly provider: IdentityProvider,
    private readonly events: ReauthEvents,
    private readonly revocations: SessionRevocations,
  ) {
    this.clearing = clearingSetCookie(options.cookie);
  }

  /**
   * Ends the session in the request's cookie (opened as `contents`), else the verified token's;
   * `undefined` when neither names a session.
   */
  async end(
    request: ReauthRequest,
    contents: SessionContents | undefined,
  ): Promise<EndedSession | undefined> {
    const fromCookie = contents && unverifiedSessionClaims(contents.accessToken);
    const token = fromCookie ?? request.reauth?.claims;
    const key = token && revocationKeyOf(token, contents?.sessionId ?? request.reauth?.sessionId);
    if (token === undefined || key === undefined) {
      if (token !== undefined) {
        this.logger.warn(
          'Sign-out of a token that names no session (no sid, no jti): nothing to revoke',
        );
      }
      return undefined;
    }
    const revoked = await this.provider.revoke({
      sessionId: key,
      refreshToken: contents?.refreshToken,
      retiredRefreshTokens: contents?.retiredRefreshTokens,
    });
    if (!revoked) this.logger.warn('Revoking the session at the provider failed at sign-out');
    this.events.emit({
      type: 'session.revoked',
      cause: 'sign_out',
      ...sessionSubject(token, contents?.sessionId),
    });
    // Revoked at the provider, no token of the session outlives its access token's lifetime. If
    // not, its refresh token still works there: keep the record for as long as a cookie can live.
    const ttl = revocationTtlSeconds(token, this.options.clockToleranceSeconds);
    // A token that names no session is checked by its jti: its Bearer copies end here too.
    const byJti = token.sid === undefined ? revocationKeyOf({ jti: token.jti }) : undefined;
    try {
      await this.revocations.record(
        key,
        revoked ? ttl : Math.max(ttl, this.options.cookie.maxAgeSeconds),
      );
      if (byJti !== undefined && byJti !== key) await this.revocations.record(byJti, ttl);
    } catch (error) {
      const cause = error instanceof ReauthUnavailableException ? error.cause : error;
      this.logger.warn(
        `Recording the ended session in the store failed${storeFailure(cause)}: the sign-out answers 503, and copies of its cookie or tokens stay usable until they expire${revoked ? '' : ' or the provider ends the session'}`,
      );
      throw new ReauthUnavailableException('store', { cause, setCookie: this.clearing });
    }
    return { sessionId: key, idToken: contents?.idToken };
  }
}

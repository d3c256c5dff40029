import { Injectable } from '@nestjs/common';
import type { ReauthRequest } from '../interfaces';
import { SessionCookieSettings } from '../options/reauth-settings';
import type { ProviderSession } from '../providers/identity-provider';
import type { InvalidAccessTokenError } from './access-token.errors';
import { unverifiedSessionClaims } from '../core/session-claims';
import { clearingSetCookie, readSessionCookie, sessionSetCookie } from './session-cookie-header';
import { SessionRefresher, type RefreshOutcome } from './session-refresher';
import { SessionRevocations, type RevocationSubject } from './session-revocations';
import { SessionSignOut, type EndedSession } from './session-sign-out';
import { SessionUnsealer, type SessionContents } from './session-unsealer';

/** The session a browser's cookie holds, named as the guard names it. */
export interface HeldSession {
  sub: string;
  /** The token's `sid`, else the id the library gave the cookie session. */
  sessionId?: string;
  /**
   * The opened session, for a sign-in that replaces it to hand the provider what it leaves
   * behind (see `IdentityProvider.supersede`). Never a reason to let anyone through.
   */
  contents?: ProviderSession;
}

/**
 * The session cookie, sealed with `cookiePassword` by the provider (on WorkOS in the format
 * WorkOS's own SDKs read and write; with OpenID Connect in the library's own). Refreshing is
 * single-flight per cookie, so the burst of requests a page load makes with one expired cookie
 * uses the (single-use) refresh token once; the new session is shared, through the store, with
 * requests presenting that exact cookie for 30 s.
 *
 * Ended sessions (logout, {@link end}) are kept on a revoked list in the store for as long as a
 * token of theirs can verify: {@link isRevoked} answers for every request, and a revoked session
 * is never refreshed nor handed a shared refresh.
 */
@Injectable()
export class SessionCookieService {
  /** The `Set-Cookie` that removes the session: the same for every request. */
  private readonly clearing: string;

  constructor(
    private readonly options: SessionCookieSettings,
    private readonly unsealer: SessionUnsealer,
    private readonly refresher: SessionRefresher,
    private readonly signOut: SessionSignOut,
    private readonly revocations: SessionRevocations,
  ) {
    this.clearing = clearingSetCookie(options.cookie);
  }

  /** The raw cookie value, if the request has one of a plausible size. */
  read(request: Pick<ReauthRequest, 'headers'>): string | undefined {
    return readSessionCookie(request.headers.cookie, this.options.cookie.name);
  }

  /** Opens a sealed session; `undefined` when it is not one of ours (tampered, other password). */
  unseal(sealed: string): Promise<SessionContents | undefined> {
    return this.unsealer.unseal(sealed);
  }

  /**
   * The session the request's cookie holds, expired or not (the seal vouches for what is inside),
   * or `undefined` when it has no cookie that opens. Never a reason to let anyone through: only
   * to tell whose browser this is.
   */
  async held(request: Pick<ReauthRequest, 'headers'>): Promise<HeldSession | undefined> {
    const contents = await this.opened(request);
    const claims = contents && unverifiedSessionClaims(contents.accessToken);
    if (!claims || typeof claims.sub !== 'string') return undefined;
    const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
    return { sub: claims.sub, sessionId: sid ?? contents.sessionId, contents };
  }

  /**
   * Exchanges the refresh token of the session in `sealed` (opened as `contents`) at the
   * provider, unless the session was ended. `auth_time` is carried over: a refresh is not an
   * authentication. Rejects with `ReauthUnavailableException` when the provider cannot be
   * reached or answers with a server error, or when the store cannot say whether it ended.
   */
  refresh(sealed: string, contents: SessionContents): Promise<RefreshOutcome> {
    return this.refresher.refresh(sealed, contents);
  }

  /** See `SessionRefresher.refusedRefreshed`. */
  refusedRefreshed(
    previous: string,
    sealed: string,
    failure: InvalidAccessTokenError,
  ): Promise<void> {
    return this.refresher.refusedRefreshed(previous, sealed, failure);
  }

  /** See `SessionRefresher.stillUnverifiable`. */
  stillUnverifiable(
    sealed: string,
    failure: InvalidAccessTokenError | undefined,
  ): Promise<boolean> {
    return this.refresher.stillUnverifiable(sealed, failure);
  }

  /**
   * Whether the session was ended (signed out) here or on any instance sharing the store. Rejects
   * with `ReauthUnavailableException` when the store cannot answer: nothing passes unchecked.
   */
  isRevoked(key: string | undefined, token?: RevocationSubject): Promise<boolean> {
    return this.revocations.isRevoked(key, token);
  }

  /**
   * Ends the caller's session: records it as revoked in the store, so that no copy of its cookie
   * or tokens passes here again, and revokes it at the provider (which ends its refresh token,
   * even if the browser never reaches the provider's logout page); returns what the provider's
   * logout URL needs. The session is the one in the request's cookie, else the verified token's.
   * A failed revocation at the provider is logged. A sign-out the store could not record rejects
   * with `ReauthUnavailableException` (a 503 that clears the cookie): copies of the cookie would
   * go on passing, so it is not reported as done.
   */
  async end(request: ReauthRequest): Promise<EndedSession | undefined> {
    return this.signOut.end(request, await this.opened(request));
  }

  /** `Set-Cookie` value that stores a sealed session. */
  serialize(sealedSession: string): string {
    return sessionSetCookie(this.options.cookie, sealedSession);
  }

  /** `Set-Cookie` value that removes the session. */
  clear(): string {
    return this.clearing;
  }

  private async opened(
    request: Pick<ReauthRequest, 'headers'>,
  ): Promise<SessionContents | undefined> {
    const sealed = this.read(request);
    return sealed === undefined ? undefined : this.unseal(sealed);
  }
}

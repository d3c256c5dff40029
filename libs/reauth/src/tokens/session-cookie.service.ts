import { Inject, Injectable, Logger } from '@nestjs/common';
import { OauthException, type User } from '@workos-inc/node';
import { parse as parseCookies, serialize } from 'cookie';
import { decodeJwt } from 'jose';
import { createHash } from 'node:crypto';
import type { ReauthRequest } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS, STORE_KEYS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { describeError } from '../reauth.errors';
import { ReauthUnavailableException } from '../reauth-unavailable.exception';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';
import { BoundedCache } from './bounded-cache';
import { deepFreeze } from './deep-freeze';
import { revocationTtlSeconds, type SessionTokenTimes } from './session-revocation';

/** What a sealed `wos-session` cookie holds (WorkOS's format). */
export interface SessionContents {
  accessToken: string;
  refreshToken?: string;
  user?: User;
}

/** A refresh either produced a new sealed session or found the session over. */
export type RefreshOutcome =
  | { status: 'refreshed'; sealedSession: string; accessToken: string; user?: User }
  | { status: 'ended' };

// Browsers cap a cookie at about 4 KB; anything much larger is not ours.
const MAX_COOKIE_LENGTH = 8192;
// Long enough for concurrent requests of one page load to share a refresh, short enough that
// an old cookie replayed later does not revive a session.
const REFRESH_SHARE_SECONDS = 30;
const UNSEALED_CACHE_ENTRIES = 10_000;
const UNSEALED_CACHE_MS = 10 * 60_000;
const ENDED_CACHE_ENTRIES = 10_000;

const ENDED: RefreshOutcome = Object.freeze({ status: 'ended' });

/**
 * The AuthKit session cookie: sealed by the SDK with `cookiePassword`, in the format WorkOS's own
 * SDKs read and write. Refreshing is single-flight per cookie, so the burst of requests a page
 * load makes with one expired cookie uses the (single-use) refresh token once; the new session is
 * shared, through the store, with requests presenting that exact cookie for 30 s.
 *
 * Ended sessions (logout, {@link end}) are kept on a revoked list in the store for as long as a
 * token of theirs can verify: {@link isRevoked} answers for every request, and a revoked session
 * is never refreshed nor handed a shared refresh.
 */
@Injectable()
export class SessionCookieService {
  private readonly logger = new Logger('ReauthModule');
  private readonly inflight = new Map<string, Promise<RefreshOutcome>>();
  /**
   * Opened cookies: a sealed value always opens to the same contents, so remembering them cannot
   * change a decision (the token inside is still verified on every request); only cookies that
   * did open are kept, frozen, since every request with the cookie gets the same object.
   */
  private readonly unsealed: BoundedCache<SessionContents>;
  /**
   * Cookies whose refresh token WorkOS refused: a spent refresh token never works again, so a
   * replayed dead cookie is answered here instead of costing a WorkOS call per request.
   */
  private readonly ended: BoundedCache<true>;

  constructor(@Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions) {
    this.unsealed = new BoundedCache(UNSEALED_CACHE_ENTRIES, options.nowMs);
    this.ended = new BoundedCache(ENDED_CACHE_ENTRIES, options.nowMs);
  }

  /** The raw cookie value, if the request has one of a plausible size. */
  read(request: Pick<ReauthRequest, 'headers'>): string | undefined {
    const header = request.headers.cookie;
    if (typeof header !== 'string' || header === '') return undefined;
    const value = parseCookies(header)[this.options.cookie.name];
    return value && value.length <= MAX_COOKIE_LENGTH ? value : undefined;
  }

  /** Opens a sealed session; `undefined` when it is not one of ours (tampered, other password). */
  async unseal(sealed: string): Promise<SessionContents | undefined> {
    const cached = this.unsealed.get(sealed);
    if (cached) return cached;
    let contents: unknown;
    try {
      contents = await this.options.workos.userManagement.getSessionFromCookie({
        sessionData: sealed,
        cookiePassword: this.options.cookiePassword,
      });
    } catch {
      return undefined;
    }
    const session = contents as Partial<SessionContents> | undefined;
    if (!session || typeof session.accessToken !== 'string') return undefined;
    deepFreeze(session);
    this.unsealed.set(sealed, session as SessionContents, this.options.nowMs() + UNSEALED_CACHE_MS);
    return session as SessionContents;
  }

  /**
   * Exchanges the refresh token of the session in `sealed` (opened as `contents`) through the
   * SDK, unless the session was ended. `auth_time` is carried over by AuthKit: a refresh is not
   * an authentication. Rejects with `ReauthUnavailableException` when WorkOS cannot be reached
   * or answers with a server error, or when the store cannot say whether the session ended.
   */
  refresh(sealed: string, contents: SessionContents): Promise<RefreshOutcome> {
    const refreshToken = contents.refreshToken;
    if (typeof refreshToken !== 'string' || refreshToken === '') return Promise.resolve(ENDED);
    // Bound to the exact cookie: only the requests that present it share its refresh.
    const key = createHash('sha256').update(sealed).digest('base64url');
    if (this.ended.get(key)) return Promise.resolve(ENDED);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refreshOnce(key, contents.accessToken, refreshToken).finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Whether the session was ended (signed out) here or on any instance sharing the store. Rejects
   * with `ReauthUnavailableException` when the store cannot answer: nothing passes unchecked.
   */
  async isRevoked(sessionId: string): Promise<boolean> {
    try {
      return (await this.options.store.get(STORE_KEYS.revokedSession + sessionId)) !== undefined;
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /**
   * Ends the caller's AuthKit session: records it as revoked in the store, so that no copy of
   * its cookie or tokens passes here again, and revokes it at WorkOS (which ends its refresh
   * token, even if the browser never reaches AuthKit's logout page); returns its id, for the
   * logout URL. The session is the one in the request's cookie, else the verified token's `sid`.
   * Either failure is logged, not thrown: the caller clears the cookie either way.
   */
  async end(request: ReauthRequest): Promise<string | undefined> {
    const sealed = this.read(request);
    const contents = sealed === undefined ? undefined : await this.unseal(sealed);
    const token = [contents && decodedClaims(contents.accessToken), request.reauth?.claims].find(
      (candidate) => typeof candidate?.sid === 'string' && candidate.sid !== '',
    );
    const sessionId = token?.sid;
    if (typeof sessionId !== 'string' || sessionId === '') return undefined;
    const revoked = await this.options.workos.userManagement.revokeSession({ sessionId }).then(
      () => true,
      (error: unknown) => {
        this.logger.warn(`Revoking the session at sign-out failed with ${describeError(error)}`);
        return false;
      },
    );
    // Revoked at WorkOS, no token of the session outlives its access token's lifetime. If not,
    // its refresh token still works there: keep the record for as long as a cookie can live.
    const ttl = revocationTtlSeconds(token, this.options.clockToleranceSeconds);
    await this.recordRevocation(
      sessionId,
      revoked ? ttl : Math.max(ttl, this.options.cookie.maxAgeSeconds),
    );
    return sessionId;
  }

  /** `Set-Cookie` value that stores a sealed session. */
  serialize(sealedSession: string): string {
    const { cookie } = this.options;
    return serialize(cookie.name, sealedSession, {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      domain: cookie.domain,
      path: '/',
      maxAge: cookie.maxAgeSeconds,
    });
  }

  /** `Set-Cookie` value that removes the session. */
  clear(): string {
    const { cookie } = this.options;
    return serialize(cookie.name, '', {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      domain: cookie.domain,
      path: '/',
      maxAge: 0,
    });
  }

  private async recordRevocation(sessionId: string, ttlSeconds: number): Promise<void> {
    try {
      await this.options.store.set(STORE_KEYS.revokedSession + sessionId, '1', ttlSeconds);
    } catch (error) {
      this.logger.warn(
        `Recording the ended session in the store failed${storeFailure(error)}: copies of its cookie or tokens stay usable until they expire`,
      );
    }
  }

  private async refreshOnce(
    key: string,
    accessToken: string,
    refreshToken: string,
  ): Promise<RefreshOutcome> {
    // The seal vouches for the token inside, expired or not: its sid names the session.
    const sessionId = decodedClaims(accessToken)?.sid;
    if (typeof sessionId !== 'string' || (await this.isRevoked(sessionId))) return ENDED;
    const storeKey = STORE_KEYS.refresh + key;
    const shared = await this.sharedResult(storeKey);
    if (shared) return shared;
    try {
      const result = await this.options.workos.userManagement.authenticateWithRefreshToken({
        clientId: this.options.clientId,
        refreshToken,
        session: { sealSession: true, cookiePassword: this.options.cookiePassword },
      });
      // Every request waiting on this refresh gets the same object.
      const outcome: RefreshOutcome = deepFreeze({
        status: 'refreshed',
        sealedSession: result.sealedSession!,
        accessToken: result.accessToken,
        user: result.user,
      });
      await this.storeResult(storeKey, outcome.sealedSession);
      return outcome;
    } catch (error) {
      if (isEndedSession(error)) {
        // Another instance may have used the token a moment ago and shared its result.
        const shared = await this.sharedResult(storeKey);
        if (shared) return shared;
        this.ended.set(key, true, this.options.nowMs() + this.options.cookie.maxAgeSeconds * 1000);
        return ENDED;
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('workos', { cause: error });
    }
  }

  /** Sharing is an optimisation: a store that fails at it is logged and done without. */
  private async sharedResult(storeKey: string): Promise<RefreshOutcome | undefined> {
    let value: string | undefined;
    try {
      value = await this.options.store.get(storeKey);
    } catch (error) {
      this.sharingFailed(error);
      return undefined;
    }
    if (value === undefined) return undefined;
    const contents = await this.unseal(value);
    if (!contents) return undefined;
    return {
      status: 'refreshed',
      sealedSession: value,
      accessToken: contents.accessToken,
      user: contents.user,
    };
  }

  /** Shares the new session (sealed: the store never sees a token in the clear). */
  private async storeResult(storeKey: string, sealedSession: string): Promise<void> {
    try {
      await this.options.store.set(storeKey, sealedSession, REFRESH_SHARE_SECONDS);
    } catch (error) {
      this.sharingFailed(error);
    }
  }

  private sharingFailed(error: unknown): void {
    this.logger.warn(
      `Sharing a refreshed session through the store failed${storeFailure(error)}; going on without sharing`,
    );
  }
}

/** How a store call failed, for a log line: a full store is named as such (it needs sizing). */
function storeFailure(error: unknown): string {
  return error instanceof ReauthStoreFullError
    ? `: the store is full (${error.maxEntries} live entries)`
    : ` with ${describeError(error)}`;
}

/**
 * The claims of a token from a sealed session, unverified: the seal authenticates them. Only for
 * naming the session (and its tokens' lifetime), never to let a caller through.
 */
function decodedClaims(accessToken: string): (SessionTokenTimes & { sid?: unknown }) | undefined {
  try {
    return decodeJwt(accessToken);
  } catch {
    return undefined;
  }
}

/** WorkOS's answer for a refresh token that is used, revoked or otherwise over. */
function isEndedSession(error: unknown): boolean {
  if (error instanceof OauthException) return error.status >= 400 && error.status < 500;
  const status = (error as { status?: unknown } | null)?.status;
  // AuthenticationException (e.g. sso_required) and other 4xx answers, except a bad API key,
  // which is our misconfiguration rather than the user's ended session.
  return (
    typeof status === 'number' && status >= 400 && status < 500 && status !== 401 && status !== 429
  );
}

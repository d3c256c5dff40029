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
import { BoundedCache } from './bounded-cache';

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

/**
 * The AuthKit session cookie: sealed by the SDK with `cookiePassword`, in the format WorkOS's own
 * SDKs read and write. Refreshing is single-flight per refresh token, so the burst of requests a
 * page load makes with one expired cookie uses the (single-use) refresh token once.
 */
@Injectable()
export class SessionCookieService {
  private readonly logger = new Logger('ReauthModule');
  private readonly inflight = new Map<string, Promise<RefreshOutcome>>();
  /**
   * Opened cookies: a sealed value always opens to the same contents, so remembering them cannot
   * change a decision (the token inside is still verified on every request); only cookies that
   * did open are kept.
   */
  private readonly unsealed: BoundedCache<SessionContents>;

  constructor(@Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions) {
    this.unsealed = new BoundedCache(UNSEALED_CACHE_ENTRIES, options.nowMs);
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
    this.unsealed.set(sealed, session as SessionContents, this.options.nowMs() + UNSEALED_CACHE_MS);
    return session as SessionContents;
  }

  /**
   * Exchanges the session's refresh token through the SDK. `auth_time` is carried over by
   * AuthKit: a refresh is not an authentication. Rejects with `ReauthUnavailableException`
   * when WorkOS cannot be reached or answers with a server error.
   */
  refresh(contents: SessionContents): Promise<RefreshOutcome> {
    const refreshToken = contents.refreshToken;
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      return Promise.resolve({ status: 'ended' });
    }
    const key = createHash('sha256').update(refreshToken).digest('base64url');
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refreshOnce(key, refreshToken).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Ends the caller's AuthKit session: revokes it at WorkOS (which ends its refresh token, even
   * if the browser never reaches AuthKit's logout page) and returns its id, for the logout URL.
   * The session is the one in the request's cookie, else the verified token's `sid`. A failed
   * revocation is logged, not thrown: the caller clears the cookie either way.
   */
  async end(request: ReauthRequest): Promise<string | undefined> {
    const sealed = this.read(request);
    const contents = sealed === undefined ? undefined : await this.unseal(sealed);
    const sessionId =
      (contents && sessionIdOf(contents.accessToken)) ?? request.reauth?.claims.sid ?? undefined;
    if (typeof sessionId !== 'string' || sessionId === '') return undefined;
    await this.options.workos.userManagement
      .revokeSession({ sessionId })
      .catch((error: unknown) => {
        this.logger.warn(`Revoking the session at sign-out failed with ${describeError(error)}`);
      });
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

  private async refreshOnce(key: string, refreshToken: string): Promise<RefreshOutcome> {
    const storeKey = STORE_KEYS.refresh + key;
    const shared = await this.sharedResult(storeKey);
    if (shared) return shared;
    try {
      const result = await this.options.workos.userManagement.authenticateWithRefreshToken({
        clientId: this.options.clientId,
        refreshToken,
        session: { sealSession: true, cookiePassword: this.options.cookiePassword },
      });
      const outcome: RefreshOutcome = {
        status: 'refreshed',
        sealedSession: result.sealedSession!,
        accessToken: result.accessToken,
        user: result.user,
      };
      await this.storeResult(storeKey, outcome.sealedSession);
      return outcome;
    } catch (error) {
      if (isEndedSession(error)) {
        // Another instance may have used the token a moment ago and shared its result.
        return (await this.sharedResult(storeKey)) ?? { status: 'ended' };
      }
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('workos', { cause: error });
    }
  }

  private async sharedResult(storeKey: string): Promise<RefreshOutcome | undefined> {
    let value: string | undefined;
    try {
      value = await this.options.store.get(storeKey);
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
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
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }
}

function sessionIdOf(accessToken: string): string | undefined {
  try {
    const { sid } = decodeJwt(accessToken);
    return typeof sid === 'string' ? sid : undefined;
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

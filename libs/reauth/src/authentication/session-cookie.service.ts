import { Injectable, Logger } from '@nestjs/common';
import { parse as parseCookies, serialize } from 'cookie';
import { sha256Base64url } from '../crypto/digest';
import { decodeJwtPayload } from '../crypto/jwt-payload';
import type { ReauthRequest } from '../interfaces';
import {
  IdentityProvider,
  ProviderRejectedError,
  type ProviderSession,
} from '../providers/identity-provider';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthClock } from '../reauth.clock';
import { STORE_KEYS } from '../reauth.constants';
import { SessionCookieSettings } from '../options/reauth-settings';
import { describeError } from '../core/describe-error';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthStore } from '../stores/reauth.store';
import { ReauthStoreFullError } from '../stores/reauth-store-full.error';
import { BoundedCache } from '../core/bounded-cache';
import { deepFreeze } from '../core/deep-freeze';
import { revocationTtlSeconds, type SessionTokenTimes } from '../core/revocation-ttl';
import { SessionRevocations } from './session-revocations';

/** What a sealed session cookie holds, opened. */
export type SessionContents = ProviderSession;

/** A refresh either produced a new sealed session or found the session over. */
export type RefreshOutcome =
  { status: 'refreshed'; sealedSession: string; session: ProviderSession } | { status: 'ended' };

/** The session a browser's cookie holds, named as the guard names it. */
export interface HeldSession {
  sub: string;
  /** The token's `sid`, else the id the library gave the cookie session. */
  sessionId?: string;
}

/** A session {@link SessionCookieService.end} ended: what the provider's logout URL needs. */
export interface EndedSession {
  sessionId?: string;
  idToken?: string;
}

/**
 * The key a token's revocation is recorded under: its session (`sid`, or the id the library gave
 * a cookie session), else, for a token that names no session, its `jti`.
 */
export function revocationKeyOf(
  claims: { sid?: unknown; jti?: unknown },
  sessionId?: string,
): string | undefined {
  if (typeof claims.sid === 'string' && claims.sid !== '') return claims.sid;
  if (sessionId !== undefined) return sessionId;
  return typeof claims.jti === 'string' && claims.jti !== '' ? `jti:${claims.jti}` : undefined;
}

// Browsers cap a cookie at about 4 KB; anything much larger is not ours.
const MAX_COOKIE_LENGTH = 8192;
// Long enough for concurrent requests of one page load to share a refresh, short enough that
// an old cookie replayed later does not revive a session.
const REFRESH_SHARE_SECONDS = 30;
// How long one instance may hold a cookie's refresh to itself: past a provider call's own bounds
// (the SDK's 10 s timeout), so a waiting instance never takes over a refresh still in flight.
const REFRESH_LOCK_SECONDS = 20;
// How often an instance waiting on another's refresh looks for its result.
const REFRESH_POLL_MS = 25;
const UNSEALED_CACHE_ENTRIES = 10_000;
const UNSEALED_CACHE_MS = 10 * 60_000;
// The end of a sealed cookie: WorkOS's seal ends with its HMAC, the library's own with the
// AES-GCM tag, so two cookies that differ end differently (and a hit is compared in full).
const UNSEALED_KEY_LENGTH = 64;
const ENDED_CACHE_ENTRIES = 10_000;

const ENDED: RefreshOutcome = Object.freeze({ status: 'ended' });

/**
 * The session cookie, sealed with `cookiePassword` by the provider (on WorkOS in the format
 * WorkOS's own SDKs read and write; with OpenID Connect in the library's own). Refreshing is single-flight per cookie, so the burst of requests a page
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
  private readonly unsealed: BoundedCache<{ sealed: string; session: SessionContents }>;
  /**
   * Cookies whose refresh token the provider refused: a spent refresh token never works again,
   * so a replayed dead cookie is answered here instead of costing a provider call per request.
   */
  private readonly ended: BoundedCache<true>;
  /** The `Set-Cookie` that removes the session: the same for every request. */
  private readonly clearing: string;

  constructor(
    private readonly options: SessionCookieSettings,
    private readonly provider: IdentityProvider,
    private readonly store: ReauthStore,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
    private readonly revocations: SessionRevocations,
  ) {
    const nowMs = () => clock.now();
    this.unsealed = new BoundedCache(UNSEALED_CACHE_ENTRIES, nowMs);
    this.ended = new BoundedCache(ENDED_CACHE_ENTRIES, nowMs);
    const { cookie } = options;
    this.clearing = serialize(cookie.name, '', {
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      domain: cookie.domain,
      path: '/',
      maxAge: 0,
    });
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
    // Looked up by the seal's end (its authentication tag or MAC: hashing a few KB of cookie on
    // every request costs more), then the whole cookie must be the one that was opened.
    const key = sealed.slice(-UNSEALED_KEY_LENGTH);
    const cached = this.unsealed.get(key);
    if (cached && cached.sealed === sealed) return cached.session;
    const session = await this.provider.unseal(sealed);
    if (!session) return undefined;
    deepFreeze(session);
    // Never past the seal's own expiry: it would open no more after that.
    const until = Math.min(
      this.clock.now() + UNSEALED_CACHE_MS,
      session.sealExpiresAt === undefined ? Infinity : (session.sealExpiresAt + 1) * 1000,
    );
    this.unsealed.set(key, { sealed, session }, until);
    return session;
  }

  /**
   * The session the request's cookie holds, expired or not (the seal vouches for what is inside),
   * or `undefined` when it has no cookie that opens. Never a reason to let anyone through: only
   * to tell whose browser this is.
   */
  async held(request: Pick<ReauthRequest, 'headers'>): Promise<HeldSession | undefined> {
    const sealed = this.read(request);
    const contents = sealed === undefined ? undefined : await this.unseal(sealed);
    const claims = contents && decodedClaims(contents.accessToken);
    if (!claims || typeof claims.sub !== 'string') return undefined;
    const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
    return { sub: claims.sub, sessionId: sid ?? contents.sessionId };
  }

  /**
   * Exchanges the refresh token of the session in `sealed` (opened as `contents`) at the
   * provider, unless the session was ended. `auth_time` is carried over: a refresh is not an
   * authentication. Rejects with `ReauthUnavailableException` when the provider cannot be
   * reached or answers with a server error, or when the store cannot say whether it ended.
   */
  refresh(sealed: string, contents: SessionContents): Promise<RefreshOutcome> {
    const refreshToken = contents.refreshToken;
    if (typeof refreshToken !== 'string' || refreshToken === '') return Promise.resolve(ENDED);
    // Bound to the exact cookie: only the requests that present it share its refresh.
    const key = sha256Base64url(sealed);
    if (this.ended.get(key)) return Promise.resolve(ENDED);
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.refreshOnce(key, contents).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    return pending;
  }

  /**
   * Whether the session was ended (signed out) here or on any instance sharing the store. Rejects
   * with `ReauthUnavailableException` when the store cannot answer: nothing passes unchecked.
   */
  isRevoked(key: string | undefined): Promise<boolean> {
    return this.revocations.isRevoked(key);
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
    const sealed = this.read(request);
    const contents = sealed === undefined ? undefined : await this.unseal(sealed);
    const fromCookie = contents && decodedClaims(contents.accessToken);
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
    });
    if (!revoked) this.logger.warn('Revoking the session at the provider failed at sign-out');
    this.events.emit({
      type: 'session.revoked',
      cause: 'sign_out',
      userId: typeof token.sub === 'string' ? token.sub : undefined,
      sessionId: typeof token.sid === 'string' ? token.sid : contents?.sessionId,
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
    return this.clearing;
  }

  private async refreshOnce(key: string, contents: SessionContents): Promise<RefreshOutcome> {
    // The seal vouches for the token inside, expired or not: it names the session.
    const claims = decodedClaims(contents.accessToken);
    const sessionKey = claims && revocationKeyOf(claims, contents.sessionId);
    if (sessionKey === undefined || (await this.isRevoked(sessionKey))) return ENDED;
    const storeKey = STORE_KEYS.refresh + key;
    const shared = await this.sharedOrTurn(key, storeKey);
    if (shared) return shared;
    const who = {
      userId: typeof claims!.sub === 'string' ? claims!.sub : undefined,
      sessionId: typeof claims!.sid === 'string' ? claims!.sid : contents.sessionId,
    };
    const startedAt = this.events.metrics.enabled ? performance.now() : 0;
    try {
      const issued = await this.provider.refresh(contents);
      this.events.metrics.refresh(startedAt, 'refreshed');
      this.events.emit({ type: 'session.refreshed', ...who });
      const { sealed, ...session } = issued;
      // Every request waiting on this refresh gets the same object.
      const outcome: RefreshOutcome = deepFreeze({
        status: 'refreshed',
        sealedSession: sealed,
        session,
      });
      await this.storeResult(storeKey, sealed);
      // Shared (or not): an instance that waited finds the result, or its turn, either way.
      this.store.take(STORE_KEYS.refreshLock + key).catch(() => undefined);
      return outcome;
    } catch (error) {
      // Another instance waiting on this refresh may try itself at once.
      this.store.take(STORE_KEYS.refreshLock + key).catch(() => undefined);
      if (error instanceof ProviderRejectedError) {
        this.events.metrics.refresh(startedAt, 'ended');
        // Another instance may have used the token a moment ago and shared its result.
        const shared = await this.sharedResult(storeKey);
        if (shared) return shared;
        this.ended.set(key, true, this.clock.now() + this.options.cookie.maxAgeSeconds * 1000);
        this.events.emit({ type: 'session.revoked', cause: 'refresh_refused', ...who });
        return ENDED;
      }
      this.events.metrics.refresh(startedAt, 'unavailable');
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException(this.provider.dependency, { cause: error });
    }
  }

  /**
   * The refresh another instance made (or is making) of this cookie, or `undefined` when it is
   * this request's turn to refresh. A refresh token is single-use: two instances exchanging it at
   * once would have the second refused, which ends the session the first just renewed. So one
   * instance at a time holds a cookie's refresh (a lock in the store, for at most
   * {@link REFRESH_LOCK_SECONDS}), and the others wait for its shared result. A store that fails
   * lets this request go ahead, as before there was sharing.
   */
  private async sharedOrTurn(key: string, storeKey: string): Promise<RefreshOutcome | undefined> {
    const lockKey = STORE_KEYS.refreshLock + key;
    const deadline = performance.now() + REFRESH_LOCK_SECONDS * 1000;
    for (;;) {
      const shared = await this.sharedResult(storeKey);
      if (shared) return shared;
      let ours: boolean;
      try {
        ours = await this.store.setIfAbsent(lockKey, '1', REFRESH_LOCK_SECONDS);
      } catch (error) {
        this.sharingFailed(error);
        return undefined;
      }
      if (ours || performance.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
    }
  }

  /** Sharing is an optimisation: a store that fails at it is logged and done without. */
  private async sharedResult(storeKey: string): Promise<RefreshOutcome | undefined> {
    let value: string | undefined;
    try {
      value = await this.store.get(storeKey);
    } catch (error) {
      this.sharingFailed(error);
      return undefined;
    }
    if (value === undefined) return undefined;
    const session = await this.unseal(value);
    if (!session) return undefined;
    return { status: 'refreshed', sealedSession: value, session };
  }

  /** Shares the new session (sealed: the store never sees a token in the clear). */
  private async storeResult(storeKey: string, sealedSession: string): Promise<void> {
    try {
      await this.store.set(storeKey, sealedSession, REFRESH_SHARE_SECONDS);
    } catch (error) {
      this.sharingFailed(error);
    }
  }

  private sharingFailed(error: unknown): void {
    this.events.emit({ type: 'store.unavailable', effect: 'degraded' });
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
function decodedClaims(
  accessToken: string,
): (SessionTokenTimes & { sub?: unknown; sid?: unknown; jti?: unknown }) | undefined {
  try {
    return decodeJwtPayload(accessToken);
  } catch {
    return undefined;
  }
}

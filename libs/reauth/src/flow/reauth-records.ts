import { Injectable } from '@nestjs/common';
import { sha256Base64url } from '../crypto/digest';
import { pathOf } from '../core';
import { STORE_KEYS } from '../core/constants';
import { GrantSettings, SignInLimitSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthStore } from '../stores/reauth.store';

/** How long a captured action waits to be restored. */
const ACTION_TTL_SECONDS = 600;

/** What a completed sign-in counted against its limits. */
export interface SignInCounts {
  byUser: number;
  /** 0 when the client address is unknown. */
  byAddress: number;
}

/**
 * What the flow keeps in the store after a sign-in completes: the marker that makes a `state`
 * single-use, the one-time grant of `@RequireRecentAuth(0)`, the action to restore, and the
 * counters of `signInLimits`. A store that fails becomes `ReauthUnavailableException('store')`
 * (a 503) here, in one place.
 */
@Injectable()
export class ReauthRecords {
  constructor(
    private readonly grants: GrantSettings,
    private readonly limits: SignInLimitSettings,
    private readonly store: ReauthStore,
  ) {}

  /**
   * Marks a state used by the sign-in that made the session `sessionKey` (see
   * {@link sessionKeyOf}); `false` when it already was (a replayed callback).
   */
  markStateUsed(nonce: string, sessionKey: string, ttlSeconds: number): Promise<boolean> {
    return this.run(() =>
      this.store.setIfAbsent(STORE_KEYS.usedState + nonce, sessionKey, Math.max(1, ttlSeconds)),
    );
  }

  /** The session key a used state's sign-in made, or `undefined` while the state is unused. */
  usedState(nonce: string): Promise<string | undefined> {
    return this.run(() => this.store.get(STORE_KEYS.usedState + nonce));
  }

  /**
   * Leaves the one-time grant a completed `max_age` 0 re-authentication earns on `route`, for the
   * session `sessionKey` (see {@link sessionKeyOf}) and the sign-in at `authTime`.
   */
  saveGrant(sessionKey: string, authTime: number, route: string): Promise<void> {
    return this.run(() =>
      this.store.set(
        grantKey(sessionKey, route),
        String(authTime),
        this.grants.zeroMaxAgeGrantSeconds,
      ),
    );
  }

  /**
   * Uses up the one-time grant for this session and route. True only for the token that
   * re-authentication issued (same `auth_time`).
   */
  async takeGrant(sessionKey: string, authTime: number, route: string): Promise<boolean> {
    const granted = await this.takeGrantValue(sessionKey, route);
    return granted !== undefined && granted === String(authTime);
  }

  /**
   * Leaves the one-time grant an in-page confirmation earns on a `max_age` 0 route: `value`
   * names the proof (see `FreshnessProofs`), never an `auth_time`.
   */
  async grantInPage(sessionKey: string, route: string, value: string): Promise<void> {
    await this.run(() =>
      this.store.set(grantKey(sessionKey, route), value, this.grants.zeroMaxAgeGrantSeconds),
    );
  }

  /** Uses up the one-time grant for this session and route, whatever earned it. */
  async takeGrantValue(sessionKey: string, route: string): Promise<string | undefined> {
    return this.run(() => this.store.take(grantKey(sessionKey, route)));
  }

  /** Keeps the captured action for the session, to hand back on the page at `path`. */
  saveAction(sessionKey: string, path: string, action: unknown): Promise<void> {
    return this.run(() =>
      this.store.set(
        STORE_KEYS.action + sessionKey,
        JSON.stringify({ path: pathOf(path), action }),
        ACTION_TTL_SECONDS,
      ),
    );
  }

  /** The action saved when re-authentication started, once, on the page it returned to. */
  async takeAction(sessionKey: string, path: string): Promise<unknown> {
    const key = STORE_KEYS.action + sessionKey;
    const saved = await this.run(() => this.store.get(key));
    if (saved === undefined) return undefined;
    const { path: expected, action } = JSON.parse(saved) as { path: string; action: unknown };
    if (expected !== pathOf(path)) return undefined;
    const taken = await this.run(() => this.store.take(key));
    return taken === undefined ? undefined : action;
  }

  /** Counts a completed sign-in against its user and, when known, its client address. */
  /** The counts {@link countSignIn} reached in the current window, without adding to them. */
  async signInCounts(sub: string, address: string | undefined): Promise<SignInCounts> {
    const [byUser, byAddress] = await this.run(() =>
      Promise.all([
        this.store.get(`${STORE_KEYS.limit}user:${sha256(sub)}`),
        address === undefined
          ? Promise.resolve(undefined)
          : this.store.get(`${STORE_KEYS.limit}addr:${sha256(address)}`),
      ]),
    );
    return { byUser: countOf(byUser), byAddress: countOf(byAddress) };
  }

  async countSignIn(sub: string, address: string | undefined): Promise<SignInCounts> {
    const window = this.limits.signInLimits.windowSeconds;
    const [byUser, byAddress] = await this.run(() =>
      Promise.all([
        this.store.increment(`${STORE_KEYS.limit}user:${sha256(sub)}`, window),
        address === undefined
          ? Promise.resolve(0)
          : this.store.increment(`${STORE_KEYS.limit}addr:${sha256(address)}`, window),
      ]),
    );
    return { byUser, byAddress };
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }
}

/** A counter as the store returns it; what is not a count counts as 0. */
function countOf(value: string | undefined): number {
  const count = value === undefined ? 0 : Number(value);
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}

function grantKey(sessionKey: string, route: string): string {
  return `${STORE_KEYS.grant}${sessionKey}:${route}`;
}

/**
 * What grants and restored actions are kept by: the session (the token's `sid`, or the id the
 * library gave a cookie session), else the user, for a Bearer token that names no session.
 */
export function sessionKeyOf(sessionId: string | undefined, sub: string): string {
  return sessionId ?? `sub:${sub}`;
}

function sha256(value: string): string {
  return sha256Base64url(value);
}

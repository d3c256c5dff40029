import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { pathOf } from '../core';
import type { AuthKitClaims } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS, STORE_KEYS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { ReauthUnavailableException } from '../reauth-unavailable.exception';

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
  constructor(@Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions) {}

  /** Marks a state used; `false` when it already was (a replayed callback). */
  markStateUsed(nonce: string, ttlSeconds: number): Promise<boolean> {
    return this.run(() =>
      this.options.store.setIfAbsent(STORE_KEYS.usedState + nonce, '1', Math.max(1, ttlSeconds)),
    );
  }

  /** Leaves the one-time grant a completed `max_age` 0 re-authentication earns on `route`. */
  saveGrant(claims: AuthKitClaims, route: string): Promise<void> {
    return this.run(() =>
      this.options.store.set(
        grantKey(claims.sid, route),
        String(claims.auth_time),
        this.options.zeroMaxAgeGrantSeconds,
      ),
    );
  }

  /**
   * Uses up the one-time grant for this session and route. True only for the token that
   * re-authentication issued (same `auth_time`).
   */
  async takeGrant(claims: AuthKitClaims, route: string): Promise<boolean> {
    const granted = await this.run(() => this.options.store.take(grantKey(claims.sid, route)));
    return granted !== undefined && granted === String(claims.auth_time);
  }

  /** Keeps the captured action for the session, to hand back on the page at `path`. */
  saveAction(claims: AuthKitClaims, path: string, action: unknown): Promise<void> {
    return this.run(() =>
      this.options.store.set(
        STORE_KEYS.action + claims.sid,
        JSON.stringify({ path: pathOf(path), action }),
        ACTION_TTL_SECONDS,
      ),
    );
  }

  /** The action saved when re-authentication started, once, on the page it returned to. */
  async takeAction(claims: AuthKitClaims, path: string): Promise<unknown> {
    const key = STORE_KEYS.action + claims.sid;
    const saved = await this.run(() => this.options.store.get(key));
    if (saved === undefined) return undefined;
    const { path: expected, action } = JSON.parse(saved) as { path: string; action: unknown };
    if (expected !== pathOf(path)) return undefined;
    const taken = await this.run(() => this.options.store.take(key));
    return taken === undefined ? undefined : action;
  }

  /** Counts a completed sign-in against its user and, when known, its client address. */
  async countSignIn(sub: string, address: string | undefined): Promise<SignInCounts> {
    const window = this.options.signInLimits.windowSeconds;
    const [byUser, byAddress] = await this.run(() =>
      Promise.all([
        this.options.store.increment(`${STORE_KEYS.limit}user:${sha256(sub)}`, window),
        address === undefined
          ? Promise.resolve(0)
          : this.options.store.increment(`${STORE_KEYS.limit}addr:${sha256(address)}`, window),
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

function grantKey(sid: string, route: string): string {
  return `${STORE_KEYS.grant}${sid}:${route}`;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

import { Injectable, Logger } from '@nestjs/common';
import { sha256Base64url } from '../crypto/digest';
import { STORE_KEYS } from '../core/constants';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { FactorLedger } from '../factors/factor-ledger';
import { ProviderSignalSettings } from '../options/reauth-settings';
import { ReauthStore } from '../stores/reauth.store';
import { SessionRevocations } from './session-revocations';

/** Where a provider's word that sessions ended came from. */
export type ProviderSignalKind = 'oidc_backchannel_logout' | 'workos_event';

/** Sessions a provider ended. */
export interface ProviderEndedSessions {
  signal: ProviderSignalKind;
  /** The provider's session ids (`sid`) that ended. */
  sessionIds?: readonly string[];
  /** A user whose every session signed in (a token's `iat`) at or before `before` (seconds) ended. */
  user?: { id: string; before: number };
}

const CAUSE = {
  oidc_backchannel_logout: 'backchannel_logout',
  workos_event: 'provider_event',
} as const;

/**
 * Acts on the provider's word that sessions ended (an OIDC Back-Channel Logout token, a WorkOS
 * `session.revoked` event): records the end in the store and on every instance's local view, as a
 * sign-out here would, forgets the sessions' step-up proofs, and reports it (`session.revoked`
 * with the signal's cause, and the `reauth.signals` metric). The routes that receive the signals
 * verify them first; this only acts.
 */
@Injectable()
export class ProviderSignals {
  private readonly logger = new Logger('ReauthModule');

  constructor(
    private readonly revocations: SessionRevocations,
    private readonly ledger: FactorLedger,
    private readonly store: ReauthStore,
    private readonly events: ReauthEvents,
    private readonly settings: ProviderSignalSettings,
  ) {}

  /**
   * Records that `ended` sessions are over, everywhere. Rejects with
   * `ReauthUnavailableException` (`store`) when the store refused: the provider should be
   * answered with a 5xx, so that it tries again.
   */
  async end(ended: ProviderEndedSessions): Promise<void> {
    // No token is at hand to tell how long the session's tokens live: as long as a cookie can.
    const ttl = this.settings.cookie.maxAgeSeconds;
    const cause = CAUSE[ended.signal];
    for (const sessionId of ended.sessionIds ?? []) {
      await this.revocations.record(sessionId, ttl);
      await this.ledger.forget(sessionId);
      this.events.emit({ type: 'session.revoked', cause, sessionId });
    }
    if (ended.user !== undefined) {
      await this.revocations.recordUser(ended.user.id, ended.user.before, ttl);
      this.events.emit({ type: 'session.revoked', cause, userId: ended.user.id });
    }
    this.events.metrics.signal(ended.signal, 'accepted');
  }

  /** Counts a refused signal and says why in one line (never the token or the body). */
  refused(signal: ProviderSignalKind, reason: string): void {
    this.events.metrics.signal(signal, 'refused', reason);
    this.logger.warn(`Refused a ${SIGNAL_NAMES[signal]}: ${reason}`);
  }

  /**
   * Acts on a signal whose id (a logout token's `jti`, an event's id) may only be used once:
   * `false`, and nothing done, when it was already used within `ttlSeconds`. When the end cannot
   * be recorded, the id is released again, so that the provider's retry of the same signal is
   * not refused as a replay; then it rejects like {@link end}.
   */
  async endOnce(id: string, ttlSeconds: number, ended: ProviderEndedSessions): Promise<boolean> {
    if (!(await this.firstUse(ended.signal, id, ttlSeconds))) return false;
    try {
      await this.end(ended);
    } catch (error) {
      await this.store.take(this.seenKey(ended.signal, id)).catch(() => undefined);
      throw error;
    }
    return true;
  }

  /**
   * Whether this is the first use of the signal's id (a logout token's `jti`, an event's id)
   * within `ttlSeconds`. Rejects with `ReauthUnavailableException` when the store fails.
   */
  async firstUse(signal: ProviderSignalKind, id: string, ttlSeconds: number): Promise<boolean> {
    try {
      return await this.store.setIfAbsent(this.seenKey(signal, id), '1', Math.max(1, ttlSeconds));
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /**
   * Counts one signal from `address` and says whether it is within the limit
   * (`providerSignals.perAddressPerMinute`). Rejects like {@link firstUse}.
   */
  async withinLimit(signal: ProviderSignalKind, address: string): Promise<boolean> {
    try {
      const count = await this.store.increment(
        `${STORE_KEYS.signalCount}${signal}:${sha256Base64url(address)}`,
        60,
      );
      return count <= this.settings.providerSignals.perAddressPerMinute;
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  private seenKey(signal: ProviderSignalKind, id: string): string {
    return `${STORE_KEYS.signalSeen}${signal}:${sha256Base64url(id)}`;
  }
}

const SIGNAL_NAMES: Record<ProviderSignalKind, string> = {
  oidc_backchannel_logout: 'back-channel logout token',
  workos_event: 'WorkOS event',
};

import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomToken } from '../crypto/random';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthClock } from '../core/clock';
import { STORE_KEYS } from '../core/constants';
import { describeError } from '../core/describe-error';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { RevocationSettings } from '../options/reauth-settings';
import type { ReauthStoreChannel } from '../stores/reauth-store-channel';
import { ReauthStore } from '../stores/reauth.store';
import { RevocationView, type KnownRevocation } from './revocation-view';

/**
 * What the store says of a session's token:
 * - `live`: not signed out, and issued while the store has kept every sign-out;
 * - `revoked`: signed out;
 * - `unvouched`: not known to be signed out, but issued before the store last lost its data, so
 *   a sign-out may have been lost with it: only the provider can tell (a refresh, which a session
 *   revoked there cannot pass).
 */
export type RevocationStatus = 'live' | 'revoked' | 'unvouched';

/** What a revocation check reads of a token: when it was issued, and whose it is. */
export interface RevocationSubject {
  iat?: unknown;
  sub?: unknown;
}

const WATERMARK_VALUE = /^\d{1,12}$/;

// Past any cookie's lifetime (400 days); a generation that expires reads as a loss, which costs
// every session one refresh and nothing else.
const GENERATION_TTL_SECONDS = 400 * 24 * 3600;
const GENERATION_VALUE = /^([A-Za-z0-9_-]{16})\.(\d{1,12})$/;

interface Generation {
  value: string;
  /** When the store began keeping sign-outs, as far as anyone can tell (seconds). */
  since: number;
}

/**
 * The list of ended sessions, and the guarantee that losing it fails closed. A missing record
 * reads as "not signed out", so a store that loses its data (a restart without persistence, a
 * flush, a failover to an empty replica, an eviction) would bring signed-out sessions back. So
 * the store also holds a generation: a random id and the time it was created, written when none
 * is there. Every check reads the session's record and then the generation, in that order (a
 * loss between the two reads shows in the second); a generation that is missing or not the one
 * this instance knew means the store lost what it wrote, and every token issued before the
 * current generation began is `unvouched` from then on. A restarted in-memory store is a loss
 * too. The revocation keys and the generation share a Redis Cluster hash tag (one shard). A
 * failover to a replica that missed only the latest writes keeps the generation, so with a
 * channel every end also adds one to a count, in the same step: each instance remembers the
 * highest count it wrote or read, and a lower one read later is a loss like the others.
 *
 * Besides sessions, a user can be ended as a whole (a provider's "every session of this user"):
 * a watermark, and every token of the user issued at or before it is `revoked`.
 *
 * When the store has a channel (Redis), every end is published with its record in one step, and
 * each instance keeps a {@link RevocationView}: a session or user it has asked about is answered
 * from memory while the channel is proven, so that the steady state costs no round trip; the
 * generation is then read on each heartbeat instead of on each request.
 */
@Injectable()
export class SessionRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReauthModule');
  private readonly channel?: ReauthStoreChannel;
  private view?: RevocationView;
  private known?: Generation;
  /** The highest count of ends this instance wrote or read (see `STORE_KEYS.revocationCount`). */
  private written = 0;

  constructor(
    private readonly store: ReauthStore,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
    private readonly settings: RevocationSettings,
  ) {
    // Ends are published whenever the store can, even where this instance keeps no view: other
    // instances may.
    this.channel = store.channel();
  }

  /**
   * Learns the store's generation at start-up, so that a loss later is told from a store that
   * was empty from the start, and opens the local view where the store has a channel. A store
   * that does not answer yet is asked again on first use.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.since();
    } catch (error) {
      this.logger.warn(
        `The store did not answer at start-up (${describeError(error)}); asking again on the first request`,
      );
    }
    const options = this.settings.revocationView;
    if (this.channel === undefined || options === false) return;
    const view = new RevocationView(
      this.channel,
      options,
      () => this.clock.now(),
      () => this.since().then(() => undefined),
      (usable) => this.events.metrics.revocationView(usable),
    );
    this.view = view;
    try {
      await view.open();
    } catch (error) {
      this.logger.warn(
        `The store's channel of ended sessions could not be opened (${describeError(error)}): asking the store on every request`,
      );
      this.view = undefined;
    }
  }

  /** Nest's hook: closes the local view's subscription. */
  async onApplicationShutdown(): Promise<void> {
    await this.view?.close();
  }

  /**
   * Whether the session `key` was signed out (or its user ended), and whether `token` (its `iat`)
   * can be vouched for. Rejects with `ReauthUnavailableException` when the store cannot answer:
   * nothing passes unchecked.
   */
  async status(key: string | undefined, token: RevocationSubject): Promise<RevocationStatus> {
    const sub = subjectOf(token);
    const known = this.known !== undefined ? this.view?.know(key, sub) : undefined;
    if (known !== undefined && this.known !== undefined) {
      return decide(known, token.iat, this.known.since);
    }
    try {
      const read = await this.read(key, sub);
      if (read.sessionRevoked || endedByUser(read, token.iat)) return 'revoked';
      const since = await this.since();
      return typeof token.iat === 'number' && token.iat >= since ? 'live' : 'unvouched';
    } catch (error) {
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /**
   * Whether the session `key` was signed out, or `token`'s user ended at or after its `iat`;
   * rejects like {@link status}.
   */
  async isRevoked(key: string | undefined, token: RevocationSubject = {}): Promise<boolean> {
    const sub = subjectOf(token);
    if (key === undefined && sub === undefined) return false;
    const known = this.view?.know(key, sub);
    if (known !== undefined) return known.sessionRevoked || endedByUser(known, token.iat);
    try {
      const read = await this.read(key, sub);
      return read.sessionRevoked || endedByUser(read, token.iat);
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /**
   * Records the session `key` as signed out for `ttlSeconds`, on every instance. Rejects with
   * `ReauthUnavailableException` when the store refuses: a sign-out that was not recorded must
   * not be reported as done.
   */
  async record(key: string, ttlSeconds: number): Promise<void> {
    const message = RevocationView.sessionMessage(key, ttlSeconds);
    await this.write(STORE_KEYS.revokedSession + key, '1', ttlSeconds, message);
  }

  /**
   * Records that every token of the user `sub` issued at or before `before` (seconds) is ended,
   * for `ttlSeconds`, on every instance; a later watermark already recorded stays. Rejects like
   * {@link record}.
   */
  async recordUser(sub: string, before: number, ttlSeconds: number): Promise<void> {
    const key = STORE_KEYS.revokedUser + sub;
    let current: number | undefined;
    try {
      const stored = await this.store.get(key);
      // Only a real watermark is kept: a value that is not one is replaced.
      current = stored !== undefined && WATERMARK_VALUE.test(stored) ? Number(stored) : undefined;
    } catch (error) {
      this.events.emit({ type: 'store.unavailable', effect: 'refused' });
      throw new ReauthUnavailableException('store', { cause: error });
    }
    const watermark = Math.max(before, current ?? 0);
    const message = RevocationView.userMessage(sub, watermark, ttlSeconds);
    await this.write(key, String(watermark), ttlSeconds, message);
  }

  private async write(
    key: string,
    value: string,
    ttlSeconds: number,
    message: string,
  ): Promise<void> {
    try {
      if (this.channel) {
        const count = await this.channel.setAndPublish(key, value, ttlSeconds, message, {
          key: STORE_KEYS.revocationCount,
          ttlSeconds: GENERATION_TTL_SECONDS,
        });
        if (count !== undefined) this.written = Math.max(this.written, count);
      } else {
        await this.store.set(key, value, ttlSeconds);
      }
    } catch (error) {
      this.events.emit({ type: 'store.unavailable', effect: 'refused' });
      throw new ReauthUnavailableException('store', { cause: error });
    }
    this.view?.apply(message);
  }

  /** The session's record and the user's watermark, remembered by the view when it can. */
  private async read(key: string | undefined, sub: string | undefined): Promise<KnownRevocation> {
    const ticket = this.view?.ticket();
    const [session, user, counted] = await Promise.all([
      key === undefined ? undefined : this.store.get(STORE_KEYS.revokedSession + key),
      sub === undefined ? undefined : this.store.get(STORE_KEYS.revokedUser + sub),
      // The count of ends, read along: a later read lower than it shows ends lost (see since()).
      this.channel ? this.store.get(STORE_KEYS.revocationCount) : undefined,
    ]);
    if (counted !== undefined) this.written = Math.max(this.written, parseCount(counted));
    const read: KnownRevocation = {
      sessionRevoked: session !== undefined,
      userEndedBefore: parseWatermark(user),
    };
    if (ticket !== undefined) {
      this.view?.learn(ticket, key, read.sessionRevoked, sub, read.userEndedBefore);
    }
    return read;
  }

  /** When the store's current generation began; writes one when it has none. */
  private async since(): Promise<number> {
    // Taken before reading: a write of this instance that completes meanwhile is not expected.
    const seen = this.written;
    // With a channel, ends are counted: read along, so that a count lower than one this instance
    // wrote or read shows ends the store lost while keeping its generation.
    const [value, counted] = await Promise.all([
      this.store.get(STORE_KEYS.generation),
      this.channel ? this.store.get(STORE_KEYS.revocationCount) : undefined,
    ]);
    const count = parseCount(counted);
    if (value !== undefined && value === this.known?.value) {
      if (count < seen) return this.lostWrites(count);
      this.written = Math.max(this.written, count);
      return this.known.since;
    }
    const found = value === undefined ? undefined : parseGeneration(value);
    // First sight of a generation, but a count lower than one already read: ends were lost.
    if (this.known === undefined && found !== undefined && count < seen) {
      return this.lostWrites(count);
    }
    this.written = count;
    // A loss seen here (a generation this instance knew is gone) begins the next generation a
    // second later: a token's iat counts whole seconds, and one issued in this very second may
    // be older than the loss. A store first found empty at start-up begins now.
    const current =
      found ?? (await this.begin(value !== undefined, this.known !== undefined ? 1 : 0));
    if (this.known !== undefined) {
      // What the view knew of live sessions was vouched for by the generation that is gone.
      this.view?.forgetLive();
      this.logger.error(
        'The store lost the sessions it had recorded as signed out (restarted without persistence, flushed, failed over or evicted): until their tokens expire, sessions signed in before now are checked with the provider (a refresh), and Bearer tokens issued before now are refused',
      );
    }
    this.known = current;
    return current.since;
  }

  /**
   * The store kept the generation but not the latest ends this instance wrote (a failover to a
   * replica that had not received them: replication is asynchronous): as for a loss, a new
   * generation begins, and every token issued before it is `unvouched`.
   */
  private async lostWrites(count: number): Promise<number> {
    this.written = count;
    const current = await this.begin(true, 1);
    this.view?.forgetLive();
    this.logger.error(
      'The store lost sessions recorded as signed out while keeping the rest (a failover to a replica that had not received them): until their tokens expire, sessions signed in before now are checked with the provider (a refresh), and Bearer tokens issued before now are refused',
    );
    this.known = current;
    return current.since;
  }

  /**
   * Writes a new generation, or reads the one another instance wrote first. A value that is not
   * a generation (`replace`) is written over: nothing it stood for can be trusted.
   */
  private async begin(replace: boolean, delaySeconds: number): Promise<Generation> {
    const mine = `${randomToken(12)}.${this.clock.nowSeconds() + delaySeconds}`;
    if (replace) {
      await this.store.set(STORE_KEYS.generation, mine, GENERATION_TTL_SECONDS);
      return parseGeneration(mine)!;
    }
    const created = await this.store.setIfAbsent(
      STORE_KEYS.generation,
      mine,
      GENERATION_TTL_SECONDS,
    );
    const value = created ? mine : await this.store.get(STORE_KEYS.generation);
    const generation = value === undefined ? undefined : parseGeneration(value);
    // Gone again at once, or overwritten with something else: the store keeps nothing.
    if (generation === undefined) throw new Error('The store did not keep its generation');
    return generation;
  }
}

function parseGeneration(value: string): Generation | undefined {
  const match = GENERATION_VALUE.exec(value);
  return match ? { value, since: Number(match[2]) } : undefined;
}

/** A watermark; anything else the library did not write there ends every token (fail closed). */
function parseWatermark(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return WATERMARK_VALUE.test(value) ? Number(value) : Number.MAX_SAFE_INTEGER;
}

function subjectOf(token: RevocationSubject): string | undefined {
  return typeof token.sub === 'string' && token.sub !== '' ? token.sub : undefined;
}

/** Whether the user's watermark covers the token: a token without a number `iat` cannot tell. */
function endedByUser(known: KnownRevocation, issuedAt: unknown): boolean {
  if (known.userEndedBefore === undefined) return false;
  return typeof issuedAt !== 'number' || issuedAt <= known.userEndedBefore;
}

function decide(known: KnownRevocation, issuedAt: unknown, since: number): RevocationStatus {
  if (known.sessionRevoked || endedByUser(known, issuedAt)) return 'revoked';
  return typeof issuedAt === 'number' && issuedAt >= since ? 'live' : 'unvouched';
}

/** A count of ends as the store holds it; anything else reads as none. */
function parseCount(value: string | undefined): number {
  const count = Number(value ?? 0);
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}

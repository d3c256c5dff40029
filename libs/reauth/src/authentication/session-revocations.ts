import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { randomToken } from '../crypto/random';
import { ReauthEvents } from '../events/reauth-events';
import { ReauthClock } from '../core/clock';
import { STORE_KEYS } from '../core/constants';
import { describeError } from '../core/describe-error';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { ReauthStore } from '../stores/reauth.store';

/**
 * What the store says of a session's token:
 * - `live`: not signed out, and issued while the store has kept every sign-out;
 * - `revoked`: signed out;
 * - `unvouched`: not known to be signed out, but issued before the store last lost its data, so
 *   a sign-out may have been lost with it: only the provider can tell (a refresh, which a session
 *   revoked there cannot pass).
 */
export type RevocationStatus = 'live' | 'revoked' | 'unvouched';

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
 * too. The revocation keys and the generation share a Redis Cluster hash tag, so a failover
 * loses both or neither.
 */
@Injectable()
export class SessionRevocations implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReauthModule');
  private known?: Generation;

  constructor(
    private readonly store: ReauthStore,
    private readonly clock: ReauthClock,
    private readonly events: ReauthEvents,
  ) {}

  /**
   * Learns the store's generation at start-up, so that a loss later is told from a store that
   * was empty from the start. A store that does not answer yet is asked again on first use.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.since();
    } catch (error) {
      this.logger.warn(
        `The store did not answer at start-up (${describeError(error)}); asking again on the first request`,
      );
    }
  }

  /**
   * Whether the session `key` was signed out, and whether a token of it issued at `issuedAt`
   * (the token's `iat`) can be vouched for. Rejects with `ReauthUnavailableException` when the
   * store cannot answer: nothing passes unchecked.
   */
  async status(key: string | undefined, issuedAt: unknown): Promise<RevocationStatus> {
    try {
      if (key !== undefined && (await this.store.get(STORE_KEYS.revokedSession + key))) {
        return 'revoked';
      }
      const since = await this.since();
      return typeof issuedAt === 'number' && issuedAt >= since ? 'live' : 'unvouched';
    } catch (error) {
      if (error instanceof ReauthUnavailableException) throw error;
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /** Whether the session `key` was signed out; rejects like {@link status}. */
  async isRevoked(key: string | undefined): Promise<boolean> {
    if (key === undefined) return false;
    try {
      return (await this.store.get(STORE_KEYS.revokedSession + key)) !== undefined;
    } catch (error) {
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /**
   * Records the session `key` as signed out for `ttlSeconds`. Rejects with
   * `ReauthUnavailableException` when the store refuses: a sign-out that was not recorded must
   * not be reported as done.
   */
  async record(key: string, ttlSeconds: number): Promise<void> {
    try {
      await this.store.set(STORE_KEYS.revokedSession + key, '1', ttlSeconds);
    } catch (error) {
      this.events.emit({ type: 'store.unavailable', effect: 'refused' });
      throw new ReauthUnavailableException('store', { cause: error });
    }
  }

  /** When the store's current generation began; writes one when it has none. */
  private async since(): Promise<number> {
    const value = await this.store.get(STORE_KEYS.generation);
    if (value !== undefined && value === this.known?.value) return this.known.since;
    const found = value === undefined ? undefined : parseGeneration(value);
    // A loss seen here (a generation this instance knew is gone) begins the next generation a
    // second later: a token's iat counts whole seconds, and one issued in this very second may
    // be older than the loss. A store first found empty at start-up begins now.
    const current =
      found ?? (await this.begin(value !== undefined, this.known !== undefined ? 1 : 0));
    if (this.known !== undefined) {
      this.logger.error(
        'The store lost the sessions it had recorded as signed out (restarted without persistence, flushed, failed over or evicted): until their tokens expire, sessions signed in before now are checked with the provider (a refresh), and Bearer tokens issued before now are refused',
      );
    }
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

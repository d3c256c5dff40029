import { Logger } from '@nestjs/common';
import { BoundedCache } from '../core/bounded-cache';
import { describeError } from '../core/describe-error';
import { randomToken } from '../crypto/random';
import type { ReauthStoreChannel, ReauthStoreSubscription } from '../stores/reauth-store-channel';

/** How the local view of ended sessions is kept. */
export interface RevocationViewSettings {
  /** Sessions and users remembered, each. */
  maxEntries: number;
  /** How often the channel is proven end to end (a message to itself) and the generation read. */
  heartbeatMs: number;
}

/** What the view knows of one request's session and user, when it knows both. */
export interface KnownRevocation {
  sessionRevoked: boolean;
  /** The user's watermark: tokens of the user issued at or before it (seconds) are ended. */
  userEndedBefore: number | undefined;
}

/** Taken before reading the store, handed back with what was read: see {@link RevocationView.learn}. */
export interface ViewTicket {
  readonly epoch: number;
  readonly changes: number;
}

// A session found not ended is asked again after this long, whatever the channel says: a bound
// on the damage of any message lost without the channel noticing.
const LIVE_FOR_MS = 60_000;
// How long an ended session or a user's watermark is remembered when its message gives no lifetime.
const ENDED_FOR_MS = 24 * 3600_000;
const NONE = 0;

/**
 * The local view of ended sessions: what the store said of each session and user this instance
 * asked about, kept in memory and corrected by the store's channel, so that a request of a known
 * session needs no round trip to the store.
 *
 * It is trusted only while the channel is proven: a heartbeat publishes a message to itself every
 * `heartbeatMs`, and the view is usable from the moment its echo arrives until a heartbeat goes
 * unanswered for a whole interval or the channel reports it is down. Each time it stops being
 * usable, what it knew of live sessions is dropped (messages of the gap may be lost), and until
 * the next echo {@link know} answers only for sessions it knows ended (memory may refuse, never
 * let through): for any other, the caller asks the store. What it knew of ended sessions is kept:
 * an ended session never comes back, even if the store loses it in a failover.
 *
 * Reads race with messages: an instance may read "not ended" from the store just before another
 * instance's end of that session arrives here. So a read is remembered only if no message and no
 * gap came between the {@link ticket} taken before it and its {@link learn}.
 */
export class RevocationView {
  private readonly logger = new Logger('ReauthModule');
  private readonly sessions: BoundedCache<boolean>;
  private readonly users: BoundedCache<number>;
  private readonly me = randomToken(9);
  private usable = false;
  private epoch = 0;
  private changes = 0;
  private sent = 0;
  private echoed = 0;
  private timer?: NodeJS.Timeout;
  private subscription?: ReauthStoreSubscription;
  private closed = false;
  private reportedDown = false;

  constructor(
    private readonly channel: ReauthStoreChannel,
    private readonly settings: RevocationViewSettings,
    private readonly nowMs: () => number,
    /** Called on every heartbeat: reads the store's generation (a loss shows there). */
    private readonly onHeartbeat: () => Promise<void>,
    private readonly onUsableChange: (usable: boolean) => void = () => undefined,
  ) {
    this.sessions = new BoundedCache(settings.maxEntries, nowMs);
    this.users = new BoundedCache(settings.maxEntries, nowMs);
  }

  /** Subscribes and starts the heartbeat; the view is usable once the first echo arrives. */
  async open(): Promise<void> {
    this.subscription = await this.channel.subscribe({
      message: (text) => this.receive(text),
      up: () => this.beat(),
      down: (reason) => this.lose(`the channel is down (${reason})`),
    });
    if (this.closed) {
      await this.subscription.close();
      return;
    }
    this.timer = setInterval(() => this.beat(), this.settings.heartbeatMs);
    this.timer.unref();
    this.beat();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.lose(undefined);
    await this.subscription?.close();
  }

  /** Whether requests are answered from memory now. */
  get isUsable(): boolean {
    return this.usable;
  }

  /**
   * What the view knows of the session `key` and the user `sub`, or `undefined` when it is not
   * usable or does not know one of them: then ask the store, with a {@link ticket} taken first.
   */
  know(key: string | undefined, sub: string | undefined): KnownRevocation | undefined {
    if (!this.usable) {
      // Ended is ended, channel or not: memory may refuse, never let through. (A failover to a
      // replica that missed the end would otherwise bring it back.)
      if (key !== undefined && this.sessions.get(key) === true) {
        return { sessionRevoked: true, userEndedBefore: undefined };
      }
      return undefined;
    }
    let sessionRevoked = false;
    if (key !== undefined) {
      const known = this.sessions.get(key);
      if (known === undefined) return undefined;
      // Ended is ended, whatever is known of the user.
      if (known) return { sessionRevoked: true, userEndedBefore: undefined };
      sessionRevoked = known;
    }
    let userEndedBefore: number | undefined;
    if (sub !== undefined) {
      const known = this.users.get(sub);
      if (known === undefined) return undefined;
      userEndedBefore = known === NONE ? undefined : known;
    }
    return { sessionRevoked, userEndedBefore };
  }

  /** Taken before reading the store; see {@link learn}. */
  ticket(): ViewTicket {
    return { epoch: this.epoch, changes: this.changes };
  }

  /**
   * Remembers what the store said of `key` and `sub`, read after `ticket` was taken, unless a
   * message or a gap came in between (the read may be older than what the message said).
   */
  learn(
    ticket: ViewTicket,
    key: string | undefined,
    sessionRevoked: boolean,
    sub: string | undefined,
    userEndedBefore: number | undefined,
  ): void {
    if (!this.usable || ticket.epoch !== this.epoch || ticket.changes !== this.changes) return;
    const now = this.nowMs();
    if (key !== undefined) {
      this.sessions.set(key, sessionRevoked, now + (sessionRevoked ? ENDED_FOR_MS : LIVE_FOR_MS));
    }
    if (sub !== undefined) {
      this.users.set(sub, userEndedBefore ?? NONE, now + LIVE_FOR_MS);
    }
  }

  /** Drops what the view knew of live sessions and users (the store lost its data, say). */
  forgetLive(): void {
    this.changes++;
    this.epoch++;
    this.liveDropped();
  }

  /** The message that tells every instance the session `key` ended, for `ttlSeconds`. */
  static sessionMessage(key: string, ttlSeconds: number): string {
    return `s:${Math.ceil(ttlSeconds)}:${key}`;
  }

  /** The message that tells every instance the user's tokens issued at or before `before` ended. */
  static userMessage(sub: string, before: number, ttlSeconds: number): string {
    return `u:${Math.ceil(ttlSeconds)}:${before}:${sub}`;
  }

  /** Applies an end this instance recorded itself, without waiting for its echo. */
  apply(message: string): void {
    this.receive(message);
  }

  private receive(text: string): void {
    const [kind, first, second] = splitMessage(text);
    if (kind === 'p') {
      if (first === this.me && Number(second) === this.sent) this.echo();
      return;
    }
    const ttlMs = positiveSeconds(first) * 1000 || ENDED_FOR_MS;
    const expires = this.nowMs() + ttlMs;
    if (kind === 's' && second !== undefined && second !== '') {
      this.changes++;
      this.sessions.set(second, true, expires);
      return;
    }
    if (kind === 'u' && second !== undefined) {
      const cut = second.indexOf(':');
      const before = Number(second.slice(0, cut));
      const sub = second.slice(cut + 1);
      if (cut < 1 || !Number.isSafeInteger(before) || sub === '') return;
      this.changes++;
      const known = this.users.get(sub);
      this.users.set(sub, Math.max(before, known ?? NONE), expires);
    }
  }

  private beat(): void {
    if (this.closed) return;
    // The previous heartbeat's echo never came: messages are not arriving.
    if (this.sent !== this.echoed && this.usable) {
      this.lose(`no echo within ${this.settings.heartbeatMs} ms`);
    }
    this.sent++;
    this.channel.publish(`p:${this.me}:${this.sent}`).catch((error: unknown) => {
      this.lose(`publishing failed: ${describeError(error)}`);
    });
    this.onHeartbeat().catch(() => undefined);
  }

  private echo(): void {
    this.echoed = this.sent;
    if (this.usable || this.closed) return;
    this.epoch++;
    this.usable = true;
    if (this.reportedDown) {
      this.reportedDown = false;
      this.logger.log('Ended sessions are answered from memory again');
    }
    this.onUsableChange(true);
  }

  private lose(reason: string | undefined): void {
    this.epoch++;
    // An echo of a heartbeat sent before the loss proves nothing after it: only a later one does.
    this.sent++;
    if (!this.usable) return;
    this.usable = false;
    this.liveDropped();
    if (reason !== undefined && !this.reportedDown) {
      this.reportedDown = true;
      this.logger.warn(
        `The store's channel of ended sessions is not proven (${reason}): asking the store on every request until it is back`,
      );
    }
    this.onUsableChange(false);
  }

  private liveDropped(): void {
    this.sessions.retain((revoked) => revoked);
    this.users.retain((before) => before !== NONE);
  }
}

/** `kind:first:rest`, the rest taken whole (a session id may hold colons). */
function splitMessage(text: string): [string, string | undefined, string | undefined] {
  const a = text.indexOf(':');
  if (a < 0) return [text, undefined, undefined];
  const b = text.indexOf(':', a + 1);
  if (b < 0) return [text.slice(0, a), text.slice(a + 1), undefined];
  return [text.slice(0, a), text.slice(a + 1, b), text.slice(b + 1)];
}

function positiveSeconds(text: string | undefined): number {
  const value = Number(text);
  return Number.isSafeInteger(value) && value > 0 ? value : 0;
}

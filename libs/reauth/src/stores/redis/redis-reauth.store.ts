import { Logger } from '@nestjs/common';
import type * as IORedis from 'ioredis';
import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { requireOptionalPeer } from '../../core/optional-peer';
import { ReauthStore } from '../reauth.store';
import type { ReauthStoreChannel } from '../reauth-store-channel';
import { RedisStoreChannel } from './redis-store-channel';

// Loaded when `nest-workos-reauth/redis` is imported, so a missing ioredis names itself there.
const ioredis = requireOptionalPeer<typeof IORedis>(
  'ioredis',
  'nest-workos-reauth/redis',
  'npm install ioredis',
);

// Counts within a fixed window: the expiry is set by the increment that creates the counter.
const INCREMENT_SCRIPT = `local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** Options of {@link RedisReauthStore}: an existing client, or how to make one. */
export interface RedisReauthStoreOptions {
  /** A client the app owns (a `Redis` or a `Cluster`); the store never closes it. */
  client?: Redis | Cluster;
  /** A `redis://` URL or ioredis options; the store makes the client and closes it in `close()`. */
  connection?: string | RedisOptions;
  /** Prepended to every key. Default `nest-reauth:`. */
  keyPrefix?: string;
  /** A command that takes longer fails (and the request answers 503). Default 1000 ms. */
  commandTimeoutMs?: number;
}

// Read and delete in one step, so two instances can never both take a single-use value. A
// script rather than GETDEL keeps Redis before 6.2 supported; one key, so Cluster-safe.
const TAKE_SCRIPT = `local value = redis.call('GET', KEYS[1])
if value then redis.call('DEL', KEYS[1]) end
return value`;

/**
 * A {@link ReauthStore} on Redis (ioredis), shared by every instance of an app: a re-auth that
 * starts on one instance completes on any other, and a replayed callback fails on all of them.
 * Every operation is a single command on a single key (Redis Cluster safe), atomic, and expires.
 *
 * It fails fast instead of queueing: while Redis is unreachable each operation rejects (the
 * library answers 503, nothing passes), and service resumes by itself once Redis is back.
 *
 * Import it from `nest-workos-reauth/redis`, so apps without Redis never load ioredis.
 *
 * @example
 * ```ts
 * ReauthModule.forRoot({
 *   ...settings,
 *   store: new RedisReauthStore({ connection: process.env.REDIS_URL, keyPrefix: 'myapp:reauth:' }),
 * });
 * ```
 */
export class RedisReauthStore extends ReauthStore {
  private readonly logger = new Logger('ReauthModule');
  private readonly client: Redis | Cluster;
  private readonly owned: boolean;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private reportedDown = false;
  private ready?: Promise<void>;
  private revocations?: RedisStoreChannel;

  constructor(options: RedisReauthStoreOptions) {
    super();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError('RedisReauthStore: options must be an object');
    }
    if ((options.client === undefined) === (options.connection === undefined)) {
      throw new TypeError('RedisReauthStore: give exactly one of client or connection');
    }
    const { keyPrefix = 'nest-reauth:', commandTimeoutMs = 1000 } = options;
    if (typeof keyPrefix !== 'string')
      throw new TypeError('RedisReauthStore: keyPrefix must be a string');
    if (
      !Number.isSafeInteger(commandTimeoutMs) ||
      commandTimeoutMs < 10 ||
      commandTimeoutMs > 60_000
    ) {
      throw new TypeError('RedisReauthStore: commandTimeoutMs must be an integer from 10 to 60000');
    }
    this.prefix = keyPrefix;
    this.timeoutMs = commandTimeoutMs;
    if (options.client !== undefined) {
      this.client = options.client;
      this.owned = false;
    } else {
      // No offline queue: a command while disconnected must fail now, not wait for a reconnect
      // that may never come while a request hangs on it.
      const failFast: RedisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 0 };
      this.client =
        typeof options.connection === 'string'
          ? new ioredis.Redis(options.connection, failFast)
          : new ioredis.Redis({ ...options.connection, ...failFast });
      this.owned = true;
      this.client.on('error', (error: Error) => this.reportDown(error));
      this.client.on('ready', () => this.reportUp());
    }
  }

  /** {@inheritDoc ReauthStore.set} */
  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    const ttl = seconds(ttlSeconds);
    await this.run(() => this.client.set(this.key(key), value, 'EX', ttl));
  }

  /** {@inheritDoc ReauthStore.setIfAbsent} */
  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    const ttl = seconds(ttlSeconds);
    const reply = await this.run(() => this.client.set(this.key(key), value, 'EX', ttl, 'NX'));
    return reply === 'OK';
  }

  /** {@inheritDoc ReauthStore.get} */
  async get(key: string): Promise<string | undefined> {
    return (await this.run(() => this.client.get(this.key(key)))) ?? undefined;
  }

  /** {@inheritDoc ReauthStore.take} */
  async take(key: string): Promise<string | undefined> {
    const value = await this.run(() => this.client.eval(TAKE_SCRIPT, 1, this.key(key)));
    return typeof value === 'string' ? value : undefined;
  }

  /** {@inheritDoc ReauthStore.increment} */
  async increment(key: string, ttlSeconds: number): Promise<number> {
    const ttl = seconds(ttlSeconds);
    const count = await this.run(() => this.client.eval(INCREMENT_SCRIPT, 1, this.key(key), ttl));
    return Number(count);
  }

  /**
   * Redis pub/sub on the channel `<keyPrefix>channel:revocations`, on a connection of its own
   * (a duplicate of the store's client) opened by the first subscriber.
   */
  override channel(): ReauthStoreChannel {
    this.revocations ??= new RedisStoreChannel(
      this.client,
      `${this.prefix}channel:revocations`,
      (key) => this.key(key),
      (command) => this.run(command),
    );
    return this.revocations;
  }

  /** Closes the client if the store made it; a client the app passed in stays open. */
  override async close(): Promise<void> {
    if (!this.owned) return;
    if (this.client.status !== 'ready') {
      // Nothing to say goodbye to: stop reconnecting now.
      this.client.disconnect();
      return;
    }
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  /**
   * Runs a command once the connection is ready, all within the time budget: a request right
   * after start-up waits for the connection, one during an outage fails after the budget.
   */
  private async run<T>(command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      const pending = this.whenReady().then(command);
      // The losing promise must not become an unhandled rejection.
      pending.catch(() => undefined);
      return await Promise.race([pending, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private whenReady(): Promise<void> {
    if (this.client.status === 'ready') return Promise.resolve();
    if (this.client.status === 'end')
      return Promise.reject(new Error('The Redis client is closed'));
    // One listener however many requests wait, dropped once the connection is ready.
    this.ready ??= new Promise<void>((resolve) => {
      this.client.once('ready', () => {
        this.ready = undefined;
        resolve();
      });
    });
    return this.ready;
  }

  private reportDown(error: Error): void {
    if (this.reportedDown) return;
    this.reportedDown = true;
    const code = (error as { code?: unknown }).code;
    this.logger.warn(
      `Redis is unreachable (${typeof code === 'string' ? code : error.name}); answering 503 until it is back`,
    );
  }

  private reportUp(): void {
    if (!this.reportedDown) return;
    this.reportedDown = false;
    this.logger.log('Redis is reachable again');
  }
}

function seconds(ttl: number): number {
  if (!Number.isFinite(ttl) || ttl <= 0)
    throw new TypeError('ttlSeconds must be a positive number');
  return Math.max(1, Math.ceil(ttl));
}

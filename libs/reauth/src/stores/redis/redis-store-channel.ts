import type { Cluster, Redis } from 'ioredis';
import type {
  ReauthStoreChannel,
  ReauthStoreChannelListener,
  ReauthStoreSubscription,
} from '../reauth-store-channel';

// Both in one step: a subscriber never hears of a value that is not there, and a value is never
// stored without its message. PUBLISH in a script reaches every node of a Cluster.
const SET_AND_PUBLISH_SCRIPT = `redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local count = false
if KEYS[2] then
  count = redis.call('INCR', KEYS[2])
  if count == 1 then redis.call('EXPIRE', KEYS[2], ARGV[5]) end
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return count`;

/** How the store runs a command: within its time budget, once its connection is ready. */
export type RunCommand = <T>(command: () => Promise<T>) => Promise<T>;

/**
 * The channel of a {@link RedisReauthStore}: Redis pub/sub on one channel name (under the
 * store's key prefix), with its own subscriber connection, since a subscribed connection can do
 * nothing else. The subscriber reconnects and subscribes again by itself; between a lost
 * connection and the next `up()`, messages may be lost, and the listener is told.
 */
export class RedisStoreChannel implements ReauthStoreChannel {
  constructor(
    private readonly client: Redis | Cluster,
    private readonly name: string,
    private readonly keyOf: (key: string) => string,
    private readonly run: RunCommand,
  ) {}

  async setAndPublish(
    key: string,
    value: string,
    ttlSeconds: number,
    message: string,
    counter?: { key: string; ttlSeconds: number },
  ): Promise<number | undefined> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds));
    // Both keys must share a Cluster hash tag (one slot) when a counter is given.
    const keys = counter ? [this.keyOf(key), this.keyOf(counter.key)] : [this.keyOf(key)];
    const counterTtl = counter ? Math.max(1, Math.ceil(counter.ttlSeconds)) : 0;
    const count = await this.run(() =>
      this.client.eval(
        SET_AND_PUBLISH_SCRIPT,
        keys.length,
        ...keys,
        value,
        ttl,
        this.name,
        message,
        counterTtl,
      ),
    );
    return typeof count === 'number' ? count : undefined;
  }

  async publish(message: string): Promise<void> {
    await this.run(() => this.client.publish(this.name, message));
  }

  subscribe(listener: ReauthStoreChannelListener): Promise<ReauthStoreSubscription> {
    // Its own connection: queue the subscription until connected and retry it for ever; no
    // request ever waits on this connection.
    const subscriber = duplicate(this.client);
    let closed = false;
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.name) listener.message(message);
    });
    // Up once the subscription is confirmed, not when the connection is: on a Cluster the node
    // that holds it may not have answered SUBSCRIBE yet. Asked again on every reconnect.
    subscriber.on('ready', () => {
      subscriber.subscribe(this.name).then(
        () => {
          if (!closed) listener.up();
        },
        () => undefined,
      );
    });
    subscriber.on('close', () => {
      if (!closed) listener.down('connection closed');
    });
    subscriber.on('error', () => undefined);
    return Promise.resolve({
      close: async () => {
        closed = true;
        try {
          await subscriber.quit();
        } catch {
          subscriber.disconnect();
        }
      },
    });
  }
}

function duplicate(client: Redis | Cluster): Redis | Cluster {
  const options = { enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: false };
  return isCluster(client) ? client.duplicate(undefined, options) : client.duplicate(options);
}

function isCluster(client: Redis | Cluster): client is Cluster {
  return (client as { isCluster?: boolean }).isCluster === true;
}

import { type ReauthStore } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { describeReauthStoreContract } from 'nest-workos-reauth/testing';
import {
  redisServerAvailable,
  replicasAcknowledging,
  startRedisSentinel,
  type TestRedisSentinel,
} from '../support/redis-topologies';
import {
  describeReplicatedRedisScenarios,
  type ReplicatedRedis,
} from './replicated-redis.scenarios';

jest.setTimeout(60_000);

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

/** A store that finds the master through the sentinels, as an app configures one. */
const storeOn = (sentinel: TestRedisSentinel, keyPrefix?: string) =>
  new RedisReauthStore({
    connection: { sentinels: sentinel.sentinels, name: sentinel.name },
    ...(keyPrefix === undefined ? {} : { keyPrefix }),
  });

function replicated(sentinel: TestRedisSentinel): ReplicatedRedis {
  return {
    store: () => storeOn(sentinel),
    acknowledged: (timeoutMs) =>
      replicasAcknowledging(sentinel.shard.master, 'acknowledged', timeoutMs),
    detachReplica: () => sentinel.detachReplica(),
    killMaster: () => sentinel.killMaster(),
    waitForFailover: () => sentinel.waitForNewMaster().then(() => undefined),
    close: () => sentinel.close(),
  };
}

describeWithRedis(
  'RedisReauthStore on Redis Sentinel: a master, a replica, three sentinels',
  () => {
    let sentinel: TestRedisSentinel;

    beforeAll(async () => {
      sentinel = await startRedisSentinel();
    });
    afterAll(() => sentinel?.close());

    // A sibling has a connection of its own to the same keys, as a second instance would.
    const prefixes = new WeakMap<ReauthStore, string>();
    let stores = 0;
    describeReauthStoreContract(
      'RedisReauthStore through Sentinel',
      () => {
        const keyPrefix = `contract-${Date.now()}-${stores++}:`;
        const made = storeOn(sentinel, keyPrefix);
        prefixes.set(made, keyPrefix);
        return made;
      },
      { openSibling: (made) => storeOn(sentinel, prefixes.get(made)), concurrency: 50 },
    );

    describeReplicatedRedisScenarios(
      () => replicated(sentinel),
      async () => replicated(await startRedisSentinel()),
    );
  },
);

import { Cluster } from 'ioredis';
import { ReauthStore } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { describeReauthStoreContract } from 'nest-workos-reauth/testing';
import { STORE_KEYS } from '../../libs/reauth/src/core/constants';
import {
  redisServerAvailable,
  replicasAcknowledging,
  startRedisCluster,
  type TestRedisCluster,
} from '../support/redis-topologies';
import {
  describeReplicatedRedisScenarios,
  type ReplicatedRedis,
} from './replicated-redis.scenarios';

jest.setTimeout(60_000);

const describeWithRedis = redisServerAvailable() ? describe : describe.skip;

/** Where the stores keep the revocation list and its generation: one hash tag, one slot. */
const PREFIX = 'nest-reauth:';
const GENERATION = `${PREFIX}${STORE_KEYS.generation}`;

/** A client as an app would make one: every node as a startup node. */
function clientOf(cluster: TestRedisCluster): Cluster {
  const client = new Cluster(cluster.nodes);
  // The app's client: the store leaves its errors to the app, which here has nothing to add.
  client.on('error', () => undefined);
  return client;
}

/** The cluster as the scenarios use it: a client per store, the revocations' shard failing. */
async function replicated(cluster: TestRedisCluster): Promise<ReplicatedRedis> {
  const shard = await cluster.shardOf(GENERATION);
  const clients: Cluster[] = [];
  return {
    store: () => {
      const client = clientOf(cluster);
      clients.push(client);
      return new RedisReauthStore({ client });
    },
    acknowledged: (timeoutMs) =>
      replicasAcknowledging(shard.master, 'acknowledged:{revocations}', timeoutMs),
    detachReplica: () => cluster.detachReplica(shard),
    killMaster: () => cluster.killMaster(shard),
    waitForFailover: () => cluster.waitForFailover(shard),
    close: async () => {
      for (const client of clients) client.disconnect();
      await cluster.close();
    },
  };
}

describeWithRedis(
  'RedisReauthStore on a Redis Cluster of three masters, each with a replica',
  () => {
    let cluster: TestRedisCluster;
    let shared: ReplicatedRedis;
    let first: Cluster;
    let second: Cluster;

    beforeAll(async () => {
      cluster = await startRedisCluster();
      shared = await replicated(cluster);
      first = clientOf(cluster);
      second = clientOf(cluster);
    });
    afterAll(async () => {
      first?.disconnect();
      second?.disconnect();
      await shared?.close();
    });

    // A sibling talks through a client of its own to the same keys, as a second instance would.
    const prefixes = new WeakMap<ReauthStore, string>();
    let stores = 0;
    describeReauthStoreContract(
      'RedisReauthStore on a Cluster client',
      () => {
        const keyPrefix = `contract-${Date.now()}-${stores++}:`;
        const made = new RedisReauthStore({ client: first, keyPrefix });
        prefixes.set(made, keyPrefix);
        return made;
      },
      {
        openSibling: (made) =>
          new RedisReauthStore({ client: second, keyPrefix: prefixes.get(made) }),
        concurrency: 50,
      },
    );

    it('spreads its keys over the masters, and keeps the revocation list with its generation', async () => {
      const store = new RedisReauthStore({ client: first });
      const keys = Array.from({ length: 30 }, (_, i) => `spread-${i}`);
      for (const key of keys) await store.set(key, key, 60);
      const masters = new Set<number>();
      for (const key of keys) {
        masters.add((await cluster.shardOf(`${PREFIX}${key}`)).master.port);
        expect(await store.take(key)).toBe(key);
        expect(await store.increment(key, 60)).toBe(1);
      }
      expect(masters.size).toBe(3);

      const revoked = `${PREFIX}${STORE_KEYS.revokedSession}session_01`;
      expect(await cluster.shardOf(revoked)).toEqual(await cluster.shardOf(GENERATION));
      expect(await cluster.command(cluster.nodes[0], 'CLUSTER', 'KEYSLOT', revoked)).toBe(
        await cluster.command(cluster.nodes[0], 'CLUSTER', 'KEYSLOT', GENERATION),
      );
    });

    describeReplicatedRedisScenarios(
      () => shared,
      async () => replicated(await startRedisCluster()),
    );
  },
);

import { type ReauthStore } from 'nest-workos-reauth';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { describeReauthStoreContract } from 'nest-workos-reauth/testing';
import { Redis } from 'ioredis';
import { freePort } from '../support/ports';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis('RedisReauthStore against a real redis-server', () => {
  let redis: TestRedis;
  let inspect: Redis;
  let store: RedisReauthStore;

  beforeAll(async () => {
    redis = await startRedis();
    inspect = new Redis(redis.url);
  });
  afterAll(async () => {
    inspect.disconnect();
    await redis.close();
  });
  beforeEach(() => {
    store = new RedisReauthStore({ connection: redis.url, keyPrefix: `t${Date.now()}:` });
  });
  afterEach(() => store.close());

  // Each store gets a prefix of its own; a sibling shares it, as a second app instance would.
  const prefixes = new WeakMap<ReauthStore, string>();
  let stores = 0;
  describeReauthStoreContract(
    'RedisReauthStore',
    () => {
      const keyPrefix = `contract-${Date.now()}-${stores++}:`;
      const made = new RedisReauthStore({ connection: redis.url, keyPrefix });
      prefixes.set(made, keyPrefix);
      return made;
    },
    {
      openSibling: (made) =>
        new RedisReauthStore({ connection: redis.url, keyPrefix: prefixes.get(made) }),
      concurrency: 50,
    },
  );

  it('sets, reads and expires entries under its prefix', async () => {
    const prefix = `prefixed-${Math.random().toString(36).slice(2)}:`;
    const prefixed = new RedisReauthStore({ connection: redis.url, keyPrefix: prefix });
    await prefixed.set('k', 'v', 60);
    expect(await prefixed.get('k')).toBe('v');
    expect(await inspect.get(`${prefix}k`)).toBe('v');
    const ttl = await inspect.ttl(`${prefix}k`);
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    await prefixed.set('fraction', 'v', 0.2);
    expect(await inspect.ttl(`${prefix}fraction`)).toBe(1);
    expect(await prefixed.get('missing')).toBeUndefined();
    await prefixed.close();
  });

  it('counts in a window set by the first increment, which later ones do not extend', async () => {
    const prefix = (store as unknown as { prefix: string }).prefix;
    expect(await store.increment('counter', 60)).toBe(1);
    await inspect.expire(`${prefix}counter`, 30);
    expect(await store.increment('counter', 60)).toBe(2);
    expect(await inspect.ttl(`${prefix}counter`)).toBeLessThanOrEqual(30);
  });

  it('never closes a client the app passed in, and closes its own', async () => {
    const client = new Redis(redis.url);
    const borrowed = new RedisReauthStore({ client });
    await borrowed.set('k', 'v', 10);
    await borrowed.close();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();

    const own = new RedisReauthStore({ connection: redis.url });
    await own.get('k');
    await own.close();
    await expect(own.get('k')).rejects.toThrow();
  });

  it('rejects at once, without hanging, when Redis is unreachable', async () => {
    const nowhere = await freePort();
    const unreachable = new RedisReauthStore({
      connection: `redis://127.0.0.1:${nowhere}`,
      commandTimeoutMs: 200,
    });
    const started = Date.now();
    await expect(unreachable.setIfAbsent('k', 'v', 10)).rejects.toThrow();
    await expect(unreachable.take('k')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    await unreachable.close();
  });

  it.each([
    [{}, 'RedisReauthStore: give exactly one of client or connection'],
    [
      { connection: 'redis://x', client: {} },
      'RedisReauthStore: give exactly one of client or connection',
    ],
    [
      { connection: 'redis://127.0.0.1:1', keyPrefix: 1 },
      'RedisReauthStore: keyPrefix must be a string',
    ],
    [
      { connection: 'redis://127.0.0.1:1', commandTimeoutMs: 0 },
      'RedisReauthStore: commandTimeoutMs must be an integer from 10 to 60000',
    ],
  ])('refuses options %p', (options, message) => {
    expect(() => new RedisReauthStore(options as never)).toThrow(new TypeError(message));
  });
});

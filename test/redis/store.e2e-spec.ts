import { RedisReauthStore } from 'nest-workos-reauth/redis';
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

  it('counts concurrent increments, across clients, in a window set by the first', async () => {
    const other = new RedisReauthStore({
      connection: redis.url,
      keyPrefix: (store as unknown as { prefix: string }).prefix,
    });
    const counts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 ? store : other).increment('counter', 60)),
    );
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const key = `${(store as unknown as { prefix: string }).prefix}counter`;
    await inspect.expire(key, 30);
    expect(await store.increment('counter', 60)).toBe(31);
    expect(await inspect.ttl(key)).toBeLessThanOrEqual(30);
    await other.close();
  });

  it('lets exactly one of many concurrent setIfAbsent calls win', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.setIfAbsent('once', String(i), 60)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('hands a value to exactly one of many concurrent takes, across clients', async () => {
    const other = new RedisReauthStore({
      connection: redis.url,
      keyPrefix: (store as unknown as { prefix: string }).prefix,
    });
    await store.set('single', 'value', 60);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).take('single')),
    );
    expect(results.filter((value) => value === 'value')).toHaveLength(1);
    expect(await store.get('single')).toBeUndefined();
    await other.close();
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

import { Redis } from 'ioredis';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { signInToApp } from '../support/reauth-app';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { accessTokenIn as accessTokenInDeployment, logOut } from '../support/deployment-requests';

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const JSON_ACCEPT = { accept: 'application/json' };
const HEARTBEAT_MS = 100;

const withBearer = (instance: AppInstance, token: string) =>
  fetch(`${instance.url}/signed-in`, {
    headers: { authorization: `Bearer ${token}`, ...JSON_ACCEPT },
  });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it holds, at most `ms`; resolves with how long it took. */
async function within(ms: number, check: () => Promise<boolean>, what: string): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < ms) {
    if (await check()) return performance.now() - started;
    await pause(5);
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}

describeWithRedis('The local view of ended sessions, on two instances and a real Redis', () => {
  let redis: TestRedis;
  let admin: Redis;
  let monitor: Redis | undefined;
  let proxy: TcpProxy;
  let deployment: Deployment;
  let reads: string[];

  beforeEach(async () => {
    redis = await startRedis();
    const { hostname, port } = new URL(redis.url);
    admin = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    proxy = await startTcpProxy({ host: hostname, port: Number(port) });
    // Watching starts before anything else talks to Redis: ioredis takes a MONITOR line that
    // arrives in the same read as MONITOR's own reply for a reply to no command.
    reads = [];
    await admin.ping();
    monitor = await admin.monitor();
    monitor.on('monitor', (_time: string, args: string[]) => {
      const [command, key] = args;
      if (command.toLowerCase() === 'get' && /:(revoked|user):/.test(key ?? '')) reads.push(key);
    });
    // The first instance talks to Redis directly, the second through a proxy the tests can
    // silence; each has its own store (and so its own connections), as separate processes would.
    let made = 0;
    deployment = await startDeployment({
      instances: 2,
      reauth: () => ({
        store: new RedisReauthStore({
          connection: made++ === 0 ? redis.url : proxy.url,
          keyPrefix: 'view:',
          commandTimeoutMs: 300,
        }),
        revocationView: { heartbeatMs: HEARTBEAT_MS },
      }),
    });
  });
  afterEach(async () => {
    monitor?.disconnect();
    await deployment.close();
    admin.disconnect();
    await proxy.close();
    await redis.close();
  });

  const accessTokenIn = (sealed: string) => accessTokenInDeployment(deployment, sealed);

  /** Until MONITOR has reported what Redis did so far (its own PING marks the point). */
  const settled = async () => {
    const marker = `mark-${Math.random()}`;
    let seen = false;
    const listen = (_time: string, args: string[]) => {
      if (args[0] === 'echo' && args[1] === marker) seen = true;
    };
    monitor!.on('monitor', listen);
    await admin.echo(marker);
    await within(2000, () => Promise.resolve(seen), 'MONITOR caught up');
    monitor!.off('monitor', listen);
  };

  const usable = (instance: AppInstance, token: string) =>
    within(
      5000,
      async () => {
        reads = [];
        expect((await withBearer(instance, token)).status).toBe(200);
        await settled();
        return reads.length === 0;
      },
      'the instance answers from memory',
    );

  it('answers a session it knows from memory: no read of the store per request', async () => {
    const [one, two] = deployment.instances;
    const { sealedSession } = await signInToApp(one);
    const token = await accessTokenIn(sealedSession);
    for (const instance of [one, two]) await usable(instance, token);
    reads = [];
    for (let i = 0; i < 20; i++) {
      for (const instance of [one, two]) {
        expect((await withBearer(instance, token)).status).toBe(200);
      }
    }
    await settled();
    expect(reads).toEqual([]);
  });

  it('refuses on the other instance a session ended on one, without asking the store', async () => {
    const [one, two] = deployment.instances;
    const { browser, sealedSession } = await signInToApp(one);
    const token = await accessTokenIn(sealedSession);
    await usable(two, token);
    expect((await logOut(browser, one)).status).toBe(303);
    reads = [];
    await within(1000, async () => (await withBearer(two, token)).status === 401, 'refused');
    await settled();
    expect(reads).toEqual([]);
  });

  it('asks the store on every request while its channel is cut, then from memory again', async () => {
    const [one, two] = deployment.instances;
    const { sealedSession } = await signInToApp(one);
    const token = await accessTokenIn(sealedSession);
    await usable(two, token);
    // A reset of the second instance's connections: its subscription is gone until it is back.
    await admin.client('KILL', 'TYPE', 'pubsub');
    await within(
      5000,
      async () => {
        reads = [];
        expect((await withBearer(one, token)).status).toBe(200);
        expect((await withBearer(two, token)).status).toBe(200);
        await settled();
        return reads.length > 0;
      },
      'the store asked while the channel is down',
    );
    // Subscribed again and proven by its heartbeat: memory again.
    for (const instance of [one, two]) await usable(instance, token);
  });

  it('a session ended while the channel is cut is refused everywhere once the channel is back', async () => {
    const [one, two] = deployment.instances;
    const { browser, sealedSession } = await signInToApp(one);
    const token = await accessTokenIn(sealedSession);
    await usable(two, token);
    await admin.client('KILL', 'TYPE', 'pubsub');
    // The end is published while no instance is subscribed: nobody hears it.
    expect((await logOut(browser, one)).status).toBe(303);
    for (const instance of [one, two]) {
      expect((await withBearer(instance, token)).status).toBe(401);
    }
    await pause(3 * HEARTBEAT_MS);
    for (const instance of [one, two]) {
      expect((await withBearer(instance, token)).status).toBe(401);
    }
  });

  it('never lets an ended session through once a silent link has had two heartbeats to show', async () => {
    const [one, two] = deployment.instances;
    const { browser, sealedSession } = await signInToApp(one);
    const token = await accessTokenIn(sealedSession);
    await usable(two, token);
    // The second instance's link to Redis goes silent: nothing is closed, nothing arrives.
    proxy.freeze();
    expect((await logOut(browser, one)).status).toBe(303);
    expect((await withBearer(one, token)).status).toBe(401);
    await pause(2 * HEARTBEAT_MS + 50);
    // It no longer trusts its memory; the store does not answer through the silence: 503.
    const statuses = new Set<number>();
    for (let i = 0; i < 3; i++) statuses.add((await withBearer(two, token)).status);
    expect([...statuses]).toEqual([503]);
    proxy.thaw();
    await within(5000, async () => (await withBearer(two, token)).status === 401, 'refused');
  }, 20_000);
});

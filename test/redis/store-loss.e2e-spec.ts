import { Redis } from 'ioredis';
import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { signInToApp } from '../support/reauth-app';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';
import {
  accessTokenIn as accessTokenInDeployment,
  logOut,
  sessionCookies,
  withBearer,
  withCookie,
} from '../support/deployment-requests';

const describeWithRedis = redisAvailable() ? describe : describe.skip;

describeWithRedis('A Redis that loses its data, under two instances', () => {
  let redis: TestRedis;
  let admin: Redis;
  let deployment: Deployment;

  beforeEach(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    deployment = await startDeployment({
      instances: 2,
      store: () => new RedisReauthStore({ connection: redis.url }),
      reauth: () => ({ revocationView: { heartbeatMs: 100 } }),
    });
  });
  afterEach(async () => {
    admin.disconnect();
    await deployment.close();
    await redis.close();
  });

  const accessTokenIn = (sealed: string) => accessTokenInDeployment(deployment, sealed);

  /** Until the instance's store client is connected again (bounded; no fixed wait). */
  const storeAnswers = async (instance: AppInstance, token: string) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const res = await withBearer(instance, '/signed-in', token);
      if (res.status !== 503) return;
    }
    throw new Error('the store never answered again');
  };

  /**
   * Until the instance has noticed the loss: a token of a live session issued before it is no
   * longer vouched for (401). An instance that answers from its local view of ended sessions
   * notices at its next heartbeat (every 100 ms here) or when it next reads the store.
   */
  const noticedLoss = async (instance: AppInstance, liveToken: string) => {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const res = await withBearer(instance, '/signed-in', liveToken);
      if (res.status === 401) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the instance never noticed that the store lost its data');
  };

  const wipes: [string, () => Promise<void>][] = [
    ['FLUSHALL', () => admin.flushall().then(() => undefined)],
    [
      'SHUTDOWN NOSAVE and a restart',
      async () => {
        await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
        await redis.stop!();
        await redis.start!();
      },
    ],
  ];

  it.each(wipes)(
    'after %s, no session signed out before comes back on any instance; live ones go on',
    async (_wipe, wipe) => {
      const [one, two] = deployment.instances;
      const out = await signInToApp(one);
      const outToken = await accessTokenIn(out.sealedSession);
      const live = await signInToApp(two);
      const liveToken = await accessTokenIn(live.sealedSession);
      expect((await logOut(out.browser, one)).status).toBe(303);
      for (const instance of [one, two]) {
        expect((await withCookie(instance, '/fresh', out.sealedSession)).status).toBe(401);
        expect((await withBearer(instance, '/fresh', outToken)).status).toBe(401);
      }

      await wipe();
      for (const instance of [one, two]) await storeAnswers(instance, outToken);
      for (const instance of [one, two]) await noticedLoss(instance, liveToken);

      for (const instance of [one, two]) {
        // Fresh and within their lifetime, but signed out before the loss: the provider is asked
        // (a refresh), and it refuses a session it ended.
        const copy = await withCookie(instance, '/fresh', out.sealedSession);
        expect(copy.status).toBe(401);
        expect(await copy.json()).toMatchObject({ reason: 'unauthenticated' });
        expect((await withBearer(instance, '/fresh', outToken)).status).toBe(401);
      }

      // A session that was never signed out goes on, after one refresh at the provider (once the
      // second of the loss has passed: a token issued within it may be older than the loss).
      deployment.emulator.advanceClock(2);
      const after = await deployment.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: deployment.emulator.now(),
      });
      const kept = await withCookie(one, '/fresh', live.sealedSession);
      expect(kept.status).toBe(200);
      const refreshed = sessionCookies(kept);
      expect(refreshed).toHaveLength(1);
      const next = refreshed[0].split(';')[0].slice('wos-session='.length);
      const again = await withCookie(two, '/fresh', next);
      expect(again.status).toBe(200);
      expect(sessionCookies(again)).toEqual([]);
      // A Bearer token issued before the loss cannot be refreshed here: its client needs a new one.
      const bearer = await withBearer(two, '/signed-in', liveToken);
      expect(bearer.status).toBe(401);
      expect(await bearer.json()).toMatchObject({ reason: 'invalid_token' });
      expect((await withBearer(two, '/signed-in', after)).status).toBe(200);
    },
  );
});

import { RedisReauthStore } from 'nest-workos-reauth/redis';
import { totpAt } from '../support/emulator';
import { type HttpBrowser } from '../support/http-browser';
import { pageJson } from '../support/page-json';
import { signInToApp } from '../support/reauth-app';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const BOB = { email: 'bob@example.com', password: 'bob-password', totpSecret: 'JBSWY3DPEHPK3PXP' };

describeWithRedis('Confirmations in the page, across instances sharing one Redis', () => {
  let redis: TestRedis;
  let deployment: Deployment;

  beforeAll(async () => {
    redis = await startRedis();
    deployment = await startDeployment({
      instances: 2,
      store: () => new RedisReauthStore({ connection: redis.url }),
      reauth: () => ({ stepUp: { password: true } }),
    });
  });
  afterAll(async () => {
    await deployment.close();
    await redis.close();
  });

  // Both instances serve one site behind a load balancer: one cookie jar for both.
  const call = async (browser: HttpBrowser, instance: AppInstance, path: string, body?: unknown) =>
    pageJson(browser, deployment.instances[0].url)(
      body === undefined ? 'GET' : 'POST',
      `${instance.url}${path}`,
      body,
    );

  it('a proof given on one instance satisfies the other, and a code follows a password anywhere', async () => {
    const [one, two] = deployment.instances;
    const { browser } = await signInToApp(one, '/signed-in', BOB);
    deployment.emulator.advanceClock(400);
    const refused = await call(browser, two, '/fresh');
    expect(refused.status).toBe(401);
    const { ticket } = refused.body.stepUp as { ticket: string };

    const first = await call(browser, one, '/auth/step-up/password', {
      ticket,
      password: BOB.password,
    });
    expect(first.body).toEqual({ status: 'code_required', factor: 'totp' });
    const code = totpAt(BOB.totpSecret, deployment.emulator.now());
    const done = await call(browser, two, '/auth/step-up/password', { ticket, code });
    expect(done.body).toMatchObject({ status: 'confirmed', amr: ['pwd', 'otp', 'mfa'] });

    expect((await call(browser, one, '/fresh')).status).toBe(200);
    expect((await call(browser, two, '/fresh')).status).toBe(200);
    const status = await call(browser, one, '/auth/step-up');
    expect(status.body.factors).toMatchObject({
      password: { at: deployment.emulator.now(), amr: ['pwd', 'otp', 'mfa'] },
    });
  });
});

import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { startDemo, type RunningDemo } from '../../src/demo';
import { type DemoConfig } from '../../src/demo.config';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';
import { freePort } from '../support/ports';
import { redisAvailable, startRedis, type TestRedis } from '../support/redis';

const describeWithRedis = redisAvailable() ? describe : describe.skip;
const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

describeWithRedis('Two demo instances sharing one Redis', () => {
  let redis: TestRedis;
  let emulator: AuthKitEmulator;
  let first: RunningDemo;
  let second: RunningDemo;
  let callbackUri: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    redis = await startRedis();
    const [firstPort, secondPort] = [await freePort(), await freePort()];
    // Behind a load balancer both instances share one public callback; here it reaches the second.
    callbackUri = `http://localhost:${secondPort}/auth/callback`;
    const frozen = Date.now();
    emulator = await startAuthKitEmulator({
      port: 0,
      redirectUris: [callbackUri],
      now: () => frozen,
      log: () => undefined,
    });
    const config = (port: number): DemoConfig => ({
      port,
      provider: 'workos',
      emulatorPort: 0,
      testControls: false,
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      apiPort: emulator.port,
      apiHttps: false,
      redirectUri: callbackUri,
      cookiePassword: 'shared-cookie-password-for-both-instances!',
      redisUrl: redis.url,
    });
    const now = () => emulator.now() * 1000;
    first = await startDemo(config(firstPort), { logger: false, now });
    second = await startDemo(config(secondPort), { logger: false, now });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await first?.close();
    await second?.close();
    await emulator?.close();
    await redis?.close();
  });

  const at = (demo: RunningDemo, path: string) => `${demo.url}${path}`;

  async function signedIn(): Promise<HttpBrowser> {
    const browser = new HttpBrowser();
    const start = await browser.get(at(first, '/auth/login?returnTo=%2Faccount'), NAVIGATE);
    const url = await signInThroughPages(browser, start.location!, ALICE, emulator, callbackUri);
    expect((await browser.get(url.href, NAVIGATE)).status).toBe(303);
    return browser;
  }

  it('completes on the second instance a re-auth started on the first, and refuses replays on both', async () => {
    const browser = await signedIn();
    emulator.advanceClock(301);
    const stale = await browser.get(at(first, '/account/security'), NAVIGATE);
    expect(stale.status).toBe(302);
    const callback = await signInThroughPages(
      browser,
      stale.location!,
      ALICE,
      emulator,
      callbackUri,
    );
    // The binding cookie alone: a browser that does not hold the session the state made.
    const cookies = (await browser.jar.getCookieString(callback.href))
      .split('; ')
      .filter((cookie) => !cookie.startsWith('wos-session='))
      .join('; ');
    expect(callback.origin).toBe(new URL(second.url).origin);
    const done = await browser.get(callback.href, NAVIGATE);
    expect(done.status).toBe(303);
    expect((await browser.get(at(first, '/account/security'), NAVIGATE)).status).toBe(200);
    expect((await browser.get(at(second, '/account/security'), NAVIGATE)).status).toBe(200);

    // The same authorization URL signed in again gives the same state with a new code: the
    // used-state marker in Redis refuses it on either instance.
    for (const instance of [first, second]) {
      const again = await signInThroughPages(
        new HttpBrowser(),
        stale.location!,
        ALICE,
        emulator,
        callbackUri,
      );
      const replayUrl = at(instance, `/auth/callback${again.search}`);
      const replay = await new HttpBrowser().get(replayUrl, { ...NAVIGATE, cookie: cookies });
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('state_replayed');
    }
  });

  it('answers 503 while Redis is down, and recovers by itself when it is back', async () => {
    const browser = await signedIn();
    emulator.advanceClock(400); // the access token expires: the next request must refresh
    await redis.stop!();

    const during = await browser.get(at(first, '/account'), { accept: 'application/json' });
    expect(during.status).toBe(503);
    expect(JSON.parse(during.text)).toEqual({
      statusCode: 503,
      error: 'reauth_unavailable',
      message: 'Authentication is temporarily unavailable. Try again shortly.',
    });
    const duringOther = await browser.get(at(second, '/account'), { accept: 'application/json' });
    expect(duringOther.status).toBe(503);

    await redis.start!();
    let after = during;
    for (let attempt = 0; attempt < 60 && after.status === 503; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await browser.get(at(first, '/account'), NAVIGATE);
    }
    expect(after.status).toBe(200);
    expect((await browser.get(at(second, '/account'), NAVIGATE)).status).toBe(200);
    expect(unhandled).toEqual([]);
  });
});

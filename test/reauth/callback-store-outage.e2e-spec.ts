import { signInThroughPages, type Credentials } from '../support/emulator';
import { FaultyStore } from '../support/faulty-store';
import { HttpBrowser } from '../support/http-browser';
import { startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { ROUTES } from './callback-store-outage.routes';

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

describe('A callback while the store is down', () => {
  let scenario: ScenarioApp;
  // Every call of every method fails while `prefixes` holds '' (a store that lost its connection).
  const outage = {
    methods: ['set', 'setIfAbsent', 'get', 'take', 'increment'] as const,
    prefixes: [] as string[],
  };

  beforeEach(async () => {
    outage.prefixes.length = 0;
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({
        store: new FaultyStore({ methods: [...outage.methods], prefixes: outage.prefixes }),
      }),
    });
  });
  afterEach(() => scenario.close());

  it('answers 503 before it spends the code, so the same callback completes once the store is back', async () => {
    const browser = new HttpBrowser();
    const start = await browser.get(`${scenario.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
    const callback = await signInThroughPages(
      browser,
      start.location!,
      ALICE,
      scenario.emulator,
      scenario.redirectUri,
    );

    outage.prefixes.push('');
    const down = await browser.get(callback.href, HTML);
    expect(down.status).toBe(503);
    expect(down.headers.getSetCookie().some((c) => c.startsWith('wos-session='))).toBe(false);

    outage.prefixes.length = 0;
    const reload = await browser.get(callback.href, HTML);
    expect(reload.status).toBe(303);
    expect(reload.location).toBe(`${scenario.url}/signed-in`);
    expect(reload.headers.getSetCookie().some((c) => /^wos-session=[^;]/.test(c))).toBe(true);
  });
});

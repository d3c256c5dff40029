import { type WorkOS } from '@workos-inc/node';
import { sdkFor } from '../support/emulator';
import { type WorkOSClient } from 'nest-workos-reauth';
import { signInToApp, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { ROUTES } from './dead-sessions.routes';

/** The real SDK, counting refreshes, and failing revocations when told to. */
function instrumented(real: WorkOS, counts: { refreshes: number; failRevocation: boolean }) {
  const userManagement = new Proxy(real.userManagement, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      const method = (value as (...args: unknown[]) => unknown).bind(target);
      if (name === 'authenticateWithRefreshToken') {
        return (...args: unknown[]) => {
          counts.refreshes += 1;
          return method(...args);
        };
      }
      if (name === 'revokeSession') {
        return (...args: unknown[]) =>
          counts.failRevocation ? Promise.reject(new Error('WorkOS is down')) : method(...args);
      }
      return method;
    },
  });
  return { baseURL: real.baseURL, userManagement } as WorkOSClient;
}

describe('Sessions that are over', () => {
  let scenario: ScenarioApp;
  const counts = { refreshes: 0, failRevocation: false };

  beforeEach(async () => {
    counts.refreshes = 0;
    counts.failRevocation = false;
    scenario = await startScenarioApp(ROUTES, {
      reauth: (emulator) => ({
        workos: instrumented(sdkFor(emulator), counts),
      }),
    });
  });
  afterEach(() => scenario.close());

  const asJson = { accept: 'application/json' };

  it('cost WorkOS one refresh call, not one per request: a dead cookie is remembered', async () => {
    const { browser, sealedSession } = await signInToApp(scenario);
    scenario.emulator.advanceClock(400); // the access token expired
    expect((await browser.get(`${scenario.url}/signed-in`, asJson)).status).toBe(200);
    expect(counts.refreshes).toBe(1); // the old cookie's refresh token is now spent
    for (let i = 0; i < 20; i++) {
      scenario.emulator.advanceClock(31); // past the 30 s in which a refresh is shared
      const res = await fetch(`${scenario.url}/signed-in`, {
        headers: { ...asJson, cookie: `wos-session=${sealedSession}` },
      });
      expect(res.status).toBe(401);
    }
    expect(counts.refreshes).toBe(2);
  });

  it('stay over when WorkOS could not revoke them: the record outlives the refresh token', async () => {
    const { browser, sealedSession } = await signInToApp(scenario);
    counts.failRevocation = true;
    const ended = await browser.request(`${scenario.url}/account/delete`, {
      method: 'POST',
      headers: { ...asJson, 'sec-fetch-site': 'same-origin' },
    });
    expect(ended.status).toBe(201);
    const copy = () =>
      fetch(`${scenario.url}/signed-in`, {
        headers: { ...asJson, cookie: `wos-session=${sealedSession}` },
      });
    expect((await copy()).status).toBe(401);
    scenario.emulator.advanceClock(3600); // long past the access token's lifetime
    expect((await copy()).status).toBe(401);
    expect(counts.refreshes).toBe(0);
  });
});

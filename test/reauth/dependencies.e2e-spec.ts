import { type WorkOSClient } from 'nest-workos-reauth';
import { WorkOS } from '@workos-inc/node';
import { WorkOS as WorkOS8 } from 'workos-node-8';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';
import { signInToApp, startScenarioApp } from '../support/reauth-app';
import { ROUTES } from './dependencies.routes';
import { RecordingLogger } from '../support/recording-logger';

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const HTML = { accept: 'text/html' };

describe('When WorkOS fails', () => {
  it('answers 503 when an expired session cannot be refreshed, and lets nothing through', async () => {
    const scenario = await startScenarioApp(ROUTES);
    const { browser } = await signInToApp(scenario);
    scenario.emulator.advanceClock(400);
    await scenario.emulator.close();
    const res = await browser.get(`${scenario.url}/signed-in`, { accept: 'application/json' });
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ error: 'reauth_unavailable' });
    await scenario.app.close();
  });

  it('answers 503, and keeps the session, when a refresh times out', async () => {
    // The SDK reports its own timeout as a 408: a refresh that times out is WorkOS being
    // unavailable, never the session being over.
    const scenario = await startScenarioApp(ROUTES, {
      reauth: (emulator) => ({
        workos: new WorkOS(emulator.apiKey, {
          clientId: emulator.clientId,
          apiHostname: '127.0.0.1',
          port: emulator.port,
          https: false,
          timeout: 200,
          maxRetries: 0,
        }),
      }),
    });
    try {
      const { browser } = await signInToApp(scenario);
      scenario.emulator.advanceClock(400);
      scenario.emulator.setFaults({ authenticate: { hang: true, times: 1 } });
      const timedOut = await browser.get(`${scenario.url}/signed-in`, {
        accept: 'application/json',
      });
      expect(timedOut.status).toBe(503);
      expect(timedOut.headers.getSetCookie().join()).not.toMatch(/wos-session=;/);
      // The hang is over: the same cookie is refreshed, and the user stays signed in.
      const refreshed = await browser.get(`${scenario.url}/signed-in`, {
        accept: 'application/json',
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.headers.getSetCookie().join()).toMatch(/wos-session=Fe26/);
    } finally {
      await scenario.close();
    }
  });

  it('hands over the continued session when the callback fails after the code exchange', async () => {
    // AuthKit continues the session that asked and rotates its refresh token at the exchange:
    // the browser's own cookie would never refresh again if the 503 left it in place.
    const scenario = await startScenarioApp(ROUTES);
    try {
      const { browser } = await signInToApp(scenario);
      scenario.emulator.advanceClock(310);
      const stale = await browser.get(`${scenario.url}/fresh`, {
        accept: 'text/html',
        'sec-fetch-mode': 'navigate',
      });
      expect(stale.status).toBe(302);
      const url = await signInThroughPages(
        browser,
        stale.location!,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      // The new token is signed with a key the app has not seen, and the JWKS is down.
      await scenario.emulator.rotateKeys();
      scenario.emulator.setFaults({ jwks: { status: 503 } });
      const failed = await browser.get(url.href, HTML);
      expect(failed.status).toBe(503);
      expect(failed.headers.getSetCookie().join()).toMatch(/wos-session=Fe26/);

      scenario.emulator.setFaults({});
      scenario.emulator.advanceClock(400);
      const later = await browser.get(`${scenario.url}/signed-in`, { accept: 'application/json' });
      expect(later.status).toBe(200);
    } finally {
      await scenario.close();
    }
  });

  it('answers 503 when the code cannot be exchanged at the callback', async () => {
    const scenario = await startScenarioApp(ROUTES);
    const browser = new HttpBrowser();
    const start = await browser.get(`${scenario.url}/auth/login?returnTo=/signed-in`, HTML);
    const url = await signInThroughPages(
      browser,
      start.location!,
      ALICE,
      scenario.emulator,
      scenario.redirectUri,
    );
    await scenario.emulator.close();
    const res = await browser.get(url.href, HTML);
    expect(res.status).toBe(503);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('wos-session='))).toBe(false);
    await scenario.app.close();
  });
});

describe('Logs', () => {
  it('never contain tokens, cookies, codes or states, through sign-in, refresh, failures and logout', async () => {
    const logger = new RecordingLogger();
    const scenario = await startScenarioApp(ROUTES, { logger });
    try {
      const { browser, sealedSession: sealed } = await signInToApp(scenario);
      scenario.emulator.advanceClock(400);
      const stale = await browser.get(`${scenario.url}/fresh`, HTML);
      const callback = await signInThroughPages(
        browser,
        stale.location!,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      scenario.emulator.setIgnoreMaxAge(false);
      await browser.get(callback.href, HTML);
      await browser.get(callback.href, HTML);
      const token = await scenario.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: 1,
      });
      await fetch(`${scenario.url}/fresh`, { headers: { authorization: `Bearer ${token}` } });
      await browser.request(`${scenario.url}/auth/logout`, { method: 'POST' });
      // A second app whose provider is gone before it ever fetched the key set.
      const unreachable = await startScenarioApp(ROUTES, { logger });
      const unverifiable = await unreachable.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: unreachable.emulator.now(),
      });
      await unreachable.emulator.close();
      const down = await fetch(`${unreachable.url}/fresh`, {
        headers: { authorization: `Bearer ${unverifiable}` },
      });
      expect(down.status).toBe(503);
      await unreachable.app.close();

      const secrets = [
        sealed,
        token,
        unverifiable,
        token.split('.')[1],
        callback.searchParams.get('code')!,
        callback.searchParams.get('state')!,
      ];
      expect(logger.lines.length).toBeGreaterThan(0);
      for (const line of logger.lines) {
        for (const secret of secrets) expect(line).not.toContain(secret.slice(0, 24));
      }
      expect(
        logger.lines.some((line) => line.startsWith('Authentication unavailable: jwks failed')),
      ).toBe(true);
    } finally {
      await scenario.close();
    }
  });
});

describe('SDK compatibility', () => {
  it('puts max_age on the URL with an SDK that drops maxAge (8.x), and completes the round trip', async () => {
    const scenario = await startScenarioApp(ROUTES, {
      reauth: (emulator) => ({
        // SDK 8 declares older result types; the methods and shapes the library uses are the same.
        workos: new WorkOS8(emulator.apiKey, {
          apiHostname: '127.0.0.1',
          port: emulator.port,
          https: false,
          clientId: emulator.clientId,
        }) as unknown as WorkOSClient,
      }),
    });
    try {
      const direct = new URL(
        new WorkOS8('sk_test_x', { clientId: 'client_x' }).userManagement.getAuthorizationUrl({
          provider: 'authkit',
          clientId: 'client_x',
          redirectUri: 'http://localhost/cb',
          maxAge: 300,
        } as never),
      );
      expect(direct.searchParams.get('max_age')).toBeNull();

      const { browser } = await signInToApp(scenario);
      scenario.emulator.advanceClock(400);
      const stale = await browser.get(`${scenario.url}/fresh`, HTML);
      expect(new URL(stale.location!).searchParams.get('max_age')).toBe('300');
      const url = await signInThroughPages(
        browser,
        stale.location!,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      const back = await browser.get(url.href, HTML);
      expect(back.status).toBe(303);
      expect((await browser.get(`${scenario.url}/fresh`, HTML)).status).toBe(200);
    } finally {
      await scenario.close();
    }
  });
});

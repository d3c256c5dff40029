import { RecentAuthGuard } from 'nest-workos-reauth';
import { unsealState } from '../../libs/reauth/src/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { Server } from 'node:http';
import request from 'supertest';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';
import {
  COOKIE_PASSWORD,
  signInToApp,
  type ScenarioApp,
  startScenarioApp,
} from '../support/reauth-app';
import { AccountRoutes } from './account.routes';

const ROUTES = [AccountRoutes];

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

describe('Hardening', () => {
  let scenario: ScenarioApp;
  const emulatorLog: string[] = [];

  beforeEach(async () => {
    emulatorLog.length = 0;
    scenario = await startScenarioApp(ROUTES, {
      emulator: { log: (line) => emulatorLog.push(line) },
    });
  });
  afterEach(() => scenario.close());

  const app = (path: string) => `${scenario.url}${path}`;
  const signedIn = async () => (await signInToApp(scenario, '/form')).browser;
  const stateOf = (location: string) =>
    unsealState(
      new URL(location).searchParams.get('state')!,
      COOKIE_PASSWORD,
      scenario.emulator.now(),
    );

  it('refuses another site’s form outright, so it can neither act nor plant an action', async () => {
    const browser = await signedIn();
    scenario.emulator.advanceClock(301);
    const crossSite = await browser.request(app('/transfer'), {
      method: 'POST',
      form: { amount: '9999', to: 'mallory' },
      headers: { ...NAVIGATE, 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.location).toBeUndefined();
    expect(crossSite.text).toContain('cross_site_request');

    const ownPage = await browser.request(app('/transfer'), {
      method: 'POST',
      form: { amount: '10', to: 'savings' },
      headers: { ...NAVIGATE, 'sec-fetch-site': 'same-origin', referer: app('/form') },
    });
    expect((await stateOf(ownPage.location!)).action).toEqual({ amount: '10', to: 'savings' });
  });

  it('does not capture an action for an anonymous request', async () => {
    const anonymous = await new HttpBrowser().request(app('/transfer'), {
      method: 'POST',
      form: { amount: '9999', to: 'mallory' },
      headers: NAVIGATE,
    });
    expect(anonymous.status).toBe(303);
    const state = await stateOf(anonymous.location!);
    expect(state.action).toBeUndefined();
    expect(state.sub).toBeUndefined();
  });

  it('still answers API clients with a large body with the 401 challenge', async () => {
    const token = await scenario.emulator.mintAccessToken({
      email: ALICE.email,
      authTime: scenario.emulator.now() - 400,
    });
    const res = await fetch(app('/transfer'), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(5000) }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
  });

  it('keeps every one of several concurrent re-auth URLs usable', async () => {
    const browser = await signedIn();
    scenario.emulator.advanceClock(301);
    const responses = await Promise.all(
      [1, 2, 3].map(() => browser.get(app('/fresh'), { accept: 'application/json' })),
    );
    const urls = responses.map((res) => JSON.parse(res.text).reauthUrl as string);
    expect(new Set(urls).size).toBe(3);
    // Complete the first one issued, not the last: its state cookie must still be there.
    const url = await signInThroughPages(
      browser,
      urls[0],
      ALICE,
      scenario.emulator,
      scenario.redirectUri,
    );
    const back = await browser.get(url.href, NAVIGATE);
    expect(back.status).toBe(303);
    expect(back.location).toBe(app('/fresh'));
  });

  it('refreshes once for a burst of requests with the same expired cookie', async () => {
    const browser = await signedIn();
    scenario.emulator.advanceClock(400);
    const before = emulatorLog.filter((line) =>
      line.startsWith('POST /user_management/authenticate'),
    ).length;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        browser.get(app('/signed-in'), { accept: 'application/json' }),
      ),
    );
    expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
    const after = emulatorLog.filter((line) =>
      line.startsWith('POST /user_management/authenticate'),
    ).length;
    expect(after - before).toBe(1);
    const cookies = new Set(
      results.flatMap((res) =>
        res.headers.getSetCookie().filter((c) => c.startsWith('wos-session=')),
      ),
    );
    expect(cookies.size).toBe(1);
  });

  it('refuses a token that is not valid yet (nbf beyond the tolerance)', async () => {
    const now = scenario.emulator.now();
    const early = await scenario.emulator.mintAccessToken({
      email: ALICE.email,
      authTime: now,
      claims: { nbf: now + 60 },
    });
    const res = await fetch(app('/fresh'), { headers: { authorization: `Bearer ${early}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
    const skewed = await scenario.emulator.mintAccessToken({
      email: ALICE.email,
      authTime: now,
      claims: { nbf: now + 3 },
    });
    expect(
      (await fetch(app('/fresh'), { headers: { authorization: `Bearer ${skewed}` } })).status,
    ).toBe(200);
  });

  it('redirects a form POST with 303, a state for the Referer page and a state cookie', async () => {
    const res = await request(scenario.app.getHttpServer() as Server)
      .post('/transfer')
      .set('Sec-Fetch-Mode', 'navigate')
      .set('Referer', `${scenario.url}/form`)
      .set('Host', new URL(scenario.url).host)
      .type('form')
      .send('amount=10');
    expect(res.status).toBe(303);
    const state = await stateOf(res.headers.location);
    expect(state).toMatchObject({ returnTo: '/form', maxAge: 300 });
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).join()).toMatch(
      /wos-reauth=[\w-]{43}; /,
    );
  });

  it('refuses decorated handlers outside HTTP rather than leaving them open', async () => {
    class Resolver {
      handler(): void {}
    }
    const { RequireRecentAuth } = await import('nest-workos-reauth');
    RequireRecentAuth(300)(
      Resolver.prototype,
      'handler',
      Object.getOwnPropertyDescriptor(Resolver.prototype, 'handler')!,
    );
    const guard = scenario.app.get(RecentAuthGuard);
    for (const type of ['rpc', 'ws', 'graphql']) {
      const context = new ExecutionContextHost([{}, {}], Resolver, Resolver.prototype.handler);
      context.setType(type);
      expect(await guard.canActivate(context)).toBe(false);
    }
    const undecorated = new ExecutionContextHost([{}, {}], Resolver, () => undefined);
    undecorated.setType('rpc');
    expect(await guard.canActivate(undecorated)).toBe(true);
  });
});

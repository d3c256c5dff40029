import { unsealState } from '../../libs/reauth/src/core';
import type { HttpBrowser } from '../support/http-browser';
import {
  COOKIE_PASSWORD,
  signInToApp,
  startScenarioApp,
  type ScenarioApp,
} from '../support/reauth-app';
import { ROUTES } from './csrf.routes';

const TRUSTED = 'https://admin.example';

describe('cookie-authenticated unsafe requests must come from the app (CSRF)', () => {
  let scenario: ScenarioApp;
  let browser: HttpBrowser;

  beforeAll(async () => {
    scenario = await startScenarioApp(ROUTES, {
      reauth: () => ({ trustedOrigins: [TRUSTED] }),
    });
    ({ browser } = await signInToApp(scenario));
  });
  afterAll(() => scenario.close());

  const post = (path: string, headers: Record<string, string>, form = { amount: '10' }) =>
    browser.request(`${scenario.url}${path}`, { method: 'POST', form, headers });
  const sibling = 'http://localhost:1';

  it.each([
    ['a same-site page (Fetch Metadata)', { 'sec-fetch-site': 'same-site', origin: sibling }],
    [
      'another site (Fetch Metadata)',
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    ],
    ['another origin (Origin only)', { origin: sibling }],
    ['an opaque origin', { origin: 'null' }],
    ['another origin (Referer only)', { referer: `${sibling}/page` }],
    ['a request that says nothing of its origin', {}],
  ])(
    'refuses a fresh session’s POST from %s with 403, before the handler',
    async (_name, headers) => {
      const res = await post('/csrf/transfer', { accept: 'application/json', ...headers });
      expect(res.status).toBe(403);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(JSON.parse(res.text)).toEqual({
        statusCode: 403,
        error: 'reauth_forbidden',
        reason: 'cross_site_request',
        message: 'This request must come from the application’s own pages.',
      });
    },
  );

  it('answers a browser navigation with a page, and guards @RequireSignIn routes too', async () => {
    const res = await post('/csrf/profile', {
      accept: 'text/html',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-site': 'same-site',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.text).toContain('cross_site_request');
  });

  it.each([
    ['Fetch Metadata', { 'sec-fetch-site': 'same-origin' }],
    ['Origin', () => ({ origin: scenario.url })],
    ['Referer', () => ({ referer: `${scenario.url}/csrf` })],
    ['a trusted origin', { 'sec-fetch-site': 'cross-site', origin: TRUSTED }],
  ])('lets the app’s own pages through, by %s', async (_name, headers) => {
    const res = await post('/csrf/transfer', {
      accept: 'application/json',
      ...(typeof headers === 'function' ? headers() : headers),
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.text)).toEqual({ done: true, body: { amount: '10' } });
  });

  it('lets a route opt out, and never applies to Bearer tokens', async () => {
    const crossSite = { accept: 'application/json', 'sec-fetch-site': 'cross-site' };
    expect((await post('/csrf/webhook-like', crossSite)).status).toBe(201);
    const token = await scenario.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: scenario.emulator.now(),
    });
    const res = await fetch(`${scenario.url}/csrf/transfer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' },
    });
    expect(res.status).toBe(201);
  });

  it('lets safe methods through from anywhere', async () => {
    const res = await browser.request(`${scenario.url}/csrf/search?q=x`, {
      headers: { accept: 'application/json', 'sec-fetch-site': 'cross-site' },
    });
    expect(res.status).toBe(200);
  });

  describe('capturing an action from a stale page view', () => {
    const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
    const capturedAction = async (headers: Record<string, string>) => {
      const res = await browser.request(`${scenario.url}/csrf/search?q=secret`, {
        headers: { ...navigate, ...headers },
      });
      expect(res.status).toBe(302);
      const state = new URL(res.location!).searchParams.get('state')!;
      return (await unsealState(state, COOKIE_PASSWORD, scenario.emulator.now())).action;
    };

    beforeAll(() => scenario.emulator.advanceClock(301));

    it('takes it from the app’s own links', async () => {
      expect(await capturedAction({ 'sec-fetch-site': 'same-origin' })).toEqual({
        q: { q: 'secret' },
      });
      expect(await capturedAction({ referer: `${scenario.url}/csrf` })).toEqual({
        q: { q: 'secret' },
      });
    });

    it.each([
      ['a link on another site', { 'sec-fetch-site': 'cross-site' }],
      ['a browser without Fetch Metadata, no Referer', {}],
      ['a foreign Referer', { referer: 'https://evil.example/' }],
    ])('never from %s', async (_name, headers) => {
      expect(await capturedAction(headers)).toBeUndefined();
    });
  });
});

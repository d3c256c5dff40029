import { unsealState } from '../../libs/reauth/src/core';
import { signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { COOKIE_PASSWORD, type ScenarioApp, startScenarioApp } from '../support/reauth-app';
import { ROUTES } from './flow.routes';

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const BOB: Credentials = {
  email: 'bob@example.com',
  password: 'bob-password',
  totpSecret: 'JBSWY3DPEHPK3PXP',
};
const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('Re-authentication round trips through the emulator', () => {
  let scenario: ScenarioApp;
  let browser: HttpBrowser;

  beforeEach(async () => {
    scenario = await startScenarioApp(ROUTES);
    browser = new HttpBrowser();
  });
  afterEach(() => scenario.close());

  const app = (path: string) => `${scenario.url}${path}`;
  const navigate = (path: string, headers: Record<string, string> = {}) =>
    browser.get(app(path), { ...HTML, ...headers });
  const json = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;

  /** Goes from a redirect to AuthKit through the hosted pages to the app's callback URL. */
  const authenticateAt = (authorizationUrl: string, who: Credentials = ALICE) =>
    signInThroughPages(browser, authorizationUrl, who, scenario.emulator, scenario.redirectUri);

  /** The callback's answer for a callback URL. */
  const callback = (url: URL) => browser.get(url.href, HTML);

  const signIn = async (returnTo = '/signed-in', who: Credentials = ALICE) => {
    const start = await navigate(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    const done = await callback(await authenticateAt(start.location!, who));
    expect(done.status).toBe(303);
    return done;
  };

  const stateOf = (url: string) =>
    unsealState(new URL(url).searchParams.get('state')!, COOKIE_PASSWORD, scenario.emulator.now());

  it('signs in through /auth/login and reaches a fresh route with the session cookie', async () => {
    const done = await signIn('/fresh');
    expect(done.location).toBe(app('/fresh'));
    const cookie = done.headers.getSetCookie().find((c) => c.startsWith('wos-session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    const res = await navigate('/fresh');
    expect(res.status).toBe(200);
    expect(json(res).authTime).toBe(scenario.emulator.now());
  });

  it('sends a stale user to AuthKit with max_age and back to the page, freshly authenticated', async () => {
    await signIn();
    scenario.emulator.advanceClock(301);
    const stale = await navigate('/fresh');
    expect(stale.status).toBe(302);
    const authorize = new URL(stale.location!);
    expect(authorize.searchParams.get('max_age')).toBe('300');
    expect(authorize.searchParams.get('login_hint')).toBe('alice@example.com');
    expect(await stateOf(stale.location!)).toMatchObject({
      returnTo: '/fresh',
      maxAge: 300,
      sub: expect.any(String),
    });

    const prompt = await browser.follow(stale.location!, (next) =>
      next.startsWith(scenario.redirectUri),
    );
    expect(prompt.text).toContain('Confirm it’s you');
    const back = await callback(await authenticateAt(stale.location!));
    expect(back.status).toBe(303);
    expect(back.location).toBe(app('/fresh'));
    const fresh = await navigate('/fresh');
    expect(fresh.status).toBe(200);
    expect(json(fresh).authTime).toBe(scenario.emulator.now());
  });

  it('refreshes an expired access token in the cookie, keeping auth_time', async () => {
    await signIn();
    const signedInAt = scenario.emulator.now();
    scenario.emulator.advanceClock(400);
    const res = await navigate('/strict/inherits');
    expect(res.status).toBe(200);
    const refreshed = res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
    expect(refreshed).toBeDefined();
    const fresh = await navigate('/fresh', { accept: 'application/json' });
    expect(fresh.status).toBe(401);
    expect(json(fresh)).toMatchObject({ reason: 'stale', authTime: signedInAt });
  });

  it('shares one refresh among concurrent requests carrying the same expired cookie', async () => {
    await signIn();
    scenario.emulator.advanceClock(400);
    const results = await Promise.all(Array.from({ length: 5 }, () => navigate('/signed-in')));
    expect(results.map((res) => res.status)).toEqual([200, 200, 200, 200, 200]);
  });

  it('restores the in-progress action on the page the form was posted from', async () => {
    await signIn('/form');
    scenario.emulator.advanceClock(301);
    const posted = await browser.request(app('/transfer'), {
      method: 'POST',
      form: { amount: '125', to: 'savings' },
      headers: { ...HTML, referer: app('/form') },
    });
    expect(posted.status).toBe(303);
    expect(await stateOf(posted.location!)).toMatchObject({
      returnTo: '/form',
      action: { amount: '125', to: 'savings' },
    });
    const back = await callback(await authenticateAt(posted.location!));
    expect(back.location).toBe(app('/form'));
    expect(json(await navigate('/form'))).toEqual({
      restored: { amount: '125', to: 'savings' },
    });
    expect(json(await navigate('/form'))).toEqual({ restored: null });
  });

  it('refuses an action larger than 2 KB with a clear 413', async () => {
    await signIn();
    scenario.emulator.advanceClock(301);
    const res = await browser.request(app('/transfer'), {
      method: 'POST',
      form: { note: 'x'.repeat(3000) },
      headers: { ...HTML, referer: app('/form') },
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('action_too_large');
  });

  describe('state', () => {
    const startStale = async () => {
      await signIn();
      scenario.emulator.advanceClock(301);
      const stale = await navigate('/fresh');
      return authenticateAt(stale.location!);
    };

    it('rejects a tampered state', async () => {
      const url = await startStale();
      const state = url.searchParams.get('state')!;
      url.searchParams.set(
        'state',
        state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
      );
      const res = await callback(url);
      expect(res.status).toBe(400);
      expect(res.location).toBeUndefined();
      expect(res.text).toContain('state_invalid');
    });

    it('rejects an expired state', async () => {
      const url = await startStale();
      scenario.emulator.advanceClock(601);
      const res = await callback(url);
      expect(res.status).toBe(400);
      expect(res.text).toContain('state_expired');
    });

    it('rejects a state that comes back to a browser that did not start it', async () => {
      const url = await startStale();
      const res = await new HttpBrowser().get(url.href, HTML);
      expect(res.status).toBe(400);
      expect(res.text).toContain('state_not_bound');
      expect(res.headers.getSetCookie().some((c) => c.startsWith('wos-session='))).toBe(false);
    });

    it('sends a reload on in the browser that holds its session, refuses any other replay, and never spends the code twice', async () => {
      const url = await startStale();
      const bindingOnly = (await browser.jar.getCookieString(url.href))
        .split('; ')
        .filter((cookie) => !cookie.startsWith('wos-session='))
        .join('; ');
      const done = await callback(url);
      expect(done.status).toBe(303);
      // The binding cookie stays for the browser's other sign-ins; the used state is what counts,
      // before the code goes anywhere: exchanging the used code again would fail as code_invalid.
      const reload = await callback(url);
      expect(reload.status).toBe(303);
      expect(reload.location).toBe(done.location);
      const replay = await new HttpBrowser().get(url.href, { ...HTML, cookie: bindingOnly });
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('state_replayed');
    });

    it('settles a double-clicked callback once: the code is spent by one of them only', async () => {
      const url = await startStale();
      const answers = await Promise.all([callback(url), callback(url)]);
      expect(answers.map((answer) => answer.status)).toEqual([303, 303]);
      expect(answers.every((answer) => !answer.text.includes('code_invalid'))).toBe(true);
      const withSession = answers.filter((answer) =>
        answer.headers.getSetCookie().some((cookie) => cookie.startsWith('wos-session=')),
      );
      expect(withSession).toHaveLength(1);
    });

    it('completes a state once, even with a second valid code for it', async () => {
      await signIn();
      scenario.emulator.advanceClock(301);
      const stale = await navigate('/fresh');
      const first = await authenticateAt(stale.location!);
      const cookies = (await browser.jar.getCookieString(first.href))
        .split('; ')
        .filter((cookie) => !cookie.startsWith('wos-session='))
        .join('; ');
      expect((await callback(first)).status).toBe(303);
      // The same authorization URL (so the same state) signed in again yields a new code.
      const second = await signInThroughPages(
        new HttpBrowser(),
        stale.location!,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      expect(second.searchParams.get('state')).toBe(first.searchParams.get('state'));
      expect(second.searchParams.get('code')).not.toBe(first.searchParams.get('code'));
      const replay = await new HttpBrowser().get(second.href, { ...HTML, cookie: cookies });
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('state_replayed');
    });

    it.each([
      ['missing state', '?code=abc'],
      ['a repeated state', '?state=a&state=b&code=c'],
      ['a code with a space', '?state=abc&code=a%20b'],
      ['a code with a control character', '?state=abc&code=a%0Ab'],
      ['an oversized code', `?state=abc&code=${'c'.repeat(4097)}`],
      ['an oversized state', `?state=${'a'.repeat(9000)}`],
    ])('answers a callback with %s with a clear 400 page', async (_label, query) => {
      const res = await browser.get(`${scenario.redirectUri}${query}`, HTML);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('invalid_callback');
    });

    it('takes any visible ASCII code (RFC 6749), such as the slash in Google’s', async () => {
      const res = await browser.get(`${scenario.redirectUri}?state=abc&code=4%2F0Ab-x~.`, HTML);
      expect(res.status).toBe(400);
      // Past the query's validation, to the state, which is not one of ours.
      expect(res.text).toContain('state_');
      expect(res.text).not.toContain('invalid_callback');
    });
  });

  it.each([
    '//evil.example/',
    '/\\evil.example',
    'https://evil.example/',
    '/%2F%2Fevil.example',
    '/%5Cevil.example',
    '/ok%0d%0aSet-Cookie:%20x=1',
    'javascript:alert(1)',
  ])('keeps sign-in returnTo on the site: %s becomes /', async (target) => {
    const start = await navigate(`/auth/login?returnTo=${encodeURIComponent(target)}`);
    expect((await stateOf(start.location!)).returnTo).toBe('/');
    const done = await callback(await authenticateAt(start.location!));
    expect(done.location).toBe(app('/'));
  });

  it('fails without a loop when the provider ignores max_age', async () => {
    await signIn();
    scenario.emulator.setIgnoreMaxAge(true);
    scenario.emulator.advanceClock(301);
    const stale = await navigate('/fresh');
    const url = await authenticateAt(stale.location!);
    const res = await callback(url);
    expect(res.status).toBe(401);
    expect(res.location).toBeUndefined();
    expect(res.text).toContain('max_age_not_satisfied');
    // AuthKit continued the session that asked and rotated its refresh token: the browser gets
    // that session back, as old as it was. It still refreshes, and the route still refuses it.
    expect(res.headers.getSetCookie().some((c) => c.startsWith('wos-session=Fe26'))).toBe(true);
    scenario.emulator.setIgnoreMaxAge(false);
    scenario.emulator.advanceClock(400);
    const later = await browser.get(app('/signed-in'), { accept: 'application/json' });
    expect(later.status).toBe(200);
    expect((await navigate('/fresh')).status).toBe(302);
  });

  it('refuses a different user at the callback', async () => {
    await signIn();
    scenario.emulator.advanceClock(301);
    const stale = await navigate('/fresh');
    const res = await callback(await authenticateAt(stale.location!, BOB));
    expect(res.status).toBe(403);
    expect(res.text).toContain('user_mismatch');
    expect(res.headers.getSetCookie().some((c) => c.startsWith('wos-session='))).toBe(false);
  });

  it('asks for a fresh sign-in for max_age 0 every time, and never loops', async () => {
    await signIn();
    for (let round = 0; round < 2; round++) {
      scenario.emulator.advanceClock(5);
      const asked = await navigate('/delete-page');
      expect(asked.status).toBe(302);
      expect(new URL(asked.location!).searchParams.get('max_age')).toBe('0');
      const back = await callback(await authenticateAt(asked.location!));
      expect(back.location).toBe(app('/delete-page'));
      const allowed = await navigate('/delete-page');
      expect(allowed.status).toBe(200);
      expect(json(allowed).authTime).toBe(scenario.emulator.now());
      // The grant was for one request: the next one asks again.
      expect((await navigate('/delete-page')).status).toBe(302);
    }
  });

  it('does not let a provider that skips the max_age 0 prompt through', async () => {
    await signIn();
    scenario.emulator.setIgnoreMaxAge(true);
    scenario.emulator.advanceClock(2);
    const asked = await navigate('/delete-page');
    const res = await callback(await authenticateAt(asked.location!));
    expect(res.status).toBe(401);
    expect(res.text).toContain('max_age_not_satisfied');
    expect((await navigate('/delete-page')).status).toBe(302);
  });

  it('ties the max_age 0 grant to the route that asked', async () => {
    await signIn();
    scenario.emulator.advanceClock(5);
    const asked = await navigate('/delete-page');
    await callback(await authenticateAt(asked.location!));
    const other = await browser.request(app('/delete'), {
      method: 'POST',
      headers: { accept: 'application/json', 'sec-fetch-site': 'same-origin' },
    });
    expect(other.status).toBe(401);
    expect((await navigate('/delete-page')).status).toBe(200);
  });

  it('returns a user who cancels to the page they came from, with a marker', async () => {
    await signIn();
    scenario.emulator.advanceClock(301);
    const stale = await navigate('/fresh', { referer: app('/public') });
    let page = await browser.follow(stale.location!, (next) =>
      next.startsWith(scenario.redirectUri),
    );
    const cancel = /id="cancel" href="([^"]+)"/.exec(page.text)![1].replace(/&amp;/g, '&');
    page = await browser.get(new URL(cancel, page.url).href);
    const res = await callback(new URL(page.location!));
    expect(res.status).toBe(303);
    expect(res.location).toBe(app('/public?reauth=cancelled'));
  });

  it('offers a choice instead of redirecting again when a cancel lands on the guarded page', async () => {
    await signIn();
    scenario.emulator.advanceClock(301);
    const stale = await navigate('/fresh');
    let page = await browser.follow(stale.location!, (next) =>
      next.startsWith(scenario.redirectUri),
    );
    const cancel = /id="cancel" href="([^"]+)"/.exec(page.text)![1].replace(/&amp;/g, '&');
    page = await browser.get(new URL(cancel, page.url).href);
    const back = await callback(new URL(page.location!));
    expect(back.location).toBe(app('/fresh?reauth=cancelled'));
    const choice = await browser.get(back.location!, HTML);
    expect(choice.status).toBe(401);
    expect(choice.location).toBeUndefined();
    expect(choice.text).toContain('Confirm it’s you to continue');
    const again = /id="reauthenticate" href="([^"]+)"/.exec(choice.text)![1].replace(/&amp;/g, '&');
    expect(new URL(again).searchParams.get('max_age')).toBe('300');
    const done = await callback(await authenticateAt(again));
    expect(done.location).toBe(app('/fresh'));
  });

  it('signs out: clears the cookie, ends the AuthKit session and returns to the app', async () => {
    const done = await signIn();
    const session = done.headers.getSetCookie().find((c) => c.startsWith('wos-session='))!;
    const out = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: scenario.url },
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/wos-session=; Max-Age=0/);
    const logoutUrl = new URL(out.location!);
    expect(logoutUrl.pathname).toBe('/user_management/sessions/logout');
    const back = await browser.get(out.location!);
    expect(back.location).toBe(app('/'));
    expect((await navigate('/signed-in', { accept: 'application/json' })).status).toBe(401);

    // The old cookie, replayed once its access token expired, cannot be refreshed any more.
    scenario.emulator.advanceClock(400);
    const replay = await fetch(app('/signed-in'), {
      headers: { cookie: session.split(';')[0], accept: 'application/json' },
    });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ reason: 'unauthenticated' });
  });

  it('refuses a cross-origin sign-out', async () => {
    await signIn();
    const res = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect((await navigate('/signed-in')).status).toBe(200);
  });
});

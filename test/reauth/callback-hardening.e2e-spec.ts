import { type WorkOS } from '@workos-inc/node';
import { MemoryReauthStore, type WorkOSClient } from 'nest-workos-reauth';
import { unsealState } from '../../libs/reauth/src/core';
import { sdkFor, signInThroughPages, type Credentials } from '../support/emulator';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import { FaultyStore } from '../support/faulty-store';
import { COOKIE_PASSWORD, startScenarioApp, type ScenarioApp } from '../support/reauth-app';
import { AccountRoutes } from './account.routes';

const ROUTES = [AccountRoutes];

const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };
const CAROL: Credentials = { email: 'carol@sso.example.com' };
const HTML = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };

/** The real SDK, with the sessions the library revokes written down. */
function recordingRevocations(real: WorkOS, revoked: string[]): WorkOSClient {
  return {
    baseURL: real.baseURL,
    userManagement: new Proxy(real.userManagement, {
      get(target, name, receiver) {
        if (name === 'revokeSession') {
          return (options: { sessionId: string }) => {
            revoked.push(options.sessionId);
            return target.revokeSession(options);
          };
        }
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
      },
    }),
  };
}

describe('The callback, against forged, replayed and flooding sign-ins', () => {
  let scenario: ScenarioApp;
  let store: MemoryReauthStore;
  const revoked: string[] = [];

  beforeEach(async () => {
    revoked.length = 0;
    store = new MemoryReauthStore({ maxEntries: 40, now: () => Date.now() });
    scenario = await startScenarioApp(ROUTES, {
      reauth: (emulator) => ({
        store,
        workos: recordingRevocations(sdkFor(emulator), revoked),
      }),
    });
  });
  afterEach(() => scenario.close());

  const app = (path: string) => `${scenario.url}${path}`;

  /** Starts a sign-in in `browser` and brings back the callback URL (code and state) unused. */
  const codeFor = async (browser: HttpBrowser, who: Credentials = ALICE, path = '/auth/login') => {
    const start = await browser.get(app(`${path}?returnTo=%2Fsigned-in`), HTML);
    const url = await signInThroughPages(
      browser,
      start.location!,
      who,
      scenario.emulator,
      scenario.redirectUri,
    );
    return { url, stateCookies: start.headers.getSetCookie() };
  };
  const signedIn = async (who: Credentials = ALICE) => {
    const browser = new HttpBrowser();
    const { url } = await codeFor(browser, who);
    const done = await browser.get(url.href, HTML);
    expect(done.status).toBe(303);
    return browser;
  };
  const sessionCookie = (res: BrowserResponse) =>
    res.headers.getSetCookie().find((cookie) => /^wos-session=[^;]/.test(cookie));

  describe('the cookie that binds states to the browser', () => {
    it('is one per browser, however many refusals it gets: no pile of cookies', async () => {
      const browser = new HttpBrowser();
      const values = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const res = await browser.get(app('/signed-in'), { accept: 'application/json' });
        expect(res.status).toBe(401);
        for (const cookie of res.headers.getSetCookie()) values.add(cookie.split(';')[0]);
      }
      expect(values.size).toBe(1);
      expect((await browser.jar.getCookies(scenario.redirectUri)).length).toBe(1);
    });

    it('still binds every pending sign-in of the browser, each state once', async () => {
      const browser = new HttpBrowser();
      const first = await codeFor(browser, CAROL);
      const second = await codeFor(browser, CAROL);
      expect((await browser.get(second.url.href, HTML)).status).toBe(303);
      const bindingOnly = new HttpBrowser();
      await bindingOnly.jar.setCookie(first.stateCookies[0], app('/auth/callback'));
      const replay = await bindingOnly.get(second.url.href, HTML);
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('state_replayed');
      expect((await browser.get(first.url.href, HTML)).status).toBe(303);
    });
  });

  describe('login CSRF by cookie tossing', () => {
    it('binds a state to a random cookie value, not to the cookie’s name alone', async () => {
      const attacker = new HttpBrowser();
      const { url, stateCookies } = await codeFor(attacker, CAROL);
      const [binding] = stateCookies;
      expect(binding).toMatch(/^wos-reauth=[\w-]{43}; /);
      const name = binding.slice(0, binding.indexOf('='));
      const victim = new HttpBrowser();
      await victim.jar.setCookie(`${name}=1; Path=/auth/callback`, app('/auth/callback'));
      const res = await victim.get(url.href, HTML);
      expect(res.status).toBe(400);
      expect(res.text).toContain('state_not_bound');
      expect(sessionCookie(res)).toBeUndefined();
    });

    it('never replaces a signed-in user’s session with another user’s', async () => {
      const victim = await signedIn(ALICE);
      const session = async () =>
        (await victim.jar.getCookies(app('/'))).find((cookie) => cookie.key === 'wos-session')
          ?.value;
      const before = await session();
      const attacker = new HttpBrowser();
      const { url, stateCookies } = await codeFor(attacker, CAROL);
      await victim.jar.setCookie(stateCookies[0], app('/auth/callback'));
      const res = await victim.get(url.href, HTML);
      expect(res.status).toBe(409);
      expect(res.text).toContain('session_conflict');
      expect(sessionCookie(res)).toBeUndefined();
      expect(await session()).toBe(before);
      expect(revoked).toHaveLength(1);
      const stillAlice = await victim.get(app('/signed-in'), { accept: 'application/json' });
      expect(stillAlice.status).toBe(200);
    });

    it('names cookies __Host- whenever they are Secure', async () => {
      const secure = await startScenarioApp(ROUTES, {
        reauth: () => ({ redirectUri: 'https://localhost:1/auth/callback' }),
      });
      try {
        const res = await fetch(`${secure.url}/signed-in`, {
          headers: { accept: 'application/json' },
        });
        expect(res.status).toBe(401);
        const [binding] = res.headers.getSetCookie();
        expect(binding).toMatch(
          /^__Host-wos-reauth=[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
        );
      } finally {
        await secure.close();
      }
    });
  });

  describe('a failure after the code exchange', () => {
    it('revokes the session the exchange opened (another user than the one who asked)', async () => {
      const browser = await signedIn(ALICE);
      scenario.emulator.advanceClock(301);
      const stale = await browser.get(app('/fresh'), HTML);
      expect(stale.status).toBe(302);
      const url = await signInThroughPages(
        browser,
        stale.location!,
        CAROL,
        scenario.emulator,
        scenario.redirectUri,
      );
      const res = await browser.get(url.href, HTML);
      expect(res.status).toBe(403);
      expect(res.text).toContain('user_mismatch');
      expect(revoked).toHaveLength(1);
      expect(revoked[0]).toMatch(/^session_/);
    });

    it('revokes the new session when max_age was not honoured, never the one that asked', async () => {
      const browser = await signedIn(ALICE);
      const asking = (await browser.get(app('/fresh'), { accept: 'application/json' })).text;
      scenario.emulator.advanceClock(301);
      scenario.emulator.setIgnoreMaxAge(true);
      const stale = await browser.get(app('/fresh'), HTML);
      const url = await signInThroughPages(
        browser,
        stale.location!,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      const res = await browser.get(url.href, HTML);
      expect(res.text).toContain('max_age_not_satisfied');
      // AuthKit handed back the session that asked (a silent sign-in): it stays open.
      expect((JSON.parse(asking) as { sid: string }).sid).toMatch(/^session_/);
      expect(revoked).toEqual([]);
      expect((await browser.get(app('/signed-in'), { accept: 'application/json' })).status).toBe(
        200,
      );
    });
  });

  describe('a failure of the store after the code exchange', () => {
    it('answers 503 and closes the session the exchange opened', async () => {
      const failing = await startScenarioApp(ROUTES, {
        reauth: (emulator) => ({
          store: new FaultyStore({ methods: ['setIfAbsent'], prefixes: ['reauth:state:'] }),
          workos: recordingRevocations(sdkFor(emulator), revoked),
        }),
      });
      try {
        const browser = new HttpBrowser();
        const start = await browser.get(`${failing.url}/auth/login`, HTML);
        const url = await signInThroughPages(
          browser,
          start.location!,
          CAROL,
          failing.emulator,
          failing.redirectUri,
        );
        const res = await browser.get(url.href, HTML);
        expect(res.status).toBe(503);
        expect(sessionCookie(res)).toBeUndefined();
        expect(revoked).toHaveLength(1);
        expect(revoked[0]).toMatch(/^session_/);
      } finally {
        await failing.close();
      }
    });
  });

  describe('a large form from a long page address', () => {
    it('still fits its state under the size limit the callback accepts', async () => {
      const browser = await signedIn(ALICE);
      scenario.emulator.advanceClock(301);
      const page = `/form?${'q'.repeat(1900)}`;
      const res = await browser.request(app('/transfer'), {
        method: 'POST',
        form: { note: 'n'.repeat(1990) },
        headers: { ...HTML, 'sec-fetch-site': 'same-origin', referer: app(page) },
      });
      expect(res.status).toBe(303);
      const sealed = new URL(res.location!).searchParams.get('state')!;
      const state = await unsealState(sealed, COOKIE_PASSWORD, scenario.emulator.now());
      expect(state.returnTo).toBe(page);
      expect(state.cancelTo).toBeUndefined();
      expect(state.action).toEqual({ note: 'n'.repeat(1990) });
    });
  });

  describe('one account cannot fill the store for everyone', () => {
    it('stops one user’s flood of sign-ins with 429 while another user signs in and refreshes', async () => {
      const flooder = new HttpBrowser();
      const statuses: number[] = [];
      for (let i = 0; i < 45; i++) {
        const { url } = await codeFor(flooder);
        statuses.push((await flooder.get(url.href, HTML)).status);
      }
      expect(statuses.slice(0, 30).every((status) => status === 303)).toBe(true);
      expect(statuses.slice(30).every((status) => status === 429)).toBe(true);
      expect(store.size).toBeLessThanOrEqual(35);

      const other = await signedIn(CAROL);
      scenario.emulator.advanceClock(400); // past the access token's lifetime: a refresh
      const res = await other.get(app('/signed-in'), { accept: 'application/json' });
      expect(res.status).toBe(200);
      expect(sessionCookie(res)).toBeDefined();
    });
  });

  describe('a browser helper’s redirect re-authentication', () => {
    const reauthUrlFor = async (browser: HttpBrowser, id: string | undefined) => {
      const res = await browser.request(app('/transfer'), {
        method: 'POST',
        headers: {
          accept: 'application/json',
          'sec-fetch-site': 'same-origin',
          referer: app('/form'),
          ...(id === undefined ? {} : { 'x-reauth-id': id }),
        },
      });
      expect(res.status).toBe(401);
      return (JSON.parse(res.text) as { reauthUrl: string }).reauthUrl;
    };

    it('comes back marked with the id the helper sent, when it succeeded or was cancelled', async () => {
      const browser = await signedIn(ALICE);
      scenario.emulator.advanceClock(301);
      const id = 'AbCdEfGhIjKlMnOpQrStUv';
      const reauthUrl = await reauthUrlFor(browser, id);
      const url = await signInThroughPages(
        browser,
        reauthUrl,
        ALICE,
        scenario.emulator,
        scenario.redirectUri,
      );
      const done = await browser.get(url.href, HTML);
      expect(done.status).toBe(303);
      expect(done.location).toBe(app(`/form?reauth=ok&reauth_id=${id}`));

      scenario.emulator.advanceClock(301);
      const cancelled = new URL(await reauthUrlFor(browser, id));
      const back = await browser.get(
        `${scenario.redirectUri}?error=access_denied&state=${cancelled.searchParams.get('state')}`,
        HTML,
      );
      expect(back.location).toBe(app(`/form?reauth=cancelled&reauth_id=${id}`));
    });

    it.each(['short', 'has spaces in it ......', 'x'.repeat(65), 'a+b/c=d_padding_padding'])(
      'ignores a malformed id %p',
      async (id) => {
        const browser = await signedIn(ALICE);
        scenario.emulator.advanceClock(301);
        const state = new URL(await reauthUrlFor(browser, id)).searchParams.get('state')!;
        expect(
          (await unsealState(state, COOKIE_PASSWORD, scenario.emulator.now())).rid,
        ).toBeUndefined();
      },
    );
  });
});

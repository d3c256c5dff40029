import { STORE_KEYS } from '../../libs/reauth/src/core/constants';
import { MemoryReauthStore } from 'nest-workos-reauth';
import { FaultyStore, fillUp } from '../support/faulty-store';
import { type HttpBrowser } from '../support/http-browser';
import { COOKIE_PASSWORD, signInToApp } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';
import { type AppInstance, type Deployment, startDeployment } from '../support/reauth-deployment';

const JSON_ACCEPT = { accept: 'application/json' };
const sameOrigin = (instance: AppInstance) => ({
  origin: instance.url,
  'sec-fetch-site': 'same-origin',
});

/** The request a copy of a session cookie makes, from anywhere (no jar, no browser). */
const withCookie = (instance: AppInstance, path: string, sealed: string) =>
  fetch(`${instance.url}${path}`, {
    headers: { cookie: `wos-session=${sealed}`, ...JSON_ACCEPT },
    redirect: 'manual',
  });
const withBearer = (instance: AppInstance, path: string, token: string) =>
  fetch(`${instance.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const sessionCookies = (res: Response) =>
  res.headers.getSetCookie().filter((cookie) => cookie.startsWith('wos-session='));
const isClearing = (cookie: string) => /^wos-session=;/.test(cookie) && /Max-Age=0/i.test(cookie);
const logOut = (browser: HttpBrowser, instance: AppInstance) =>
  browser.request(`${instance.url}/auth/logout`, { method: 'POST', headers: sameOrigin(instance) });

async function expectSignedOut(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: 'reauth_required', reason: 'unauthenticated' });
  const cookies = sessionCookies(res);
  expect(cookies).toHaveLength(1);
  expect(isClearing(cookies[0])).toBe(true);
}

describe('Logout ends the session for the app', () => {
  let deployment: Deployment;
  let instance: AppInstance;
  const emulatorLog: string[] = [];
  const accessTokenIn = async (sealed: string) =>
    (await deployment.workos.userManagement.getSessionFromCookie({
      sessionData: sealed,
      cookiePassword: COOKIE_PASSWORD,
    }))!.accessToken;
  const refreshes = () =>
    emulatorLog.filter((line) => line.startsWith('POST /user_management/authenticate')).length;

  beforeEach(async () => {
    emulatorLog.length = 0;
    deployment = await startDeployment({
      emulator: { log: (line) => emulatorLog.push(line) },
      reauth: () => ({
        tokenExtractor: (request) => {
          const token = request.headers['x-access-token'];
          return typeof token === 'string' ? token : undefined;
        },
      }),
    });
    [instance] = deployment.instances;
  });
  afterEach(() => deployment.close());

  it('refuses a copied session cookie right after logout, and clears it', async () => {
    const { browser, sealedSession: copy } = await signInToApp(instance);
    const out = await logOut(browser, instance);
    expect(out.status).toBe(303);
    await expectSignedOut(await withCookie(instance, '/signed-in', copy));
  });

  it('refuses a copied session cookie whose verification was cached before logout', async () => {
    const { browser, sealedSession: copy } = await signInToApp(instance);
    expect((await withCookie(instance, '/signed-in', copy)).status).toBe(200);
    expect((await logOut(browser, instance)).status).toBe(303);
    await expectSignedOut(await withCookie(instance, '/signed-in', copy));
  });

  it('refuses a Bearer token of the ended session, cached or not', async () => {
    const { browser, sealedSession } = await signInToApp(instance);
    const token = await accessTokenIn(sealedSession);
    expect((await withBearer(instance, '/signed-in', token)).status).toBe(200);
    expect((await logOut(browser, instance)).status).toBe(303);
    const res = await withBearer(instance, '/signed-in', token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
  });

  it('refuses a token of the ended session that a custom extractor reads', async () => {
    const { browser, sealedSession } = await signInToApp(instance);
    const token = await accessTokenIn(sealedSession);
    const custom = () =>
      fetch(`${instance.url}/signed-in`, { headers: { 'x-access-token': token } });
    expect((await custom()).status).toBe(200);
    expect((await logOut(browser, instance)).status).toBe(303);
    const res = await custom();
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
  });

  it('ends the session from a handler (ReauthService.endSession) as the logout route does', async () => {
    const { browser, sealedSession: copy } = await signInToApp(instance);
    const ended = await browser.request(`${instance.url}/end-session`, {
      method: 'POST',
      headers: { ...sameOrigin(instance), ...JSON_ACCEPT },
    });
    expect(ended.status).toBe(201);
    await expectSignedOut(await withCookie(instance, '/signed-in', copy));
  });

  it('does not hand the refreshed session to the previous cookie once that session logged out', async () => {
    const { browser, sealedSession: previous } = await signInToApp(instance);
    deployment.emulator.advanceClock(400); // past the access token's exp
    const refreshed = await browser.get(`${instance.url}/signed-in`, JSON_ACCEPT);
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.getSetCookie().some((c) => c.startsWith('wos-session=Fe26'))).toBe(
      true,
    );
    expect((await logOut(browser, instance)).status).toBe(303);
    // Within the 30 s the refreshed session is shared for the previous cookie's burst.
    deployment.emulator.advanceClock(5);
    const replay = await withCookie(instance, '/signed-in', previous);
    await expectSignedOut(replay);
  });

  it('does not even try to refresh an older copy of the cookie of an ended session', async () => {
    const { browser, sealedSession: copy } = await signInToApp(instance);
    deployment.emulator.advanceClock(310);
    expect((await browser.get(`${instance.url}/signed-in`, JSON_ACCEPT)).status).toBe(200);
    expect((await logOut(browser, instance)).status).toBe(303);
    deployment.emulator.advanceClock(40); // past the 30 s a refresh is shared
    const before = refreshes();
    await expectSignedOut(await withCookie(instance, '/signed-in', copy));
    expect(refreshes()).toBe(before);
  });

  it('refuses a newer token of the session, refreshed from another copy, for as long as it verifies', async () => {
    const { browser, sealedSession: copy } = await signInToApp(instance);
    deployment.emulator.advanceClock(310);
    const stolen = await withCookie(instance, '/signed-in', copy); // the copy refreshes first
    expect(stolen.status).toBe(200);
    const newer = sessionCookies(stolen)[0].split(';')[0].slice('wos-session='.length);
    deployment.emulator.advanceClock(10);
    // The user signs out with the older cookie, whose token expired 25 s ago.
    expect((await logOut(browser, instance)).status).toBe(303);
    deployment.emulator.advanceClock(294); // the newer token's last second (exp + tolerance - 1)
    await expectSignedOut(await withCookie(instance, '/signed-in', newer));
  });

  it('keeps the same user’s other sessions signed in', async () => {
    const first = await signInToApp(instance);
    const second = await signInToApp(instance);
    expect((await logOut(first.browser, instance)).status).toBe(303);
    expect((await withCookie(instance, '/signed-in', second.sealedSession)).status).toBe(200);
  });
});

describe('Revocation across instances sharing a store', () => {
  it('refuses, on every instance, a session ended on one of them', async () => {
    const deployment = await startDeployment({
      instances: 2,
      store: (now) => new FaultyStore({ methods: [], prefixes: [] }, { now }),
    });
    try {
      const [first, second] = deployment.instances;
      const { browser, sealedSession: copy } = await signInToApp(first);
      expect((await withCookie(second, '/signed-in', copy)).status).toBe(200);
      expect((await logOut(browser, first)).status).toBe(303);
      await expectSignedOut(await withCookie(second, '/signed-in', copy));
    } finally {
      await deployment.close();
    }
  });
});

describe('Revocation when the store fails', () => {
  it('answers 503, still clearing the cookie and revoking at WorkOS, when the store cannot record the end, and logs it', async () => {
    const logger = new RecordingLogger();
    const emulatorLog: string[] = [];
    const deployment = await startDeployment({
      logger,
      emulator: { log: (line) => emulatorLog.push(line) },
      store: (now) =>
        new FaultyStore({ methods: ['set'], prefixes: [STORE_KEYS.revokedSession] }, { now }),
    });
    try {
      const [instance] = deployment.instances;
      const { browser, sealedSession } = await signInToApp(instance);
      const out = await logOut(browser, instance);
      // Not a success: copies of the cookie would still pass until its token expires.
      expect(out.status).toBe(503);
      expect(out.headers.get('retry-after')).toMatch(/^\d+$/);
      const cookies = out.headers.getSetCookie().filter((c) => c.startsWith('wos-session='));
      expect(cookies.map(isClearing)).toEqual([true]);
      expect(emulatorLog).toContain('POST /user_management/sessions/revoke 200');
      const warning = logger.lines.filter((line) => line.includes('ended session'));
      expect(warning).toEqual([
        'Recording the ended session in the store failed with Error (ECONNRESET): the sign-out answers 503, and copies of its cookie or tokens stay usable until they expire',
      ]);
      for (const line of logger.lines) expect(line).not.toContain(sealedSession.slice(0, 24));
    } finally {
      await deployment.close();
    }
  });

  it('answers 503 and logs a full store as such when it cannot record the end', async () => {
    const logger = new RecordingLogger();
    let store!: MemoryReauthStore;
    const deployment = await startDeployment({
      logger,
      store: (now) => (store = new MemoryReauthStore({ maxEntries: 20, now })),
    });
    try {
      const [instance] = deployment.instances;
      const { browser } = await signInToApp(instance);
      await fillUp(store);
      expect((await logOut(browser, instance)).status).toBe(503);
      expect(logger.lines).toContain(
        'Recording the ended session in the store failed: the store is full (20 live entries): the sign-out answers 503, and copies of its cookie or tokens stay usable until they expire',
      );
    } finally {
      await deployment.close();
    }
  });

  it('answers 503 when the store cannot tell whether the session ended', async () => {
    const deployment = await startDeployment({
      store: (now) =>
        new FaultyStore({ methods: ['get'], prefixes: [STORE_KEYS.revokedSession] }, { now }),
    });
    try {
      const [instance] = deployment.instances;
      const token = await deployment.emulator.mintAccessToken({
        email: 'alice@example.com',
        authTime: deployment.emulator.now(),
      });
      const res = await withBearer(instance, '/signed-in', token);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'reauth_unavailable' });
    } finally {
      await deployment.close();
    }
  });
});

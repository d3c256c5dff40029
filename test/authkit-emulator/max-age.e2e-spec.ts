import { type AuthKitEmulator } from 'authkit-emulator';
import { type WorkOS } from '@workos-inc/node';
import { decodeJwt } from 'jose';
import { REDIRECT_URI, signInThroughPages, startEmulatorWithSdk } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';

describe('AuthKit emulator: max_age and prompt=login (RFC 9470, OIDC)', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  let browser: HttpBrowser;

  const alice = { email: 'alice@example.com', password: 'alice-password' };
  const atCallback = (url: string) => url.startsWith(REDIRECT_URI);

  const authorizationUrl = (
    extra: { maxAge?: number; prompt?: string; loginHint?: string } = {},
  ) => {
    const url = new URL(
      workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: emulator.clientId,
        redirectUri: REDIRECT_URI,
        state: 'st',
        maxAge: extra.maxAge,
        loginHint: extra.loginHint,
      }),
    );
    if (extra.prompt) url.searchParams.set('prompt', extra.prompt);
    return url.href;
  };

  const exchange = async (callback: URL) => {
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code: callback.searchParams.get('code')!,
    });
    return { auth, claims: decodeJwt(auth.accessToken) };
  };

  beforeEach(async () => {
    ({ emulator, workos } = await startEmulatorWithSdk());
    browser = new HttpBrowser();
    await signInThroughPages(browser, authorizationUrl(), alice, emulator);
  });
  afterEach(() => emulator.close());

  it('puts max_age on the authorization URL built by the SDK', () => {
    expect(new URL(authorizationUrl({ maxAge: 300 })).searchParams.get('max_age')).toBe('300');
  });

  it('issues a code without any prompt while the sign-in is within max_age, keeping auth_time', async () => {
    const signedInAt = emulator.now();
    emulator.advanceClock(299);
    const res = await browser.follow(authorizationUrl({ maxAge: 300 }), atCallback);
    expect(res.status).toBe(302);
    const callback = new URL(res.location!);
    expect(callback.searchParams.get('state')).toBe('st');
    const { claims } = await exchange(callback);
    expect(claims.auth_time).toBe(signedInAt);
  });

  it('asks the user to re-authenticate past max_age, and the new token carries the new auth_time', async () => {
    const first = await exchange(
      new URL((await browser.follow(authorizationUrl(), atCallback)).location!),
    );
    emulator.advanceClock(301);
    const page = await browser.follow(authorizationUrl({ maxAge: 300 }), atCallback);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Confirm it’s you');
    expect(page.text).toContain('value="alice@example.com"');

    const callback = await signInThroughPages(
      browser,
      authorizationUrl({ maxAge: 300 }),
      alice,
      emulator,
    );
    const { claims } = await exchange(callback);
    expect(claims.auth_time).toBe(emulator.now());
    expect(claims.sid).toBe(first.claims.sid);
  });

  it('always prompts for max_age=0 and for prompt=login, even right after a sign-in', async () => {
    for (const extra of [{ maxAge: 0 }, { prompt: 'login' }]) {
      const page = await browser.follow(authorizationUrl(extra), atCallback);
      expect(page.status).toBe(200);
      expect(page.location).toBeUndefined();
      expect(page.text).toContain('Confirm it’s you');
    }
  });

  it('answers prompt=none with login_required when a prompt would be needed', async () => {
    emulator.advanceClock(400);
    const url = new URL(authorizationUrl({ maxAge: 300 }));
    url.searchParams.set('prompt', 'none');
    const res = await browser.get(url.href);
    const callback = new URL(res.location!);
    expect(callback.searchParams.get('error')).toBe('login_required');
    expect(callback.searchParams.get('state')).toBe('st');
  });

  it('prompts when login_hint names another user than the signed-in one', async () => {
    const page = await browser.follow(
      authorizationUrl({ loginHint: 'bob@example.com' }),
      atCallback,
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('value="bob@example.com"');
  });

  it('starts a new session when another user signs in on the same browser', async () => {
    const before = await exchange(
      new URL((await browser.follow(authorizationUrl(), atCallback)).location!),
    );
    const callback = await signInThroughPages(
      browser,
      authorizationUrl({ prompt: 'login' }),
      { email: 'carol@sso.example.com' },
      emulator,
    );
    const { auth, claims } = await exchange(callback);
    expect(auth.user.email).toBe('carol@sso.example.com');
    expect(claims.sid).not.toBe(before.claims.sid);
  });

  it('ignores max_age and prompt=login in the mode that imitates a non-compliant provider', async () => {
    const signedInAt = emulator.now();
    emulator.setIgnoreMaxAge(true);
    emulator.advanceClock(3600);
    for (const extra of [{ maxAge: 300 }, { maxAge: 0 }, { prompt: 'login' }]) {
      const res = await browser.follow(authorizationUrl(extra), atCallback);
      expect(res.status).toBe(302);
      const { claims } = await exchange(new URL(res.location!));
      expect(claims.auth_time).toBe(signedInAt);
    }
  });

  it('switches the non-compliant mode through the settings test control', async () => {
    const toggle = (ignoreMaxAge: unknown) =>
      fetch(`${emulator.url}/__emulator/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ignoreMaxAge }),
      });
    expect(await (await toggle(true)).json()).toEqual({ ignoreMaxAge: true });
    expect((await browser.follow(authorizationUrl({ maxAge: 0 }), atCallback)).status).toBe(302);
    expect((await toggle('yes')).status).toBe(422);
    await toggle(false);
    expect((await browser.follow(authorizationUrl({ maxAge: 0 }), atCallback)).status).toBe(200);
  });
});

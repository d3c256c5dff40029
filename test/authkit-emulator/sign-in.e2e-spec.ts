import { type AuthKitEmulator } from 'authkit-emulator';
import { type WorkOS } from '@workos-inc/node';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  REDIRECT_URI,
  signInThroughPages,
  startEmulatorWithSdk,
  totpAt,
} from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';

describe('AuthKit emulator: sign-in through the hosted pages with the real SDK', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;

  beforeEach(async () => {
    ({ emulator, workos } = await startEmulatorWithSdk());
  });
  afterEach(() => emulator.close());

  const authorizationUrl = (extra: { state?: string; maxAge?: number; loginHint?: string } = {}) =>
    workos.userManagement.getAuthorizationUrl({
      provider: 'authkit',
      clientId: emulator.clientId,
      redirectUri: REDIRECT_URI,
      ...extra,
    });

  it('signs alice in with her password and issues an RS256 token whose auth_time is the sign-in time', async () => {
    const browser = new HttpBrowser();
    const state = 'ünïcode + spaces & symbols =/?#%';
    const callback = await signInThroughPages(
      browser,
      authorizationUrl({ state }),
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(state);
    const code = callback.searchParams.get('code')!;

    const signedInAt = emulator.now();
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code,
    });
    expect(auth.user).toMatchObject({
      object: 'user',
      email: 'alice@example.com',
      firstName: 'Alice',
      lastName: 'Anderson',
      emailVerified: true,
    });
    expect(auth.user.id).toMatch(/^user_01[0-9A-Z]{24}$/);
    expect(auth.authenticationMethod).toBe('Password');
    expect(auth.organizationId).toMatch(/^org_/);
    expect(auth.refreshToken).toEqual(expect.any(String));

    const jwks = createRemoteJWKSet(new URL(workos.userManagement.getJwksUrl(emulator.clientId)));
    const { payload, protectedHeader } = await jwtVerify(auth.accessToken, jwks, {
      algorithms: ['RS256'],
      issuer: `${emulator.url}/user_management/${emulator.clientId}`,
      currentDate: new Date(emulator.now() * 1000),
    });
    expect(protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.stringMatching(/^key_/) });
    expect(payload).toMatchObject({
      sub: auth.user.id,
      sid: expect.stringMatching(/^session_/),
      org_id: auth.organizationId,
      role: 'admin',
      permissions: ['account:read', 'account:write', 'transfers:create'],
      jti: expect.any(String),
    });
    expect(payload.auth_time).toBe(signedInAt);
    expect(payload.iat).toBe(signedInAt);
    expect(payload.exp).toBe(signedInAt + 300);
  });

  it('asks bob for a TOTP code after his password, and refuses a wrong one without issuing a code', async () => {
    const browser = new HttpBrowser();
    let page = await browser.follow(authorizationUrl());
    page = await browser.submit(page, '/email', { email: 'bob@example.com' });
    page = await browser.submit(page, '/password', { password: 'bob-password' });
    expect(page.status).toBe(200);
    expect(page.text).toContain('Two-step verification');

    const right = totpAt('JBSWY3DPEHPK3PXP', emulator.now());
    const window = [-30, 0, 30].map((skew) => totpAt('JBSWY3DPEHPK3PXP', emulator.now() + skew));
    let wrong = right;
    while (window.includes(wrong))
      wrong = String((Number(wrong) + 7919) % 1_000_000).padStart(6, '0');
    const refused = await browser.submit(page, '/totp', { code: wrong });
    expect(refused.status).toBe(400);
    expect(refused.location).toBeUndefined();
    expect(refused.text).toContain('That code is not valid');

    const accepted = await browser.submit(refused, '/totp', { code: right });
    expect(accepted.status).toBe(303);
    const code = new URL(accepted.location!).searchParams.get('code')!;
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code,
    });
    expect(auth.user.email).toBe('bob@example.com');
  });

  it('accepts the code of the previous 30-second step, as authenticator apps drift', async () => {
    const browser = new HttpBrowser();
    let page = await browser.follow(authorizationUrl());
    page = await browser.submit(page, '/email', { email: 'bob@example.com' });
    page = await browser.submit(page, '/password', { password: 'bob-password' });
    const previous = totpAt('JBSWY3DPEHPK3PXP', emulator.now() - 30);
    const res = await browser.submit(page, '/totp', { code: previous });
    expect(res.status).toBe(303);
  });

  it('refuses the TOTP step until the password step has passed', async () => {
    const browser = new HttpBrowser();
    let page = await browser.follow(authorizationUrl());
    page = await browser.submit(page, '/email', { email: 'bob@example.com' });
    const form = page.text.match(/name="request" value="([^"]+)"/)![1];
    const skipped = await browser.request(`${emulator.url}/user_management/authorize/totp`, {
      method: 'POST',
      form: { request: form, code: totpAt('JBSWY3DPEHPK3PXP', emulator.now()) },
    });
    expect(skipped.status).toBe(400);
    expect(skipped.location).toBeUndefined();
    expect(skipped.text).toContain('Enter your password first');
  });

  it('sends carol through the simulated identity provider, with authentication method SSO', async () => {
    const browser = new HttpBrowser();
    let page = await browser.follow(authorizationUrl());
    page = await browser.submit(page, '/email', { email: 'carol@sso.example.com' });
    expect(page.text).toContain('identity provider (simulated)');
    expect(page.text).not.toContain('type="password"');
    page = await browser.submit(page, '/sso');
    const code = new URL(page.location!).searchParams.get('code')!;
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code,
    });
    expect(auth.user.email).toBe('carol@sso.example.com');
    expect(auth.authenticationMethod).toBe('SSO');
  });

  it('shows an error and issues no code for a wrong password or an unknown email', async () => {
    const browser = new HttpBrowser();
    let page = await browser.follow(authorizationUrl());
    const unknown = await browser.submit(page, '/email', { email: 'mallory@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('There is no account with that email.');
    page = await browser.submit(unknown, '/email', { email: 'alice@example.com' });
    const wrong = await browser.submit(page, '/password', { password: 'alice-passwore' });
    expect(wrong.status).toBe(400);
    expect(wrong.location).toBeUndefined();
    expect(wrong.text).toContain('Incorrect password.');
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('pre-fills the email from login_hint and escapes it', async () => {
    const browser = new HttpBrowser();
    const page = await browser.follow(authorizationUrl({ loginHint: 'a"><script>@x.io' }));
    expect(page.text).toContain('value="a&quot;&gt;&lt;script&gt;@x.io"');
    expect(page.text).not.toContain('<script>');
  });

  it('returns to the app with error=access_denied and the state when the user cancels', async () => {
    const browser = new HttpBrowser();
    const page = await browser.follow(authorizationUrl({ state: 's-123' }));
    const cancelHref = /id="cancel" href="([^"]+)"/.exec(page.text)![1].replace(/&amp;/g, '&');
    const res = await browser.get(new URL(cancelHref, page.url).href);
    expect(res.status).toBe(302);
    const back = new URL(res.location!);
    expect(back.origin + back.pathname).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('s-123');
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('makes every code single-use', async () => {
    const callback = await signInThroughPages(
      new HttpBrowser(),
      authorizationUrl(),
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    const code = callback.searchParams.get('code')!;
    await workos.userManagement.authenticateWithCode({ clientId: emulator.clientId, code });
    await expect(
      workos.userManagement.authenticateWithCode({ clientId: emulator.clientId, code }),
    ).rejects.toMatchObject({ name: 'OauthException', status: 400, error: 'invalid_grant' });
  });

  it('expires codes after 10 minutes', async () => {
    const callback = await signInThroughPages(
      new HttpBrowser(),
      authorizationUrl(),
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    emulator.advanceClock(601);
    await expect(
      workos.userManagement.authenticateWithCode({
        clientId: emulator.clientId,
        code: callback.searchParams.get('code')!,
      }),
    ).rejects.toMatchObject({ name: 'OauthException', error: 'invalid_grant' });
  });

  it('supports PKCE for public clients', async () => {
    const { url, codeVerifier } = await workos.userManagement.getAuthorizationUrlWithPKCE({
      provider: 'authkit',
      clientId: emulator.clientId,
      redirectUri: REDIRECT_URI,
    });
    const callback = await signInThroughPages(
      new HttpBrowser(),
      url,
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    const code = callback.searchParams.get('code')!;
    const wrongVerifier = `${codeVerifier.slice(0, -1)}${codeVerifier.endsWith('A') ? 'B' : 'A'}`;
    await expect(
      workos.userManagement.authenticateWithCodeAndVerifier({
        clientId: emulator.clientId,
        code,
        codeVerifier: wrongVerifier,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const again = await signInThroughPages(
      new HttpBrowser(),
      (
        await workos.userManagement.getAuthorizationUrlWithPKCE({
          provider: 'authkit',
          clientId: emulator.clientId,
          redirectUri: REDIRECT_URI,
        })
      ).url,
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    expect(again.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('seals sessions that loadSealedSession can authenticate and refresh', async () => {
    const cookiePassword = 'a-cookie-password-of-at-least-32-characters';
    const callback = await signInThroughPages(
      new HttpBrowser(),
      authorizationUrl(),
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    const auth = await workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code: callback.searchParams.get('code')!,
      session: { sealSession: true, cookiePassword },
    });
    expect(auth.sealedSession).toEqual(expect.any(String));

    const session = workos.userManagement.loadSealedSession({
      sessionData: auth.sealedSession!,
      cookiePassword,
    });
    const current = await session.authenticate();
    expect(current).toMatchObject({ authenticated: true, user: { email: 'alice@example.com' } });

    const refreshed = await session.refresh();
    expect(refreshed.authenticated).toBe(true);
    if (!refreshed.authenticated) return;
    expect(refreshed.sealedSession).toEqual(expect.any(String));
    expect(refreshed.sealedSession).not.toBe(auth.sealedSession);
    const reloaded = await workos.userManagement
      .loadSealedSession({ sessionData: refreshed.sealedSession!, cookiePassword })
      .authenticate();
    expect(reloaded).toMatchObject({
      authenticated: true,
      sessionId: current.authenticated && current.sessionId,
    });
  });

  it('keeps the JWT header free of anything but alg, kid and typ', async () => {
    const token = await emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: emulator.now(),
    });
    expect(Object.keys(decodeProtectedHeader(token)).sort()).toEqual(['alg', 'kid', 'typ']);
  });
});

import { type AuthKitEmulator } from 'authkit-emulator';
import {
  NotFoundException,
  OauthException,
  UnauthorizedException,
  UnprocessableEntityException,
  WorkOS,
} from '@workos-inc/node';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { REDIRECT_URI, signInThroughPages, startEmulatorWithSdk } from '../support/emulator';
import { HttpBrowser } from '../support/http-browser';

describe('AuthKit emulator: tokens, refresh, sessions, keys', () => {
  let emulator: AuthKitEmulator;
  let workos: WorkOS;
  let browser: HttpBrowser;

  const signIn = async () => {
    browser = new HttpBrowser();
    const url = workos.userManagement.getAuthorizationUrl({
      provider: 'authkit',
      clientId: emulator.clientId,
      redirectUri: REDIRECT_URI,
    });
    const callback = await signInThroughPages(
      browser,
      url,
      { email: 'alice@example.com', password: 'alice-password' },
      emulator,
    );
    return workos.userManagement.authenticateWithCode({
      clientId: emulator.clientId,
      code: callback.searchParams.get('code')!,
    });
  };

  const refresh = (refreshToken: string) =>
    workos.userManagement.authenticateWithRefreshToken({
      clientId: emulator.clientId,
      refreshToken,
    });

  const jwks = async () =>
    (await (
      await fetch(workos.userManagement.getJwksUrl(emulator.clientId))
    ).json()) as JSONWebKeySet;

  beforeEach(async () => {
    ({ emulator, workos } = await startEmulatorWithSdk({ keyRotationGraceSeconds: 600 }));
  });
  afterEach(() => emulator.close());

  it('keeps auth_time on refresh while iat and exp move with the clock', async () => {
    const first = await signIn();
    const signedIn = decodeJwt(first.accessToken);
    emulator.advanceClock(1000);
    const second = await refresh(first.refreshToken);
    const refreshed = decodeJwt(second.accessToken);
    expect(refreshed.auth_time).toBe(signedIn.auth_time);
    expect(refreshed.sid).toBe(signedIn.sid);
    expect(refreshed.iat).toBe(emulator.now());
    expect(refreshed.exp).toBe(emulator.now() + 300);
    expect(refreshed.jti).not.toBe(signedIn.jti);
    expect(second.user.email).toBe('alice@example.com');
    expect(second.authenticationMethod).toBe('Password');
  });

  it('rotates refresh tokens and rejects the reuse of one with invalid_grant', async () => {
    const first = await signIn();
    const second = await refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    const reuse = refresh(first.refreshToken);
    await expect(reuse).rejects.toBeInstanceOf(OauthException);
    await expect(reuse).rejects.toMatchObject({ status: 400, error: 'invalid_grant' });
    await expect(refresh(second.refreshToken)).resolves.toMatchObject({
      user: { email: 'alice@example.com' },
    });
  });

  it('refuses to refresh into an organization the user is not a member of', async () => {
    const first = await signIn();
    await expect(
      workos.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken: first.refreshToken,
        organizationId: 'org_01NOTAMEMBER',
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('ends the session on revoke: its refresh token stops working and the browser must sign in again', async () => {
    const first = await signIn();
    const sessionId = decodeJwt(first.accessToken).sid as string;
    await workos.userManagement.revokeSession({ sessionId });
    await expect(refresh(first.refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });
    const again = await browser.follow(
      workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: emulator.clientId,
        redirectUri: REDIRECT_URI,
      }),
      (url) => url.startsWith(REDIRECT_URI),
    );
    expect(again.status).toBe(200);
    await expect(
      workos.userManagement.revokeSession({ sessionId: 'session_01UNKNOWN' }),
    ).rejects.toBeInstanceOf(NotFoundException);
  });

  it('signs out through the logout URL, clears the browser session and returns to an allowed origin', async () => {
    const first = await signIn();
    const sessionId = decodeJwt(first.accessToken).sid as string;
    const url = workos.userManagement.getLogoutUrl({
      sessionId,
      returnTo: 'http://localhost:3000/',
    });
    const res = await browser.get(url);
    expect(res.status).toBe(302);
    expect(res.location).toBe('http://localhost:3000/');
    await expect(refresh(first.refreshToken)).rejects.toMatchObject({ error: 'invalid_grant' });

    const evil = workos.userManagement.getLogoutUrl({
      sessionId,
      returnTo: 'https://evil.example/',
    });
    const refused = await browser.get(evil);
    expect(refused.status).toBe(400);
    expect(refused.location).toBeUndefined();

    const plain = await browser.get(workos.userManagement.getLogoutUrl({ sessionId }));
    expect(plain.status).toBe(200);
    expect(plain.text).toContain('You are signed out');
  });

  it('rotates signing keys, keeping the previous key published for the grace period', async () => {
    const before = await emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: emulator.now(),
    });
    const oldKid = decodeProtectedHeader(before).kid;
    const newKid = await emulator.rotateKeys();
    const after = await emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: emulator.now(),
    });
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    expect(newKid).not.toBe(oldKid);

    const during = await jwks();
    expect(during.keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());
    const at = new Date(emulator.now() * 1000);
    await expect(
      jwtVerify(before, createLocalJWKSet(during), { currentDate: at }),
    ).resolves.toBeDefined();

    emulator.advanceClock(601);
    const afterGrace = await jwks();
    expect(afterGrace.keys.map((key) => key.kid)).toEqual([newKid]);
    await expect(
      jwtVerify(before, createLocalJWKSet(afterGrace), {
        currentDate: new Date(emulator.now() * 1000),
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('rotates keys and advances the clock through the HTTP test controls', async () => {
    const rotate = await fetch(`${emulator.url}/__emulator/rotate-keys`, { method: 'POST' });
    const { kid } = (await rotate.json()) as { kid: string };
    expect((await jwks()).keys.map((key) => key.kid)).toContain(kid);

    const start = emulator.now();
    const advanced = await fetch(`${emulator.url}/__emulator/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceSeconds: 120 }),
    });
    expect(await advanced.json()).toEqual({ now: start + 120 });
    expect(await (await fetch(`${emulator.url}/__emulator/clock`)).json()).toEqual({
      now: start + 120,
    });
  });

  it('mints tokens with a chosen auth_time and claims through the test control', async () => {
    const res = await fetch(`${emulator.url}/__emulator/access-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'bob@example.com',
        authTime: 1_700_000_000,
        expiresIn: 60,
        claims: { auth_time: null, custom: 'x' },
      }),
    });
    expect(res.status).toBe(200);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const claims = decodeJwt(accessToken);
    expect(claims).not.toHaveProperty('auth_time');
    expect(claims.custom).toBe('x');
    expect(claims.exp).toBe(emulator.now() + 60);

    const withAuthTime = decodeJwt(
      await emulator.mintAccessToken({ email: 'bob@example.com', authTime: 1_700_000_000 }),
    );
    expect(withAuthTime.auth_time).toBe(1_700_000_000);
  });

  it('serves users to the SDK and answers unknown ones with NotFoundException', async () => {
    const first = await signIn();
    const user = await workos.userManagement.getUser(first.user.id);
    expect(user).toMatchObject({
      id: first.user.id,
      email: 'alice@example.com',
      lastSignInAt: expect.any(String),
    });
    await expect(workos.userManagement.getUser('user_01NOBODY')).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('answers a wrong API key with 401, which the SDK turns into UnauthorizedException', async () => {
    const first = await signIn();
    const intruder = new WorkOS('sk_test_wrong', {
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      clientId: emulator.clientId,
    });
    await expect(intruder.userManagement.getUser(first.user.id)).rejects.toBeInstanceOf(
      UnauthorizedException,
    );
    await expect(
      intruder.userManagement.authenticateWithRefreshToken({
        clientId: emulator.clientId,
        refreshToken: first.refreshToken,
      }),
    ).rejects.toBeInstanceOf(UnauthorizedException);
    // The refused attempt did not burn the refresh token.
    await expect(refresh(first.refreshToken)).resolves.toBeDefined();
  });

  it('answers a wrong client id with OAuth invalid_client and bad parameters with 422', async () => {
    await expect(
      workos.userManagement.authenticateWithCode({ clientId: 'client_other', code: 'abc' }),
    ).rejects.toMatchObject({ name: 'OauthException', error: 'invalid_client' });
    await expect(workos.userManagement.revokeSession({ sessionId: '' })).rejects.toBeInstanceOf(
      UnprocessableEntityException,
    );
  });
});

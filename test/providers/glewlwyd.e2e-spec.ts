import {
  CurrentAuthentication,
  RequireRecentAuth,
  RequireSignIn,
  type Authentication,
} from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import {
  GLEWLWYD_USERS,
  glewlwydAvailable,
  signOutAtGlewlwyd,
  type GlewlwydTestProvider,
} from '../support/glewlwyd';
import { HttpBrowser, send, type BrowserResponse } from '../support/http-browser';
import { startGlewlwydRig, type ProviderRig } from '../support/provider-rigs';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };

@Controller()
class GlewlwydController {
  @Get('public')
  public() {
    return { ok: true };
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn(@CurrentAuthentication() authentication: Authentication) {
    return { sub: authentication.claims.sub, source: authentication.source };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh() {
    return { ok: true };
  }
}

const describeWithGlewlwyd = glewlwydAvailable() ? describe : describe.skip;

describeWithGlewlwyd('Glewlwyd as the OpenID Provider', () => {
  let rig: ProviderRig;
  let glewlwyd: GlewlwydTestProvider;
  let browser: HttpBrowser;

  beforeEach(async () => {
    rig = await startGlewlwydRig({ controllers: [GlewlwydController] });
    glewlwyd = rig.glewlwyd!;
    browser = new HttpBrowser();
  });
  afterEach(() => rig.close());

  const app = (path: string) => `${rig.url}${path}`;
  const navigate = (path: string) => browser.get(app(path), HTML);
  const api = (path: string) => browser.get(app(path), JSON_ACCEPT);
  const json = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;
  const sessionCookie = (res: BrowserResponse) =>
    res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));

  const signIn = async (returnTo = '/signed-in') => {
    const start = await navigate(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    const callback = await rig.authenticateAt(browser, start.location!);
    const done = await browser.get(callback.href, HTML);
    expect(done.status).toBe(303);
    expect(sessionCookie(done)).toBeDefined();
    return { start, callback, done };
  };

  /** The browser's session, opened by the app's provider. */
  const session = async () => {
    const cookie = (await browser.jar.getCookies(rig.url)).find((c) => c.key === 'wos-session');
    if (!cookie) throw new Error('no session cookie');
    const { IdentityProvider } = await import('../../libs/reauth/src/providers/identity-provider');
    const opened = await rig.app.get(IdentityProvider).unseal(cookie.value);
    if (!opened) throw new Error('the session cookie does not open');
    return opened;
  };

  const refreshAtGlewlwyd = (refreshToken: string) =>
    send(
      `${glewlwyd.issuer}/token`,
      'POST',
      {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${glewlwyd.clientId}:${glewlwyd.clientSecret}`).toString('base64')}`,
      },
      new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    );

  /** A new sign-in's authorization URL, as glewlwyd's login page continues it. */
  const continueAtGlewlwyd = async () => {
    const start = await navigate('/auth/login?returnTo=%2Fsigned-in');
    const continued = new URL(start.location!);
    continued.searchParams.set('g_continue', '');
    return browser.get(continued.href);
  };

  it('publishes discovery, and signs in through its login API into the app', async () => {
    const discovery = (await (
      await fetch(`${glewlwyd.issuer}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: glewlwyd.issuer,
      authorization_endpoint: `${glewlwyd.issuer}/auth`,
      token_endpoint: `${glewlwyd.issuer}/token`,
      end_session_endpoint: `${glewlwyd.issuer}/end_session`,
    });
    expect(discovery.code_challenge_methods_supported).toContain('S256');

    const { start, callback, done } = await signIn();
    const asked = new URL(start.location!);
    expect(`${asked.origin}${asked.pathname}`).toBe(discovery.authorization_endpoint);
    expect(asked.searchParams.get('client_id')).toBe(glewlwyd.clientId);
    expect(asked.searchParams.get('code_challenge_method')).toBe('S256');
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(done.location).toBe(app('/signed-in'));
    expect(sessionCookie(done)).toMatch(/HttpOnly/);

    const res = await navigate('/signed-in');
    expect(res.status).toBe(200);
    const { idToken } = await session();
    expect(json(res)).toEqual({ sub: decodeJwt(idToken!).sub, source: 'cookie' });
  });

  it('accepts its access token as a Bearer token, and refuses it altered', async () => {
    await signIn();
    const { accessToken } = await session();
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: glewlwyd.issuer,
      aud: glewlwyd.audience,
      client_id: glewlwyd.clientId,
    });
    const bearer = await fetch(app('/signed-in'), {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${accessToken}` },
    });
    expect(bearer.status).toBe(200);
    expect(await bearer.json()).toMatchObject({ source: 'bearer' });

    const altered = `${accessToken.slice(0, -6)}${accessToken.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    const refused = await fetch(app('/signed-in'), {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${altered}` },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('moves glewlwyd’s clock and the app’s together', async () => {
    await rig.advanceClock(5000);
    expect(rig.nowSeconds() - Date.now() / 1000).toBeGreaterThan(4990);
    await signIn();
    const { accessToken, idToken } = await session();
    for (const token of [accessToken, idToken!]) {
      expect(Math.abs(decodeJwt(token).iat! - rig.nowSeconds())).toBeLessThanOrEqual(2);
    }
    // The app takes tokens issued in glewlwyd's future as current.
    expect((await navigate('/signed-in')).status).toBe(200);
  });

  it('refreshes an expired access token in the cookie', async () => {
    await signIn();
    const before = await session();
    await rig.advanceClock(400);
    const res = await navigate('/signed-in');
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).toBeDefined();
    const after = await session();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(Math.abs(decodeJwt(after.accessToken).iat! - rig.nowSeconds())).toBeLessThanOrEqual(2);
    expect(decodeJwt(after.accessToken).sub).toBe(decodeJwt(before.accessToken).sub);
  });

  it('answers a stale API call with the JSON 401 and the RFC 9470 challenge', async () => {
    await signIn();
    await rig.advanceClock(301);
    const res = await api('/fresh');
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate');
    expect(challenge).toMatch(/^Bearer error="insufficient_user_authentication", /);
    expect(challenge).toContain('max_age="300"');
    const body = json(res);
    expect(body).toMatchObject({ error: 'reauth_required', maxAge: 300 });
    const reauthUrl = new URL(body.reauthUrl as string);
    expect(`${reauthUrl.origin}${reauthUrl.pathname}`).toBe(`${glewlwyd.issuer}/auth`);
    expect(reauthUrl.searchParams.get('max_age')).toBe('300');
    expect(reauthUrl.searchParams.get('redirect_uri')).toBe(rig.redirectUri);
  });

  it('signs out: the cookie is cleared, glewlwyd ends its session and its refresh token', async () => {
    const { done } = await signIn();
    const cookie = sessionCookie(done)!.split(';')[0];
    const { refreshToken } = await session();
    // The refresh token works until the sign-out.
    expect((await refreshAtGlewlwyd(refreshToken!)).status).toBe(200);
    expect(
      (await glewlwyd.refreshTokens(GLEWLWYD_USERS.alice)).filter((t) => t.enabled),
    ).toHaveLength(1);

    // While glewlwyd's session lasts, its login page's "continue" goes straight to the app.
    expect((await continueAtGlewlwyd()).location).toMatch(rig.redirectUri);

    const out = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: rig.url },
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/wos-session=; Max-Age=0/);
    const logout = new URL(out.location!);
    expect(`${logout.origin}${logout.pathname}`).toBe(`${glewlwyd.issuer}/end_session`);
    expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${rig.url}/auth/logout`);
    const state = logout.searchParams.get('state');
    expect(state).toMatch(/^[\w-]{43}$/);
    expect(logout.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

    const refreshed = await refreshAtGlewlwyd(refreshToken!);
    // Glewlwyd refuses a disabled refresh token with a bare 400 (no error body).
    expect(refreshed.status).toBe(400);
    expect(refreshed.text).not.toContain('access_token');
    expect((await glewlwyd.refreshTokens(GLEWLWYD_USERS.alice)).filter((t) => t.enabled)).toEqual(
      [],
    );
    const replayed = await fetch(app('/signed-in'), { headers: { ...JSON_ACCEPT, cookie } });
    expect(replayed.status).toBe(401);

    const ended = await signOutAtGlewlwyd(browser, logout.href);
    // With the state, glewlwyd's page sends the browser back, through the app's check, to `/`.
    expect(ended.returnTo).toBe(`${rig.url}/auth/logout?state=${state}`);
    const landed = await browser.get(ended.returnTo!, HTML);
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${rig.url}/`);
    // Glewlwyd's session is over: the login page's "continue" now leads back to the login page.
    expect(new URL((await continueAtGlewlwyd()).location!).pathname).toBe('/login.html');
  });
});

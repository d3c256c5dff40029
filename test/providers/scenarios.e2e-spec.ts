import {
  AuthClaims,
  CurrentAuthentication,
  MemoryPasskeyCredentialStore,
  ReauthService,
  RequireRecentAuth,
  RequireSignIn,
  type AccessTokenClaims,
  type Authentication,
  type ReauthRequest,
} from 'nest-workos-reauth';
import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { unsealState } from '../../libs/reauth/src/core';
import { HttpBrowser, send, type BrowserResponse } from '../support/http-browser';
import { assertPasskey, createPasskey } from '../support/software-authenticator';
import { GLEWLWYD_USERS, glewlwydAvailable, signOutAtGlewlwyd } from '../support/glewlwyd';
import { OIDC_ACR, signOutAtOidcProvider } from '../support/oidc-provider';
import {
  RIG_PLATFORMS,
  startGlewlwydRig,
  startRig,
  type HttpPlatform,
  type Person,
  type ProviderRig,
  type ProviderRigName,
} from '../support/provider-rigs';
import { COOKIE_PASSWORD } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
const STRONG = OIDC_ACR.otp;

/**
 * Every rig of the scenario suites, and glewlwyd on Express: an OpenID Provider that cannot do
 * all a scenario asks (no `auth_time`, no `max_age=0`, no `acr`, no cancel), where each scenario
 * asserts what the library does about it.
 */
const SCENARIO_RIGS: readonly (readonly [ProviderRigName, HttpPlatform])[] = [
  ...RIG_PLATFORMS,
  ...(glewlwydAvailable() ? [['glewlwyd', 'express'] as const] : []),
];

/** Starts the rig `name` on `setup.adapter`, whichever provider it is. */
function startScenarioRig(
  name: ProviderRigName,
  setup: Parameters<typeof startRig>[1] & { adapter: HttpPlatform },
): Promise<ProviderRig> {
  if (name !== 'glewlwyd') return startRig(name, setup);
  if (setup.adapter !== 'express') throw new TypeError('glewlwyd runs on Express only here');
  return startGlewlwydRig(setup);
}

/** What the library logs once at glewlwyd's first sign-in, about its `auth_time` 0. */
const authTimeZeroWarning = (issuer: string) =>
  `The identity provider (OpenID Connect, issuer ${issuer}) says a sign-in it just completed happened at 1970-01-01T00:00:00.000Z (auth_time 0): it does not record when users sign in, so no @RequireRecentAuth route can be passed through it, and re-authentications end in auth_time_unknown`;

@Controller()
class ScenarioController {
  constructor(private readonly reauth: ReauthService) {}

  @Get('public')
  public() {
    return { ok: true };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AccessTokenClaims) {
    return { sub: claims.sub, authTime: claims.auth_time, acr: claims.acr ?? null };
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn(@CurrentAuthentication() authentication: Authentication) {
    return { sub: authentication.claims.sub, source: authentication.source };
  }

  @Get('long')
  @RequireRecentAuth(3600)
  long(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('form')
  @RequireSignIn()
  async form(@Req() request: ReauthRequest, @Res({ passthrough: true }) response: unknown) {
    return { restored: (await this.reauth.takeRestoredAction(request, response)) ?? null };
  }

  @Post('transfer')
  @RequireRecentAuth(300, { action: (request) => request.body })
  transfer(@Body() body: unknown) {
    return { done: true, body };
  }

  @Get('delete-page')
  @RequireRecentAuth(0)
  deletePage(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }

  @Get('strong')
  @RequireRecentAuth(300, { acr: [STRONG] })
  strong(@AuthClaims('acr') acr: string) {
    return { acr };
  }

  @Get('second-factor')
  @RequireRecentAuth(300, { amr: ['otp', 'mfa'] })
  secondFactor(@AuthClaims('amr') amr: string[]) {
    return { amr };
  }
}

describe.each(SCENARIO_RIGS)('Scenarios on %s, %s', (rigName, adapter) => {
  let rig: ProviderRig;
  let browser: HttpBrowser;
  const logger = new RecordingLogger();
  /** Glewlwyd says every sign-in happened at auth_time 0: no step-up through it succeeds. */
  const atGlewlwyd = rigName === 'glewlwyd';

  beforeEach(async () => {
    logger.lines.length = 0;
    rig = await startScenarioRig(rigName, { controllers: [ScenarioController], adapter, logger });
    browser = new HttpBrowser();
  });
  afterEach(() => rig.close());

  const app = (path: string) => `${rig.url}${path}`;
  const navigate = (path: string, headers: Record<string, string> = {}) =>
    browser.get(app(path), { ...HTML, ...headers });
  const api = (path: string, headers: Record<string, string> = {}) =>
    browser.get(app(path), { ...JSON_ACCEPT, ...headers });
  const json = (res: BrowserResponse) => JSON.parse(res.text) as Record<string, unknown>;
  const callback = (url: URL) => browser.get(url.href, HTML);
  const sessionCookie = (res: BrowserResponse) =>
    res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
  const stateOf = (url: string) =>
    unsealState(new URL(url).searchParams.get('state')!, COOKIE_PASSWORD, rig.nowSeconds());
  /** The OpenID Provider's handle on the OpenID rigs (oidc-provider's or glewlwyd's). */
  const openIdProvider = () => rig.oidc ?? rig.glewlwyd;
  const warnings = (pattern: RegExp) => logger.lines.filter((line) => pattern.test(line));
  /** The answer of the callback that ends glewlwyd's re-authentication: never a redirect. */
  const expectAuthTimeUnknown = (res: BrowserResponse) => {
    expect(res.status).toBe(502);
    expect(res.location).toBeUndefined();
    expect(res.text).toContain('auth_time_unknown');
  };

  const signIn = async (returnTo = '/signed-in', who: Person = 'alice') => {
    const start = await navigate(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(start.status).toBe(302);
    const done = await callback(await rig.authenticateAt(browser, start.location!, who));
    expect(done.status).toBe(303);
    expect(sessionCookie(done)).toBeDefined();
    return done;
  };

  /** Signs in, then lets `seconds` pass: the sign-in is that old for the app and the provider. */
  const signInAged = async (seconds: number, returnTo?: string) => {
    await signIn(returnTo);
    await rig.advanceClock(seconds);
  };

  it('signs in and reaches a fresh route with the session cookie', async () => {
    const done = await signIn('/fresh');
    expect(done.location).toBe(app('/fresh'));
    expect(sessionCookie(done)).toMatch(/HttpOnly/);
    if (atGlewlwyd) {
      // Signed in, said to be from 1970: the fresh route asks again, and the log says why, once.
      expect(warnings(/auth_time 0/)).toEqual([authTimeZeroWarning(rig.glewlwyd!.issuer)]);
      expect((await navigate('/signed-in')).status).toBe(200);
      const stale = await api('/fresh');
      expect(stale.status).toBe(401);
      expect(json(stale)).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge: 300 });
      expect((await navigate('/fresh')).status).toBe(302);
      return;
    }
    const res = await navigate('/fresh');
    expect(res.status).toBe(200);
    const authTime = json(res).authTime as number;
    expect(Math.abs(authTime - rig.nowSeconds())).toBeLessThanOrEqual(2);
  });

  it('answers a stale API call with the JSON 401 and the RFC 9470 challenge', async () => {
    await signInAged(301);
    const res = await api('/fresh');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    const body = json(res);
    expect(body).toMatchObject({ error: 'reauth_required', reason: 'stale', maxAge: 300 });
    const url = new URL(body.reauthUrl as string);
    expect(url.searchParams.get('max_age')).toBe('300');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(await stateOf(url.href)).toMatchObject({ returnTo: '/fresh', maxAge: 300 });
    const provider = openIdProvider();
    if (provider) {
      expect(url.origin).toBe(new URL(provider.issuer).origin);
      expect(url.searchParams.get('scope')?.split(' ')).toContain('openid');
      expect(url.searchParams.get('response_type')).toBe('code');
      expect(url.searchParams.get('redirect_uri')).toBe(rig.redirectUri);
      expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{20,}$/);
    }
  });

  it('sends a stale navigation to the provider and back, freshly authenticated', async () => {
    await signInAged(301);
    const stale = await navigate('/fresh');
    expect(stale.status).toBe(302);
    const back = await callback(await rig.authenticateAt(browser, stale.location!));
    if (atGlewlwyd) {
      // Glewlwyd asks for the password again, then says it was entered at auth_time 0.
      expectAuthTimeUnknown(back);
      expect((await navigate('/fresh')).status).toBe(302);
      return;
    }
    expect(back.status).toBe(303);
    expect(back.location).toBe(app('/fresh'));
    const fresh = await navigate('/fresh');
    expect(fresh.status).toBe(200);
    expect(Math.abs((json(fresh).authTime as number) - rig.nowSeconds())).toBeLessThanOrEqual(2);
    if (rig.oidc) {
      // The code went to the token endpoint with its redirect_uri and PKCE verifier.
      expect(await rig.oidc.lastTokenRequest()).toMatchObject({
        grant_type: 'authorization_code',
        redirect_uri: rig.redirectUri,
        code_verifier: true,
      });
    }
  });

  it('restores the in-progress action after the round trip, once', async () => {
    await signInAged(301, '/form');
    const posted = await browser.request(app('/transfer'), {
      method: 'POST',
      form: { amount: '125', to: 'savings' },
      headers: { ...HTML, referer: app('/form'), origin: rig.url },
    });
    expect(posted.status).toBe(303);
    const back = await callback(await rig.authenticateAt(browser, posted.location!));
    if (atGlewlwyd) {
      // A re-authentication that fails restores nothing, and the action still needs one.
      expectAuthTimeUnknown(back);
      expect(json(await navigate('/form'))).toEqual({ restored: null });
      return;
    }
    expect(back.location).toBe(app('/form'));
    expect(json(await navigate('/form'))).toEqual({ restored: { amount: '125', to: 'savings' } });
    expect(json(await navigate('/form'))).toEqual({ restored: null });
  });

  it('asks for a new sign-in for max_age 0 each time, with one grant per sign-in', async () => {
    await signIn();
    await rig.advanceClock(5);
    const asked = await navigate('/delete-page');
    expect(asked.status).toBe(302);
    const url = new URL(asked.location!);
    expect(url.searchParams.get('max_age')).toBe('0');
    // With `consent` too: offline_access at an issuer of no family known to grant it without.
    if (openIdProvider()) expect(url.searchParams.get('prompt')?.split(' ')).toContain('login');
    const back = await callback(await rig.authenticateAt(browser, asked.location!));
    if (atGlewlwyd) {
      // Glewlwyd refuses max_age=0; the library says so, then asks with prompt=login alone.
      expect(back.status).toBe(502);
      expect(back.text).toContain('max_age_refused');
      expect(warnings(/refused max_age=0/)).toEqual([
        expect.stringContaining(
          `The OpenID Provider ${rig.glewlwyd!.issuer} refused max_age=0 (invalid_request): `,
        ),
      ]);
      const again = await navigate('/delete-page');
      expect(again.status).toBe(302);
      const params = new URL(again.location!).searchParams;
      expect(params.get('prompt')?.split(' ')).toContain('login');
      expect(params.has('max_age')).toBe(false);
      expect(JSON.parse(params.get('claims')!)).toMatchObject({
        id_token: { auth_time: { essential: true } },
      });
      expectAuthTimeUnknown(await callback(await rig.authenticateAt(browser, again.location!)));
      expect((await navigate('/delete-page')).status).toBe(302);
      return;
    }
    expect(back.location).toBe(app('/delete-page'));
    expect((await navigate('/delete-page')).status).toBe(200);
    expect((await navigate('/delete-page')).status).toBe(302);
  });

  it('fails without a loop when the provider ignores max_age', async () => {
    await signInAged(301);
    if (atGlewlwyd) {
      // Glewlwyd cannot be made to ignore max_age; its sign-ins at "auth_time 0" fail the same
      // check after the same round trip: a page, the asking session continued, no loop.
      const stale = await navigate('/fresh');
      const res = await callback(await rig.authenticateAt(browser, stale.location!));
      expectAuthTimeUnknown(res);
      expect(sessionCookie(res)).toBeDefined();
      expect((await navigate('/signed-in')).status).toBe(200);
      expect((await navigate('/fresh')).status).toBe(302);
      return;
    }
    await rig.ignoreMaxAge(true);
    const stale = await navigate('/fresh');
    const res = await callback(await rig.authenticateAt(browser, stale.location!));
    expect(res.status).toBe(401);
    expect(res.location).toBeUndefined();
    expect(res.text).toContain('max_age_not_satisfied');
    // The provider continued the session that asked (on AuthKit, rotating its refresh token):
    // the browser gets that session back, as old as it was, and the route still refuses it.
    expect(sessionCookie(res)).toBeDefined();
    expect((await navigate('/signed-in')).status).toBe(200);
    expect((await navigate('/fresh')).status).toBe(302);
  });

  // At glewlwyd, whose `sid` names the browser's session there, Bob's sign-in carries Alice's
  // `sid`: it is no continuation of her session for all that.
  it('refuses another user at the callback of a re-authentication', async () => {
    await signInAged(301);
    const alice = json(await api('/signed-in')).sub;
    const stale = await navigate('/fresh');
    const res = await callback(await rig.authenticateAt(browser, stale.location!, 'bob'));
    expect(res.status).toBe(403);
    expect(res.text).toContain('user_mismatch');
    expect(sessionCookie(res)).toBeUndefined();
    expect(json(await api('/signed-in')).sub).toBe(alice);
  });

  it('refuses a tampered state and a replayed callback', async () => {
    await signInAged(301);
    const stale = await navigate('/fresh');
    const url = await rig.authenticateAt(browser, stale.location!);
    const tampered = new URL(url.href);
    const state = tampered.searchParams.get('state')!;
    tampered.searchParams.set(
      'state',
      state.slice(0, -4) + (state.endsWith('AAAA') ? 'BBBB' : 'AAAA'),
    );
    const forged = await callback(tampered);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('state_invalid');

    const done = await callback(url);
    const bindingOnly = async () =>
      (await browser.jar.getCookieString(url.href))
        .split('; ')
        .filter((cookie) => !cookie.startsWith('wos-session='))
        .join('; ');
    if (atGlewlwyd) {
      expectAuthTimeUnknown(done);
      // A refused sign-in marks its state used too: a reload, or anyone else with the state, is
      // refused before the provider hears of the spent code again. Nothing passes.
      for (const replay of [
        await callback(url),
        await new HttpBrowser().get(url.href, { ...HTML, cookie: await bindingOnly() }),
      ]) {
        expect(replay.status).toBe(400);
        expect(replay.location).toBeUndefined();
        expect(replay.text).toContain('state_replayed');
        expect(sessionCookie(replay)).toBeUndefined();
      }
    } else {
      expect(done.status).toBe(303);
      // A reload in the browser that holds the session it made goes on to where it was going;
      // the provider never sees the used code again (one that follows RFC 6749 §4.1.2 would
      // revoke everything issued with it).
      const reload = await callback(url);
      expect(reload.status).toBe(303);
      expect(reload.location).toBe(app('/fresh'));
      expect(sessionCookie(reload)).toBeUndefined();
      // Anyone else with the state learns that the link works once.
      const replay = await new HttpBrowser().get(url.href, {
        ...HTML,
        cookie: await bindingOnly(),
      });
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('state_replayed');
    }
    // The session outlives its access token: its grant was never revoked.
    await rig.advanceClock(3 * 3600);
    const later = await api('/signed-in');
    expect(later.status).toBe(200);
    expect(sessionCookie(later)).toBeDefined();
  });

  it.each(
    atGlewlwyd
      ? // Glewlwyd's re-authentication is always refused (for auth_time); it cannot ignore max_age.
        [['is refused for auth_time', false]]
      : [
          ['completes', false],
          ['is refused for max_age', true],
        ],
  )(
    'never puts another user’s session into a signed-in browser through a planted re-auth state that %s',
    async (_label, providerSkipsPrompt) => {
      await signIn();
      const victim = json(await api('/signed-in')).sub;
      const victimSession = async () =>
        (await browser.jar.getCookies(app('/'))).find((c) => c.key === 'wos-session')?.value;
      const before = await victimSession();

      // Someone else signs in, lets the session go stale and runs a re-auth at the provider
      // (which hands back the session it continues), then plants its binding cookie.
      const attacker = new HttpBrowser();
      const start = await attacker.get(app('/auth/login?returnTo=%2Fsigned-in'), HTML);
      const own = await rig.authenticateAt(attacker, start.location!, 'bob');
      expect((await attacker.get(own.href, HTML)).status).toBe(303);
      await rig.advanceClock(301);
      const stale = await attacker.get(app('/fresh'), HTML);
      expect(stale.status).toBe(302);
      if (!atGlewlwyd) await rig.ignoreMaxAge(providerSkipsPrompt);
      const planted = await rig.authenticateAt(attacker, stale.location!, 'bob');
      if (!atGlewlwyd) await rig.ignoreMaxAge(false);
      const binding = (await attacker.jar.getCookies(planted.href)).find((c) =>
        c.key.endsWith('wos-reauth'),
      )!;
      await browser.jar.setCookie(`${binding.key}=${binding.value}; Path=/`, app('/'));

      const res = await callback(planted);
      expect(res.status).toBe(409);
      expect(res.text).toContain('session_conflict');
      expect(sessionCookie(res)).toBeUndefined();
      expect(await victimSession()).toBe(before);
      expect(json(await api('/signed-in')).sub).toBe(victim);
    },
  );

  // Not on glewlwyd: its login page has no way to refuse a sign-in, so no cancel reaches the app.
  if (!atGlewlwyd) {
    it('returns a user who cancels to where they were, marked', async () => {
      await signInAged(301);
      const stale = await navigate('/fresh', { referer: app('/public') });
      const res = await callback(await rig.cancelAt(browser, stale.location!));
      expect(res.status).toBe(303);
      expect(res.location).toBe(app('/public?reauth=cancelled'));
    });
  }

  it('accepts its access token as a Bearer token and refuses forged ones', async () => {
    const done = await signIn();
    const cookie = sessionCookie(done)!;
    expect(cookie).toBeDefined();
    const session = await navigate('/signed-in');
    expect(json(session)).toMatchObject({ source: 'cookie' });
    const token = await accessTokenOf(rig, browser);
    // Glewlwyd's access tokens carry no auth_time: as a Bearer token, one passes a sign-in route
    // and is asked to re-authenticate at a recent-auth route.
    const guarded = atGlewlwyd ? '/signed-in' : '/fresh';
    const bearer = await fetch(app(guarded), {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(200);
    if (atGlewlwyd) {
      expect(decodeJwt(token).auth_time).toBeUndefined();
      const fresh = await fetch(app('/fresh'), {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
      });
      expect(fresh.status).toBe(401);
      expect(await fresh.json()).toMatchObject({ reason: 'missing_auth_time', maxAge: 300 });
    }

    const claims = decodeJwt(token);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as {
      kid: string;
      alg: string;
    };
    expect(header.alg).toBe(rigName === 'oidc-provider-es256' ? 'ES256' : 'RS256');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: header.kid })
      .sign(privateKey);
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', kid: header.kid })).toString('base64url')}.${token.split('.')[1]}.`;
    for (const bad of [forged, unsigned, `${token.slice(0, -6)}AAAAAA`]) {
      const res = await fetch(app(guarded), {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${bad}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
    // A key that is not the provider's, published nowhere, claiming an unknown kid.
    const other = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: (await exportJWK(other.publicKey)).x! })
      .sign(other.privateKey);
    const res = await fetch(app(guarded), {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${foreign}` },
    });
    expect(res.status).toBe(401);
  });

  it('never takes an ID token for an access token', async () => {
    await signIn();
    const idToken = (await sessionOf(rig, browser)).idToken;
    const provider = openIdProvider();
    if (!provider) {
      expect(idToken).toBeUndefined();
      return;
    }
    expect(decodeJwt(idToken!).aud).toBe(provider.clientId);
    for (const path of ['/fresh', '/signed-in']) {
      const res = await fetch(app(path), {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${idToken}` },
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  it('refreshes an expired access token in the cookie, keeping auth_time', async () => {
    await signIn();
    const signedInAt = rig.nowSeconds();
    await rig.advanceClock(400);
    if (atGlewlwyd) {
      // Refreshed through a sign-in route; the sign-in stays the one glewlwyd dated 0.
      const before = await accessTokenOf(rig, browser);
      const res = await navigate('/signed-in');
      expect(res.status).toBe(200);
      expect(sessionCookie(res)).toBeDefined();
      const after = await sessionOf(rig, browser);
      expect(after.accessToken).not.toBe(before);
      expect(Math.abs(decodeJwt(after.accessToken).iat! - rig.nowSeconds())).toBeLessThanOrEqual(2);
      expect(after.signIn?.authTime).toBe(0);
      const long = await api('/long');
      expect(long.status).toBe(401);
      expect(json(long)).toMatchObject({ reason: 'stale', maxAge: 3600, authTime: 0 });
      return;
    }
    const res = await navigate('/long');
    expect(res.status).toBe(200);
    expect(sessionCookie(res)).toBeDefined();
    expect(Math.abs((json(res).authTime as number) - signedInAt)).toBeLessThanOrEqual(2);
    const stale = await api('/fresh');
    expect(stale.status).toBe(401);
    expect(json(stale)).toMatchObject({ reason: 'stale' });
  });

  it('signs out: the cookie is cleared, the provider session ends, no copy passes again', async () => {
    const done = await signIn();
    const cookie = sessionCookie(done)!.split(';')[0];
    const token = await accessTokenOf(rig, browser);
    const out = await browser.request(app('/auth/logout'), {
      method: 'POST',
      headers: { origin: rig.url },
    });
    expect(out.status).toBe(303);
    expect(out.headers.getSetCookie().join()).toMatch(/wos-session=; Max-Age=0/);
    if (rig.oidc) {
      const logout = new URL(out.location!);
      expect(logout.origin).toBe(new URL(rig.oidc.issuer).origin);
      // Back through the app's own sign-out route, which checks the state, then to `/`.
      expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${rig.url}/auth/logout`);
      expect(logout.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const state = logout.searchParams.get('state');
      expect(state).toMatch(/^[\w-]{43}$/);
      expect((await rig.oidc.revocations()).map((r) => r.revoked)).toContain('refresh_token');
      const returned = await signOutAtOidcProvider(browser, logout.href);
      expect(returned).toBe(`${rig.url}/auth/logout?state=${state}`);
      const landed = await browser.get(returned, HTML);
      expect(landed.status).toBe(303);
      expect(landed.location).toBe(`${rig.url}/`);
      // A return this browser's sign-out did not send: a page that says so, no redirect.
      const forged = await new HttpBrowser().get(returned, HTML);
      expect(forged.status).toBe(400);
      expect(forged.location).toBeUndefined();
      expect(forged.text).toContain('sign_out_state_invalid');
    }
    if (rig.glewlwyd) {
      const logout = new URL(out.location!);
      expect(`${logout.origin}${logout.pathname}`).toBe(`${rig.glewlwyd.issuer}/end_session`);
      expect(logout.searchParams.get('post_logout_redirect_uri')).toBe(`${rig.url}/auth/logout`);
      expect(logout.searchParams.get('id_token_hint')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const state = logout.searchParams.get('state');
      expect(state).toMatch(/^[\w-]{43}$/);
      const enabled = (await rig.glewlwyd.refreshTokens(GLEWLWYD_USERS.alice)).filter(
        (refreshToken) => refreshToken.enabled,
      );
      expect(enabled).toEqual([]);
      // Back through the app's own sign-out route, which checks the state, then to `/`.
      const ended = await signOutAtGlewlwyd(browser, logout.href);
      expect(ended.returnTo).toBe(`${rig.url}/auth/logout?state=${state}`);
      const landed = await browser.get(ended.returnTo!, HTML);
      expect(landed.status).toBe(303);
      expect(landed.location).toBe(`${rig.url}/`);
      const forged = await new HttpBrowser().get(ended.returnTo!, HTML);
      expect(forged.status).toBe(400);
      expect(forged.location).toBeUndefined();
      expect(forged.text).toContain('sign_out_state_invalid');
    }
    const replayed = await fetch(app('/signed-in'), { headers: { ...JSON_ACCEPT, cookie } });
    expect(replayed.status).toBe(401);
    const bearer = await fetch(app('/signed-in'), {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(bearer.status).toBe(401);
  });

  describe('step-up by assurance level', () => {
    if (atGlewlwyd) {
      it('asks glewlwyd for acr_values it does not list, and fails on auth_time first: never a loop', async () => {
        await signIn();
        // A sign-in dated 0 is stale before its acr is looked at; the challenge names both.
        const asked = await api('/strong');
        expect(asked.status).toBe(401);
        expect(asked.headers.get('www-authenticate')).toBe(
          `Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300", acr_values="${STRONG}"`,
        );
        expect(json(asked)).toMatchObject({ reason: 'stale', authTime: 0, acrValues: [STRONG] });
        const secondFactor = await api('/second-factor');
        expect(secondFactor.status).toBe(401);
        expect(json(secondFactor)).toMatchObject({ reason: 'stale', authTime: 0 });

        const navigation = await navigate('/strong');
        expect(navigation.status).toBe(302);
        expect(new URL(navigation.location!).searchParams.get('acr_values')).toBe(STRONG);
        expect(warnings(/acr_values_supported/)).toEqual([
          `A route asks the OpenID Provider ${rig.glewlwyd!.issuer} for acr_values ["${STRONG}"], and its discovery lists no acr_values_supported: it may issue no acr, and sign-ins then end in acr_missing`,
        ]);
        const res = await callback(await rig.authenticateAt(browser, navigation.location!));
        expectAuthTimeUnknown(res);
        expect(res.text).not.toContain('acr_missing');
        // The session that asked, continued: still signed in, still refused the route.
        expect(sessionCookie(res)).toBeDefined();
        expect((await navigate('/signed-in')).status).toBe(200);
        expect((await api('/strong')).status).toBe(401);
      });
      return;
    }
    if (rigName === 'authkit-emulator') {
      it('ends in a clear failure on AuthKit, which issues no acr: never a loop', async () => {
        await signIn();
        const asked = await api('/strong');
        expect(asked.status).toBe(401);
        expect(json(asked)).toMatchObject({
          reason: 'insufficient_assurance',
          acrValues: [STRONG],
        });
        const reauthUrl = json(asked).reauthUrl as string;
        expect(new URL(reauthUrl).searchParams.get('acr_values')).toBe(STRONG);
        const res = await callback(await rig.authenticateAt(browser, reauthUrl));
        expect(res.status).toBe(502);
        expect(res.text).toContain('acr_missing');
        // The session that asked, continued: still signed in, still refused the route.
        expect(sessionCookie(res)).toBeDefined();
        expect((await api('/strong')).status).toBe(401);
      });
      return;
    }

    it('asks with acr_values, and lets the stronger sign-in through', async () => {
      await signIn();
      const asked = await api('/strong');
      expect(asked.status).toBe(401);
      expect(asked.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_user_authentication", error_description="A stronger authentication is required", max_age="300", acr_values="${STRONG}"`,
      );
      expect(json(asked)).toMatchObject({
        reason: 'insufficient_assurance',
        maxAge: 300,
        acrValues: [STRONG],
      });
      const navigation = await navigate('/strong');
      expect(navigation.status).toBe(302);
      expect(new URL(navigation.location!).searchParams.get('acr_values')).toBe(STRONG);
      const back = await callback(
        await rig.authenticateAt(browser, navigation.location!, 'alice', { secondFactor: true }),
      );
      expect(back.location).toBe(app('/strong'));
      expect(json(await navigate('/strong'))).toEqual({ acr: STRONG });
      expect(json(await navigate('/second-factor')).amr).toContain('otp');
    });

    it('fails at the callback, without a loop, when the sign-in stays below the acr', async () => {
      await signIn();
      await rig.oidc!.enforceAcrValues(false);
      const asked = await navigate('/strong');
      const res = await callback(await rig.authenticateAt(browser, asked.location!));
      expect(res.status).toBe(401);
      expect(res.text).toContain('acr_not_satisfied');
      // The session that asked, continued: still signed in, still refused the route.
      expect(sessionCookie(res)).toBeDefined();
      expect((await navigate('/signed-in')).status).toBe(200);
      expect((await navigate('/strong')).status).toBe(302);
    });

    it('shows the provider refusing an acr it cannot reach as what it is', async () => {
      await signIn();
      const asked = await navigate('/strong');
      const res = await callback(await rig.authenticateAt(browser, asked.location!));
      expect(res.status).toBe(401);
      expect(res.text).toContain('provider_refused');
      expect(res.text).toContain('login_required');
    });

    it('checks amr: a password sign-in is refused where a second factor is required', async () => {
      await signIn();
      const asked = await api('/second-factor');
      expect(asked.status).toBe(401);
      expect(json(asked)).toMatchObject({ reason: 'insufficient_assurance' });
    });

    it('takes auth_time and acr from the ID token when access tokens lack them', async () => {
      await rig.oidc!.accessTokenClaims(false);
      await signIn();
      const res = await navigate('/fresh');
      expect(res.status).toBe(200);
      expect(Math.abs((json(res).authTime as number) - rig.nowSeconds())).toBeLessThanOrEqual(2);
      expect(json(res).acr).toBe(OIDC_ACR.password);
      // A Bearer token without auth_time has nothing to show: it is asked to re-authenticate.
      const token = await accessTokenOf(rig, browser);
      expect(decodeJwt(token).auth_time).toBeUndefined();
      const bearer = await fetch(app('/fresh'), {
        headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
      });
      expect(bearer.status).toBe(401);
      expect(await bearer.json()).toMatchObject({ reason: 'missing_auth_time' });
    });
  });
});

/**
 * The access token inside the browser's session cookie, as the provider issued it: opened the
 * way the library does, through a route that echoes nothing but a test-only decode.
 */
async function accessTokenOf(rig: ProviderRig, browser: HttpBrowser): Promise<string> {
  return (await sessionOf(rig, browser)).accessToken;
}

/** The browser's session cookie, opened by the app's provider. */
async function sessionOf(rig: ProviderRig, browser: HttpBrowser) {
  const cookie = (await browser.jar.getCookies(rig.url)).find((c) => c.key === 'wos-session');
  if (!cookie) throw new Error('no session cookie');
  const { IdentityProvider } = await import('../../libs/reauth/src/providers/identity-provider');
  const provider = rig.app.get(IdentityProvider);
  const session = await provider.unseal(cookie.value);
  if (!session) throw new Error('the session cookie does not open');
  return session;
}

describe.each(SCENARIO_RIGS)('A passkey confirmed in the page on %s, %s', (rigName, adapter) => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  beforeEach(async () => {
    browser = new HttpBrowser();
    rig = await startScenarioRig(rigName, {
      controllers: [ScenarioController],
      adapter,
      reauth: ({ url }) => ({
        stepUp: {
          passkeys: {
            rpId: 'localhost',
            rpName: 'Scenarios',
            origins: [url],
            credentials: new MemoryPasskeyCredentialStore(),
          },
        },
      }),
    });
  });
  afterEach(() => rig.close());

  async function call(path: string, body?: unknown): Promise<Record<string, unknown>> {
    const url = `${rig.url}${path}`;
    const res = await send(
      url,
      body === undefined ? 'GET' : 'POST',
      {
        ...JSON_ACCEPT,
        origin: rig.url,
        cookie: await browser.jar.getCookieString(url),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body === undefined ? undefined : JSON.stringify(body),
    );
    for (const cookie of res.headers.getSetCookie()) await browser.jar.setCookie(cookie, url);
    return { ...(JSON.parse(res.text || '{}') as object), http: res.status };
  }

  if (rigName === 'glewlwyd') {
    it('refuses to enrol a passkey on a sign-in glewlwyd dates 0, and offers no step-up in the page', async () => {
      const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
      await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
      // Enrolment needs a recent sign-in at the provider: glewlwyd's is never recent, and the
      // re-authentication the refusal asks for fails as such.
      const creation = await call('/auth/passkeys/registration/options', {});
      expect(creation).toMatchObject({ http: 401, reason: 'stale', maxAge: 300, authTime: 0 });
      const reauthUrl = new URL(creation.reauthUrl as string);
      expect(`${reauthUrl.origin}${reauthUrl.pathname}`).toBe(`${rig.glewlwyd!.issuer}/auth`);
      const back = await browser.get(
        (await rig.authenticateAt(browser, reauthUrl.href)).href,
        HTML,
      );
      expect(back.status).toBe(502);
      expect(back.text).toContain('auth_time_unknown');
      expect(await call('/auth/passkeys/registration/options', {})).toMatchObject({
        http: 401,
        reason: 'stale',
      });
      // With no passkey enrolled, a stale route has no method to offer in the page.
      const refused = await call('/fresh');
      expect(refused).toMatchObject({ http: 401, reason: 'stale', authTime: 0 });
      expect(refused.stepUp).toBeUndefined();
    });
    return;
  }

  it('enrols after a sign-in, then confirms a stale session without the provider', async () => {
    const start = await browser.get(`${rig.url}/auth/login?returnTo=%2Fsigned-in`, HTML);
    await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
    const ceremony = (challenge: unknown) => ({
      challenge: String(challenge),
      origin: rig.url,
      rpId: 'localhost',
    });
    const creation = await call('/auth/passkeys/registration/options', {});
    const { credential, response } = createPasskey(ceremony(creation.challenge));
    expect((await call('/auth/passkeys', { name: 'Key', response })).http).toBe(201);

    await rig.advanceClock(400);
    const refused = await call('/fresh');
    expect(refused.http).toBe(401);
    const stepUp = refused.stepUp as { ticket: string; methods: { kind: string }[] };
    // Only AuthKit can check a password in the page; an OpenID Provider has no such API.
    expect(stepUp.methods.map((method) => method.kind)).toEqual(
      rig.oidc ? ['passkey', 'provider'] : ['passkey', 'password', 'provider'],
    );
    const request = await call('/auth/step-up/passkey/options', { ticket: stepUp.ticket });
    const confirmed = await call('/auth/step-up/passkey', {
      ticket: stepUp.ticket,
      response: assertPasskey(credential, ceremony(request.challenge)),
    });
    expect(confirmed).toMatchObject({ http: 200, status: 'confirmed', method: 'passkey' });
    expect((await call('/fresh')).http).toBe(200);
  });
});

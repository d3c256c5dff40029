import {
  AuthClaims,
  CurrentAuthentication,
  RequireRecentAuth,
  RequireSignIn,
  type AccessTokenClaims,
  type Authentication,
  type ReauthOidcOptions,
} from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { decodeProtectedHeader } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  type OidcTestProvider,
  type OidcTestProviderOptions,
} from '../support/oidc-provider';
import { startOidcRigWithOptions, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * The library against panva's oidc-provider with its stock settings: refresh tokens only for
 * `offline_access`, which it grants only with `prompt=consent`; `auth_time` in ID tokens only
 * when the sign-in asks for it; access tokens typed `at+jwt` (RFC 9068) and carrying no
 * `auth_time` of their own.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
const ALICE = { username: 'alice', password: OIDC_USERS.alice.password };
const ACCESS_TOKEN_TTL = 300;
/** Past the access token's `exp` by more than the clock tolerance (5 s). */
const PAST_ACCESS_TOKEN = ACCESS_TOKEN_TTL + 10;
/** What a plain sign-in sends as `max_age` where the provider has no `claims` parameter. */
const SIGN_IN_MAX_AGE = String(365 * 24 * 3600);

@Controller()
class StockController {
  @Get('signed-in')
  @RequireSignIn()
  signedIn(@CurrentAuthentication() authentication: Authentication) {
    return { sub: authentication.claims.sub, source: authentication.source };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AccessTokenClaims) {
    return { sub: claims.sub, authTime: claims.auth_time };
  }

  @Get('confirm')
  @RequireRecentAuth(0)
  confirm(@AuthClaims('auth_time') authTime: number) {
    return { authTime };
  }
}

interface StockRigConfig {
  oidc?: Partial<ReauthOidcOptions>;
  provider?: Partial<OidcTestProviderOptions>;
  logger?: RecordingLogger;
}

/** The app signing in at a stock oidc-provider, with the test's own `oidc` options. */
function startStockRig(config: StockRigConfig = {}): Promise<ProviderRig> {
  return startOidcRigWithOptions({
    controllers: [StockController],
    logger: config.logger,
    provider: { stock: true, accessTokenTtlSeconds: ACCESS_TOKEN_TTL, ...config.provider },
    oidc: config.oidc,
  });
}

const sessionCookie = (res: BrowserResponse) =>
  res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));

/** Signs in at the app's `/auth/login`; resolves with the authorization request's parameters. */
async function signIn(
  rig: ProviderRig,
  browser: HttpBrowser,
  returnTo = '/signed-in',
): Promise<URLSearchParams> {
  const start = await browser.get(
    `${rig.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    HTML,
  );
  expect(start.status).toBe(302);
  const done = await browser.get((await rig.authenticateAt(browser, start.location!)).href, HTML);
  expect(done.status).toBe(303);
  expect(done.location).toBe(`${rig.url}${returnTo}`);
  expect(sessionCookie(done)).toBeDefined();
  return new URL(start.location!).searchParams;
}

/**
 * The ID and access tokens a client of `provider` gets for `redirectUri` through the provider's
 * pages and its token endpoint, without a `nonce` (which the code flow leaves optional) and
 * without the app.
 */
async function tokensFrom(
  provider: OidcTestProvider,
  browser: HttpBrowser,
  redirectUri: string,
): Promise<{ idToken: string; accessToken: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const authorization = new URL('/auth', provider.issuer);
  const params = {
    client_id: provider.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'direct',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) {
    authorization.searchParams.set(name, value);
  }
  const callback = new URL(
    await signInAtOidcProvider(browser, authorization.href, ALICE, { redirectUri }),
  );
  const credentials = `${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`;
  const res = await fetch(new URL('/token', provider.issuer), {
    method: 'POST',
    headers: {
      accept: 'application/json',
      authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code')!,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { id_token: string; access_token: string };
  return { idToken: body.id_token, accessToken: body.access_token };
}

function bearer(rig: ProviderRig, path: string, token: string): Promise<Response> {
  return fetch(`${rig.url}${path}`, {
    headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
  });
}

async function expectInvalidToken(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  expect(await res.json()).toMatchObject({ error: 'reauth_required', reason: 'invalid_token' });
}

describe('A stock oidc-provider: sessions that last', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  afterEach(() => rig.close());

  it('asks for offline_access with prompt=consent, and the cookie session outlives its first access token', async () => {
    rig = await startStockRig();
    browser = new HttpBrowser();
    const asked = await signIn(rig, browser);
    expect(asked.get('scope')?.split(' ')).toContain('offline_access');
    expect(asked.get('prompt')).toBe('consent');

    await rig.advanceClock(PAST_ACCESS_TOKEN);
    const later = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
    expect(later.status).toBe(200);
    expect(JSON.parse(later.text)).toEqual({ sub: OIDC_USERS.alice.sub, source: 'cookie' });
    expect(sessionCookie(later)).toBeDefined();
    expect(await rig.oidc!.lastTokenRequest()).toMatchObject({ grant_type: 'refresh_token' });

    // And again past the refreshed access token: the refresh token keeps working.
    await rig.advanceClock(PAST_ACCESS_TOKEN);
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(200);
  });

  it('asks for login and consent at a max_age 0 step-up, whose session lasts too', async () => {
    rig = await startStockRig();
    browser = new HttpBrowser();
    await signIn(rig, browser);
    await rig.advanceClock(5);
    const asked = await browser.get(`${rig.url}/confirm`, HTML);
    expect(asked.status).toBe(302);
    const params = new URL(asked.location!).searchParams;
    expect(params.get('max_age')).toBe('0');
    expect(params.get('prompt')).toBe('login consent');
    const back = await browser.get((await rig.authenticateAt(browser, asked.location!)).href, HTML);
    expect(back.location).toBe(`${rig.url}/confirm`);
    expect((await browser.get(`${rig.url}/confirm`, HTML)).status).toBe(200);

    await rig.advanceClock(PAST_ACCESS_TOKEN);
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(200);
    expect(await rig.oidc!.lastTokenRequest()).toMatchObject({ grant_type: 'refresh_token' });
  });

  it('asks for no consent with consentPrompt "never", and the session then ends with its access token', async () => {
    const logger = new RecordingLogger();
    rig = await startStockRig({ oidc: { consentPrompt: 'never' }, logger });
    browser = new HttpBrowser();
    const asked = await signIn(rig, browser);
    expect(asked.get('scope')?.split(' ')).toContain('offline_access');
    expect(asked.has('prompt')).toBe(false);
    expect(logger.lines).toContain(
      'The OpenID Provider issued no refresh token: sessions end with their first access token; if the provider grants offline_access only with consent (OpenID Connect Core 11), set oidc.consentPrompt to "offline_access"',
    );

    await rig.advanceClock(PAST_ACCESS_TOKEN);
    const later = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
    expect(later.status).toBe(401);
    expect(JSON.parse(later.text)).toMatchObject({ reason: 'unauthenticated' });
  });
});

describe('A stock oidc-provider: auth_time from the sign-in itself', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  afterEach(() => rig.close());

  it('asks for max_age on a plain sign-in, so the first guarded request is fresh without another trip', async () => {
    rig = await startStockRig();
    browser = new HttpBrowser();
    const asked = await signIn(rig, browser, '/fresh');
    expect(asked.get('max_age')).toBe(SIGN_IN_MAX_AGE);
    expect(asked.has('claims')).toBe(false);

    const fresh = await browser.get(`${rig.url}/fresh`, HTML);
    expect(fresh.status).toBe(200);
    const { authTime } = JSON.parse(fresh.text) as { authTime: number };
    expect(Math.abs(authTime - rig.nowSeconds())).toBeLessThanOrEqual(2);
    // The provider saw no other authorization request than the sign-in's.
    expect((await rig.oidc!.lastAuthorizationRequest()).state).toBe(asked.get('state'));
  });

  it('asks with the claims parameter where discovery says the provider supports it', async () => {
    rig = await startStockRig({ provider: { claimsParameter: true } });
    browser = new HttpBrowser();
    const asked = await signIn(rig, browser, '/fresh');
    expect(JSON.parse(asked.get('claims')!)).toEqual({
      id_token: { auth_time: { essential: true } },
    });
    expect(asked.has('max_age')).toBe(false);

    const fresh = await browser.get(`${rig.url}/fresh`, HTML);
    expect(fresh.status).toBe(200);
    const { authTime } = JSON.parse(fresh.text) as { authTime: number };
    expect(Math.abs(authTime - rig.nowSeconds())).toBeLessThanOrEqual(2);
    expect((await rig.oidc!.lastAuthorizationRequest()).state).toBe(asked.get('state'));
  });

  it('keeps auth_time across a refresh', async () => {
    rig = await startStockRig();
    browser = new HttpBrowser();
    await signIn(rig, browser, '/fresh');
    const signedInAt = rig.nowSeconds();
    await rig.advanceClock(PAST_ACCESS_TOKEN);
    const long = await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT);
    expect(long.status).toBe(200);
    expect(await rig.oidc!.lastTokenRequest()).toMatchObject({ grant_type: 'refresh_token' });
    // 310 s after the sign-in: stale for 300, with the sign-in's own auth_time.
    const stale = await browser.get(`${rig.url}/fresh`, JSON_ACCEPT);
    expect(stale.status).toBe(401);
    const body = JSON.parse(stale.text) as { reason: string; authTime: number };
    expect(body.reason).toBe('stale');
    expect(Math.abs(body.authTime - signedInAt)).toBeLessThanOrEqual(2);
  });
});

describe('A stock oidc-provider: access tokens typed at+jwt (RFC 9068)', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  afterEach(() => rig.close());

  // Without `audience`, an access token must name this client in `client_id` or `azp`; an ID
  // token that carries `azp` and no `nonce` looks like one in every claim.
  const withoutAudience = { audience: undefined };

  it('refuses an ID token that carries azp when access tokens must be typed at+jwt', async () => {
    rig = await startStockRig({ oidc: { ...withoutAudience, accessTokenType: 'at+jwt' } });
    browser = new HttpBrowser();
    await rig.oidc!.idTokenAzp(true);
    const { idToken, accessToken } = await tokensFrom(rig.oidc!, browser, rig.redirectUri);
    expect(decodeProtectedHeader(accessToken).typ).toBe('at+jwt');
    expect(decodeProtectedHeader(idToken).typ).toBeUndefined();

    await expectInvalidToken(await bearer(rig, '/signed-in', idToken));
    const res = await bearer(rig, '/signed-in', accessToken);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: OIDC_USERS.alice.sub, source: 'bearer' });
  });

  it('requires at+jwt by default once the issuer has issued the app a typed access token', async () => {
    rig = await startStockRig({ oidc: withoutAudience });
    browser = new HttpBrowser();
    await rig.oidc!.idTokenAzp(true);
    // The app's own sign-in: the token endpoint answers with an access token typed at+jwt.
    await signIn(rig, browser);

    const { idToken, accessToken } = await tokensFrom(rig.oidc!, browser, rig.redirectUri);
    await expectInvalidToken(await bearer(rig, '/signed-in', idToken));
    expect((await bearer(rig, '/signed-in', accessToken)).status).toBe(200);
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(200);
  });
});

import {
  AuthClaims,
  RequireRecentAuth,
  RequireSignIn,
  type AccessTokenClaims,
  type ReauthOidcOptions,
} from 'nest-workos-reauth';
import { Controller, Get } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomBytes } from 'node:crypto';
import { IdentityProvider } from '../../libs/reauth/src/providers/identity-provider';
import { HttpBrowser, type BrowserResponse } from '../support/http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
  type OidcTestProviderOptions,
} from '../support/oidc-provider';
import { startOidcRigWithOptions, startRig, type ProviderRig } from '../support/provider-rigs';
import { RecordingLogger } from '../support/recording-logger';

/**
 * What the library does with an OpenID Provider that is down or misconfigured, a callback that
 * was tampered with or carries the provider's errors, and tokens it must not accept (another
 * audience, another algorithm, another issuer), against a real provider.
 */

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };
const ALICE = { username: 'alice', password: OIDC_USERS.alice.password };

@Controller()
class BadInputController {
  @Get('public')
  public() {
    return { ok: true };
  }

  @Get('fresh')
  @RequireRecentAuth(300)
  fresh(@AuthClaims() claims: AccessTokenClaims) {
    return { sub: claims.sub };
  }

  @Get('signed-in')
  @RequireSignIn()
  signedIn(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

/** A configured rig: the provider's issuer, secret and resource are known before it starts. */
interface RigConfig {
  oidc?: Partial<ReauthOidcOptions>;
  provider?: Partial<OidcTestProviderOptions>;
  logger?: RecordingLogger;
}

/** An app whose `oidc` options are the test's own (see {@link startOidcRigWithOptions}). */
function startConfiguredRig(config: RigConfig = {}): Promise<ProviderRig> {
  return startOidcRigWithOptions({ controllers: [BadInputController], ...config });
}

/**
 * A real access token from `provider`, for `redirectUri` (registered there), through its pages and
 * its token endpoint, without the app: what any client of that provider could hold.
 */
async function accessTokenFrom(
  provider: OidcTestProvider,
  redirectUri: string,
  auth: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic',
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const authorization = new URL('/auth', provider.issuer);
  const params = {
    client_id: provider.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'openid',
    state: 'direct',
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(params)) {
    authorization.searchParams.set(name, value);
  }
  const callback = new URL(
    await signInAtOidcProvider(new HttpBrowser(), authorization.href, ALICE, { redirectUri }),
  );
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: callback.searchParams.get('code')!,
    redirect_uri: redirectUri,
    code_verifier: verifier,
  });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (auth === 'client_secret_basic') {
    const credentials = `${encodeURIComponent(provider.clientId)}:${encodeURIComponent(provider.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  } else {
    form.set('client_id', provider.clientId);
    form.set('client_secret', provider.clientSecret);
  }
  const res = await fetch(new URL('/token', provider.issuer), {
    method: 'POST',
    headers,
    body: form,
  });
  const body = (await res.json()) as { access_token?: string };
  expect(res.status).toBe(200);
  return body.access_token!;
}

/** The session in the browser's cookie, opened the way the library does. */
async function sessionOf(rig: ProviderRig, browser: HttpBrowser) {
  const cookie = (await browser.jar.getCookies(rig.url)).find((c) => c.key === 'wos-session');
  if (!cookie) throw new Error('no session cookie');
  const session = await rig.app.get(IdentityProvider).unseal(cookie.value);
  if (!session) throw new Error('the session cookie does not open');
  return session;
}

/** A well-formed token signed by a key nobody publishes: only the provider's keys can tell. */
async function unverifiableToken(issuer: string): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: OIDC_USERS.alice.sub, auth_time: now })
    .setProtectedHeader({ alg: 'ES256', kid: (await exportJWK(publicKey)).x! })
    .setIssuer(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(privateKey);
}

const sessionCookie = (res: BrowserResponse) =>
  res.headers.getSetCookie().find((c) => c.startsWith('wos-session='));

function bearer(rig: ProviderRig, path: string, token: string): Promise<Response> {
  return fetch(`${rig.url}${path}`, {
    headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
  });
}

async function expectInvalidToken(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  await res.body?.cancel();
}

/** Starts a sign-in in `browser` at the app: the authorization URL and its genuine `state`. */
async function startSignIn(
  rig: ProviderRig,
  browser: HttpBrowser,
  returnTo = '/signed-in',
): Promise<{ authorizationUrl: string; state: string }> {
  const start = await browser.get(
    `${rig.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    HTML,
  );
  expect(start.status).toBe(302);
  const authorizationUrl = start.location!;
  return { authorizationUrl, state: new URL(authorizationUrl).searchParams.get('state')! };
}

describe('OpenID Provider: discovery failures', () => {
  let rig: ProviderRig | undefined;
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });

  it('answers 503 while discovery fails, logs the issuer, and recovers after the backoff', async () => {
    const logger = new RecordingLogger();
    rig = await startRig('oidc-provider', { controllers: [BadInputController], logger });
    const { oidc } = rig;
    await oidc!.failDiscovery('unavailable');
    // The provider's own pages still work: a client of it holds a genuine token.
    const token = await accessTokenFrom(oidc!, rig.redirectUri);
    const browser = new HttpBrowser();

    const login = await browser.get(`${rig.url}/auth/login?returnTo=/signed-in`, HTML);
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(login.location).toBeUndefined();

    const api = await bearer(rig, '/fresh', token);
    expect(api.status).toBe(503);
    expect(api.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await api.json()).toMatchObject({ error: 'reauth_unavailable' });

    expect(
      logger.lines.some(
        (line) =>
          line.includes(oidc!.issuer) && line.includes('its discovery document answered 503'),
      ),
    ).toBe(true);

    await oidc!.failDiscovery(null);
    await rig.advanceClock(31);
    const again = await browser.get(`${rig.url}/auth/login?returnTo=/signed-in`, HTML);
    expect(again.status).toBe(302);
    expect(new URL(again.location!).origin).toBe(oidc!.issuer);
    const ok = await bearer(rig, '/fresh', token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ sub: OIDC_USERS.alice.sub });
  });

  it('answers 503 to a discovery document without jwks_uri, and logs the issuer', async () => {
    const logger = new RecordingLogger();
    rig = await startRig('oidc-provider', { controllers: [BadInputController], logger });
    await rig.oidc!.failDiscovery('incomplete');
    const browser = new HttpBrowser();

    const login = await browser.get(`${rig.url}/auth/login?returnTo=/signed-in`, HTML);
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toMatch(/^\d+$/);
    const api = await bearer(rig, '/fresh', await unverifiableToken(rig.oidc!.issuer));
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: 'reauth_unavailable' });
    expect(
      logger.lines.some(
        (line) =>
          line.includes(rig!.oidc!.issuer) &&
          line.includes('its discovery document has no jwks_uri'),
      ),
    ).toBe(true);

    await rig.oidc!.failDiscovery(null);
    await rig.advanceClock(31);
    expect((await browser.get(`${rig.url}/auth/login`, HTML)).status).toBe(302);
  });
});

describe('OpenID Provider: tampered and failed callbacks, foreign tokens', () => {
  let rig: ProviderRig;
  let browser: HttpBrowser;

  beforeAll(async () => {
    rig = await startRig('oidc-provider', { controllers: [BadInputController] });
  });
  afterAll(() => rig?.close());
  beforeEach(async () => {
    await rig.oidc!.reset();
    browser = new HttpBrowser();
  });

  const callback = (url: URL | string) => browser.get(String(url), HTML);
  const callbackWith = (params: Record<string, string>) =>
    callback(`${rig.redirectUri}?${new URLSearchParams(params).toString()}`);

  it('RFC 9207: checks iss before believing an error in the response', async () => {
    const { authorizationUrl } = await startSignIn(rig, browser);
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    const mixedUp = await callbackWith({
      state,
      error: 'access_denied',
      iss: 'https://issuer.example',
    });
    expect(mixedUp.status).toBe(400);
    expect(mixedUp.text).toContain('issuer_mismatch');
    const own = await callbackWith({ state, error: 'access_denied', iss: rig.oidc!.issuer });
    expect(own.status).toBe(303);
  });

  it('RFC 9207: refuses a callback whose iss is another issuer, or missing', async () => {
    const { authorizationUrl } = await startSignIn(rig, browser);
    const genuine = await rig.authenticateAt(browser, authorizationUrl);
    expect(genuine.searchParams.get('iss')).toBe(rig.oidc!.issuer);

    for (const iss of ['https://issuer.example', `${rig.oidc!.issuer}/`, undefined]) {
      const tampered = new URL(genuine.href);
      if (iss === undefined) tampered.searchParams.delete('iss');
      else tampered.searchParams.set('iss', iss);
      const res = await callback(tampered);
      expect(res.status).toBe(400);
      expect(res.location).toBeUndefined();
      expect(res.text).toContain('issuer_mismatch');
      expect(sessionCookie(res)).toBeUndefined();
    }
    // Refused before the code went to the token endpoint: the genuine callback still completes.
    expect(await rig.oidc!.lastTokenRequest()).toEqual({});
    const done = await callback(genuine);
    expect(done.status).toBe(303);
    expect(sessionCookie(done)).toBeDefined();
  });

  it("shows the provider's error codes at the callback as what they are", async () => {
    const { state } = await startSignIn(rig, browser);
    const iss = rig.oidc!.issuer;

    const scope = await callbackWith({ state, iss, error: 'invalid_scope' });
    expect(scope.status).toBe(502);
    expect(scope.text).toContain('provider_error');
    expect(scope.text).toContain('invalid_scope');
    expect(sessionCookie(scope)).toBeUndefined();

    const refused = await callbackWith({ state, iss, error: 'login_required' });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('provider_refused');
    expect(refused.text).toContain('login_required');
  });

  it("never shows the provider's error_description", async () => {
    const { state } = await startSignIn(rig, browser);
    const res = await callbackWith({
      state,
      iss: rig.oidc!.issuer,
      error: 'invalid_request',
      error_description: '<script>alert(1)</script> Call +1 555 0100 to unlock your account',
    });
    expect(res.status).toBe(502);
    expect(res.text).toContain('provider_error');
    expect(res.text).not.toContain('alert(1)');
    expect(res.text).not.toContain('555 0100');
  });

  it('returns a user who cancelled (access_denied) to where they were, marked', async () => {
    const { state } = await startSignIn(rig, browser, '/signed-in');
    const res = await callbackWith({ state, iss: rig.oidc!.issuer, error: 'access_denied' });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${rig.url}/signed-in?reauth=cancelled`);
    expect(sessionCookie(res)).toBeUndefined();
  });

  it("refuses another provider's access token, even one for this app's audience", async () => {
    const other = await startOidcProvider({
      redirectUris: ['http://localhost:9/auth/callback'],
      resource: rig.oidc!.resource,
    });
    try {
      const foreign = await accessTokenFrom(other, 'http://localhost:9/auth/callback');
      expect(decodeJwt(foreign)).toMatchObject({ iss: other.issuer, aud: rig.oidc!.resource });
      await expectInvalidToken(await bearer(rig, '/fresh', foreign));
      await expectInvalidToken(await bearer(rig, '/signed-in', foreign));
    } finally {
      await other.stop();
    }
    // This provider's own token passes.
    const own = await accessTokenFrom(rig.oidc!, rig.redirectUri);
    expect((await bearer(rig, '/fresh', own)).status).toBe(200);
  });
});

describe('OpenID Provider: an audience of another API', () => {
  let rig: ProviderRig;

  beforeAll(async () => {
    rig = await startConfiguredRig({ oidc: { audience: 'https://other-api.example' } });
  });
  afterAll(() => rig?.close());

  it("refuses the provider's access tokens, as Bearer and at the callback", async () => {
    const token = await accessTokenFrom(rig.oidc!, rig.redirectUri);
    // Genuine, only for the provider's own resource.
    expect(decodeJwt(token)).toMatchObject({ iss: rig.oidc!.issuer, aud: rig.oidc!.resource });
    await expectInvalidToken(await bearer(rig, '/fresh', token));

    const browser = new HttpBrowser();
    const { authorizationUrl } = await startSignIn(rig, browser);
    const res = await browser.get((await rig.authenticateAt(browser, authorizationUrl)).href, HTML);
    expect(res.status).toBe(502);
    expect(res.text).toContain('provider_token_invalid');
    expect(sessionCookie(res)).toBeUndefined();
    expect((await browser.get(`${rig.url}/signed-in`, JSON_ACCEPT)).status).toBe(401);
  });
});

describe('OpenID Provider: ES256 tokens, ES256 only, client_secret_post', () => {
  let rig: ProviderRig;

  beforeAll(async () => {
    rig = await startConfiguredRig({
      provider: {
        accessTokenAlg: 'ES256',
        idTokenAlg: 'ES256',
        tokenEndpointAuthMethod: 'client_secret_post',
      },
      oidc: { tokenEndpointAuthMethod: 'client_secret_post', algorithms: ['ES256'] },
    });
  });
  afterAll(() => rig?.close());
  beforeEach(() => rig.oidc!.reset());

  it('signs in with the secret in the form and ES256 tokens, and reaches a fresh route', async () => {
    const browser = new HttpBrowser();
    const { authorizationUrl } = await startSignIn(rig, browser, '/fresh');
    const done = await browser.get(
      (await rig.authenticateAt(browser, authorizationUrl)).href,
      HTML,
    );
    expect(done.status).toBe(303);
    expect(sessionCookie(done)).toBeDefined();
    expect(await rig.oidc!.lastTokenRequest()).toMatchObject({
      grant_type: 'authorization_code',
      client_auth: 'client_secret_post',
      client_secret: true,
    });

    const fresh = await browser.get(`${rig.url}/fresh`, HTML);
    expect(fresh.status).toBe(200);
    expect(JSON.parse(fresh.text)).toEqual({ sub: OIDC_USERS.alice.sub });
    const session = await sessionOf(rig, browser);
    expect(decodeProtectedHeader(session.accessToken).alg).toBe('ES256');
    expect(decodeProtectedHeader(session.idToken!).alg).toBe('ES256');
  });

  it('refuses RS256 access tokens from the same provider, as Bearer and at the callback', async () => {
    const es256 = await accessTokenFrom(rig.oidc!, rig.redirectUri, 'client_secret_post');
    expect((await bearer(rig, '/fresh', es256)).status).toBe(200);

    await rig.oidc!.accessTokenAlg('RS256');
    const rs256 = await accessTokenFrom(rig.oidc!, rig.redirectUri, 'client_secret_post');
    expect(decodeProtectedHeader(rs256).alg).toBe('RS256');
    await expectInvalidToken(await bearer(rig, '/fresh', rs256));

    const browser = new HttpBrowser();
    const { authorizationUrl } = await startSignIn(rig, browser);
    const res = await browser.get((await rig.authenticateAt(browser, authorizationUrl)).href, HTML);
    expect(res.status).toBe(502);
    expect(res.text).toContain('provider_token_invalid');
    expect(sessionCookie(res)).toBeUndefined();
  });
});

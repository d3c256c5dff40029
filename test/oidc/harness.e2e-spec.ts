import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { HttpBrowser } from '../support/http-browser';
import {
  OIDC_ACR,
  OIDC_USERS,
  signInAtOidcProvider,
  signOutAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
} from '../support/oidc-provider';

const REDIRECT_URI = 'http://localhost:3000/auth/callback';
const POST_LOGOUT_URI = 'http://localhost:3000/signed-out';
const alice: Credentials = { username: 'alice', password: OIDC_USERS.alice.password };

type Credentials = { username: string; password: string; otp?: string };

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri?: string;
  end_session_endpoint: string;
  revocation_endpoint: string;
  [name: string]: unknown;
}

interface TokenResponse {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  token_type: string;
  expires_in: number;
  scope: string;
}

/** A bare OIDC client over fetch: just enough to exercise the provider. */
class Client {
  discovery!: Discovery;
  verifier = '';

  constructor(
    readonly provider: OidcTestProvider,
    readonly auth: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic',
  ) {}

  async discover(): Promise<void> {
    const res = await fetch(`${this.provider.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    this.discovery = (await res.json()) as Discovery;
  }

  authorizationUrl(extra: Record<string, string> = {}): string {
    this.verifier = randomBytes(32).toString('base64url');
    const url = new URL(this.discovery.authorization_endpoint);
    const params = {
      client_id: this.provider.clientId,
      redirect_uri: REDIRECT_URI,
      response_type: 'code',
      scope: 'openid email offline_access',
      state: 'st-1',
      nonce: 'n-1',
      code_challenge: createHash('sha256').update(this.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  async token(form: Record<string, string>): Promise<{ status: number; body: TokenResponse }> {
    const res = await this.post(this.discovery.token_endpoint, form);
    return { status: res.status, body: (await res.json()) as TokenResponse };
  }

  async exchange(callback: string): Promise<TokenResponse> {
    const code = new URL(callback).searchParams.get('code');
    expect(code).toBeTruthy();
    const { status, body } = await this.token({
      grant_type: 'authorization_code',
      code: code!,
      redirect_uri: REDIRECT_URI,
      code_verifier: this.verifier,
    });
    expect(status).toBe(200);
    return body;
  }

  async refresh(refreshToken: string): Promise<TokenResponse> {
    const { status, body } = await this.token({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    });
    expect(status).toBe(200);
    return body;
  }

  post(url: string, form: Record<string, string>): Promise<Response> {
    const body = new URLSearchParams(form);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.auth === 'client_secret_basic') {
      const credentials = `${encodeURIComponent(this.provider.clientId)}:${encodeURIComponent(this.provider.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      body.set('client_id', this.provider.clientId);
      body.set('client_secret', this.provider.clientSecret);
    }
    return fetch(url, { method: 'POST', headers, body });
  }

  async verify(
    jwt: string,
    audience: string,
  ): Promise<{ payload: JWTPayload & Record<string, unknown>; alg: string; typ?: string }> {
    const keys = createLocalJWKSet(await this.provider.jwks());
    const { payload, protectedHeader } = await jwtVerify(jwt, keys, {
      issuer: this.provider.issuer,
      audience,
    });
    return { payload, alg: protectedHeader.alg, typ: protectedHeader.typ };
  }
}

const epoch = () => Math.floor(Date.now() / 1000);

describe('OIDC test provider (oidc-provider in a child process)', () => {
  let provider: OidcTestProvider;
  let client: Client;
  let browser: HttpBrowser;

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [REDIRECT_URI],
      postLogoutRedirectUris: [POST_LOGOUT_URI],
    });
    client = new Client(provider);
    await client.discover();
  });
  afterAll(() => provider?.stop());
  beforeEach(async () => {
    await provider.reset();
    await provider.endSessions();
    browser = new HttpBrowser();
  });

  const signIn = async (extra: Record<string, string> = {}, user = alice) => {
    const callback = await signInAtOidcProvider(browser, client.authorizationUrl(extra), user, {
      redirectUri: REDIRECT_URI,
    });
    return { callback, tokens: await client.exchange(callback) };
  };

  it('publishes discovery and a key set with an RS256 and an ES256 key', async () => {
    const { issuer } = provider;
    expect(issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(client.discovery).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/auth`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      end_session_endpoint: `${issuer}/session/end`,
      revocation_endpoint: `${issuer}/token/revocation`,
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      response_types_supported: ['code'],
      acr_values_supported: [OIDC_ACR.password, OIDC_ACR.otp],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
    expect(client.discovery.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'auth_time', 'acr', 'amr', 'email', 'sid']),
    );
    const { keys } = await provider.jwks();
    expect(keys.map((key) => [key.kty, key.alg])).toEqual([
      ['RSA', 'RS256'],
      ['EC', 'ES256'],
    ]);
    for (const key of keys) {
      expect(key.kid).toEqual(expect.any(String));
      expect(key).not.toHaveProperty('d');
    }
    expect(provider.clientSecret.length).toBeGreaterThanOrEqual(32);
    expect(provider.resource).toBe(`${issuer}/api`);
  });

  it('signs in through the pages with code + PKCE, and issues a JWT access token for the resource', async () => {
    // acr_values are only a wish here: the tokens say what the sign-in reached.
    await provider.enforceAcrValues(false);
    const before = epoch();
    const { callback, tokens } = await signIn({ acr_values: OIDC_ACR.otp });
    const after = epoch();

    const params = new URL(callback).searchParams;
    expect(params.get('state')).toBe('st-1');
    expect(params.get('iss')).toBe(provider.issuer);

    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBe(3600);
    // oidc-provider drops offline_access without prompt=consent; the refresh token comes anyway.
    expect(tokens.scope).toBe('openid email');
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const access = await client.verify(tokens.access_token, provider.resource);
    expect(access.typ).toBe('at+jwt');
    expect(access.alg).toBe('RS256');
    expect(access.payload).toMatchObject({
      iss: provider.issuer,
      sub: OIDC_USERS.alice.sub,
      aud: provider.resource,
      client_id: provider.clientId,
      // A lower level than the acr_values asked for: the password alone is LoA 1.
      acr: OIDC_ACR.password,
      amr: ['pwd'],
    });
    expect(access.payload.jti).toEqual(expect.any(String));
    expect(access.payload.exp! - access.payload.iat!).toBe(3600);
    expect(access.payload.scope).toContain('openid');
    expect(access.payload.auth_time).toBeGreaterThanOrEqual(before);
    expect(access.payload.auth_time).toBeLessThanOrEqual(after);
    expect(access.payload).not.toHaveProperty('sid');

    const id = await client.verify(tokens.id_token, provider.clientId);
    expect(id.alg).toBe('RS256');
    expect(id.payload).toMatchObject({
      sub: OIDC_USERS.alice.sub,
      nonce: 'n-1',
      email: OIDC_USERS.alice.email,
      acr: OIDC_ACR.password,
      amr: ['pwd'],
      auth_time: access.payload.auth_time,
    });
    expect(id.payload.sid).toEqual(expect.any(String));

    const authorization = await provider.lastAuthorizationRequest();
    expect(authorization).toMatchObject({
      acr_values: OIDC_ACR.otp,
      nonce: 'n-1',
      code_challenge_method: 'S256',
      scope: 'openid email offline_access',
    });
    const token = await provider.lastTokenRequest();
    expect(token).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: REDIRECT_URI,
      code_verifier: true,
      client_auth: 'client_secret_basic',
    });
    expect(token).not.toHaveProperty('client_secret');
  });

  it('records LoA 2 and pwd+otp when the one-time code is given', async () => {
    const { tokens } = await signIn({}, { ...alice, otp: OIDC_USERS.alice.otp });
    const access = await client.verify(tokens.access_token, provider.resource);
    expect(access.payload).toMatchObject({ acr: OIDC_ACR.otp, amr: ['pwd', 'otp'] });
    const id = await client.verify(tokens.id_token, provider.clientId);
    expect(id.payload).toMatchObject({ acr: OIDC_ACR.otp, amr: ['pwd', 'otp'] });
  });

  it('keeps the original auth_time, acr and amr across refreshes', async () => {
    await provider.signedInSecondsAgo(600);
    const { tokens } = await signIn();
    const first = await client.verify(tokens.access_token, provider.resource);
    await provider.signedInSecondsAgo(null);

    const refreshed = await client.refresh(tokens.refresh_token!);
    const access = await client.verify(refreshed.access_token, provider.resource);
    expect(access.payload.jti).not.toBe(first.payload.jti);
    for (const claim of ['auth_time', 'acr', 'amr', 'sub']) {
      expect(access.payload[claim]).toEqual(first.payload[claim]);
    }
    const id = await client.verify(refreshed.id_token, provider.clientId);
    expect(id.payload.auth_time).toBe(first.payload.auth_time);
    expect(await provider.lastTokenRequest()).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
  });

  it('reuses its session without a page, and asks again for max_age=0 and prompt=login', async () => {
    await signIn();
    const silent = await browser.follow(client.authorizationUrl(), (next) =>
      next.startsWith(REDIRECT_URI),
    );
    expect(silent.location).toContain('code=');

    for (const extra of [{ max_age: '0' }, { prompt: 'login' }] as Record<string, string>[]) {
      const page = await browser.follow(client.authorizationUrl(extra));
      expect(page.status).toBe(200);
      expect(page.text).toContain('/login"');
      expect(page.text).toContain('data-reasons="login_prompt"');
    }
  });

  it('asks again when the sign-in is older than max_age', async () => {
    await provider.signedInSecondsAgo(600);
    await signIn();
    const page = await browser.follow(client.authorizationUrl({ max_age: '300' }));
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-reasons="max_age"');
  });

  it('signedInSecondsAgo: the token says the user signed in that long ago', async () => {
    await provider.signedInSecondsAgo(3600);
    const before = epoch();
    // A provider that asked for max_age=0 still answers with what it recorded.
    const { tokens } = await signIn({ max_age: '0' });
    const after = epoch();
    const { payload } = await client.verify(tokens.access_token, provider.resource);
    expect(payload.auth_time).toBeGreaterThanOrEqual(before - 3600);
    expect(payload.auth_time).toBeLessThanOrEqual(after - 3600);
  });

  it('ignoreMaxAge: answers from the existing session and still records what was asked', async () => {
    const { tokens } = await signIn();
    const first = await client.verify(tokens.access_token, provider.resource);
    await provider.ignoreMaxAge(true);

    const res = await browser.follow(
      client.authorizationUrl({ max_age: '0', prompt: 'login', login_hint: 'alice' }),
      (next) => next.startsWith(REDIRECT_URI),
    );
    expect(res.location).toContain('code=');
    expect(await provider.lastAuthorizationRequest()).toMatchObject({
      max_age: '0',
      prompt: 'login',
      login_hint: 'alice',
    });
    const again = await client.exchange(res.location!);
    const access = await client.verify(again.access_token, provider.resource);
    expect(access.payload.auth_time).toBe(first.payload.auth_time);
  });

  it('takes authorization requests as GET only (oidc-provider 9 default)', async () => {
    const url = new URL(client.authorizationUrl());
    const res = await browser.request(`${url.origin}${url.pathname}`, {
      method: 'POST',
      form: Object.fromEntries(url.searchParams),
    });
    expect(res.status).toBe(404);
  });

  it('accessTokenClaims(false): access tokens without auth_time, acr and amr; the ID token keeps them', async () => {
    await provider.accessTokenClaims(false);
    const { tokens } = await signIn();
    const access = await client.verify(tokens.access_token, provider.resource);
    expect(access.payload).not.toHaveProperty('auth_time');
    expect(access.payload).not.toHaveProperty('acr');
    expect(access.payload).not.toHaveProperty('amr');
    const id = await client.verify(tokens.id_token, provider.clientId);
    expect(id.payload.auth_time).toEqual(expect.any(Number));
  });

  it('accessTokenAlg: switches the access tokens to the ES256 key', async () => {
    await provider.accessTokenAlg('ES256');
    const { tokens } = await signIn();
    const access = await client.verify(tokens.access_token, provider.resource);
    expect(access.alg).toBe('ES256');
    const ec = (await provider.jwks()).keys.find((key) => key.alg === 'ES256')!;
    expect(decodeProtectedHeader(tokens.access_token).kid).toBe(ec.kid);
    expect((await client.verify(tokens.id_token, provider.clientId)).alg).toBe('RS256');
  });

  it('enforceAcrValues (on by default): a password-only sign-in asked for LoA 2 ends in login_required', async () => {
    const callback = await signInAtOidcProvider(
      browser,
      client.authorizationUrl({ acr_values: OIDC_ACR.otp }),
      alice,
      { redirectUri: REDIRECT_URI },
    );
    const params = new URL(callback).searchParams;
    expect(params.get('error')).toBe('login_required');
    expect(params.get('state')).toBe('st-1');
    expect(params.get('iss')).toBe(provider.issuer);
    expect(params.has('code')).toBe(false);
    expect(await provider.lastAuthorizationRequest()).toMatchObject({ acr_values: OIDC_ACR.otp });
  });

  it('enforceAcrValues(false): the same sign-in gets a code, and an ID token saying LoA 1', async () => {
    await provider.enforceAcrValues(false);
    const { callback, tokens } = await signIn({ acr_values: OIDC_ACR.otp });
    const params = new URL(callback).searchParams;
    expect(params.has('error')).toBe(false);
    expect(params.get('code')).toEqual(expect.any(String));
    const id = await client.verify(tokens.id_token, provider.clientId);
    expect(id.payload).toMatchObject({ acr: OIDC_ACR.password, amr: ['pwd'] });
  });

  it('failDiscovery: 503, or a document without jwks_uri, until cleared', async () => {
    const url = `${provider.issuer}/.well-known/openid-configuration`;
    await provider.failDiscovery('unavailable');
    expect((await fetch(url)).status).toBe(503);
    await provider.failDiscovery('incomplete');
    const incomplete = await fetch(url);
    expect(incomplete.status).toBe(200);
    const document = (await incomplete.json()) as Discovery;
    expect(document.issuer).toBe(provider.issuer);
    expect(document).not.toHaveProperty('jwks_uri');
    await provider.failDiscovery(null);
    expect(((await (await fetch(url)).json()) as Discovery).jwks_uri).toBe(
      client.discovery.jwks_uri,
    );
  });

  it('endSessions: the next authorization asks for a login; tokens stay valid', async () => {
    const { tokens } = await signIn();
    expect(await provider.endSessions()).toBeGreaterThan(0);
    const page = await browser.follow(client.authorizationUrl());
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-reasons="no_session"');
    await client.refresh(tokens.refresh_token!);
  });

  it('cancel: the callback carries access_denied, state and iss', async () => {
    const callback = await signInAtOidcProvider(
      browser,
      client.authorizationUrl(),
      { cancel: true },
      { redirectUri: REDIRECT_URI },
    );
    const params = new URL(callback).searchParams;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('st-1');
    expect(params.get('iss')).toBe(provider.issuer);
  });

  it('re-renders the form on a wrong password or one-time code', async () => {
    const page = await browser.follow(client.authorizationUrl({ login_hint: 'alice' }));
    expect(page.text).toContain('name="username" value="alice"');
    const wrongPassword = await browser.submit(page, '/login', {
      username: 'alice',
      password: 'nope',
    });
    expect(wrongPassword.status).toBe(200);
    expect(wrongPassword.text).toContain('Invalid username or password.');
    const wrongOtp = await browser.submit(wrongPassword, '/login', {
      username: 'alice',
      password: OIDC_USERS.alice.password,
      otp: '000000',
    });
    expect(wrongOtp.status).toBe(200);
    expect(wrongOtp.text).toContain('Invalid one-time code.');
    await expect(
      signInAtOidcProvider(browser, client.authorizationUrl(), { ...alice, password: 'nope' }),
    ).rejects.toThrow('Invalid username or password.');
  });

  it('signs in another user over an existing session', async () => {
    await signIn();
    const { tokens } = await signIn(
      { prompt: 'login' },
      { username: 'bob', password: OIDC_USERS.bob.password },
    );
    const id = await client.verify(tokens.id_token, provider.clientId);
    expect(id.payload).toMatchObject({ sub: OIDC_USERS.bob.sub, email: OIDC_USERS.bob.email });
  });

  it('revokes a refresh token (and its grant), records it, and refuses to revoke a JWT access token', async () => {
    const { tokens } = await signIn();
    const revoked = await client.post(client.discovery.revocation_endpoint, {
      token: tokens.refresh_token!,
      token_type_hint: 'refresh_token',
    });
    expect(revoked.status).toBe(200);
    const jwt = await client.post(client.discovery.revocation_endpoint, {
      token: tokens.access_token,
      token_type_hint: 'access_token',
    });
    expect(jwt.status).toBe(400);
    expect(((await jwt.json()) as { error: string }).error).toBe('unsupported_token_type');

    expect(await provider.revocations()).toEqual([
      {
        tokenTypeHint: 'refresh_token',
        token: tokens.refresh_token,
        revoked: 'refresh_token',
        status: 200,
      },
      { tokenTypeHint: 'access_token', token: tokens.access_token, revoked: null, status: 400 },
    ]);
    const refresh = await client.token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(refresh.status).toBe(400);
    expect(refresh.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('signs out through end_session back to the post-logout redirect URI', async () => {
    const { tokens } = await signIn();
    const url = new URL(client.discovery.end_session_endpoint);
    url.searchParams.set('id_token_hint', tokens.id_token);
    url.searchParams.set('post_logout_redirect_uri', POST_LOGOUT_URI);
    url.searchParams.set('state', 'bye');
    expect(await signOutAtOidcProvider(browser, url.href)).toBe(`${POST_LOGOUT_URI}?state=bye`);

    const page = await browser.follow(client.authorizationUrl());
    expect(page.text).toContain('data-reasons="no_session"');
    // Signing out at the provider ends its session, not the tokens: only revocation does.
    await client.refresh(tokens.refresh_token!);
  });
});

describe('OIDC test provider: ES256 everywhere, client_secret_post, custom resource', () => {
  let provider: OidcTestProvider;
  let client: Client;

  beforeAll(async () => {
    provider = await startOidcProvider({
      redirectUris: [REDIRECT_URI],
      clientId: 'custom-client',
      clientSecret: 'custom-client-secret-of-at-least-32-chars',
      tokenEndpointAuthMethod: 'client_secret_post',
      resource: 'https://api.example.test',
      accessTokenAlg: 'ES256',
      idTokenAlg: 'ES256',
      accessTokenTtlSeconds: 300,
      rotateRefreshTokens: true,
    });
    client = new Client(provider, 'client_secret_post');
    await client.discover();
  });
  afterAll(() => provider?.stop());

  it('uses the configured client, resource, algorithms and lifetime', async () => {
    expect(provider).toMatchObject({
      clientId: 'custom-client',
      clientSecret: 'custom-client-secret-of-at-least-32-chars',
      resource: 'https://api.example.test',
    });
    const browser = new HttpBrowser();
    const callback = await signInAtOidcProvider(browser, client.authorizationUrl(), alice);
    expect(callback.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await client.exchange(callback);
    expect(tokens.expires_in).toBe(300);
    const access = await client.verify(tokens.access_token, 'https://api.example.test');
    expect(access.alg).toBe('ES256');
    expect(access.payload.client_id).toBe('custom-client');
    expect((await client.verify(tokens.id_token, 'custom-client')).alg).toBe('ES256');
    expect(await provider.lastTokenRequest()).toMatchObject({
      client_id: 'custom-client',
      client_secret: true,
      client_auth: 'client_secret_post',
    });

    // rotateRefreshTokens: each refresh hands out a new refresh token, and the old one is spent.
    const refreshed = await client.refresh(tokens.refresh_token!);
    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    const reused = await client.token({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
    });
    expect(reused.body).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('OIDC test provider: advanceClock', () => {
  let provider: OidcTestProvider;

  beforeAll(async () => {
    // A provider of its own: the clock only moves forward, and the other suites read real time.
    provider = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
  });
  afterAll(() => provider?.stop());

  it('moves now() and the times in the tokens (iat, auth_time) by the same amount', async () => {
    const client = new Client(provider);
    await client.discover();
    const before = epoch();
    const low = Date.now();
    expect(await provider.advanceClock(7200)).toBe(7200);
    const now = provider.now();
    const high = Date.now();
    expect(now).toBeGreaterThanOrEqual(low + 7_200_000);
    expect(now).toBeLessThanOrEqual(high + 7_200_000);
    // The offset adds up.
    expect(await provider.advanceClock(60)).toBe(7260);

    const callback = await signInAtOidcProvider(
      new HttpBrowser(),
      client.authorizationUrl(),
      alice,
      { redirectUri: REDIRECT_URI },
    );
    const tokens = await client.exchange(callback);
    const after = epoch();
    const providerNow = Math.floor(provider.now() / 1000);
    expect(providerNow).toBeGreaterThanOrEqual(after + 7260);

    const access = await client.verify(tokens.access_token, provider.resource);
    const id = await client.verify(tokens.id_token, provider.clientId);
    for (const payload of [access.payload, id.payload]) {
      for (const claim of ['iat', 'auth_time'] as const) {
        const value = payload[claim] as number;
        expect(value).toBeGreaterThanOrEqual(before + 7260);
        expect(value).toBeLessThanOrEqual(after + 7260);
        expect(value).toBeLessThanOrEqual(providerNow);
      }
    }
    expect(access.payload.exp! - access.payload.iat!).toBe(3600);
  });
});

describe('OIDC test provider: lifecycle', () => {
  it('fails to start with a clear error carrying its stderr', async () => {
    await expect(startOidcProvider({ redirectUris: [] })).rejects.toThrow(
      /exited before it was ready[\s\S]*configuration needs redirectUris/,
    );
  });

  it('issues no refresh token when started with refreshTokens: false', async () => {
    const provider = await startOidcProvider({
      redirectUris: [REDIRECT_URI],
      refreshTokens: false,
    });
    try {
      const client = new Client(provider);
      await client.discover();
      const callback = await signInAtOidcProvider(
        new HttpBrowser(),
        client.authorizationUrl(),
        alice,
      );
      const tokens = await client.exchange(callback);
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(tokens).not.toHaveProperty('refresh_token');
    } finally {
      await provider.stop();
    }
  });

  it('stops: the port no longer answers, and stopping twice is fine', async () => {
    const provider = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
    await provider.stop();
    await provider.stop();
    await expect(fetch(`${provider.issuer}/jwks`)).rejects.toThrow();
  });
});

import {
  decodeProtectedHeader,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  decodeJwt,
  type JWK,
} from 'jose';
import type { Server } from 'node:http';
import request from 'supertest';
import { type ScenarioApp, startScenarioApp } from '../support/reauth-app';
import { ROUTES } from './guard.routes';

describe('RecentAuthGuard and ReauthExceptionFilter (real app, emulator, real SDK)', () => {
  let scenario: ScenarioApp;
  const alice = 'alice@example.com';

  beforeAll(async () => {
    scenario = await startScenarioApp(ROUTES);
  });
  afterAll(() => scenario.close());

  const now = () => scenario.emulator.now();
  const token = (
    authTime: number,
    extra: { expiresIn?: number; claims?: Record<string, unknown> } = {},
  ) => scenario.emulator.mintAccessToken({ email: alice, authTime, ...extra });
  const call = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${scenario.url}${path}`, { redirect: 'manual', ...init });
  const bearer = (value: string, headers: Record<string, string> = {}) => ({
    headers: { authorization: `Bearer ${value}`, ...headers },
  });

  it('lets a fresh Bearer token through and exposes its verified claims', async () => {
    const authTime = now() - 299;
    const res = await call('/fresh', bearer(await token(authTime)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      sub: expect.stringMatching(/^user_/),
      authTime,
      sid: expect.stringMatching(/^session_/),
    });
  });

  it('answers a stale token with the exact JSON 401 and RFC 9470 challenge', async () => {
    const authTime = now() - 301;
    const res = await call('/fresh', bearer(await token(authTime)));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"',
    );
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      statusCode: 401,
      error: 'reauth_required',
      reason: 'stale',
      message: 'More recent authentication is required.',
      maxAge: 300,
      authTime,
      reauthUrl: expect.any(String),
    });
    const reauthUrl = new URL(body.reauthUrl as string);
    expect(reauthUrl.origin + reauthUrl.pathname).toBe(
      `${scenario.emulator.url}/user_management/authorize`,
    );
    expect(reauthUrl.searchParams.get('max_age')).toBe('300');
    expect(reauthUrl.searchParams.get('provider')).toBe('authkit');
    expect(reauthUrl.searchParams.get('client_id')).toBe(scenario.emulator.clientId);
    expect(reauthUrl.searchParams.get('redirect_uri')).toBe(scenario.redirectUri);
    expect(reauthUrl.searchParams.get('state')).toMatch(/^[\w-]+\.\.[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('writes the JSON 401 with its length and no ETag, and leaves the body out for HEAD', async () => {
    const stale = await token(now() - 301);
    const stackTraceLimit = Error.stackTraceLimit;
    const res = await call('/fresh', bearer(stale));
    const text = await res.text();
    // The refusal is made without a stack, and leaves the process's stack depth as it was.
    expect(Error.stackTraceLimit).toBe(stackTraceLimit);
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    // The answer is no-store: a validator for it would only cost a hash per refusal.
    expect(res.headers.get('etag')).toBeNull();
    expect(JSON.parse(text)).toMatchObject({ reason: 'stale' });

    const head = await call('/fresh', { method: 'HEAD', ...bearer(stale) });
    expect(head.status).toBe(401);
    expect(head.headers.get('www-authenticate')).toContain('max_age="300"');
    expect(await head.text()).toBe('');
  });

  it('still refuses with a 401 when the stack depth cannot be changed (frozen intrinsics)', async () => {
    const stale = await token(now() - 301);
    const limit = Error.stackTraceLimit;
    Object.defineProperty(Error, 'stackTraceLimit', { writable: false });
    try {
      const res = await call('/fresh', bearer(stale));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ reason: 'stale' });
    } finally {
      Object.defineProperty(Error, 'stackTraceLimit', { writable: true, value: limit });
    }
  });

  it('builds the re-auth URL the SDK builds, with the values of each request', async () => {
    const authTime = now() - 301;
    const first = (await (await call('/fresh', bearer(await token(authTime)))).json()) as {
      reauthUrl: string;
    };
    const second = (await (await call('/fresh', bearer(await token(authTime)))).json()) as {
      reauthUrl: string;
    };
    const [a, b] = [new URL(first.reauthUrl), new URL(second.reauthUrl)];
    const sdk = new URL(
      scenario.workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: scenario.emulator.clientId,
        redirectUri: scenario.redirectUri,
        state: a.searchParams.get('state')!,
        codeChallenge: a.searchParams.get('code_challenge')!,
        codeChallengeMethod: 'S256',
        maxAge: 300,
      }),
    );
    const sorted = (url: URL) => [...url.searchParams].sort(([x], [y]) => x.localeCompare(y));
    expect(sorted(a)).toEqual(sorted(sdk));
    expect(a.origin + a.pathname).toBe(sdk.origin + sdk.pathname);
    // Each refusal has its own state and PKCE challenge.
    expect(b.searchParams.get('state')).not.toBe(a.searchParams.get('state'));
    expect(b.searchParams.get('code_challenge')).not.toBe(a.searchParams.get('code_challenge'));
  });

  it('never puts the token or claims other than authTime in the body', async () => {
    const value = await token(now() - 1000);
    const res = await call('/fresh', bearer(value));
    const text = await res.text();
    const claims = decodeJwt(value);
    expect(text).not.toContain(value);
    expect(text).not.toContain(claims.sub as string);
    expect(text).not.toContain(claims.sid as string);
  });

  it('answers a request without credentials with a bare Bearer challenge', async () => {
    const res = await call('/fresh');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ reason: 'unauthenticated', maxAge: 300 });
  });

  it.each([
    ['missing', { auth_time: null }],
    ['a string', { auth_time: '1735680000' }],
    ['fractional', { auth_time: 1_700_000_000.5 }],
    ['negative', { auth_time: -1 }],
    ['an array', { auth_time: [1] }],
  ])('treats an auth_time that is %s as missing_auth_time', async (_label, claims) => {
    const res = await call('/fresh', bearer(await token(now(), { claims })));
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ reason: 'missing_auth_time' });
    expect(body).not.toHaveProperty('authTime');
    expect(res.headers.get('www-authenticate')).toContain('insufficient_user_authentication');
  });

  it.each([
    ['in milliseconds', () => now() * 1000],
    ['in the future beyond the tolerance', () => now() + 60],
  ])('treats an auth_time %s as stale, and does not echo it', async (_label, authTime) => {
    const res = await call(
      '/fresh',
      bearer(await token(now(), { claims: { auth_time: authTime() } })),
    );
    expect(res.status).toBe(401);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ reason: 'stale' });
    expect(body).not.toHaveProperty('authTime');
  });

  it('accepts an auth_time a few seconds in the future, within the clock tolerance', async () => {
    expect((await call('/fresh', bearer(await token(now() + 3)))).status).toBe(200);
  });

  describe('forged and unusable tokens get 401 invalid_token', () => {
    const forge = async (): Promise<Record<string, string>> => {
      const real = await token(now());
      const [, payload] = real.split('.');
      const claims = decodeJwt(real);
      const kid = decodeProtectedHeader(real).kid!;
      const jwks = (await (
        await fetch(`${scenario.emulator.url}/sso/jwks/${scenario.emulator.clientId}`)
      ).json()) as {
        keys: JWK[];
      };
      const publicKey = await importJWK(
        jwks.keys.find((key) => key.kid === kid)!,
        'RS256',
      );
      const pem = await exportSPKI(publicKey as CryptoKey);
      const stranger = await generateKeyPair('RS256');
      const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return {
        'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
        'HS256 signed with the public key': await new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', kid })
          .sign(new TextEncoder().encode(pem)),
        'an unknown kid': await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'key_unknown' })
          .sign(stranger.privateKey),
        'another key under the real kid': await new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid })
          .sign(stranger.privateKey),
        'a wrong issuer': await token(now(), {
          claims: { iss: 'https://evil.example/user_management/x' },
        }),
        'an expired token': await token(now(), { expiresIn: -60 }),
        'no sid': await token(now(), { claims: { sid: null } }),
        'a tampered payload': real.replace(payload, b64({ ...claims, sub: 'user_01MALLORY' })),
        garbage: 'not-a-jwt',
        'an oversized token': `${'a'.repeat(9000)}.b.c`,
      };
    };

    it('for every kind of forgery', async () => {
      const forged = await forge();
      for (const [label, value] of Object.entries(forged)) {
        const res = await call('/fresh', bearer(value));
        const body = (await res.json()) as Record<string, unknown>;
        expect({ label, status: res.status, reason: body.reason }).toEqual({
          label,
          status: 401,
          reason: 'invalid_token',
        });
        expect(res.headers.get('www-authenticate')).toBe(
          'Bearer error="invalid_token", error_description="The access token is invalid"',
        );
      }
    });

    it('for an empty Bearer header', async () => {
      const res = await call('/fresh', { headers: { authorization: 'Bearer ' } });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
    });
  });

  it('redirects browser navigations: 302 for GET with max_age, state and a state cookie', async () => {
    const res = await call(
      '/fresh',
      bearer(await token(now() - 400), { 'sec-fetch-mode': 'navigate' }),
    );
    // A Bearer header means an API client, even when the request looks like a navigation.
    expect(res.status).toBe(401);

    const nav = await request(scenario.app.getHttpServer() as Server)
      .get('/fresh')
      .set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(nav.status).toBe(302);
    const location = new URL(nav.headers.location);
    expect(location.pathname).toBe('/user_management/authorize');
    expect(location.searchParams.get('max_age')).toBe('300');
    expect(location.searchParams.get('state')).toBeTruthy();
    const setCookie = ([] as string[]).concat(nav.headers['set-cookie'] ?? []).join('\n');
    expect(setCookie).toMatch(/wos-reauth=[\w-]{43}; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax/);
  });

  it('redirects a form POST with 303 and answers X-Requested-With with JSON', async () => {
    // fetch() drops Sec-Fetch-* headers, as browsers own them; supertest sends them as given.
    const form = await request(scenario.app.getHttpServer() as Server)
      .post('/transfer')
      .set('Sec-Fetch-Mode', 'navigate')
      .type('form')
      .send('amount=10');
    expect(form.status).toBe(303);
    expect(new URL(form.headers.location).searchParams.get('max_age')).toBe('300');
    const xhr = await call('/fresh', {
      headers: { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(xhr.status).toBe(401);
    expect(xhr.headers.get('content-type')).toMatch(/json/);
  });

  it('lets the handler decorator win over the controller decorator', async () => {
    const at = (age: number) => token(now() - age);
    expect((await call('/strict/inherits', bearer(await at(500)))).status).toBe(200);
    expect((await call('/strict/inherits', bearer(await at(700)))).status).toBe(401);
    expect((await call('/strict/overrides', bearer(await at(100)))).status).toBe(200);
    const stale = await call('/strict/overrides', bearer(await at(130)));
    expect(stale.status).toBe(401);
    expect(await stale.json()).toMatchObject({ maxAge: 120 });
  });

  it('leaves undecorated routes alone and lets any verified token through @RequireSignIn', async () => {
    expect((await call('/public')).status).toBe(200);
    expect((await call('/signed-in', bearer(await token(now() - 86_400)))).status).toBe(200);
    const anonymous = await call('/signed-in');
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ reason: 'unauthenticated' });
    expect(body).not.toHaveProperty('maxAge');
    expect(new URL(body.reauthUrl as string).searchParams.get('max_age')).toBeNull();
  });

  it('requires a re-authentication for max_age 0 even right after a sign-in', async () => {
    const res = await call('/delete', { method: 'POST', ...bearer(await token(now())) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('max_age="0"');
  });
});

describe('RecentAuthGuard when its dependencies fail', () => {
  it('answers 503, never 500 and never a pass, when the JWKS is unreachable', async () => {
    const scenario = await startScenarioApp(ROUTES, { reauth: () => ({ jwksTimeoutMs: 500 }) });
    const value = await scenario.emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: scenario.emulator.now(),
    });
    await scenario.emulator.close();
    const res = await fetch(`${scenario.url}/fresh`, {
      headers: { authorization: `Bearer ${value}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({
      statusCode: 503,
      error: 'reauth_unavailable',
      message: 'Authentication is temporarily unavailable. Try again shortly.',
    });
    await scenario.app.close();
  });
});

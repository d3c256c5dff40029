import { WorkOSIdentityProvider } from './providers/workos.provider';
import { resolveReauthOptions, resolveReauthSetup } from './reauth.options';
import { MemoryReauthStore } from './stores/memory-reauth.store';

const VALID = {
  apiKey: 'sk_test_x',
  clientId: 'client_x',
  redirectUri: 'http://localhost:3000/auth/callback',
  cookiePassword: 'p'.repeat(32),
};
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13];

describe('resolveReauthOptions', () => {
  it('fills in documented defaults', async () => {
    const { options, store, provider } = resolveReauthSetup(VALID);
    expect(options).toMatchObject({
      clientId: 'client_x',
      redirectUri: 'http://localhost:3000/auth/callback',
      clockToleranceSeconds: 5,
      cookie: { name: 'wos-session', secure: false, maxAgeSeconds: 30 * 24 * 3600 },
      fallbackReturnTo: '/',
      logoutReturnTo: 'http://localhost:3000/',
      jwksTimeoutMs: 5000,
      zeroMaxAgeGrantSeconds: 300,
      routes: { callback: '/auth/callback', login: '/auth/login', logout: '/auth/logout' },
    });
    expect(store).toBeInstanceOf(MemoryReauthStore);
    expect(provider).toBeInstanceOf(WorkOSIdentityProvider);
    await expect(provider.verification()).resolves.toEqual({
      jwksUrl: 'https://api.workos.com/sso/jwks/client_x',
      issuers: ['https://api.workos.com/user_management/client_x'],
      algorithms: ['RS256'],
      audience: undefined,
      requireSid: true,
    });
  });

  it('makes the session cookie Secure when the redirect URI is https', () => {
    const options = resolveReauthOptions({
      ...VALID,
      redirectUri: 'https://app.example/auth/callback',
    });
    expect(options.cookie.secure).toBe(true);
    // No other host, and no plain-HTTP page, can set a __Host- cookie.
    expect(options.cookie.name).toBe('__Host-wos-session');
  });

  it('keeps the plain name with a domain, or an explicit name', () => {
    const https = { ...VALID, redirectUri: 'https://app.example/auth/callback' };
    expect(resolveReauthOptions({ ...https, cookie: { domain: 'app.example' } }).cookie.name).toBe(
      'wos-session',
    );
    expect(resolveReauthOptions({ ...https, cookie: { name: 'sess' } }).cookie.name).toBe('sess');
    expect(() => resolveReauthOptions({ ...VALID, cookie: { name: '__Host-sess' } })).toThrow(
      'ReauthModule: cookie.name starts with __Host-, which needs a Secure cookie without a domain',
    );
  });

  it('allows the app origin and the trusted origins, normalised', () => {
    const options = resolveReauthOptions({
      ...VALID,
      trustedOrigins: ['https://Admin.Example', 'http://localhost:4200/'],
    });
    expect([...options.allowedOrigins]).toEqual([
      'http://localhost:3000',
      'https://admin.example',
      'http://localhost:4200',
    ]);
    expect(options).toMatchObject({
      allowCrossOrigin: false,
      allowImpersonation: false,
      signInLimits: { perUser: 30, perAddress: 120, windowSeconds: 600 },
    });
  });

  it('hands the audience to the provider', async () => {
    const { provider } = resolveReauthSetup({ ...VALID, audience: 'api' });
    expect((await provider.verification()).audience).toEqual(['api']);
  });

  it('reads the client address from Express, else the socket', () => {
    const { clientAddress } = resolveReauthOptions(VALID);
    const base = { method: 'GET', headers: {} };
    expect(clientAddress({ ...base, ip: '10.0.0.1', socket: { remoteAddress: '::1' } })).toBe(
      '10.0.0.1',
    );
    expect(clientAddress({ ...base, socket: { remoteAddress: '::1' } })).toBe('::1');
    expect(clientAddress(base)).toBeUndefined();
  });

  it('points the SDK and the default issuer at a custom API host', async () => {
    const { provider } = resolveReauthSetup({
      ...VALID,
      apiHostname: '127.0.0.1',
      port: 8787,
      https: false,
    });
    const settings = await provider.verification();
    expect(settings.jwksUrl).toBe('http://127.0.0.1:8787/sso/jwks/client_x');
    expect(settings.issuers).toEqual(['http://127.0.0.1:8787/user_management/client_x']);
  });

  it.each([
    [
      { cookiePassword: 'short' },
      'ReauthModule: cookiePassword must be at least 32 characters long',
    ],
    [{ cookiePassword: undefined }, 'ReauthModule: cookiePassword is required'],
    [{ clientId: '' }, 'ReauthModule: clientId is required'],
    [{ redirectUri: undefined }, 'ReauthModule: redirectUri is required'],
    [
      { redirectUri: '/auth/callback' },
      'ReauthModule: redirectUri must be an absolute http(s) URL, got "/auth/callback"',
    ],
    [{ apiKey: undefined }, 'ReauthModule: apiKey (or a workos client) is required'],
    [{ workos: {} }, 'ReauthModule: workos must be a WorkOS client instance'],
    [{ issuers: [] }, 'ReauthModule: issuers must be a non-empty array of strings'],
    [{ store: {} }, 'ReauthModule: store must extend ReauthStore'],
    [
      { fallbackReturnTo: '//evil.example' },
      'ReauthModule: fallbackReturnTo must be a same-origin path such as "/"',
    ],
    [
      { logoutReturnTo: 'javascript:alert(1)' },
      'ReauthModule: logoutReturnTo must be an absolute http(s) URL, got "javascript:alert(1)"',
    ],
    [{ cookie: { name: 'bad name' } }, 'ReauthModule: cookie.name must be a cookie name'],
    [
      { trustedOrigins: 'https://a.example' },
      'ReauthModule: trustedOrigins must be an array of origins',
    ],
    ...[
      'https://a.example/path',
      'https://a.example?x',
      'ftp://a.example',
      'a.example',
      1,
      null,
    ].map((origin): [object, string] => [
      { trustedOrigins: [origin] },
      `ReauthModule: trustedOrigins[0] must be an origin such as "https://app.example", got ${JSON.stringify(origin)}`,
    ]),
    [
      { audience: [] },
      'ReauthModule: audience must be a non-empty string or a non-empty array of them',
    ],
    [
      { audience: [''] },
      'ReauthModule: audience must be a non-empty string or a non-empty array of them',
    ],
    [{ signInLimits: 5 }, 'ReauthModule: signInLimits must be an object'],
    [{ clientAddress: 'ip' }, 'ReauthModule: clientAddress must be a function'],
  ] as [object, string][])('refuses %p', (patch, message) => {
    expect(() => resolveReauthOptions({ ...VALID, ...patch })).toThrow(new TypeError(message));
  });

  it.each(MALFORMED)('refuses %p for numeric options', (value) => {
    for (const name of ['clockToleranceSeconds', 'jwksTimeoutMs', 'zeroMaxAgeGrantSeconds']) {
      expect(() => resolveReauthOptions({ ...VALID, [name]: value })).toThrow(TypeError);
    }
    for (const name of ['perUser', 'perAddress', 'windowSeconds']) {
      expect(() => resolveReauthOptions({ ...VALID, signInLimits: { [name]: value } })).toThrow(
        new RegExp(`^ReauthModule: signInLimits\\.${name} must be an integer from`),
      );
    }
  });

  it.each([1, 'yes', null, {}])('refuses %p for boolean options', (value) => {
    for (const name of ['allowCrossOrigin', 'allowImpersonation']) {
      expect(() => resolveReauthOptions({ ...VALID, [name]: value })).toThrow(
        new TypeError(`ReauthModule: ${name} must be a boolean`),
      );
    }
  });

  it('requires the callback route to be the path of the redirect URI', () => {
    expect(() => resolveReauthOptions(VALID, { routes: { callback: '/oauth/cb' } })).toThrow(
      'ReauthModule: routes.callback (/oauth/cb) must be the path of redirectUri (/auth/callback), or its end when the app has a global prefix',
    );
    const options = resolveReauthOptions(
      { ...VALID, redirectUri: 'http://localhost:3000/oauth/cb' },
      { routes: { callback: '/oauth/cb', login: false, logout: '/bye' } },
    );
    expect(options.routes).toEqual({ callback: '/oauth/cb', login: false, logout: '/bye' });
    expect(() =>
      resolveReauthOptions({ ...VALID, redirectUri: 'http://localhost:3000/api/auth/callback' }),
    ).not.toThrow();
  });

  it.each(['auth/login', '//x', '/a b', '/a?b', 1, true])('refuses the route path %p', (path) => {
    expect(() => resolveReauthOptions(VALID, { routes: { login: path as string } })).toThrow(
      /routes\.login must be a path/,
    );
  });
});

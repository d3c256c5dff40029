import { RESERVED_AUTHORIZATION_PARAMS } from '../providers/oidc/oidc.options';
import { OidcIdentityProvider } from '../providers/oidc/oidc.provider';
import { WorkOSIdentityProvider } from '../providers/workos/workos.provider';
import { resolveReauthOptions, resolveReauthSetup } from './reauth.options';
import { MemoryReauthStore } from '../stores/memory-reauth.store';

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

  it('leaves checkProviderOnStart off unless it is true', () => {
    expect(resolveReauthOptions(VALID).checkProviderOnStart).toBe(false);
    expect(resolveReauthOptions({ ...VALID, checkProviderOnStart: false })).toMatchObject({
      checkProviderOnStart: false,
    });
    expect(resolveReauthOptions({ ...VALID, checkProviderOnStart: true })).toMatchObject({
      checkProviderOnStart: true,
    });
  });

  it.each([...MALFORMED.filter((value) => value !== true), 'true', 0])(
    'refuses checkProviderOnStart %p',
    (value) => {
      expect(() =>
        resolveReauthOptions({ ...VALID, checkProviderOnStart: value as unknown as boolean }),
      ).toThrow(new TypeError('ReauthModule: checkProviderOnStart must be a boolean'));
    },
  );

  it('requires the callback route to be the path of the redirect URI', () => {
    expect(() => resolveReauthOptions(VALID, { routes: { callback: '/oauth/cb' } })).toThrow(
      'ReauthModule: routes.callback (/oauth/cb) must be the path of redirectUri (/auth/callback), or its end when the app has a global prefix',
    );
    const options = resolveReauthOptions(
      { ...VALID, redirectUri: 'http://localhost:3000/oauth/cb' },
      { routes: { callback: '/oauth/cb', login: false, logout: '/bye' } },
    );
    expect(options.routes).toEqual({
      callback: '/oauth/cb',
      login: false,
      logout: '/bye',
      stepUp: '/auth/step-up',
      passkeys: '/auth/passkeys',
      backchannelLogout: '/auth/backchannel-logout',
      providerEvents: '/auth/workos/events',
      prefix: '',
    });
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

describe('resolveReauthSetup with oidc', () => {
  const BASE = {
    clientId: 'client_x',
    redirectUri: 'https://app.example/auth/callback',
    cookiePassword: 'p'.repeat(32),
  };
  const ISSUER = 'https://idp.example/';
  // Deliberately loose: the tests hand over what TypeScript would refuse, as JavaScript may.
  const withOidc = (oidc: Record<string, unknown>, patch: Record<string, unknown> = {}) => {
    const options = { ...BASE, ...patch, oidc: { issuer: ISSUER, ...oidc } };
    return resolveReauthSetup(options);
  };

  it('makes an OpenID Connect provider that names its issuer', () => {
    const { provider } = withOidc({});
    expect(provider).toBeInstanceOf(OidcIdentityProvider);
    expect(provider).not.toBeInstanceOf(WorkOSIdentityProvider);
    expect(provider.dependency).toBe('oidc');
    expect(provider.describe()).toBe('OpenID Connect, issuer https://idp.example/');
  });

  it.each(['https://idp.example/?', 'https://idp.example/#', 'https://user:pw@idp.example/'])(
    'refuses the issuer %p at start-up rather than failing discovery later',
    (issuer) => {
      expect(() => withOidc({ issuer })).toThrow(/^ReauthModule: oidc\.issuer must/);
    },
  );

  it('keeps an issuer with a path as it is', () => {
    const { provider } = withOidc({ issuer: 'https://idp.example/realms/acme' });
    expect(provider.describe()).toBe('OpenID Connect, issuer https://idp.example/realms/acme');
  });

  it.each(['https://idp.example', 'https://IDP.example:443/tenant', 'http://127.0.0.1:9000'])(
    'names the issuer %p for the start-up log exactly as configured',
    (issuer) => {
      expect(withOidc({ issuer }).provider.describe()).toBe(`OpenID Connect, issuer ${issuer}`);
    },
  );

  it.each([
    'http://localhost:8080/realms/acme',
    'http://127.0.0.1:9000',
    'http://[::1]:9000/',
    'https://idp.example:8443/tenant/',
  ])('accepts the issuer %p', (issuer) => {
    expect(withOidc({ issuer }).provider).toBeInstanceOf(OidcIdentityProvider);
  });

  it.each([
    [{ clientSecret: 's' }, undefined],
    [{ clientSecret: 's', tokenEndpointAuthMethod: 'client_secret_basic' }, undefined],
    [{ clientSecret: 's', tokenEndpointAuthMethod: 'client_secret_post' }, undefined],
    [{ tokenEndpointAuthMethod: 'none' }, undefined],
    [{ algorithms: ['ES256'] }, undefined],
    [{ algorithms: 'EdDSA' }, undefined],
    [{ scope: ['openid', 'email'] }, undefined],
    [{ scope: 'email' }, undefined],
    [{ authorizationParams: { audience: 'https://api', resource: 'https://api' } }, undefined],
    [{ audience: 'https://api' }, undefined],
    [{}, { audience: ['https://api'] }],
    [{ timeoutMs: 100 }, undefined],
  ])('accepts the oidc options %p (with %p)', (oidc, patch) => {
    expect(withOidc(oidc, patch).provider).toBeInstanceOf(OidcIdentityProvider);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['no issuer', { issuer: undefined }, {}, 'oidc.issuer is required'],
    ['an empty issuer', { issuer: '' }, {}, 'oidc.issuer is required'],
    ['a numeric issuer', { issuer: 1 }, {}, 'oidc.issuer is required'],
    [
      'an issuer that is not a URL',
      { issuer: 'idp.example' },
      {},
      'oidc.issuer must be an absolute http(s) URL, got "idp.example"',
    ],
    [
      'an issuer of another scheme',
      { issuer: 'ftp://idp.example/' },
      {},
      'oidc.issuer must be an absolute http(s) URL, got "ftp://idp.example/"',
    ],
    [
      'a plain http issuer elsewhere than localhost',
      { issuer: 'http://idp.example' },
      {},
      'oidc.issuer must be https (plain http only on localhost), got "http://idp.example/"',
    ],
    [
      'a plain http issuer on another loopback-looking host',
      { issuer: 'http://localhost.evil.example/' },
      {},
      'oidc.issuer must be https (plain http only on localhost), got "http://localhost.evil.example/"',
    ],
    [
      'an issuer with a query',
      { issuer: 'https://idp.example/?tenant=acme' },
      {},
      'oidc.issuer must be an issuer identifier, without query or fragment',
    ],
    [
      'an issuer with a fragment',
      { issuer: 'https://idp.example/#acme' },
      {},
      'oidc.issuer must be an issuer identifier, without query or fragment',
    ],
    [
      'apiKey as well',
      {},
      { apiKey: 'sk_test_x' },
      'apiKey is for WorkOS and cannot be used with oidc',
    ],
    [
      'a WorkOS client as well',
      {},
      { workos: {} },
      'workos is for WorkOS and cannot be used with oidc',
    ],
    [
      'issuers as well',
      {},
      { issuers: [ISSUER] },
      'issuers is for WorkOS and cannot be used with oidc',
    ],
    [
      'apiHostname as well',
      {},
      { apiHostname: '127.0.0.1' },
      'apiHostname is for WorkOS and cannot be used with oidc',
    ],
    ['port as well', {}, { port: 8080 }, 'port is for WorkOS and cannot be used with oidc'],
    ['https as well', {}, { https: true }, 'https is for WorkOS and cannot be used with oidc'],
    ...['private_key_jwt', 'client_secret_jwt', '', 'NONE', 1].map(
      (method): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `tokenEndpointAuthMethod ${JSON.stringify(method)}`,
        { clientSecret: 's', tokenEndpointAuthMethod: method },
        {},
        'oidc.tokenEndpointAuthMethod must be one of client_secret_basic, client_secret_post, none',
      ],
    ),
    ...['client_secret_basic', 'client_secret_post'].flatMap(
      (method): [string, Record<string, unknown>, Record<string, unknown>, string][] => [
        [
          `${method} without a secret`,
          { tokenEndpointAuthMethod: method },
          {},
          'oidc.clientSecret is required',
        ],
        [
          `${method} with a blank secret`,
          { tokenEndpointAuthMethod: method, clientSecret: '  ' },
          {},
          'oidc.clientSecret is required',
        ],
      ],
    ),
    [
      'a secret with method none',
      { tokenEndpointAuthMethod: 'none', clientSecret: 's' },
      {},
      'oidc.clientSecret cannot be used with tokenEndpointAuthMethod "none"',
    ],
    ...[['openid', 'a"b'], ['openid', 'a\\b'], ['openid', 'é'], ['two words']].map(
      (scope): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `scope ${JSON.stringify(scope)}`,
        { scope },
        {},
        'oidc.scope must be scope tokens',
      ],
    ),
    ...['', [], [''], ['openid', 1], 1].map(
      (scope): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `scope ${JSON.stringify(scope)}`,
        { scope },
        {},
        'oidc.scope must be a non-empty string or a non-empty array of them',
      ],
    ),
    ...['HS256', 'none', 'RS384', 'ES384', 'rs256'].map(
      (alg): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `algorithm ${alg}`,
        { algorithms: ['RS256', alg] },
        {},
        `oidc.algorithms must be among RS256, PS256, ES256, EdDSA, got "${alg}"`,
      ],
    ),
    [
      'no algorithms',
      { algorithms: [] },
      {},
      'oidc.algorithms must be a non-empty string or a non-empty array of them',
    ],
    ...[...RESERVED_AUTHORIZATION_PARAMS].map(
      (name): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `the library's authorization parameter ${name}`,
        { authorizationParams: { [name]: 'x' } },
        {},
        `oidc.authorizationParams.${name} is set by the library`,
      ],
    ),
    ...[1, null, true, ['x'], {}].map(
      (value): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `an authorization parameter ${JSON.stringify(value)}`,
        { authorizationParams: { audience: value } },
        {},
        'oidc.authorizationParams.audience must be a string',
      ],
    ),
    ...['audience=x', ['x'], 1].map(
      (value): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `authorizationParams ${JSON.stringify(value)}`,
        { authorizationParams: value },
        {},
        'oidc.authorizationParams must be an object of strings',
      ],
    ),
    [
      'both audiences',
      { audience: 'https://api' },
      { audience: 'https://api' },
      'audience and oidc.audience cannot both be given',
    ],
    [
      'an empty oidc.audience',
      { audience: [] },
      {},
      'oidc.audience must be a non-empty string or a non-empty array of them',
    ],
    ...[99, 60_001, 1.5, '1000'].map(
      (timeoutMs): [string, Record<string, unknown>, Record<string, unknown>, string] => [
        `timeoutMs ${JSON.stringify(timeoutMs)}`,
        { timeoutMs },
        {},
        'oidc.timeoutMs must be an integer from 100 to 60000',
      ],
    ),
  ])('refuses %s', (_label, oidc, patch, message) => {
    expect(() => withOidc(oidc, patch)).toThrow(new TypeError(`ReauthModule: ${message}`));
  });

  it.each([null, 'https://idp.example/', 1])('refuses oidc %p', (oidc) => {
    expect(() => resolveReauthSetup({ ...BASE, oidc: oidc as never })).toThrow(
      new TypeError('ReauthModule: oidc must be an object'),
    );
  });

  it('still checks the options every provider shares', () => {
    expect(() => withOidc({}, { cookiePassword: 'short' })).toThrow(
      'ReauthModule: cookiePassword must be at least 32 characters long',
    );
    expect(() => withOidc({}, { clientId: '' })).toThrow('ReauthModule: clientId is required');
  });

  describe('once discovered (fetch stubbed, no server)', () => {
    const METADATA = {
      issuer: ISSUER,
      authorization_endpoint: 'https://idp.example/authorize',
      token_endpoint: 'https://idp.example/token',
      jwks_uri: 'https://idp.example/jwks',
    };
    let fetchSpy: jest.SpiedFunction<typeof fetch>;
    let requested: string[];

    beforeEach(() => {
      requested = [];
      fetchSpy = jest.spyOn(globalThis, 'fetch').mockImplementation((input) => {
        requested.push(input instanceof Request ? input.url : input.toString());
        return Promise.resolve(
          new Response(JSON.stringify(METADATA), {
            headers: { 'content-type': 'application/json' },
          }),
        );
      });
    });
    afterEach(() => fetchSpy.mockRestore());

    const authorizationParams = async (oidc: Record<string, unknown>) => {
      const url = await withOidc(oidc).provider.authorizationUrl({
        state: 'sealed-state',
        codeChallenge: 'c'.repeat(43),
        nonce: 'n0nce',
      });
      expect(url.startsWith('https://idp.example/authorize?')).toBe(true);
      return new URL(url).searchParams;
    };

    it('discovers from the issuer', async () => {
      await withOidc({}).provider.verification();
      expect(requested).toEqual(['https://idp.example/.well-known/openid-configuration']);
    });

    it.each<[unknown, string]>([
      [undefined, 'openid profile email offline_access'],
      ['email', 'openid email'],
      [['profile', 'email'], 'openid profile email'],
      [['email', 'openid'], 'email openid'],
      ['openid  email profile', 'openid email profile'],
    ])('asks for scope %p as %p', async (scope, expected) => {
      expect((await authorizationParams({ scope })).get('scope')).toBe(expected);
    });

    it('adds the extra authorization parameters', async () => {
      const params = await authorizationParams({
        authorizationParams: { audience: 'https://api', ui_locales: 'fr' },
      });
      expect(params.get('audience')).toBe('https://api');
      expect(params.get('ui_locales')).toBe('fr');
      expect(params.get('client_id')).toBe('client_x');
      expect(params.get('state')).toBe('sealed-state');
    });

    it('verifies access tokens as issued to this client by default', async () => {
      await expect(withOidc({}).provider.verification()).resolves.toEqual({
        jwksUrl: 'https://idp.example/jwks',
        issuers: [ISSUER],
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
        audience: undefined,
        clientId: 'client_x',
        idTokensOf: 'client_x',
        accessTokenType: 'auto',
        requireSid: false,
      });
    });

    it.each([
      [{ audience: 'https://api' }, undefined],
      [{}, { audience: 'https://api' }],
    ])('verifies access tokens for the audience instead (%p, %p)', async (oidc, patch) => {
      const settings = await withOidc(
        { ...oidc, algorithms: ['ES256'] },
        patch,
      ).provider.verification();
      expect(settings).toMatchObject({ audience: ['https://api'], algorithms: ['ES256'] });
      expect(settings.clientId).toBeUndefined();
    });
  });
});

describe('resolveReauthSetup with oidc: refresh tokens, auth_time and access token types', () => {
  const withOidc = (oidc: Record<string, unknown>) =>
    resolveReauthSetup({
      clientId: 'client_x',
      redirectUri: 'https://app.example/auth/callback',
      cookiePassword: 'p'.repeat(32),
      oidc: { issuer: 'https://idp.example/', ...oidc },
    });

  it.each([
    { consentPrompt: 'auto' },
    { consentPrompt: 'offline_access' },
    { consentPrompt: 'always' },
    { consentPrompt: 'never' },
    { accessTokenType: 'auto' },
    { accessTokenType: 'at+jwt' },
    { accessTokenType: 'any' },
    { authorizationParams: { claims: '{"id_token":{"acr":{"essential":true}},"userinfo":{}}' } },
  ])('accepts %p', (oidc) => {
    expect(withOidc(oidc).provider).toBeInstanceOf(OidcIdentityProvider);
  });

  it.each([...MALFORMED, '', 'Never', 'consent', 'login', 'offline_access consent'])(
    'refuses consentPrompt %p',
    (consentPrompt) => {
      expect(() => withOidc({ consentPrompt })).toThrow(
        new TypeError(
          'ReauthModule: oidc.consentPrompt must be one of "auto", "offline_access", "always", "never"',
        ),
      );
    },
  );

  it.each([...MALFORMED, '', 'AT+JWT ', 'jwt', 'application/at+jwt', 'heuristic'])(
    'refuses accessTokenType %p',
    (accessTokenType) => {
      expect(() => withOidc({ accessTokenType })).toThrow(
        new TypeError('ReauthModule: oidc.accessTokenType must be one of "auto", "at+jwt", "any"'),
      );
    },
  );

  it.each<[string, string]>([
    ['{', 'the claims request is not JSON'],
    ['[]', 'the claims request is not a JSON object'],
    ['null', 'the claims request is not a JSON object'],
    ['{"id_token":"auth_time"}', 'the claims request\'s "id_token" is not an object'],
  ])('refuses the claims request %p', (claims, reason) => {
    expect(() => withOidc({ authorizationParams: { claims } })).toThrow(
      new TypeError(
        `ReauthModule: oidc.authorizationParams.claims must be a claims request of OpenID Connect Core 5.5: ${reason}`,
      ),
    );
  });

  describe('providerSignals and revocationView', () => {
    const OIDC = { ...VALID, apiKey: undefined, oidc: { issuer: 'https://op.example.com' } };

    it('has back-channel logout on with an OpenID provider only, and no WorkOS secret', () => {
      expect(resolveReauthOptions(VALID).providerSignals).toEqual({
        workosWebhookSecret: undefined,
        backchannelLogout: false,
        perAddressPerMinute: 600,
      });
      expect(resolveReauthOptions(OIDC).providerSignals.backchannelLogout).toBe(true);
      expect(
        resolveReauthOptions({ ...OIDC, providerSignals: { backchannelLogout: false } })
          .providerSignals.backchannelLogout,
      ).toBe(false);
    });

    it('takes the WorkOS secret on WorkOS only', () => {
      const secret = 'whsec_0123456789abcdef';
      expect(
        resolveReauthOptions({ ...VALID, providerSignals: { workosWebhookSecret: secret } })
          .providerSignals.workosWebhookSecret,
      ).toBe(secret);
      expect(() =>
        resolveReauthOptions({ ...OIDC, providerSignals: { workosWebhookSecret: secret } }),
      ).toThrow(/providerSignals\.workosWebhookSecret.*oidc/);
      expect(() =>
        resolveReauthOptions({ ...VALID, providerSignals: { workosWebhookSecret: 'short' } }),
      ).toThrow(/providerSignals\.workosWebhookSecret/);
    });

    it.each<[string, unknown]>([
      ['providerSignals', 'on'],
      ['providerSignals', []],
      ['providerSignals.backchannelLogout', { backchannelLogout: 'yes' }],
      ['providerSignals.perAddressPerMinute', { perAddressPerMinute: 0 }],
      ['providerSignals.perAddressPerMinute', { perAddressPerMinute: 1.5 }],
    ])('refuses a bad %s', (name, value) => {
      expect(() => resolveReauthOptions({ ...VALID, providerSignals: value as never })).toThrow(
        name,
      );
    });

    it('keeps the local view of ended sessions by default, or none when false', () => {
      expect(resolveReauthOptions(VALID).revocationView).toEqual({
        maxEntries: 100_000,
        heartbeatMs: 500,
      });
      expect(resolveReauthOptions({ ...VALID, revocationView: false }).revocationView).toBe(false);
      expect(
        resolveReauthOptions({ ...VALID, revocationView: { heartbeatMs: 100, maxEntries: 500 } })
          .revocationView,
      ).toEqual({ maxEntries: 500, heartbeatMs: 100 });
    });

    it.each<[string, unknown]>([
      ['revocationView', true],
      ['revocationView', 'fast'],
      ['revocationView.heartbeatMs', { heartbeatMs: 10 }],
      ['revocationView.heartbeatMs', { heartbeatMs: 120_000 }],
      ['revocationView.maxEntries', { maxEntries: 5 }],
    ])('refuses a bad %s', (name, value) => {
      expect(() => resolveReauthOptions({ ...VALID, revocationView: value as never })).toThrow(
        name,
      );
    });

    it('checks the two new routes like the others', () => {
      const options = resolveReauthOptions(VALID, {
        routes: { backchannelLogout: false, providerEvents: '/hooks/workos' },
      });
      expect(options.routes.backchannelLogout).toBe(false);
      expect(options.routes.providerEvents).toBe('/hooks/workos');
      expect(() => resolveReauthOptions(VALID, { routes: { providerEvents: 'hooks' } })).toThrow(
        'routes.providerEvents',
      );
    });
  });
});

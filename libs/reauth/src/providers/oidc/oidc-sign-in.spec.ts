import {
  authTimeParameters,
  parseClaimsRequest,
  providerFamily,
  resolveConsentPrompt,
  SIGN_IN_MAX_AGE_SECONDS,
  signInPrompt,
  signInScope,
} from './oidc-sign-in';

const DEFAULT_SCOPE = ['openid', 'profile', 'email', 'offline_access'];

describe('providerFamily', () => {
  it.each([
    ['https://login.microsoftonline.com/8f2c1e0a-0000-4000-8000-000000000000/v2.0', 'Entra ID'],
    ['https://login.microsoftonline.us/tenant/v2.0', 'Entra ID'],
    ['https://login.partner.microsoftonline.cn/tenant/v2.0', 'Entra ID'],
    ['https://sts.windows.net/tenant/', 'Entra ID'],
    ['https://acme.b2clogin.com/tenant/v2.0/', 'Entra ID'],
    ['https://acme.ciamlogin.com/tenant/v2.0', 'Entra ID'],
    ['https://acme.eu.auth0.com/', 'Auth0'],
    ['https://acme.okta.com/oauth2/default', 'Okta'],
    ['https://acme.oktapreview.com', 'Okta'],
    ['https://acme.okta-emea.com/', 'Okta'],
    ['https://sso.acme.example/realms/acme', 'Keycloak'],
    ['https://sso.acme.example/auth/realms/acme/', 'Keycloak'],
    ['https://auth.pingone.eu/0000-env/as', 'PingOne'],
    ['https://acme-x1.zitadel.cloud', 'ZITADEL'],
  ])('recognises %s as %s', (issuer, family) => {
    expect(providerFamily(new URL(issuer))).toBe(family);
  });

  it.each([
    'http://127.0.0.1:9000',
    'https://login.acme.example/',
    'https://auth0.com/',
    'https://acme.auth0.com.evil.example/',
    'https://evilauth0.com/',
    'https://login.microsoftonline.com.evil.example/tenant/v2.0',
    'https://idp.example/realms/acme/protocol',
    'https://idp.example/realms/',
    'https://accounts.google.com',
    'https://auth.pingone.evil.example/',
  ])('recognises no family for %s', (issuer) => {
    expect(providerFamily(new URL(issuer))).toBeUndefined();
  });
});

describe('resolveConsentPrompt', () => {
  it('asks for consent with offline_access at an issuer of no recognised family', () => {
    expect(resolveConsentPrompt('auto', new URL('http://127.0.0.1:9000'))).toBe('offline_access');
    expect(resolveConsentPrompt('auto', new URL('https://login.acme.example/'))).toBe(
      'offline_access',
    );
  });

  it('asks for none at a recognised family', () => {
    expect(resolveConsentPrompt('auto', new URL('https://acme.eu.auth0.com/'))).toBe('never');
    expect(resolveConsentPrompt('auto', new URL('https://sso.example/realms/acme'))).toBe('never');
  });

  it.each(['offline_access', 'always', 'never'] as const)('keeps %p as it is', (setting) => {
    expect(resolveConsentPrompt(setting, new URL('https://acme.eu.auth0.com/'))).toBe(setting);
    expect(resolveConsentPrompt(setting, new URL('http://127.0.0.1:9000'))).toBe(setting);
  });
});

describe('signInScope', () => {
  it('drops the default scope’s offline_access where discovery lists scopes without it', () => {
    expect(signInScope(DEFAULT_SCOPE, true, ['openid', 'email', 'profile'])).toEqual([
      'openid',
      'profile',
      'email',
    ]);
  });

  it('keeps a scope the app chose', () => {
    expect(signInScope(DEFAULT_SCOPE, false, ['openid', 'email', 'profile'])).toEqual(
      DEFAULT_SCOPE,
    );
  });

  it.each([undefined, [], 'openid email', ['openid', 'offline_access'], { 0: 'openid' }])(
    'keeps the default scope with scopes_supported %p',
    (scopesSupported) => {
      expect(signInScope(DEFAULT_SCOPE, true, scopesSupported)).toEqual(DEFAULT_SCOPE);
    },
  );
});

describe('signInPrompt', () => {
  it.each<[Parameters<typeof signInPrompt>, string | undefined]>([
    [['offline_access', DEFAULT_SCOPE, undefined], 'consent'],
    [['offline_access', DEFAULT_SCOPE, 300], 'consent'],
    [['offline_access', DEFAULT_SCOPE, 0], 'login consent'],
    [['offline_access', ['openid', 'email'], undefined], undefined],
    [['offline_access', ['openid', 'email'], 0], 'login'],
    [['always', ['openid', 'email'], undefined], 'consent'],
    [['always', ['openid'], 0], 'login consent'],
    [['never', DEFAULT_SCOPE, undefined], undefined],
    [['never', DEFAULT_SCOPE, 0], 'login'],
    [['never', DEFAULT_SCOPE, 300], undefined],
  ])('%p gives %p', (args, prompt) => {
    expect(signInPrompt(...args)).toBe(prompt);
  });
});

describe('authTimeParameters', () => {
  const AUTH_TIME = { auth_time: { essential: true } };

  it('keeps a re-authentication’s max_age, which already makes auth_time required', () => {
    expect(authTimeParameters(300, false, undefined)).toEqual({ max_age: '300' });
    expect(authTimeParameters(0, true, undefined)).toEqual({ max_age: '0' });
  });

  it('asks with the claims parameter where the provider supports it', () => {
    const { claims, max_age } = authTimeParameters(undefined, true, undefined);
    expect(max_age).toBeUndefined();
    expect(JSON.parse(claims!)).toEqual({ id_token: AUTH_TIME });
  });

  it('adds auth_time to the app’s own claims request', () => {
    const app = JSON.stringify({
      userinfo: { email: null },
      id_token: { acr: { values: ['urn:loa:2'] }, auth_time: { essential: false } },
    });
    expect(JSON.parse(authTimeParameters(undefined, true, app).claims!)).toEqual({
      userinfo: { email: null },
      id_token: { acr: { values: ['urn:loa:2'] }, ...AUTH_TIME },
    });
  });

  it('asks with a long max_age elsewhere', () => {
    expect(authTimeParameters(undefined, false, undefined)).toEqual({
      max_age: String(SIGN_IN_MAX_AGE_SECONDS),
    });
    expect(SIGN_IN_MAX_AGE_SECONDS).toBe(31_536_000);
  });
});

describe('parseClaimsRequest', () => {
  it('reads a claims request', () => {
    expect(parseClaimsRequest('{"id_token":{"acr":null},"userinfo":{}}')).toEqual({
      id_token: { acr: null },
      userinfo: {},
    });
    expect(parseClaimsRequest('{}')).toEqual({});
  });

  it.each<[string, string]>([
    ['', 'the claims request is not JSON'],
    ['{', 'the claims request is not JSON'],
    ['null', 'the claims request is not a JSON object'],
    ['[]', 'the claims request is not a JSON object'],
    ['"x"', 'the claims request is not a JSON object'],
    ['1', 'the claims request is not a JSON object'],
    ['{"id_token":[]}', 'the claims request\'s "id_token" is not an object'],
    ['{"id_token":null}', 'the claims request\'s "id_token" is not an object'],
    ['{"userinfo":"email"}', 'the claims request\'s "userinfo" is not an object'],
  ])('refuses %p', (value, message) => {
    expect(() => parseClaimsRequest(value)).toThrow(new TypeError(message));
  });
});

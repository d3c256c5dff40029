import { createOidcProvider } from './oidc.options';
import { OidcIdentityProvider } from './oidc.provider';

const BASICS = {
  clientId: 'client_x',
  redirectUri: 'https://app.example/auth/callback',
  cookiePassword: 'p'.repeat(32),
  clockToleranceSeconds: 5,
  nowMs: () => 0,
  cookieMaxAgeSeconds: 3600,
};

// Deliberately loose: the tests hand over what TypeScript would refuse, as JavaScript may.
const create = (oidc: Record<string, unknown>) =>
  createOidcProvider(
    { issuer: 'https://idp.example/', clientSecret: 's', ...oidc },
    { clientId: BASICS.clientId, redirectUri: BASICS.redirectUri, cookiePassword: 'p'.repeat(32) },
    BASICS,
  );

describe('oidc.authorizationDetailsType', () => {
  it.each([undefined, 'step_up_action', 'urn:acme:step-up', 'https://acme.example/rar', '1'])(
    'accepts %p',
    (authorizationDetailsType) => {
      expect(create({ authorizationDetailsType })).toBeInstanceOf(OidcIdentityProvider);
    },
  );

  it.each([-1, null, [], {}, true, 1.5, 1e13, '', ' ', 'step up', 'étape', 'x'.repeat(201)])(
    'refuses %p',
    (authorizationDetailsType) => {
      expect(() => create({ authorizationDetailsType })).toThrow(
        new TypeError(
          'ReauthModule: oidc.authorizationDetailsType must be 1 to 200 visible ASCII characters',
        ),
      );
    },
  );

  it('leaves authorization_details to the library, not to authorizationParams', () => {
    expect(() =>
      create({ authorizationParams: { authorization_details: '[{"type":"payment"}]' } }),
    ).toThrow(
      new TypeError(
        'ReauthModule: oidc.authorizationParams.authorization_details is set by the library',
      ),
    );
  });
});

describe('oidc.maxAgeZero', () => {
  it.each([undefined, 'auto', 'max_age', 'prompt_login'])('accepts %p', (maxAgeZero) => {
    expect(create({ maxAgeZero })).toBeInstanceOf(OidcIdentityProvider);
  });

  it.each(['always', '', 0, null, ['max_age']])('refuses %p', (maxAgeZero) => {
    expect(() => create({ maxAgeZero })).toThrow(
      new TypeError(
        'ReauthModule: oidc.maxAgeZero must be one of "auto", "max_age", "prompt_login"',
      ),
    );
  });
});

import {
  assertKnownUser,
  resolveAccessTokenInput,
  resolveSessionCookieInput,
  resolveTestKitOptions,
  TEST_KIT_DEFAULTS,
} from './reauth-test-kit.inputs';
import { TestClock } from './test-clock';

const NOW = 1_893_456_000;
const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13];
const NOT_OBJECTS = [null, '1', 1, [], true];

describe('resolveTestKitOptions', () => {
  it('fills in the defaults', () => {
    const resolved = resolveTestKitOptions(undefined);
    expect(resolved).toEqual({
      redirectUri: 'http://localhost:3000/auth/callback',
      users: undefined,
      clock: expect.any(TestClock),
      cookiePassword: TEST_KIT_DEFAULTS.cookiePassword,
      port: 0,
    });
    expect(resolved.cookiePassword.length).toBeGreaterThanOrEqual(32);
  });

  it('keeps what it is given', () => {
    const clock = new TestClock(0);
    const users = [{ email: 'dana@example.com', password: 'dana-password' }];
    expect(
      resolveTestKitOptions({
        redirectUri: 'https://app.example/auth/callback',
        users,
        clock,
        cookiePassword: 'c'.repeat(32),
        port: 8788,
      }),
    ).toEqual({
      redirectUri: 'https://app.example/auth/callback',
      users,
      clock,
      cookiePassword: 'c'.repeat(32),
      port: 8788,
    });
  });

  it.each(NOT_OBJECTS)('rejects the options %p', (options) => {
    expect(() => resolveTestKitOptions(options)).toThrow(
      new TypeError('ReauthTestKit: options must be an object'),
    );
  });

  it('rejects an unknown option, such as a misspelt one', () => {
    expect(() => resolveTestKitOptions({ redirectURI: 'http://localhost/cb' })).toThrow(
      new TypeError('ReauthTestKit: options has an unknown field "redirectURI"'),
    );
  });

  it.each([...MALFORMED, '', '/auth/callback', 'localhost:3000/cb', 'ftp://host/cb'])(
    'rejects the redirectUri %p',
    (redirectUri) => {
      expect(() => resolveTestKitOptions({ redirectUri })).toThrow(
        new TypeError('ReauthTestKit: redirectUri must be an absolute http(s) URL'),
      );
    },
  );

  it.each([...MALFORMED, { now: () => 0 }, Date])('rejects the clock %p', (clock) => {
    expect(() => resolveTestKitOptions({ clock })).toThrow(
      new TypeError('ReauthTestKit: clock must be a TestClock'),
    );
  });

  it.each([...MALFORMED, '', 'p'.repeat(31)])('rejects the cookiePassword %p', (cookiePassword) => {
    expect(() => resolveTestKitOptions({ cookiePassword })).toThrow(
      new TypeError('ReauthTestKit: cookiePassword must be a string of at least 32 characters'),
    );
  });

  it.each([0, 1, 8787, 65535])('takes the port %p', (port) => {
    expect(resolveTestKitOptions({ port }).port).toBe(port);
  });

  it.each([...MALFORMED, 65536, NaN, Infinity, '8787', 8787n])('rejects the port %p', (port) => {
    expect(() => resolveTestKitOptions({ port })).toThrow(
      new TypeError(
        'ReauthTestKit: port must be an integer from 1 to 65535, or 0 for any free port',
      ),
    );
  });
});

describe.each([
  ['accessToken', resolveAccessTokenInput],
  ['sessionCookie', resolveSessionCookieInput],
])('%s() input', (method, resolve) => {
  it('defaults to alice, signed in now', () => {
    expect(resolve(undefined, NOW)).toMatchObject({ email: 'alice@example.com', authTime: NOW });
    expect(resolve({}, NOW)).toMatchObject({ email: 'alice@example.com', authTime: NOW });
  });

  it('takes an auth_time, or works it out from signedInSecondsAgo', () => {
    expect(resolve({ email: 'bob@example.com', authTime: 1_000 }, NOW)).toMatchObject({
      email: 'bob@example.com',
      authTime: 1_000,
    });
    expect(resolve({ signedInSecondsAgo: 600 }, NOW)).toMatchObject({ authTime: NOW - 600 });
    expect(resolve({ signedInSecondsAgo: 0 }, NOW)).toMatchObject({ authTime: NOW });
    expect(resolve({ signedInSecondsAgo: NOW }, NOW)).toMatchObject({ authTime: 0 });
  });

  it.each(NOT_OBJECTS)('rejects the input %p', (input) => {
    expect(() => resolve(input, NOW)).toThrow(
      new TypeError(`ReauthTestKit: ${method}() input must be an object`),
    );
  });

  it('rejects an unknown field, such as a misspelt one', () => {
    expect(() => resolve({ signedInSecondAgo: 600 }, NOW)).toThrow(
      new TypeError(`ReauthTestKit: ${method}() input has an unknown field "signedInSecondAgo"`),
    );
  });

  it('rejects authTime and signedInSecondsAgo together', () => {
    expect(() => resolve({ authTime: NOW, signedInSecondsAgo: 0 }, NOW)).toThrow(
      new TypeError('ReauthTestKit: give authTime or signedInSecondsAgo, not both'),
    );
  });

  it.each([null, 1, [], {}, true, '', '  '])('rejects the email %p', (email) => {
    expect(() => resolve({ email }, NOW)).toThrow(
      new TypeError('ReauthTestKit: email must be a non-empty string'),
    );
  });

  it.each([...MALFORMED, 1.7e12, NaN, Infinity])('rejects the authTime %p', (authTime) => {
    expect(() => resolve({ authTime }, NOW)).toThrow(
      new TypeError(
        'ReauthTestKit: authTime must be an integer from 0 to 99999999999 (seconds, not milliseconds)',
      ),
    );
  });

  it.each([...MALFORMED, NOW + 1, NaN, Infinity])(
    'rejects the signedInSecondsAgo %p',
    (signedInSecondsAgo) => {
      expect(() => resolve({ signedInSecondsAgo }, NOW)).toThrow(
        new TypeError(
          "ReauthTestKit: signedInSecondsAgo must be an integer from 0 to the clock's time in seconds",
        ),
      );
    },
  );
});

describe('accessToken() input', () => {
  it('passes a lifetime, negative for an expired token, and claims', () => {
    expect(resolveAccessTokenInput({ expiresIn: -60, claims: { org_id: null } }, NOW)).toEqual({
      email: 'alice@example.com',
      authTime: NOW,
      expiresIn: -60,
      claims: { org_id: null },
    });
  });

  it.each([null, '1', [], {}, true, 1.5, 1e13, -1e13, NaN])(
    'rejects the expiresIn %p',
    (expiresIn) => {
      expect(() => resolveAccessTokenInput({ expiresIn }, NOW)).toThrow(
        new TypeError(
          'ReauthTestKit: expiresIn must be an integer from -315360000 to 315360000 (seconds)',
        ),
      );
    },
  );

  it.each([null, '1', 1, [], true])('rejects the claims %p', (claims) => {
    expect(() => resolveAccessTokenInput({ claims }, NOW)).toThrow(
      new TypeError('ReauthTestKit: claims must be an object'),
    );
  });
});

describe('assertKnownUser', () => {
  const users = [
    { email: 'alice@example.com', password: 'alice-password' },
    { email: 'Carol@SSO.example.com', sso: true },
  ];

  it('accepts a user whatever the case or surrounding spaces', () => {
    expect(() => assertKnownUser('alice@example.com', users)).not.toThrow();
    expect(() => assertKnownUser(' ALICE@example.com ', users)).not.toThrow();
    expect(() => assertKnownUser('carol@sso.example.com', users)).not.toThrow();
  });

  it('names the unknown email and the users there are', () => {
    expect(() => assertKnownUser('dave@example.com', users)).toThrow(
      new Error(
        'ReauthTestKit: there is no user with the email "dave@example.com"; the kit\'s users are alice@example.com, carol@sso.example.com',
      ),
    );
  });
});

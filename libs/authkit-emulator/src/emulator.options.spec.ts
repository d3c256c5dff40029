import { EMULATOR_DEFAULTS, resolveEmulatorOptions } from './emulator.options';
import { DEMO_USERS } from './users';

const MALFORMED = [-1, null, '1', [], {}, true, 1.5, 1e13];

describe('resolveEmulatorOptions', () => {
  it('fills in the documented defaults', () => {
    const options = resolveEmulatorOptions();
    expect(options).toMatchObject({
      port: 8787,
      clientId: 'client_local_demo',
      apiKey: 'sk_test_local_demo',
      redirectUris: ['http://localhost:3000/auth/callback'],
      logoutRedirectOrigins: ['http://localhost:3000'],
      accessTokenTtlSeconds: 300,
      codeTtlSeconds: 600,
      ignoreMaxAge: false,
      testControls: false,
      users: DEMO_USERS,
    });
    expect(EMULATOR_DEFAULTS.redirectUri).toBe(options.redirectUris[0]);
  });

  it.each(MALFORMED)('refuses %p for numeric options', (value) => {
    expect(() => resolveEmulatorOptions({ port: value as number })).toThrow(TypeError);
    expect(() => resolveEmulatorOptions({ accessTokenTtlSeconds: value as number })).toThrow(
      TypeError,
    );
  });

  it.each(MALFORMED.filter((value) => value !== '1'))(
    'refuses %p for string and list options',
    (value) => {
      expect(() => resolveEmulatorOptions({ clientId: value as string })).toThrow(TypeError);
      expect(() => resolveEmulatorOptions({ redirectUris: value as string[] })).toThrow(TypeError);
    },
  );

  it('refuses redirect URIs that are not absolute http(s) URLs', () => {
    for (const uri of ['/auth/callback', 'javascript:alert(1)', 'ftp://x/cb', '']) {
      expect(() => resolveEmulatorOptions({ redirectUris: [uri] })).toThrow(/redirectUris\[0\]/);
    }
    expect(() => resolveEmulatorOptions({ port: 70000 })).toThrow(
      'port must be an integer from 0 to 65535',
    );
  });
});

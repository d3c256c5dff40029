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

  it('checks webhook endpoints and retry delays, naming the bad entry', () => {
    const endpoint = { url: 'http://localhost:3000/auth/workos/events', secret: 'whsec_x' };
    expect(resolveEmulatorOptions()).toMatchObject({
      webhooks: [],
      webhookRetryDelaysMs: [1000, 5000, 25000],
    });
    expect(
      resolveEmulatorOptions({ webhooks: [endpoint], webhookRetryDelaysMs: [] }),
    ).toMatchObject({ webhooks: [endpoint], webhookRetryDelaysMs: [] });
    expect(() =>
      resolveEmulatorOptions({ webhooks: [endpoint, { ...endpoint, url: '/x' }] }),
    ).toThrow('webhooks[1].url must be an absolute http(s) URL');
    expect(() => resolveEmulatorOptions({ webhooks: endpoint as never })).toThrow(
      'webhooks must be an array',
    );
    for (const delays of [[-1], [1.5], ['1'], [600_001], Array(11).fill(1), 5]) {
      expect(() => resolveEmulatorOptions({ webhookRetryDelaysMs: delays as never })).toThrow(
        'webhookRetryDelaysMs must be an array of at most 10 integers from 0 to 600000',
      );
    }
  });
});

import { loadDemoConfig } from './demo.config';

describe('loadDemoConfig', () => {
  it('runs on embedded defaults with no WorkOS variables', () => {
    expect(loadDemoConfig({})).toMatchObject({
      port: 3000,
      provider: 'emulator',
      emulatorPort: 8787,
      testControls: false,
      clientId: 'client_local_demo',
      apiKey: 'sk_test_local_demo',
      redirectUri: 'http://localhost:3000/auth/callback',
    });
  });

  it('follows PORT for the redirect URI, and turns test controls on', () => {
    expect(
      loadDemoConfig({
        PORT: '4000',
        AUTHKIT_EMULATOR_PORT: '9999',
        AUTHKIT_EMULATOR_TEST_CONTROLS: '1',
      }),
    ).toMatchObject({
      port: 4000,
      emulatorPort: 9999,
      testControls: true,
      redirectUri: 'http://localhost:4000/auth/callback',
    });
  });

  it('switches to WorkOS when WORKOS_API_KEY is set', () => {
    expect(
      loadDemoConfig({
        WORKOS_API_KEY: 'sk_live_x',
        WORKOS_CLIENT_ID: 'client_x',
        WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
        WORKOS_REDIRECT_URI: 'https://app.example/auth/callback',
      }),
    ).toMatchObject({
      provider: 'workos',
      apiKey: 'sk_live_x',
      clientId: 'client_x',
      redirectUri: 'https://app.example/auth/callback',
      apiHostname: undefined,
    });
    expect(
      loadDemoConfig({
        WORKOS_API_KEY: 'sk_test_local_demo',
        WORKOS_CLIENT_ID: 'client_local_demo',
        WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
        WORKOS_API_HOSTNAME: '127.0.0.1',
        WORKOS_API_PORT: '8787',
        WORKOS_API_HTTPS: 'false',
      }),
    ).toMatchObject({ apiHostname: '127.0.0.1', apiPort: 8787, apiHttps: false });
  });

  it('says what is missing for WorkOS, and refuses bad ports', () => {
    expect(() => loadDemoConfig({ WORKOS_API_KEY: 'sk_live_x' })).toThrow(
      'WORKOS_API_KEY is set, so WORKOS_CLIENT_ID and WORKOS_COOKIE_PASSWORD must be set too',
    );
    for (const value of ['-1', 'abc', '70000', '1.5']) {
      expect(() => loadDemoConfig({ PORT: value })).toThrow(
        `PORT must be a port number, got "${value}"`,
      );
    }
  });
});

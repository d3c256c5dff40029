import { loadDemoConfig } from './demo.config';

describe('loadDemoConfig', () => {
  it('runs on embedded defaults with no WorkOS variables', () => {
    expect(loadDemoConfig({})).toMatchObject({
      port: 3000,
      httpAdapter: 'express',
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

  it('reads the WorkOS webhook secret with WorkOS only; on embedded defaults the demo makes one', () => {
    const workos = {
      WORKOS_API_KEY: 'sk_live_x',
      WORKOS_CLIENT_ID: 'client_x',
      WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
    };
    const secret = 'whsec_0123456789abcdef';
    expect(loadDemoConfig({ ...workos, WORKOS_WEBHOOK_SECRET: secret }).workosWebhookSecret).toBe(
      secret,
    );
    expect(loadDemoConfig(workos).workosWebhookSecret).toBeUndefined();
    expect(loadDemoConfig({ ...workos, WORKOS_WEBHOOK_SECRET: '' }).workosWebhookSecret).toBe(
      undefined,
    );
    expect(loadDemoConfig({ WORKOS_WEBHOOK_SECRET: secret }).workosWebhookSecret).toBeUndefined();
    expect(
      loadDemoConfig({
        OIDC_ISSUER: 'http://localhost:9000',
        OIDC_CLIENT_ID: 'demo',
        WORKOS_WEBHOOK_SECRET: secret,
      }).workosWebhookSecret,
    ).toBeUndefined();
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

  it('switches to an OpenID Provider when OIDC_ISSUER is set', () => {
    expect(
      loadDemoConfig({
        OIDC_ISSUER: 'https://idp.example/',
        OIDC_CLIENT_ID: 'demo',
        OIDC_CLIENT_SECRET: 's'.repeat(32),
        OIDC_AUDIENCE: 'https://api.example',
        OIDC_COOKIE_PASSWORD: 'p'.repeat(32),
        WORKOS_API_KEY: 'sk_ignored',
      }),
    ).toMatchObject({
      provider: 'oidc',
      clientId: 'demo',
      cookiePassword: 'p'.repeat(32),
      redirectUri: 'http://localhost:3000/auth/callback',
      oidc: {
        issuer: 'https://idp.example/',
        clientSecret: 's'.repeat(32),
        audience: 'https://api.example',
      },
    });
  });

  it('needs a client id for any issuer, and a cookie password unless the issuer is local', () => {
    expect(() => loadDemoConfig({ OIDC_ISSUER: 'http://127.0.0.1:9000' })).toThrow(
      'OIDC_ISSUER is set, so OIDC_CLIENT_ID must be set too',
    );
    expect(() =>
      loadDemoConfig({ OIDC_ISSUER: 'https://idp.example/', OIDC_CLIENT_ID: 'demo' }),
    ).toThrow('OIDC_ISSUER is set, so OIDC_COOKIE_PASSWORD must be set too');
    expect(
      loadDemoConfig({ OIDC_ISSUER: 'http://localhost:9000', OIDC_CLIENT_ID: 'demo' }).provider,
    ).toBe('oidc');
  });

  it('runs on Fastify with HTTP_ADAPTER=fastify, whatever the provider', () => {
    expect(loadDemoConfig({ HTTP_ADAPTER: 'fastify' })).toMatchObject({
      httpAdapter: 'fastify',
      provider: 'emulator',
    });
    expect(loadDemoConfig({ HTTP_ADAPTER: 'express' }).httpAdapter).toBe('express');
    expect(loadDemoConfig({ HTTP_ADAPTER: '' }).httpAdapter).toBe('express');
    expect(
      loadDemoConfig({
        HTTP_ADAPTER: 'fastify',
        OIDC_ISSUER: 'http://localhost:9000',
        OIDC_CLIENT_ID: 'demo',
      }),
    ).toMatchObject({ httpAdapter: 'fastify', provider: 'oidc' });
    expect(
      loadDemoConfig({
        HTTP_ADAPTER: 'fastify',
        WORKOS_API_KEY: 'sk_live_x',
        WORKOS_CLIENT_ID: 'client_x',
        WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
      }),
    ).toMatchObject({ httpAdapter: 'fastify', provider: 'workos' });
  });

  it('refuses an unknown HTTP_ADAPTER, naming the variable', () => {
    for (const value of ['koa', 'Fastify', 'express ', 'platform-fastify']) {
      expect(() => loadDemoConfig({ HTTP_ADAPTER: value })).toThrow(TypeError);
      expect(() => loadDemoConfig({ HTTP_ADAPTER: value })).toThrow(
        `HTTP_ADAPTER must be "express" or "fastify", got "${value}"`,
      );
    }
  });

  it('keeps passkeys in the PostgreSQL of DATABASE_URL, whatever the provider', () => {
    const url = 'postgres://demo:secret@db.internal:5432/demo';
    expect(loadDemoConfig({}).databaseUrl).toBeUndefined();
    expect(loadDemoConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(loadDemoConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(
      loadDemoConfig({
        DATABASE_URL: 'postgresql://localhost/demo',
        OIDC_ISSUER: 'http://localhost:9000',
        OIDC_CLIENT_ID: 'demo',
      }),
    ).toMatchObject({ provider: 'oidc', databaseUrl: 'postgresql://localhost/demo' });
    expect(
      loadDemoConfig({
        DATABASE_URL: url,
        WORKOS_API_KEY: 'sk_live_x',
        WORKOS_CLIENT_ID: 'client_x',
        WORKOS_COOKIE_PASSWORD: 'p'.repeat(32),
      }),
    ).toMatchObject({ provider: 'workos', databaseUrl: url });
  });

  it('refuses a DATABASE_URL that is not a postgres:// URL, without repeating it', () => {
    for (const value of ['mysql://root:secret@db/demo', 'db.internal:5432', 'secret']) {
      expect(() => loadDemoConfig({ DATABASE_URL: value })).toThrow(
        new TypeError('DATABASE_URL must be a postgres:// URL'),
      );
    }
  });
});

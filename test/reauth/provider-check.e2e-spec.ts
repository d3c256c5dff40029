import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { ReauthModule, RequireRecentAuth, type ReauthModuleOptions } from 'nest-workos-reauth';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { startOidcProvider, type OidcTestProvider } from '../support/oidc-provider';
import { freePort } from '../support/ports';
import { COOKIE_PASSWORD } from '../support/reauth-app';
import { RecordingLogger } from '../support/recording-logger';

/**
 * The start-up of an app against a real AuthKit emulator and a real OpenID Provider: the log
 * names the issuer exactly as configured, and `checkProviderOnStart` turns a wrong issuer, client
 * id or host into a failed start instead of 503s after it. Off (the default), the app starts
 * whatever the provider says, as it always did.
 */

const REDIRECT_URI = 'http://localhost:3000/auth/callback';
const JSON_ACCEPT = { accept: 'application/json' };

@Controller()
class GuardedController {
  @Get('fresh')
  @RequireRecentAuth(300)
  fresh() {
    return { ok: true };
  }
}

/** The app of one scenario: the library and one guarded route, listening on a free port. */
async function startApp(
  options: ReauthModuleOptions,
  logger = new RecordingLogger(),
): Promise<{ app: INestApplication; url: string; logger: RecordingLogger }> {
  @Module({ imports: [ReauthModule.forRoot(options)], controllers: [GuardedController] })
  class ProviderCheckModule {}

  const moduleRef = await Test.createTestingModule({ imports: [ProviderCheckModule] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, url: await app.getUrl(), logger };
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('Start-up against the AuthKit emulator', () => {
  let emulator: AuthKitEmulator;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    emulator = await startAuthKitEmulator({ port: 0, redirectUris: [REDIRECT_URI] });
  });
  afterAll(() => emulator?.close());
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const workos = (patch: Partial<ReauthModuleOptions> = {}): ReauthModuleOptions => ({
    apiKey: emulator.apiKey,
    clientId: emulator.clientId,
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    redirectUri: REDIRECT_URI,
    cookiePassword: COOKIE_PASSWORD,
    ...patch,
  });

  it('starts with checkProviderOnStart when the JWKS of the client id loads, and says so', async () => {
    const started = await startApp(workos({ checkProviderOnStart: true }));
    app = started.app;
    expect(started.logger.lines).toContain(
      `checkProviderOnStart: WorkOS AuthKit, issuers ${emulator.url}/user_management/${emulator.clientId} is usable`,
    );
  });

  it('fails to start with checkProviderOnStart when the client id has no JWKS', async () => {
    await expect(
      startApp(workos({ clientId: 'client_wrong', checkProviderOnStart: true })),
    ).rejects.toThrow(
      new Error(
        `ReauthModule: checkProviderOnStart: WorkOS AuthKit, issuers ${emulator.url}/user_management/client_wrong: its JWKS at ${emulator.url}/sso/jwks/client_wrong answered 404`,
      ),
    );
  });

  it('fails to start with checkProviderOnStart when nothing answers at the API host', async () => {
    const port = await freePort();
    await expect(startApp(workos({ port, checkProviderOnStart: true }))).rejects.toThrow(
      new RegExp(
        `^ReauthModule: checkProviderOnStart: WorkOS AuthKit, .*: its JWKS at ${escaped(`http://127.0.0.1:${port}/sso/jwks/`)}\\S+ did not load: fetch failed \\(ECONNREFUSED\\)$`,
      ),
    );
  });

  it('without the option, starts with a wrong client id, and answers 503 afterwards', async () => {
    const started = await startApp(workos({ clientId: 'client_wrong' }));
    app = started.app;
    const token = await emulator.mintAccessToken({
      email: 'alice@example.com',
      authTime: emulator.now(),
    });
    const res = await fetch(`${started.url}/fresh`, {
      headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'reauth_unavailable' });
    expect(started.logger.lines.some((line) => line.includes('checkProviderOnStart'))).toBe(false);
  });
});

describe('Start-up against a real OpenID Provider', () => {
  let oidc: OidcTestProvider;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    oidc = await startOidcProvider({ redirectUris: [REDIRECT_URI] });
  });
  afterAll(() => oidc?.stop());
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  const withIssuer = (
    issuer: string,
    patch: Partial<ReauthModuleOptions> = {},
  ): ReauthModuleOptions => ({
    clientId: oidc.clientId,
    redirectUri: REDIRECT_URI,
    cookiePassword: COOKIE_PASSWORD,
    oidc: { issuer, clientSecret: oidc.clientSecret, audience: oidc.resource },
    ...patch,
  });

  it('logs the issuer exactly as configured', async () => {
    // The provider's issuer has no trailing slash; a URL parser would add one.
    expect(oidc.issuer).not.toMatch(/\/$/);
    const started = await startApp(withIssuer(oidc.issuer));
    app = started.app;
    expect(started.logger.lines).toContain(
      `Step-up authentication ready: callback /auth/callback, OpenID Connect, issuer ${oidc.issuer}`,
    );
    // What to allow at the provider for sign-out to come back.
    expect(started.logger.lines).toContain(
      "Sign-out comes back from the provider to /auth/logout on the app's origin (its post_logout_redirect_uri), which checks the state: allow it at the provider",
    );
  });

  it('starts with checkProviderOnStart when discovery and the JWKS load', async () => {
    const started = await startApp(withIssuer(oidc.issuer, { checkProviderOnStart: true }));
    app = started.app;
    expect(started.logger.lines).toContain(
      `checkProviderOnStart: OpenID Connect, issuer ${oidc.issuer} is usable`,
    );
  });

  it.each([
    [
      'a path the provider does not serve',
      (issuer: string) => `${issuer}/realms/wrong`,
      () => 'its discovery document answered 404',
    ],
    [
      'another name of the same host, which is not its issuer',
      (issuer: string) => issuer.replace('127.0.0.1', 'localhost'),
      () => `its discovery document names the issuer ${JSON.stringify(oidc.issuer)}`,
    ],
  ])(
    'fails to start with checkProviderOnStart and an issuer at %s',
    async (_name, wrong, reason) => {
      const issuer = wrong(oidc.issuer);
      await expect(startApp(withIssuer(issuer, { checkProviderOnStart: true }))).rejects.toThrow(
        new RegExp(
          `^ReauthModule: checkProviderOnStart: OpenID Connect, issuer ${escaped(issuer)}: discovery failed: .*${escaped(reason())}`,
        ),
      );
    },
  );

  it('fails to start with checkProviderOnStart when nothing answers at the issuer', async () => {
    const issuer = `http://127.0.0.1:${await freePort()}`;
    await expect(startApp(withIssuer(issuer, { checkProviderOnStart: true }))).rejects.toThrow(
      new RegExp(
        `^ReauthModule: checkProviderOnStart: OpenID Connect, issuer ${escaped(issuer)}: discovery failed: .*\\(ECONNREFUSED\\)$`,
      ),
    );
  });

  it('without the option, starts with a wrong issuer, and answers 503 afterwards', async () => {
    const started = await startApp(withIssuer(`${oidc.issuer}/realms/wrong`));
    app = started.app;
    const res = await fetch(`${started.url}/auth/login`, { headers: JSON_ACCEPT });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: 'reauth_unavailable' });
  });
});

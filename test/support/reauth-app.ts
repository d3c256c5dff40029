import { type AuthKitEmulator, type AuthKitEmulatorOptions } from 'authkit-emulator';
import { ReauthModule, type ReauthModuleOptions } from 'nest-workos-reauth';
import {
  type INestApplication,
  type LoggerService,
  Module,
  type ModuleMetadata,
  type Type,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  emulatorModuleOptions,
  signInThroughPages,
  startEmulatorWithSdk,
  type Credentials,
} from './emulator';
import { HttpBrowser } from './http-browser';
import { freePort } from './ports';

export const COOKIE_PASSWORD = 'test-cookie-password-that-is-32-chars-long!';

export interface ScenarioApp {
  app: INestApplication;
  url: string;
  emulator: AuthKitEmulator;
  workos: import('@workos-inc/node').WorkOS;
  redirectUri: string;
  close(): Promise<void>;
}

/**
 * A real Nest app with the library configured against a fresh emulator, on a real port, both
 * reading the emulator's clock, serving `routes`: the scenario's own controllers, kept next to
 * its test.
 */
export async function startScenarioApp(
  routes: Type[],
  setup: {
    /** The library's options for this scenario; `app.url` is where the app will listen. */
    reauth?: (emulator: AuthKitEmulator, app: { url: string }) => Partial<ReauthModuleOptions>;
    emulator?: AuthKitEmulatorOptions;
    logger?: LoggerService;
    /** More modules and providers of the app, next to the library's. */
    imports?: ModuleMetadata['imports'];
    providers?: ModuleMetadata['providers'];
    /** Runs before the app listens: a WebSocket adapter, say. */
    beforeListen?: (app: INestApplication) => void;
  } = {},
): Promise<ScenarioApp> {
  const port = await freePort();
  const redirectUri = `http://localhost:${port}/auth/callback`;
  const { emulator, workos } = await startEmulatorWithSdk({
    redirectUris: [redirectUri],
    ...setup.emulator,
  });

  @Module({
    imports: [
      ReauthModule.forRoot({
        ...emulatorModuleOptions(emulator),
        redirectUri,
        cookiePassword: COOKIE_PASSWORD,
        ...setup.reauth?.(emulator, { url: `http://localhost:${port}` }),
      }),
      ...(setup.imports ?? []),
    ],
    controllers: routes,
    providers: setup.providers ?? [],
  })
  class ScenarioModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [ScenarioModule],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: setup.logger ?? false });
  setup.beforeListen?.(app);
  try {
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    // Nothing the test could close is left listening, so a failed start never holds Jest open.
    await app.close();
    await emulator.close();
    throw error;
  }
  return {
    app,
    url: `http://localhost:${port}`,
    emulator,
    workos,
    redirectUri,
    close: async () => {
      await app.close();
      await emulator.close();
    },
  };
}

/** A browser signed in to a scenario app through its login route and the emulator's pages. */
export async function signInToApp(
  scenario: Pick<ScenarioApp, 'url' | 'emulator' | 'redirectUri'>,
  returnTo = '/signed-in',
  credentials: Credentials = { email: 'alice@example.com', password: 'alice-password' },
): Promise<{ browser: HttpBrowser; sealedSession: string }> {
  const browser = new HttpBrowser();
  const navigate = { accept: 'text/html', 'sec-fetch-mode': 'navigate' };
  const start = await browser.get(
    `${scenario.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`,
    navigate,
  );
  const callback = await signInThroughPages(
    browser,
    start.location!,
    credentials,
    scenario.emulator,
    scenario.redirectUri,
  );
  const done = await browser.get(callback.href, navigate);
  const cookie = done.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
  if (done.status !== 303 || !cookie) throw new Error(`sign-in failed: ${done.status}`);
  return { browser, sealedSession: cookie.split(';')[0].slice('wos-session='.length) };
}

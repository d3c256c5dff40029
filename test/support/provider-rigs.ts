import { type AuthKitEmulator, type AuthKitEmulatorOptions } from 'authkit-emulator';
import { ReauthModule, type ReauthModuleOptions, type ReauthOidcOptions } from 'nest-workos-reauth';
import { randomBytes } from 'node:crypto';
import {
  type INestApplication,
  type LoggerService,
  Module,
  type NestApplicationOptions,
  type Type,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import {
  emulatorModuleOptions,
  signInThroughPages,
  startEmulatorWithSdk,
  type Credentials,
} from './emulator';
import {
  GLEWLWYD_USERS,
  signInAtGlewlwyd,
  startGlewlwyd,
  type GlewlwydTestProvider,
  type GlewlwydTestProviderOptions,
} from './glewlwyd';
import { type HttpBrowser } from './http-browser';
import {
  OIDC_USERS,
  signInAtOidcProvider,
  startOidcProvider,
  type OidcTestProvider,
  type OidcTestProviderOptions,
} from './oidc-provider';
import { freePort } from './ports';
import { COOKIE_PASSWORD } from './reauth-app';

/**
 * The identity providers every scenario suite runs against: the AuthKit emulator, and a real
 * OpenID Provider signing its tokens with RS256 (client_secret_basic), then with ES256
 * (client_secret_post).
 */
export const RIG_NAMES = ['authkit-emulator', 'oidc-provider', 'oidc-provider-es256'] as const;
export type RigName = (typeof RIG_NAMES)[number];

/** Every rig's name: those of {@link RIG_NAMES}, and glewlwyd's (see {@link startGlewlwydRig}). */
export type ProviderRigName = RigName | 'glewlwyd';

export type Person = 'alice' | 'bob';

/** The HTTP platform the app runs on: `@nestjs/platform-express` or `@nestjs/platform-fastify`. */
export type HttpPlatform = 'express' | 'fastify';

/**
 * The rigs and platforms the scenario suites run on: every rig on Express, and the emulator and
 * the RS256 OpenID Provider on Fastify (the ES256 rig differs from the RS256 one in nothing the
 * platform touches).
 */
export const RIG_PLATFORMS: readonly (readonly [RigName, HttpPlatform])[] = [
  ...RIG_NAMES.map((name) => [name, 'express'] as const),
  ['authkit-emulator', 'fastify'],
  ['oidc-provider', 'fastify'],
];

/** How a person signs in at the provider's pages. */
export interface SignInChoice {
  /** Complete the second factor too (an OTP at the OpenID Provider; Bob's TOTP on AuthKit). */
  secondFactor?: boolean;
}

/**
 * A Nest app with the library signing in at one identity provider, both on free ports, and the
 * controls the scenarios need, the same for every provider. Time is shared: the app's clock is the
 * provider's, and {@link advanceClock} moves both.
 */
export interface ProviderRig {
  readonly name: ProviderRigName;
  readonly adapter: HttpPlatform;
  readonly url: string;
  readonly redirectUri: string;
  readonly app: INestApplication;
  /** The provider's (and the app's) time, in seconds. */
  nowSeconds(): number;
  advanceClock(seconds: number): Promise<void>;
  /**
   * While on, the provider signs in without honouring `max_age` (nor `prompt=login`). Glewlwyd's
   * rig rejects: it has no such switch.
   */
  ignoreMaxAge(on: boolean): Promise<void>;
  /** From an authorization URL through the provider's pages to the app's callback URL. */
  authenticateAt(
    browser: HttpBrowser,
    authorizationUrl: string,
    who?: Person,
    choice?: SignInChoice,
  ): Promise<URL>;
  /**
   * From an authorization URL to the callback URL of a user who cancels at the provider.
   * Glewlwyd's rig rejects: its login page has no way to refuse a sign-in.
   */
  cancelAt(browser: HttpBrowser, authorizationUrl: string): Promise<URL>;
  /** The OpenID Provider's own handle, for provider-specific controls. */
  readonly oidc?: OidcTestProvider;
  readonly emulator?: AuthKitEmulator;
  /** Glewlwyd's handle, on its rig. */
  readonly glewlwyd?: GlewlwydTestProvider;
  close(): Promise<void>;
}

const EMULATOR_PEOPLE: Record<Person, Credentials> = {
  alice: { email: 'alice@example.com', password: 'alice-password' },
  bob: { email: 'bob@example.com', password: 'bob-password', totpSecret: 'JBSWY3DPEHPK3PXP' },
};

/** Starts the provider `name` and an app with `controllers` signing in there. */
export async function startRig(
  name: RigName,
  setup: {
    controllers: Type[];
    /** The library's options: given, or made from where the app will listen. */
    reauth?:
      Partial<ReauthModuleOptions> | ((app: { url: string }) => Partial<ReauthModuleOptions>);
    /** The app's logger (default `false`: nothing logged). */
    logger?: LoggerService;
    /** Options of the AuthKit emulator besides the rig's own (which they override). */
    emulatorOptions?: Partial<AuthKitEmulatorOptions>;
    /**
     * Options of the OpenID Provider besides the rig's own (which they override): given, or
     * made from where the app will listen.
     */
    oidcOptions?:
      | Partial<OidcTestProviderOptions>
      | ((app: { url: string }) => Partial<OidcTestProviderOptions>);
    /** The HTTP platform of the app (default `express`). */
    adapter?: HttpPlatform;
    /** Nest's own body parsers (JSON and url-encoded forms); default `true`, as in Nest. */
    bodyParser?: boolean;
    /** Runs before the app listens: plugins or middleware the app registers in its `main.ts`. */
    configure?: (app: INestApplication) => void | Promise<void>;
  },
): Promise<ProviderRig> {
  const adapter = setup.adapter ?? 'express';
  const appSetup: AppSetup = {
    adapter,
    controllers: setup.controllers,
    logger: setup.logger,
    bodyParser: setup.bodyParser,
    configure: setup.configure,
  };
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const redirectUri = `${url}/auth/callback`;
  const reauthOptions = typeof setup.reauth === 'function' ? setup.reauth({ url }) : setup.reauth;
  const base = { redirectUri, cookiePassword: COOKIE_PASSWORD };

  if (name === 'authkit-emulator') {
    const { emulator } = await startEmulatorWithSdk({
      redirectUris: [redirectUri],
      ...setup.emulatorOptions,
    });
    const app = await startApp(port, appSetup, {
      ...base,
      ...emulatorModuleOptions(emulator),
      ...reauthOptions,
    }).catch(async (error: unknown) => {
      await emulator.close();
      throw error;
    });
    return {
      name,
      adapter,
      url,
      redirectUri,
      app,
      emulator,
      nowSeconds: () => emulator.now(),
      advanceClock: (seconds) => {
        emulator.advanceClock(seconds);
        return Promise.resolve();
      },
      ignoreMaxAge: (on) => {
        emulator.setIgnoreMaxAge(on);
        return Promise.resolve();
      },
      authenticateAt: (browser, authorizationUrl, who = 'alice') =>
        signInThroughPages(browser, authorizationUrl, EMULATOR_PEOPLE[who], emulator, redirectUri),
      cancelAt: async (browser, authorizationUrl) => {
        const atCallback = (next: string) => next.startsWith(redirectUri);
        const page = await browser.follow(authorizationUrl, atCallback);
        const cancel = /id="cancel" href="([^"]+)"/.exec(page.text)![1].replace(/&amp;/g, '&');
        const cancelled = await browser.get(new URL(cancel, page.url).href);
        return new URL(cancelled.location!);
      },
      close: async () => {
        await app.close();
        await emulator.close();
      },
    };
  }

  const es256 = name === 'oidc-provider-es256';
  const oidc = await startOidcProvider({
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [`${url}/auth/logout`],
    accessTokenTtlSeconds: 300,
    ...(es256
      ? {
          accessTokenAlg: 'ES256',
          idTokenAlg: 'ES256',
          tokenEndpointAuthMethod: 'client_secret_post',
        }
      : {}),
    ...(typeof setup.oidcOptions === 'function' ? setup.oidcOptions({ url }) : setup.oidcOptions),
  });
  const app = await startApp(port, appSetup, {
    ...base,
    clientId: oidc.clientId,
    oidc: {
      issuer: oidc.issuer,
      clientSecret: oidc.clientSecret,
      audience: oidc.resource,
      tokenEndpointAuthMethod: es256 ? 'client_secret_post' : undefined,
    },
    now: () => oidc.now(),
    ...reauthOptions,
  }).catch(async (error: unknown) => {
    await oidc.stop();
    throw error;
  });
  return {
    name,
    adapter,
    url,
    redirectUri,
    app,
    oidc,
    nowSeconds: () => Math.floor(oidc.now() / 1000),
    advanceClock: async (seconds) => {
      await oidc.advanceClock(seconds);
    },
    ignoreMaxAge: (on) => oidc.ignoreMaxAge(on),
    authenticateAt: async (browser, authorizationUrl, who = 'alice', choice = {}) => {
      const user = OIDC_USERS[who];
      const callback = await signInAtOidcProvider(
        browser,
        authorizationUrl,
        {
          username: user.username,
          password: user.password,
          otp: choice.secondFactor ? user.otp : undefined,
        },
        { redirectUri },
      );
      return new URL(callback);
    },
    cancelAt: async (browser, authorizationUrl) =>
      new URL(await signInAtOidcProvider(browser, authorizationUrl, { cancel: true })),
    close: async () => {
      await app.close();
      await oidc.stop();
    },
  };
}

/**
 * Glewlwyd (Debian's `glewlwyd` package) and an app with `controllers` signing in there, with
 * glewlwyd's defaults of a confidential client (client_secret_basic). Not one of
 * {@link RIG_NAMES}: glewlwyd cannot do all that the scenario suites ask of a rig (see
 * `ignoreMaxAge` and `cancelAt`), so its own suite runs what it can. The app's clock is
 * glewlwyd's faked one.
 */
export async function startGlewlwydRig(setup: {
  controllers: Type[];
  /** The library's options: given, or made from where the app will listen. */
  reauth?: Partial<ReauthModuleOptions> | ((app: { url: string }) => Partial<ReauthModuleOptions>);
  /** The app's logger (default `false`: nothing logged). */
  logger?: LoggerService;
  /** Options of glewlwyd besides the rig's own (which they override). */
  glewlwydOptions?: Partial<GlewlwydTestProviderOptions>;
  /** The HTTP platform of the app (default `express`). */
  adapter?: HttpPlatform;
}): Promise<ProviderRig> {
  const adapter = setup.adapter ?? 'express';
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const redirectUri = `${url}/auth/callback`;
  const reauthOptions = typeof setup.reauth === 'function' ? setup.reauth({ url }) : setup.reauth;
  const glewlwyd = await startGlewlwyd({
    redirectUris: [redirectUri],
    postLogoutRedirectUris: [`${url}/auth/logout`],
    accessTokenTtlSeconds: 300,
    ...setup.glewlwydOptions,
  });
  const app = await startApp(
    port,
    { adapter, controllers: setup.controllers, logger: setup.logger },
    {
      redirectUri,
      cookiePassword: COOKIE_PASSWORD,
      clientId: glewlwyd.clientId,
      oidc: {
        issuer: glewlwyd.issuer,
        clientSecret: glewlwyd.clientSecret,
        audience: glewlwyd.audience,
      },
      now: () => glewlwyd.now(),
      ...reauthOptions,
    },
  ).catch(async (error: unknown) => {
    await glewlwyd.stop();
    throw error;
  });
  const unsupported = (what: string) =>
    Promise.reject(new Error(`glewlwyd's rig cannot ${what}: glewlwyd has no way to do it`));
  return {
    name: 'glewlwyd',
    adapter,
    url,
    redirectUri,
    app,
    glewlwyd,
    nowSeconds: () => Math.floor(glewlwyd.now() / 1000),
    advanceClock: async (seconds) => {
      await glewlwyd.advanceClock(seconds);
    },
    ignoreMaxAge: () => unsupported('ignore max_age'),
    authenticateAt: async (browser, authorizationUrl, who = 'alice') =>
      new URL(
        await signInAtGlewlwyd(browser, authorizationUrl, GLEWLWYD_USERS[who], { redirectUri }),
      ),
    cancelAt: () => unsupported('cancel a sign-in'),
    close: async () => {
      await app.close();
      await glewlwyd.stop();
    },
  };
}

/** How {@link startApp} builds the app around the library. */
interface AppSetup {
  adapter: HttpPlatform;
  controllers: Type[];
  /** The app's logger (default `false`: nothing logged). */
  logger?: LoggerService;
  /** Nest's own body parsers (JSON and url-encoded forms); default `true`, as in Nest. */
  bodyParser?: boolean;
  /** Runs before the app listens. */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/**
 * A Nest app with the library and `setup.controllers`, listening on `port` of the loopback
 * interface, on Express or on Fastify. Both keep Nest's defaults unless told otherwise: on
 * Fastify that includes Nest's url-encoded form parser, as
 * `NestFactory.create(AppModule, new FastifyAdapter())` does.
 */
async function startApp(
  port: number,
  setup: AppSetup,
  reauth: ReauthModuleOptions,
): Promise<INestApplication> {
  @Module({ imports: [ReauthModule.forRoot(reauth)], controllers: setup.controllers })
  class RigModule {}

  const moduleRef = await Test.createTestingModule({ imports: [RigModule] }).compile();
  const options: NestApplicationOptions = {
    logger: setup.logger ?? false,
    bodyParser: setup.bodyParser ?? true,
  };
  const app =
    setup.adapter === 'express'
      ? moduleRef.createNestApplication(options)
      : moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), options);
  try {
    await setup.configure?.(app);
    await app.listen(port, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  return app;
}

/**
 * An app on the rig's oidc-provider whose `oidc` options are the test's own: the provider's port
 * and client secret are picked here, before it starts, so that the options can name them.
 */
export async function startOidcRigWithOptions(setup: {
  controllers: Type[];
  oidc?: Partial<ReauthOidcOptions>;
  provider?: Partial<OidcTestProviderOptions>;
  logger?: LoggerService;
}): Promise<ProviderRig> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const clientSecret = randomBytes(32).toString('base64url');
    try {
      return await startRig('oidc-provider', {
        controllers: setup.controllers,
        logger: setup.logger,
        oidcOptions: { port, clientSecret, ...setup.provider },
        reauth: {
          oidc: {
            issuer,
            clientSecret,
            audience: setup.provider?.resource ?? `${issuer}/api`,
            ...setup.oidc,
          },
        },
      });
    } catch (error) {
      // Something else took the port between freePort() and the provider's listen().
      if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

import { startAuthKitEmulator, type AuthKitEmulator } from 'authkit-emulator';
import { ReauthModule, RequireRecentAuth, type ReauthModuleOptions } from 'nest-workos-reauth';
import { Controller, Get, Injectable, Module, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { freePort } from '../support/ports';

@Controller('short')
class ShortMaxAgeController {
  @Get()
  @RequireRecentAuth(30)
  quick(): string {
    return 'ok';
  }

  @Get('fine')
  @RequireRecentAuth(60)
  fine(): string {
    return 'ok';
  }

  @Get('strong')
  @RequireRecentAuth(300, { acr: ['urn:example:loa:2'] })
  strong(): string {
    return 'ok';
  }

  @Get('second-factor')
  @RequireRecentAuth(300, { amr: ['mfa'] })
  secondFactor(): string {
    return 'ok';
  }
}

@Injectable()
class SettingsService {
  constructor(readonly values: Record<string, string>) {}
}

class CapturingLogger implements LoggerService {
  readonly warnings: string[] = [];
  log(): void {}
  error(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
}

describe('ReauthModule configuration', () => {
  let emulator: AuthKitEmulator;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    emulator = await startAuthKitEmulator({
      port: 0,
      redirectUris: [`http://localhost:${port}/oauth/return`],
    });
  });
  afterAll(() => emulator.close());

  const settings = (): ReauthModuleOptions => ({
    apiKey: emulator.apiKey,
    clientId: emulator.clientId,
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    redirectUri: `http://localhost:${port}/oauth/return`,
    cookiePassword: 'c'.repeat(40),
  });

  it('configures asynchronously, mounts routes where told, leaves out switched-off ones, and warns about short max_age and acr on AuthKit', async () => {
    @Module({
      providers: [
        { provide: SettingsService, useValue: new SettingsService({ id: emulator.clientId }) },
      ],
      exports: [SettingsService],
    })
    class SettingsModule {}

    @Module({
      imports: [
        ReauthModule.forRootAsync({
          imports: [SettingsModule],
          inject: [SettingsService],
          useFactory: (service: SettingsService) => ({
            ...settings(),
            clientId: service.values.id,
          }),
          routes: { callback: '/oauth/return', login: false, logout: '/session/end' },
        }),
      ],
      controllers: [ShortMaxAgeController],
    })
    class AppModule {}

    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger });
    await app.listen(port, '127.0.0.1');
    try {
      const base = `http://localhost:${port}`;
      const callback = await fetch(`${base}/oauth/return`, { redirect: 'manual' });
      expect(callback.status).toBe(400);
      expect(await callback.text()).toContain('invalid_callback');
      expect((await fetch(`${base}/auth/login`, { redirect: 'manual' })).status).toBe(404);
      expect((await fetch(`${base}/auth/callback`, { redirect: 'manual' })).status).toBe(404);
      const logout = await fetch(`${base}/session/end`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: base },
      });
      expect(logout.status).toBe(303);
      const guarded = await fetch(`${base}/short`);
      expect(guarded.status).toBe(401);

      expect(logger.warnings).toEqual([
        'GET /short (ShortMaxAgeController.quick) requires a sign-in within 30s; under 60s users are asked to re-authenticate almost at once',
        'GET /short/strong (ShortMaxAgeController.strong) requires an acr, which WorkOS AuthKit does not issue: every attempt will end in acr_missing',
        'GET /short/second-factor (ShortMaxAgeController.secondFactor) requires an amr, which WorkOS AuthKit does not issue and no confirmation in the page can show here (see the stepUp option): every attempt will end in acr_not_satisfied',
      ]);
    } finally {
      await app.close();
    }
  });

  it('works under a global prefix: the callback lives under it', async () => {
    const prefixedPort = await freePort();
    const prefixed = await startAuthKitEmulator({
      port: 0,
      redirectUris: [`http://localhost:${prefixedPort}/api/auth/callback`],
    });
    @Module({
      imports: [
        ReauthModule.forRoot({
          ...settings(),
          port: prefixed.port,
          redirectUri: `http://localhost:${prefixedPort}/api/auth/callback`,
        }),
      ],
      controllers: [ShortMaxAgeController],
    })
    class PrefixedModule {}
    const moduleRef = await Test.createTestingModule({ imports: [PrefixedModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.setGlobalPrefix('api');
    await app.listen(prefixedPort, '127.0.0.1');
    try {
      const base = `http://localhost:${prefixedPort}`;
      const guarded = await fetch(`${base}/api/short/fine`, {
        headers: { accept: 'application/json' },
      });
      expect(guarded.status).toBe(401);
      expect(guarded.headers.getSetCookie().join()).toMatch(
        /^wos-reauth=[\w-]{43}; Max-Age=600; Path=\/;/,
      );
      const { reauthUrl } = (await guarded.json()) as { reauthUrl: string };
      expect(new URL(reauthUrl).searchParams.get('redirect_uri')).toBe(`${base}/api/auth/callback`);
      const callback = await fetch(`${base}/api/auth/callback`);
      expect(callback.status).toBe(400);
      expect(await callback.text()).toContain('invalid_callback');
    } finally {
      await app.close();
      await prefixed.close();
    }
  });

  it.each([
    [
      { cookiePassword: 'too-short' },
      'ReauthModule: cookiePassword must be at least 32 characters long',
    ],
    [{ clientId: undefined }, 'ReauthModule: clientId is required'],
    [{ redirectUri: '' }, 'ReauthModule: redirectUri is required'],
  ])('refuses to start with %p', async (patch, message) => {
    @Module({ imports: [ReauthModule.forRoot({ ...settings(), ...patch } as ReauthModuleOptions)] })
    class BrokenModule {}
    await expect(Test.createTestingModule({ imports: [BrokenModule] }).compile()).rejects.toThrow(
      new TypeError(message),
    );
  });
});

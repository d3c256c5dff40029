import { Controller, Get, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OauthException, WorkOS } from '@workos-inc/node';
import { AuthClaims, ReauthModule, RequireRecentAuth, RequireSignIn } from 'nest-workos-reauth';
import { startReauthTestKit, TestClock, type ReauthTestKit } from 'nest-workos-reauth/testing';
import { freePort } from '../support/ports';

@Controller()
class AccountController {
  @Get('transfer')
  @RequireRecentAuth(300)
  transfer(@AuthClaims('sub') sub: string, @AuthClaims('auth_time') authTime: number) {
    return { sub, authTime };
  }

  @Get('profile')
  @RequireSignIn()
  profile(@AuthClaims('sub') sub: string) {
    return { sub };
  }
}

const START_MS = Date.UTC(2030, 0, 1, 12);

describe('nest-workos-reauth/testing: a kit for an app’s own tests', () => {
  let kit: ReauthTestKit;
  let app: INestApplication;
  let url: string;

  const get = (path: string, headers: Record<string, string>) =>
    fetch(`${url}${path}`, { headers: { accept: 'application/json', ...headers } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  const expectStale = async (res: Response, authTime: number) => {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain(
      'error="insufficient_user_authentication"',
    );
    expect(res.headers.get('www-authenticate')).toContain('max_age="300"');
    expect(await res.json()).toMatchObject({
      error: 'reauth_required',
      reason: 'stale',
      maxAge: 300,
      authTime,
    });
  };

  beforeAll(async () => {
    const port = await freePort();
    kit = await startReauthTestKit({
      redirectUri: `http://localhost:${port}/auth/callback`,
      clock: new TestClock(START_MS),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [ReauthModule.forRoot(kit.moduleOptions())],
      controllers: [AccountController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(port, '127.0.0.1');
    url = `http://localhost:${port}`;
  });

  afterAll(async () => {
    await app?.close();
    await kit?.close();
  });

  describe('access tokens', () => {
    it('makes a fresh Bearer token that passes @RequireRecentAuth', async () => {
      const res = await get('/transfer', bearer(await kit.accessToken()));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        sub: expect.stringMatching(/^user_/),
        authTime: kit.clock.nowSeconds(),
      });
    });

    it('makes a token of a sign-in 600 s ago that gets the stale challenge', async () => {
      const token = await kit.accessToken({ signedInSecondsAgo: 600 });
      await expectStale(await get('/transfer', bearer(token)), kit.clock.nowSeconds() - 600);
    });

    it('takes an exact auth_time, another user, and claims', async () => {
      const authTime = kit.clock.nowSeconds() - 299;
      const bob = await kit.accessToken({ email: 'bob@example.com', authTime });
      const res = await get('/transfer', bearer(bob));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ authTime });

      const withoutAuthTime = await kit.accessToken({ claims: { auth_time: null } });
      expect(await (await get('/transfer', bearer(withoutAuthTime))).json()).toMatchObject({
        reason: 'missing_auth_time',
      });
    });

    it('makes an expired token with a negative lifetime', async () => {
      const res = await get('/profile', bearer(await kit.accessToken({ expiresIn: -60 })));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ reason: 'invalid_token' });
    });
  });

  describe('session cookies', () => {
    it('makes a fresh session cookie that passes @RequireRecentAuth', async () => {
      const cookie = await kit.sessionCookie();
      expect(cookie).toMatch(/^wos-session=[^;\s]+$/);
      const res = await get('/transfer', { cookie });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ authTime: kit.clock.nowSeconds() });
    });

    it('goes stale for the app when the kit clock moves past max_age', async () => {
      const cookie = await kit.sessionCookie({ email: 'carol@sso.example.com' });
      const authTime = kit.clock.nowSeconds();
      kit.advanceClock(300);
      expect((await get('/transfer', { cookie })).status).toBe(200);
      kit.advanceClock(1);
      await expectStale(await get('/transfer', { cookie }), authTime);
    });

    it('makes a session of a sign-in 600 s ago: stale, yet signed in', async () => {
      const cookie = await kit.sessionCookie({ signedInSecondsAgo: 600 });
      await expectStale(await get('/transfer', { cookie }), kit.clock.nowSeconds() - 600);
      const res = await get('/profile', { cookie });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ sub: expect.stringMatching(/^user_/) });
    });
  });

  describe('the emulator and the clock', () => {
    it('shares one clock between the kit, the emulator and the module options', () => {
      const before = kit.clock.nowSeconds();
      expect(kit.emulator.now()).toBe(before);
      expect(kit.emulator.advanceClock(10)).toBe(before + 10);
      expect(kit.clock.nowSeconds()).toBe(before + 10);
      expect(kit.advanceClock(5)).toBe(before + 15);
      expect(kit.emulator.now()).toBe(before + 15);
      expect(kit.moduleOptions().now!()).toBe(kit.clock.now());
    });

    it('issues authorization codes that work once', async () => {
      const workos = new WorkOS(kit.emulator.apiKey, {
        apiHostname: '127.0.0.1',
        port: kit.emulator.port,
        https: false,
        clientId: kit.emulator.clientId,
      });
      const code = await kit.emulator.issueAuthorizationCode({ email: 'alice@example.com' });
      const exchange = () =>
        workos.userManagement.authenticateWithCode({ clientId: kit.emulator.clientId, code });
      expect((await exchange()).user.email).toBe('alice@example.com');
      const reused = await exchange().catch((error: unknown) => error);
      expect(reused).toBeInstanceOf(OauthException);
      expect(reused).toMatchObject({ status: 400, error: 'invalid_grant' });
    });

    it('serves the test controls', async () => {
      const res = await fetch(`${kit.emulator.url}/__emulator/authorization-codes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@example.com', authTime: -1 }),
      });
      expect(res.status).toBe(422);
    });
  });

  describe('module options', () => {
    it('point the module at the emulator, with overrides last', () => {
      const now = () => 0;
      expect(kit.moduleOptions({ clockToleranceSeconds: 0, now })).toEqual({
        apiKey: kit.emulator.apiKey,
        clientId: kit.emulator.clientId,
        apiHostname: '127.0.0.1',
        port: kit.emulator.port,
        https: false,
        redirectUri: kit.redirectUri,
        cookiePassword: kit.cookiePassword,
        now,
        clockToleranceSeconds: 0,
      });
      expect(kit.emulator.redirectUris).toEqual([kit.redirectUri]);
    });

    it.each([null, 'x', [], 1])('reject the overrides %p', (overrides) => {
      expect(() => kit.moduleOptions(overrides as never)).toThrow(
        new TypeError('ReauthTestKit: moduleOptions() overrides must be an object'),
      );
    });
  });

  describe('mistakes', () => {
    const unknown =
      'ReauthTestKit: there is no user with the email "dave@example.com"; the kit\'s users are ' +
      'alice@example.com, bob@example.com, carol@sso.example.com';

    it('names an unknown email', async () => {
      await expect(kit.accessToken({ email: 'dave@example.com' })).rejects.toThrow(
        new Error(unknown),
      );
      await expect(kit.sessionCookie({ email: 'dave@example.com' })).rejects.toThrow(
        new Error(unknown),
      );
    });

    it('rejects bad input with a TypeError naming it', async () => {
      await expect(kit.accessToken({ authTime: 1, signedInSecondsAgo: 1 })).rejects.toThrow(
        new TypeError('ReauthTestKit: give authTime or signedInSecondsAgo, not both'),
      );
      await expect(kit.sessionCookie({ signedInSecondsAgo: -1 })).rejects.toThrow(
        new TypeError(
          "ReauthTestKit: signedInSecondsAgo must be an integer from 0 to the clock's time in seconds",
        ),
      );
      await expect(startReauthTestKit({ cookiePassword: 'short' })).rejects.toThrow(
        new TypeError('ReauthTestKit: cookiePassword must be a string of at least 32 characters'),
      );
      await expect(startReauthTestKit({ users: [] })).rejects.toThrow(
        new TypeError('users must be a non-empty array'),
      );
    });
  });
});

describe('a kit of its own users', () => {
  it('signs in only the users it was given, and closes once', async () => {
    const kit = await startReauthTestKit({
      users: [{ email: 'dana@example.com', password: 'dana-password' }],
    });
    expect(kit.redirectUri).toBe('http://localhost:3000/auth/callback');
    expect(kit.emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await kit.accessToken({ email: 'dana@example.com' })).toMatch(/^ey/);
    await expect(kit.accessToken()).rejects.toThrow(
      'there is no user with the email "alice@example.com"; the kit\'s users are dana@example.com',
    );

    await kit.close();
    await kit.close();
    await expect(kit.sessionCookie({ email: 'dana@example.com' })).rejects.toThrow(
      new Error('ReauthTestKit: sessionCookie() was called after close()'),
    );
    await expect(fetch(`${kit.emulator.url}/sso/jwks/${kit.emulator.clientId}`)).rejects.toThrow();
  });
});

describe('a kit on the port it is given', () => {
  it('starts its emulator there, points the module at it, and says when it is taken', async () => {
    const port = await freePort();
    const kit = await startReauthTestKit({ port });
    try {
      expect(kit.emulator.port).toBe(port);
      expect(kit.emulator.url).toBe(`http://127.0.0.1:${port}`);
      expect(kit.moduleOptions().port).toBe(port);
      const jwks = await fetch(`http://127.0.0.1:${port}/sso/jwks/${kit.emulator.clientId}`);
      expect(jwks.status).toBe(200);

      await expect(startReauthTestKit({ port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await kit.close();
    }
  });

  it('refuses a port out of range with a TypeError naming it, before starting anything', async () => {
    await expect(startReauthTestKit({ port: 65536 })).rejects.toThrow(
      new TypeError(
        'ReauthTestKit: port must be an integer from 1 to 65535, or 0 for any free port',
      ),
    );
  });
});

describe('without authkit-emulator installed', () => {
  it('fails at import, naming the package and the install command', async () => {
    await jest.isolateModulesAsync(async () => {
      jest.doMock('authkit-emulator', () => {
        throw Object.assign(new Error("Cannot find module 'authkit-emulator' from 'index.ts'"), {
          code: 'MODULE_NOT_FOUND',
        });
      });
      const failure = await import('nest-workos-reauth/testing').then(
        () => 'imported',
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe(
        'nest-workos-reauth/testing needs the optional peer dependency "authkit-emulator", ' +
          'which is not installed: run `npm install --save-dev authkit-emulator`',
      );
      expect((failure as Error).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
    });
  });
});

import { WorkOS } from '@workos-inc/node';
import { serialize } from 'cookie';
import type { ReauthModuleOptions } from '../interfaces';
import { resolveReauthOptions } from '../options/reauth.options';
import { loadAuthKitEmulator } from './authkit-emulator.loader';
import {
  assertKnownUser,
  resolveAccessTokenInput,
  resolveSessionCookieInput,
  resolveTestKitOptions,
} from './reauth-test-kit.inputs';
import type {
  AccessTokenInput,
  ReauthTestKit,
  ReauthTestKitOptions,
  SessionCookieInput,
} from './reauth-test-kit.interfaces';

// At import: without the optional peer, importing nest-workos-reauth/testing says how to fix it.
const { startAuthKitEmulator, DEMO_USERS } = loadAuthKitEmulator();

/**
 * Starts a local AuthKit emulator for a NestJS app's own tests, without a WorkOS account: the
 * app's `ReauthModule` talks to it through the real `@workos-inc/node` SDK, and the kit makes
 * real access tokens and session cookies signed in at whatever time a test needs.
 *
 * @example
 * ```ts
 * const port = 3101; // a free port: the redirect URI must be known before the app listens
 * const kit = await startReauthTestKit({ redirectUri: `http://localhost:${port}/auth/callback` });
 * const moduleRef = await Test.createTestingModule({
 *   imports: [ReauthModule.forRoot(kit.moduleOptions())],
 *   controllers: [TransfersController],
 * }).compile();
 * const app = moduleRef.createNestApplication();
 * await app.listen(port, '127.0.0.1');
 *
 * const cookie = await kit.sessionCookie({ email: 'alice@example.com' });
 * const fresh = await fetch(`http://localhost:${port}/transfers`, { headers: { cookie } });
 * kit.advanceClock(301); // the same cookie is now too old for @RequireRecentAuth(300)
 *
 * await app.close();
 * await kit.close();
 * ```
 */
export async function startReauthTestKit(
  options: ReauthTestKitOptions = {},
): Promise<ReauthTestKit> {
  const {
    redirectUri,
    clock,
    cookiePassword,
    port,
    users = [...DEMO_USERS],
  } = resolveTestKitOptions(options);
  const started = await startAuthKitEmulator({
    port,
    testControls: true,
    redirectUris: [redirectUri],
    users,
    now: () => clock.now(),
  });
  const emulator = { ...started, advanceClock: (seconds: number) => clock.advance(seconds) };
  const workos = new WorkOS(emulator.apiKey, {
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    clientId: emulator.clientId,
  });
  let closing: Promise<void> | undefined;

  const moduleOptions = (overrides: Partial<ReauthModuleOptions> = {}): ReauthModuleOptions => {
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
      throw new TypeError('ReauthTestKit: moduleOptions() overrides must be an object');
    }
    return {
      apiKey: emulator.apiKey,
      clientId: emulator.clientId,
      apiHostname: '127.0.0.1',
      port: emulator.port,
      https: false,
      redirectUri,
      cookiePassword,
      now: () => clock.now(),
      ...overrides,
    };
  };
  // The name the module will use with these options (`__Host-` for an https redirect URI).
  const sessionCookieName = resolveReauthOptions(moduleOptions()).cookie.name;

  const assertOpen = (method: string): void => {
    if (closing) throw new Error(`ReauthTestKit: ${method}() was called after close()`);
  };

  const kit: ReauthTestKit = {
    emulator,
    clock,
    redirectUri,
    cookiePassword,

    moduleOptions,

    async accessToken(input?: AccessTokenInput): Promise<string> {
      const { email, authTime, expiresIn, claims } = resolveAccessTokenInput(
        input,
        clock.nowSeconds(),
      );
      assertKnownUser(email, users);
      assertOpen('accessToken');
      return emulator.mintAccessToken({ email, authTime, expiresIn, claims });
    },

    async sessionCookie(input?: SessionCookieInput): Promise<string> {
      const { email, authTime } = resolveSessionCookieInput(input, clock.nowSeconds());
      assertKnownUser(email, users);
      assertOpen('sessionCookie');
      const code = await emulator.issueAuthorizationCode({ email, authTime, redirectUri });
      const { sealedSession } = await workos.userManagement.authenticateWithCode({
        clientId: emulator.clientId,
        code,
        session: { sealSession: true, cookiePassword },
      });
      if (!sealedSession) throw new Error('ReauthTestKit: the SDK returned no sealed session');
      return serialize(sessionCookieName, sealedSession);
    },

    advanceClock: (seconds: number): number => clock.advance(seconds),

    close(): Promise<void> {
      closing ??= emulator.close();
      return closing;
    },
  };
  return kit;
}

import type { AuthKitEmulator } from 'authkit-emulator';
import type { SessionCookieData, WorkOS } from '@workos-inc/node';
import { randomBytes } from 'node:crypto';
import { COOKIE_PASSWORD } from './config';
import { ALICE } from './config';

/** The cookie the reauth app reads its session from (the library's default name). */
export const SESSION_COOKIE = 'wos-session';

/**
 * Signatures or seals in flight at once. The emulator signs through WebCrypto, whose work runs on
 * libuv's thread pool: with many in flight a token takes about 0.14 ms here, against 0.3 ms
 * awaited one by one (a seal through the SDK about 0.25 ms), so 100,000 of either take seconds.
 */
const IN_FLIGHT = 64;

/** Calls `make(0)` ... `make(count - 1)`, IN_FLIGHT at a time; the results keep their index. */
async function inParallel<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, worker));
  return results;
}

/**
 * `count` distinct access tokens for ALICE, each of a new emulator session (its own `sid`), all
 * signed in at `authTime`, through the emulator's own `mintAccessToken`: genuine AuthKit-shaped
 * tokens (iss, sub, sid, org_id, role, jti, iat, exp, auth_time) signed with its current key.
 */
export function mintTokens(
  emulator: AuthKitEmulator,
  count: number,
  authTime: number,
  lifetimeSeconds: number,
): Promise<string[]> {
  return inParallel(count, () =>
    emulator.mintAccessToken({ email: ALICE.email, authTime, expiresIn: lifetimeSeconds }),
  );
}

/**
 * The SDK's own sealing, which `authenticateWithCode` and `authenticateWithRefreshToken` use for
 * `sealSession: true`. It is private in the SDK's types (the SDK exports no sealing function), so
 * it is reached through this narrow view and checked at run time.
 */
interface SdkSealing {
  sealSessionDataFromAuthenticationResponse(input: {
    authenticationResponse: Omit<SessionCookieData, 'organizationId'>;
    cookiePassword: string;
  }): Promise<string>;
}

/**
 * Seals sessions in the exact format the app opens (iron `Fe26.2`, WorkOS's `~2` version suffix)
 * with the SDK's own code and the app's cookie password, without a sign-in per cookie: the real
 * sign-in's session is the template, and each cookie gets its own access token and refresh token.
 */
export class CookieSealer {
  private constructor(
    private readonly sealing: SdkSealing,
    private readonly template: SessionCookieData,
  ) {}

  /**
   * Opens a real `wos-session` cookie (`name=value`, from a sign-in through the app) with the
   * SDK, to copy the shape of what a sign-in seals.
   */
  static async fromSignIn(workos: WorkOS, cookie: string): Promise<CookieSealer> {
    const sealed = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
    const template = await workos.userManagement.getSessionFromCookie({
      sessionData: sealed,
      cookiePassword: COOKIE_PASSWORD,
    });
    if (!template?.accessToken || !template.user) {
      throw new Error('the SDK could not open the sign-in cookie with the bench cookie password');
    }
    const sealing = workos.userManagement as unknown as Partial<SdkSealing>;
    if (typeof sealing.sealSessionDataFromAuthenticationResponse !== 'function') {
      throw new Error(
        'this @workos-inc/node has no sealSessionDataFromAuthenticationResponse: cannot seal cookies',
      );
    }
    return new CookieSealer(workos.userManagement as unknown as SdkSealing, template);
  }

  /** One `Cookie` header value whose session holds `accessToken`. */
  async cookie(accessToken: string, password = COOKIE_PASSWORD): Promise<string> {
    // What a sign-in seals (the SDK reads organizationId from the token itself).
    const { user, authenticationMethod, impersonator } = this.template;
    const sealed = await this.sealing.sealSessionDataFromAuthenticationResponse({
      authenticationResponse: {
        user,
        authenticationMethod,
        impersonator,
        accessToken,
        // Opaque and never used: every access token outlives the run, so nothing refreshes.
        refreshToken: randomBytes(32).toString('base64url'),
      },
      cookiePassword: password,
    });
    return `${SESSION_COOKIE}=${encodeURIComponent(sealed)}`;
  }

  /** One cookie per token, in the tokens' order. */
  cookies(accessTokens: readonly string[]): Promise<string[]> {
    return inParallel(accessTokens.length, (i) => this.cookie(accessTokens[i]));
  }
}

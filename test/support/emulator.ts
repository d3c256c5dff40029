import {
  startAuthKitEmulator,
  type AuthKitEmulator,
  type AuthKitEmulatorOptions,
} from 'authkit-emulator';
import { WorkOS } from '@workos-inc/node';
import { TOTP } from 'otpauth';
import { type BrowserResponse, type HttpBrowser } from './http-browser';

export const REDIRECT_URI = 'http://localhost:3000/auth/callback';

/**
 * An emulator on a free port, and a real SDK client pointed at it. Its clock is frozen at the
 * start, so time moves only when a test advances it.
 */
export async function startEmulatorWithSdk(
  options: AuthKitEmulatorOptions = {},
): Promise<{ emulator: AuthKitEmulator; workos: WorkOS }> {
  const frozen = Date.now();
  const emulator = await startAuthKitEmulator({
    port: 0,
    testControls: true,
    now: () => frozen,
    ...options,
  });
  return { emulator, workos: sdkFor(emulator) };
}

/**
 * The module options that point the library at an emulator: its client, its API on the loopback
 * interface, and its clock.
 */
export function emulatorModuleOptions(emulator: AuthKitEmulator) {
  return {
    apiKey: emulator.apiKey,
    clientId: emulator.clientId,
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    now: () => emulator.now() * 1000,
  };
}

/** A real SDK client pointed at an emulator. */
export function sdkFor(emulator: AuthKitEmulator): WorkOS {
  return new WorkOS(emulator.apiKey, {
    apiHostname: '127.0.0.1',
    port: emulator.port,
    https: false,
    clientId: emulator.clientId,
  });
}

export interface Credentials {
  email: string;
  password?: string;
  totpSecret?: string;
}

/** The current TOTP code for a secret at the emulator's time. */
export function totpAt(secret: string, nowSeconds: number): string {
  return new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: nowSeconds * 1000,
  });
}

/**
 * Goes through the hosted pages that `authorizationUrl` leads to, as a person would, and
 * returns the redirect to the app's callback (with `code` and `state`, or an `error`).
 */
export async function signInThroughPages(
  browser: HttpBrowser,
  authorizationUrl: string,
  credentials: Credentials,
  emulator: AuthKitEmulator,
  redirectUri = REDIRECT_URI,
): Promise<URL> {
  const atCallback = (url: string) => url.startsWith(redirectUri);
  let page: BrowserResponse = await browser.follow(authorizationUrl, atCallback);
  if (!page.location) {
    page = await browser.submit(page, '/email', { email: credentials.email });
    if (page.text.includes('/authorize/sso')) {
      page = await browser.submit(page, '/sso');
    } else {
      page = await browser.submit(page, '/password', { password: credentials.password ?? '' });
      if (page.text.includes('/authorize/totp')) {
        page = await browser.submit(page, '/totp', {
          code: totpAt(credentials.totpSecret ?? '', emulator.now()),
        });
      }
    }
  }
  if (!page.location || !atCallback(page.location)) {
    throw new Error(
      `sign-in did not reach the callback: ${page.status} ${page.text.slice(0, 300)}`,
    );
  }
  return new URL(page.location);
}

/**
 * A six-digit code that the emulator refuses for `secret` at `nowSeconds`: it accepts the code of
 * the current 30-second period and of one period either side.
 */
export function wrongTotpAt(secret: string, nowSeconds: number): string {
  const accepted = new Set([-30, 0, 30].map((offset) => totpAt(secret, nowSeconds + offset)));
  for (let hours = 1; ; hours++) {
    const code = totpAt(secret, nowSeconds + hours * 3600);
    if (!accepted.has(code)) return code;
  }
}

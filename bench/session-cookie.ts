import type { AuthKitEmulator } from 'authkit-emulator';
import { sdkFor, signInThroughPages } from '../test/support/emulator';
import { HttpBrowser } from '../test/support/http-browser';
import { startApp } from './app-process';
import { ALICE, ROUTE, type AppConfig } from './config';
import { CookieSealer } from './curves-credentials';
import type { CredentialSource } from './scenarios';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

/**
 * A real `wos-session` cookie (`name=value`), as a browser gets it: through the app's
 * `/auth/login`, the emulator's hosted pages and the app's callback, as the e2e tests do.
 */
export async function signInForSessionCookie(
  appUrl: string,
  emulator: AuthKitEmulator,
  redirectUri: string,
): Promise<string> {
  const browser = new HttpBrowser();
  const login = await browser.get(
    `${appUrl}/auth/login?returnTo=${encodeURIComponent(ROUTE)}`,
    HTML,
  );
  if (!login.location) throw new Error(`/auth/login answered ${login.status}, not a redirect`);
  const callback = await signInThroughPages(browser, login.location, ALICE, emulator, redirectUri);
  const done = await browser.get(callback.href, HTML);
  const cookie = done.headers.getSetCookie().find((c) => c.startsWith('wos-session='));
  if (!cookie) throw new Error(`the callback answered ${done.status} without a wos-session cookie`);
  return cookie.split(';')[0];
}

/**
 * A `wos-session` cookie from a real sign-in through a `reauth` app started for it (and stopped
 * after): every app with the bench's cookie password opens it. The emulator must issue access
 * tokens that outlive the run, or the cookie's token expires and each request refreshes it.
 */
export async function signInOnce(
  config: Omit<AppConfig, 'kind' | 'platform'>,
  emulator: AuthKitEmulator,
): Promise<string> {
  const app = await startApp({ ...config, kind: 'reauth', platform: 'express' });
  try {
    return await signInForSessionCookie(app.url, emulator, config.redirectUri);
  } finally {
    await app.stop();
  }
}

/**
 * The scenarios' credentials on the bench's emulator: tokens minted when asked (`lifetimeSeconds`
 * long), sessions signed in through the running app, and one sign-in now for the apps that never
 * open the cookie.
 */
export async function credentialSource(
  config: Omit<AppConfig, 'kind' | 'platform'>,
  emulator: AuthKitEmulator,
  lifetimeSeconds: number,
  staleSeconds: number,
): Promise<CredentialSource> {
  const mint = (authTime: number) =>
    emulator.mintAccessToken({ email: ALICE.email, authTime, expiresIn: lifetimeSeconds });
  const cookie = await signInOnce(config, emulator);
  // Sealed sessions in the shape of that sign-in's, each with its own token and session (sid).
  const sealer = await CookieSealer.fromSignIn(sdkFor(emulator), cookie);
  return {
    fresh: () => mint(emulator.now()),
    stale: () => mint(emulator.now() - staleSeconds),
    session: (appUrl) => signInForSessionCookie(appUrl, emulator, config.redirectUri),
    freshSession: async () => sealer.cookie(await mint(emulator.now())),
    staleSession: async () => sealer.cookie(await mint(emulator.now() - staleSeconds)),
    staleToken: await mint(emulator.now() - staleSeconds),
    cookie,
  };
}

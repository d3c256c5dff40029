import type { AuthKitEmulator } from 'authkit-emulator';
import { signInThroughPages, type Credentials } from '../test/support/emulator';
import { HttpBrowser } from '../test/support/http-browser';
import { ROUTE } from './config';

export const ALICE: Credentials = { email: 'alice@example.com', password: 'alice-password' };

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

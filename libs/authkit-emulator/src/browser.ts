import { parse as parseCookies } from 'cookie';
import { type Request, type Response } from 'express';
import * as pages from './pages';

/** The emulator's own browser-session cookie, on its own origin. */
export const BROWSER_COOKIE = 'authkit_emulator_session';

/** Sends one of the hosted pages: never cached, never framed, no scripts. */
export function sendPage(res: Response, status: number, html: string): void {
  res
    .status(status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
    })
    .send(html);
}

export function sendErrorPage(res: Response, status: number, code: string, message: string): void {
  sendPage(res, status, pages.errorPage('Sign-in could not start', message, code));
}

/** `redirect_uri` with the given parameters added, as OAuth sends authorization responses. */
export function callbackUrl(
  redirectUri: string,
  params: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.href;
}

/** The emulator's browser session the request's cookie names, if it has one. */
export function browserCookie(req: Request): string | undefined {
  return parseCookies(req.headers.cookie ?? '')[BROWSER_COOKIE];
}

import { parse as parseCookies, serialize } from 'cookie';
import type { SessionCookieSettings } from '../options/reauth-settings';

type CookieAttributes = SessionCookieSettings['cookie'];

// Browsers cap a cookie at about 4 KB; anything much larger is not ours.
const MAX_COOKIE_LENGTH = 8192;

/** The raw value of the cookie `name` in a `Cookie` header, if it has one of a plausible size. */
export function readSessionCookie(
  header: string | string[] | undefined,
  name: string,
): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  const value = parseCookies(header)[name];
  return value && value.length <= MAX_COOKIE_LENGTH ? value : undefined;
}

/** `Set-Cookie` value that stores a sealed session. */
export function sessionSetCookie(cookie: CookieAttributes, sealedSession: string): string {
  return setCookie(cookie, sealedSession, cookie.maxAgeSeconds);
}

/** `Set-Cookie` value that removes the session. */
export function clearingSetCookie(cookie: CookieAttributes): string {
  return setCookie(cookie, '', 0);
}

function setCookie(cookie: CookieAttributes, value: string, maxAge: number): string {
  return serialize(cookie.name, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: cookie.secure,
    domain: cookie.domain,
    path: '/',
    maxAge,
  });
}

import { Injectable } from '@nestjs/common';
import { parse as parseCookies, serialize } from 'cookie';
import { constantTimeEqual, sha256Base64url } from '../crypto/digest';
import { STATE_TTL_SECONDS } from '../core';
import { randomToken } from '../crypto/random';
import type { ReauthRequest } from '../interfaces';
import { HOST_COOKIE_PREFIX } from '../options/reauth.options';
import { SessionCookieSettings } from '../options/reauth-settings';

/** The binding cookie's name without the `__Host-` prefix it gets when cookies are Secure. */
export const STATE_BINDING_COOKIE = 'wos-reauth';

const BINDING_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** A browser's binding: the value its cookie holds, the hash a state seals, the cookie to set. */
export interface StateBinding {
  hash: string;
  setCookie: string;
}

/**
 * Binds re-authentication states to the browser that started them. One HttpOnly cookie per
 * browser holds a random value; every state sealed for that browser carries the value's SHA-256,
 * and the callback accepts a state only from a browser whose cookie hashes to it. The cookie is
 * reused by every flow the browser starts (each state stays single-use through the store), so
 * any number of refusals adds one cookie, never one each. When cookies are Secure it is named
 * `__Host-wos-reauth`: no other host, and no plain-HTTP page, can plant one.
 */
@Injectable()
export class StateBindings {
  private readonly name: string;
  /** The cookie's attributes, serialised once: only the value changes from one refusal to the next. */
  private readonly attributes: string;

  constructor(options: SessionCookieSettings) {
    this.name = (options.cookie.secure ? HOST_COOKIE_PREFIX : '') + STATE_BINDING_COOKIE;
    const sample = 'x'.repeat(43);
    const cookie = serialize(this.name, sample, {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.cookie.secure,
      // Sent with every request (as a __Host- cookie must be), so that a refusal can reuse it.
      path: '/',
      maxAge: STATE_TTL_SECONDS,
    });
    this.attributes = cookie.slice(`${this.name}=${sample}`.length);
  }

  /** The browser's binding, reusing the value its cookie already holds (renewed for 10 minutes). */
  bind(request: ReauthRequest): StateBinding {
    // Either way a value of BINDING_VALUE's alphabet, which a cookie carries as it is.
    const value = this.read(request) ?? randomToken(32);
    return { hash: sha256(value), setCookie: `${this.name}=${value}${this.attributes}` };
  }

  /** Whether the request comes from the browser a state with binding hash `hash` was sealed for. */
  isBound(request: ReauthRequest, hash: string | undefined): boolean {
    const value = this.read(request);
    if (value === undefined || hash === undefined) return false;
    const expected = Buffer.from(hash);
    const actual = Buffer.from(sha256(value));
    return constantTimeEqual(actual, expected);
  }

  /**
   * The `state` of a sign-out's end-session request (OpenID Connect RP-Initiated Logout), bound
   * to this browser the same way: derived from its binding cookie's value, for a purpose of its
   * own, so it tells nothing of the value nor of a sign-in state's binding.
   */
  signOutState(request: ReauthRequest): StateBinding {
    const value = this.read(request) ?? randomToken(32);
    return {
      hash: sha256(`sign-out.${value}`),
      setCookie: `${this.name}=${value}${this.attributes}`,
    };
  }

  /** Whether `state` is the sign-out state of this browser (see {@link signOutState}). */
  isSignOutReturn(request: ReauthRequest, state: unknown): boolean {
    const value = this.read(request);
    if (value === undefined || typeof state !== 'string' || state.length !== 43) return false;
    return constantTimeEqual(Buffer.from(sha256(`sign-out.${value}`)), Buffer.from(state));
  }

  private read(request: ReauthRequest): string | undefined {
    const header = request.headers.cookie;
    if (typeof header !== 'string') return undefined;
    const value = parseCookies(header)[this.name];
    return value !== undefined && BINDING_VALUE.test(value) ? value : undefined;
  }
}

function sha256(value: string): string {
  return sha256Base64url(value);
}

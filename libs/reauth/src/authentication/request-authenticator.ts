import { Injectable } from '@nestjs/common';
import type { User } from '@workos-inc/node';
import type { AccessTokenClaims, Authentication, ReauthRequest } from '../interfaces';
import type { ProviderSession } from '../providers/identity-provider';
import { TokenSourceSettings } from '../options/reauth-settings';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';
import { deepFreeze } from '../core/deep-freeze';
import { revocationKeyOf } from '../core/session-claims';
import { SessionCookieService } from './session-cookie.service';
import { SessionRevocations } from './session-revocations';

/**
 * Who the caller is, as far as the token says:
 * - `authenticated`: a verified token of a session that was not ended (`setCookie` carries a
 *   refreshed session to send back);
 * - `anonymous`: no credentials, or a session that has ended (`setCookie` then clears it);
 * - `invalid`: a Bearer or custom token that fails verification, or whose session has ended.
 */
export type AuthenticationResult =
  | { status: 'authenticated'; authentication: Authentication; setCookie?: string }
  | { status: 'anonymous'; setCookie?: string; renewable?: true }
  | { status: 'invalid' };

/** How to authenticate; see {@link RequestAuthenticator.authenticate}. */
export interface AuthenticateOptions {
  /**
   * Whether an expired cookie session may be refreshed (default `true`). A caller that cannot
   * send the refreshed cookie back (a WebSocket message) must not spend the browser's
   * single-use refresh token: it gets `anonymous` with `renewable` instead.
   */
  refresh?: boolean;
}

/**
 * The token of an `Authorization: Bearer <token>` header (spaces around it allowed), without a
 * regular expression over the whole token on every request: the token is checked in full by the
 * verifier, byte for byte against a verified one or as a compact JWS.
 */
function bearerToken(header: string): string | undefined {
  let start = 6; // after "Bearer", matched case-insensitively by the caller
  if (header.charCodeAt(start) !== 0x20) return undefined;
  while (header.charCodeAt(start) === 0x20) start += 1;
  let end = header.length;
  while (end > start && header.charCodeAt(end - 1) === 0x20) end -= 1;
  // A token with other whitespace inside matches no verified token and is no compact JWS.
  return end === start ? undefined : header.slice(start, end);
}

/**
 * Finds and verifies the caller's access token: a custom extractor, the `Authorization: Bearer`
 * header, or the sealed session cookie, in that order, and refuses tokens of sessions that were
 * ended (signed out). An expired token in the cookie is refreshed through the SDK. Rejects with
 * `ReauthUnavailableException` when a dependency (the JWKS, WorkOS, the store) fails.
 */
/** The session cookie an authentication of each request refreshed, kept as long as the request. */
const refreshedCookies = new WeakMap<object, string>();

/**
 * The `Set-Cookie` of the session that authenticating `request` refreshed, if it was: the
 * request's own cookie holds the spent one, so whatever reads the session later in the same
 * request (its access token, say) reads this one.
 */
export function refreshedSessionCookieOf(request: object): string | undefined {
  return refreshedCookies.get(request);
}

@Injectable()
export class RequestAuthenticator {
  constructor(
    private readonly options: TokenSourceSettings,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
    private readonly revocations: SessionRevocations,
  ) {}

  async authenticate(
    request: ReauthRequest,
    { refresh = true }: AuthenticateOptions = {},
  ): Promise<AuthenticationResult> {
    const custom = this.options.tokenExtractor?.(request);
    if (custom !== undefined) return this.fromToken(custom, 'custom');

    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer\b/i.test(header)) {
      const token = bearerToken(header);
      return token === undefined ? { status: 'invalid' } : this.fromToken(token, 'bearer');
    }

    const sealed = this.sessions.read(request);
    if (sealed === undefined) return { status: 'anonymous' };
    const result = await this.fromCookie(sealed, refresh);
    if (result.status === 'authenticated' && result.setCookie) {
      refreshedCookies.set(request, result.setCookie);
    }
    return result;
  }

  /**
   * Where {@link authenticate} would take the request's credential from, without verifying it:
   * `'bearer'` only for an `Authorization: Bearer` header (or a socket's `auth.token`) that no
   * custom extractor overrides. A WebSocket handshake from another site is refused before this
   * is read any further, unless its caller's own code attached a bearer token.
   */
  credentialSource(request: ReauthRequest): 'custom' | 'bearer' | 'cookie' | undefined {
    if (this.options.tokenExtractor?.(request) !== undefined) return 'custom';
    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer\b/i.test(header)) return 'bearer';
    return this.sessions.read(request) === undefined ? undefined : 'cookie';
  }

  private async fromToken(
    token: string,
    source: Authentication['source'],
  ): Promise<AuthenticationResult> {
    const verified = await this.verifiedOrFailure(token);
    const claims = verified instanceof InvalidAccessTokenError ? undefined : verified;
    // A token the store cannot vouch for (issued before it lost its data) cannot be refreshed
    // here to prove its session is still alive: its client gets a new one.
    if (!claims || (await this.revocations.status(revocationKeyOf(claims), claims)) !== 'live') {
      return { status: 'invalid' };
    }
    const sessionId = typeof claims.sid === 'string' ? claims.sid : undefined;
    return { status: 'authenticated', authentication: { claims, source, sessionId } };
  }

  private async fromCookie(sealed: string, refresh: boolean): Promise<AuthenticationResult> {
    const signedOut = { status: 'anonymous', setCookie: this.sessions.clear() } as const;
    const contents = await this.sessions.unseal(sealed);
    if (!contents) return signedOut;
    // Expired is the everyday case; a key rotated away after the grace period looks like any
    // other bad signature, and a refresh (which issues a token under the new key) settles both.
    const verified = await this.verifiedOrFailure(contents.accessToken);
    const claims = verified instanceof InvalidAccessTokenError ? undefined : verified;
    if (claims) {
      const status = await this.revocations.status(
        revocationKeyOf(claims, contents.sessionId),
        claims,
      );
      if (status === 'revoked') return signedOut;
      if (status === 'live') {
        return { status: 'authenticated', authentication: cookieAuthentication(claims, contents) };
      }
      // Unvouched: only a refresh (which a session ended at the provider cannot pass) tells.
    }
    if (!refresh) return { status: 'anonymous', renewable: true };
    const failure = verified instanceof InvalidAccessTokenError ? verified : undefined;
    if (await this.sessions.stillUnverifiable(sealed, failure)) {
      // A refresh would fail the same way, spending a refresh token each time.
      throw new ReauthUnavailableException('jwks', { cause: failure });
    }
    const refreshed = await this.sessions.refresh(sealed, contents);
    if (refreshed.status === 'ended') return signedOut;
    const setCookie = this.sessions.serialize(refreshed.sealedSession);
    const session = refreshed.session;
    let fresh: AccessTokenClaims;
    try {
      fresh = await this.verifier.verify(session.accessToken, { fromProvider: true });
      if (await this.sessions.isRevoked(revocationKeyOf(fresh, session.sessionId), fresh)) {
        return signedOut;
      }
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) {
        await this.sessions.refusedRefreshed(sealed, refreshed.sealedSession, error);
      }
      throw keepingRefreshedSession(error, setCookie);
    }
    return {
      status: 'authenticated',
      authentication: cookieAuthentication(fresh, {
        ...session,
        user: session.user ?? contents.user,
      }),
      setCookie,
    };
  }

  /** The verified claims, or why the token fails verification; dependency failures throw. */
  private async verifiedOrFailure(
    token: string,
  ): Promise<AccessTokenClaims | InvalidAccessTokenError> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) return error;
      throw error;
    }
  }
}

/**
 * The refresh spent the old refresh token: whatever fails after it, the browser must get the new
 * session with the 503, or its next try has nothing to refresh with. A token the provider just
 * issued that does not verify is our problem (keys not fetched yet, a rotation), not the user's.
 */
function keepingRefreshedSession(error: unknown, setCookie: string): unknown {
  if (error instanceof InvalidAccessTokenError) {
    return new ReauthUnavailableException('jwks', { cause: error, setCookie });
  }
  if (error instanceof ReauthUnavailableException) {
    return new ReauthUnavailableException(error.dependency, { cause: error.cause, setCookie });
  }
  return error;
}

/** Merged claims by the verified claims they were made from: one object per token. */
const merged = new WeakMap<AccessTokenClaims, AccessTokenClaims>();

/**
 * A cookie session's caller. Access tokens that do not say when or how the user signed in get
 * `auth_time`, `acr` and `amr` from the sign-in's ID token (validated at the code exchange and
 * sealed in the cookie since), when they describe the same sign-in; what the access token
 * carries always wins.
 */
export function cookieAuthentication(
  claims: AccessTokenClaims,
  session: ProviderSession,
): Authentication {
  const signIn = session.signIn;
  let effective = claims;
  // Only facts of the same sign-in are merged: an access token that names its own auth_time
  // (a later sign-in, say) never borrows the acr or amr of the one the ID token describes.
  const sameSignIn =
    signIn !== undefined &&
    (claims.auth_time === undefined || claims.auth_time === signIn.authTime);
  if (
    sameSignIn &&
    ((claims.auth_time === undefined && signIn.authTime !== undefined) ||
      (claims.acr === undefined && signIn.acr !== undefined) ||
      (claims.amr === undefined && signIn.amr !== undefined))
  ) {
    effective =
      merged.get(claims) ??
      deepFreeze({
        ...claims,
        auth_time: claims.auth_time ?? signIn.authTime,
        acr: claims.acr ?? signIn.acr,
        amr: claims.amr ?? (signIn.amr && [...signIn.amr]),
      });
    merged.set(claims, effective);
  }
  const sid = typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
  return {
    claims: effective,
    source: 'cookie',
    sessionId: sid ?? session.sessionId,
    user: session.user as User | undefined,
    ...(session.signInMethod === undefined ? {} : { signInMethod: session.signInMethod }),
  };
}

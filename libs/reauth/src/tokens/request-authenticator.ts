import { Inject, Injectable } from '@nestjs/common';
import type { Authentication, ReauthRequest } from '../interfaces';
import { REAUTH_RESOLVED_OPTIONS } from '../reauth.constants';
import { type ResolvedReauthOptions } from '../reauth.options';
import { AccessTokenVerifier, InvalidAccessTokenError } from './access-token.verifier';
import { SessionCookieService } from './session-cookie.service';

/**
 * Who the caller is, as far as the token says:
 * - `authenticated`: a verified token (`setCookie` carries a refreshed session to send back);
 * - `anonymous`: no credentials, or a session that has ended (`setCookie` then clears it);
 * - `invalid`: a Bearer or custom token that fails verification.
 */
export type AuthenticationResult =
  | { status: 'authenticated'; authentication: Authentication; setCookie?: string }
  | { status: 'anonymous'; setCookie?: string }
  | { status: 'invalid' };

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Finds and verifies the caller's access token: a custom extractor, the `Authorization: Bearer`
 * header, or the sealed session cookie, in that order. An expired token in the cookie is
 * refreshed through the SDK. Rejects with `ReauthUnavailableException` when a dependency fails.
 */
@Injectable()
export class RequestAuthenticator {
  constructor(
    @Inject(REAUTH_RESOLVED_OPTIONS) private readonly options: ResolvedReauthOptions,
    private readonly verifier: AccessTokenVerifier,
    private readonly sessions: SessionCookieService,
  ) {}

  async authenticate(request: ReauthRequest): Promise<AuthenticationResult> {
    const custom = this.options.tokenExtractor?.(request);
    if (custom !== undefined) return this.verifyToken(custom, 'custom');

    const header = request.headers.authorization;
    if (typeof header === 'string' && /^bearer\b/i.test(header)) {
      const match = BEARER.exec(header);
      return match ? this.verifyToken(match[1], 'bearer') : { status: 'invalid' };
    }

    const sealed = this.sessions.read(request);
    return sealed === undefined ? { status: 'anonymous' } : this.fromCookie(sealed);
  }

  private async verifyToken(
    token: string,
    source: Authentication['source'],
  ): Promise<AuthenticationResult> {
    try {
      const claims = await this.verifier.verify(token);
      return { status: 'authenticated', authentication: { claims, source } };
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) return { status: 'invalid' };
      throw error;
    }
  }

  private async fromCookie(sealed: string): Promise<AuthenticationResult> {
    const signedOut = { status: 'anonymous', setCookie: this.sessions.clear() } as const;
    const contents = await this.sessions.unseal(sealed);
    if (!contents) return signedOut;
    try {
      const claims = await this.verifier.verify(contents.accessToken);
      return {
        status: 'authenticated',
        authentication: { claims, source: 'cookie', user: contents.user },
      };
    } catch (error) {
      if (!(error instanceof InvalidAccessTokenError)) throw error;
      // Expired is the everyday case; a key rotated away after the grace period looks like any
      // other bad signature, and a refresh (which issues a token under the new key) settles both.
    }
    const refreshed = await this.sessions.refresh(contents);
    if (refreshed.status === 'ended') return signedOut;
    try {
      const claims = await this.verifier.verify(refreshed.accessToken);
      return {
        status: 'authenticated',
        authentication: { claims, source: 'cookie', user: refreshed.user ?? contents.user },
        setCookie: this.sessions.serialize(refreshed.sealedSession),
      };
    } catch (error) {
      if (error instanceof InvalidAccessTokenError) return signedOut;
      throw error;
    }
  }
}

import { OauthException } from '@workos-inc/node';
import { decodeJwtPayload } from '../../crypto/jwt-payload';
import type { WorkOSClient } from '../../interfaces';
import { ReauthUnavailableException } from '../../exceptions/reauth-unavailable.exception';
import {
  IdentityProvider,
  ProviderRejectedError,
  type AuthorizationRequest,
  type CodeRedemption,
  type IssuedSession,
  type PasswordConfirmation,
  type PasswordConfirmer,
  type ProviderSession,
  type TokenVerificationSettings,
} from '../identity-provider';
import { NOT_OPENED, openWorkOSSeal } from '../workos-seal';
import { WorkOSPasswordCheck } from './workos-password';

/** 4xx answers that say nothing about the user's grant: a bad API key, a rate limit, a timeout. */
const NOT_THE_USERS_DOING = new Set([401, 408, 429]);

/** The authorization URL's parameters that differ from one request to the next. */
const PER_REQUEST_PARAMETERS = [
  'state',
  'code_challenge',
  'code_challenge_method',
  'max_age',
  'login_hint',
  'acr_values',
];

/** What the WorkOS provider needs, checked by the options. */
export interface WorkOSProviderSettings {
  workos: WorkOSClient;
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  issuers: readonly string[];
  audience?: readonly string[];
}

/**
 * WorkOS AuthKit through `@workos-inc/node`: the SDK builds the authorization URL, exchanges codes
 * and refresh tokens, and seals the session cookie in the format WorkOS's own SDKs read and write.
 * Access tokens are RS256, always carry `sid`, and are verified against the SDK's JWKS URL. It
 * checks passwords in the page with AuthKit's password authentication (see
 * {@link PasswordConfirmer}).
 */
export class WorkOSIdentityProvider extends IdentityProvider implements PasswordConfirmer {
  readonly dependency = 'workos' as const;
  readonly revocationScope = 'session' as const;
  private readonly settings: TokenVerificationSettings;
  private readonly passwords: WorkOSPasswordCheck;
  private authorizationBase?: string;

  constructor(private readonly config: WorkOSProviderSettings) {
    super();
    this.passwords = new WorkOSPasswordCheck(config.workos, config.clientId);
    this.settings = Object.freeze({
      jwksUrl: config.workos.userManagement.getJwksUrl(config.clientId),
      issuers: config.issuers,
      algorithms: ['RS256'],
      audience: config.audience,
      requireSid: true,
    });
  }

  describe(): string {
    return `WorkOS AuthKit, issuers ${this.config.issuers.join(', ')}`;
  }

  verification(): Promise<TokenVerificationSettings> {
    return Promise.resolve(this.settings);
  }

  authorizationUrl(request: AuthorizationRequest): Promise<string> {
    // `boundAction` is not sent: AuthKit has no Rich Authorization Requests (RFC 9396).
    // What changes per request is appended to what does not, which the SDK built once: every
    // refusal builds one of these, and parsing and re-serialising a URL each time is most of it.
    this.authorizationBase ??= this.staticAuthorizationUrl();
    let url =
      `${this.authorizationBase}&state=${encodeURIComponent(request.state)}` +
      `&code_challenge=${encodeURIComponent(request.codeChallenge)}`;
    if (request.maxAge !== undefined) url += `&max_age=${request.maxAge}`;
    if (request.loginHint !== undefined) {
      url += `&login_hint=${encodeURIComponent(request.loginHint)}`;
    }
    // AuthKit issues no `acr`; the request still says what was asked, for the record and for a
    // deployment that puts a proxy in front, and the callback refuses what does not satisfy it.
    if (request.acrValues?.length) {
      url += `&acr_values=${encodeURIComponent(request.acrValues.join(' '))}`;
    }
    return Promise.resolve(url);
  }

  /**
   * The SDK's authorization URL without the parameters that change per request (`state`, PKCE's
   * challenge, `max_age`, `login_hint`, `acr_values`), with `code_challenge_method=S256` (which
   * SDKs before 10.6 leave out, as they drop `max_age`).
   */
  private staticAuthorizationUrl(): string {
    const url = new URL(
      this.config.workos.userManagement.getAuthorizationUrl({
        provider: 'authkit',
        clientId: this.config.clientId,
        redirectUri: this.config.redirectUri,
        state: 'state',
        codeChallenge: 'challenge',
        codeChallengeMethod: 'S256',
      }),
    );
    for (const name of PER_REQUEST_PARAMETERS) url.searchParams.delete(name);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.href;
  }

  /** AuthKit sends no `iss` with its responses: there is nothing to tell them apart by. */
  isOwnResponse(): Promise<boolean> {
    return Promise.resolve(true);
  }

  async redeemCode(redemption: CodeRedemption): Promise<IssuedSession> {
    try {
      const result = await this.config.workos.userManagement.authenticateWithCode({
        clientId: this.config.clientId,
        code: redemption.code,
        codeVerifier: redemption.codeVerifier,
        session: { sealSession: true, cookiePassword: this.config.cookiePassword },
      });
      return issued(result);
    } catch (error) {
      throw this.translate(error, false);
    }
  }

  async refresh(session: ProviderSession): Promise<IssuedSession> {
    if (typeof session.refreshToken !== 'string' || session.refreshToken === '') {
      throw new ProviderRejectedError('invalid_grant');
    }
    try {
      const result = await this.config.workos.userManagement.authenticateWithRefreshToken({
        clientId: this.config.clientId,
        refreshToken: session.refreshToken,
        session: { sealSession: true, cookiePassword: this.config.cookiePassword },
      });
      return issued(result);
    } catch (error) {
      throw this.translate(error, true);
    }
  }

  /**
   * Opens the session cookie. The shape the SDK writes is opened here with `node:crypto` (the
   * same steps as the SDK's, several times faster); any other shape is left to the SDK's
   * `getSessionFromCookie`.
   */
  async unseal(sealed: string): Promise<ProviderSession | undefined> {
    let contents = openWorkOSSeal(sealed, this.config.cookiePassword);
    if (contents === NOT_OPENED) {
      try {
        contents = await this.config.workos.userManagement.getSessionFromCookie({
          sessionData: sealed,
          cookiePassword: this.config.cookiePassword,
        });
      } catch {
        return undefined;
      }
    }
    const session = contents as Partial<ProviderSession> | undefined;
    if (!session || typeof session.accessToken !== 'string') return undefined;
    const method = (contents as { authenticationMethod?: unknown }).authenticationMethod;
    return {
      accessToken: session.accessToken,
      refreshToken: typeof session.refreshToken === 'string' ? session.refreshToken : undefined,
      user: session.user,
      sessionId: sessionIdOf(session.accessToken),
      signInMethod: signInMethodOf(method),
    };
  }

  async revoke(session: { sessionId?: string }): Promise<boolean> {
    if (session.sessionId === undefined) return false;
    try {
      await this.config.workos.userManagement.revokeSession({ sessionId: session.sessionId });
      return true;
    } catch {
      return false;
    }
  }

  confirmPassword(input: {
    email: string;
    password: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation> {
    return this.passwords.confirmPassword(input);
  }

  confirmCode(input: {
    pending: string;
    code: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation> {
    return this.passwords.confirmCode(input);
  }

  emailOf(userId: string): Promise<string | undefined> {
    return this.passwords.emailOf(userId);
  }

  logoutUrl(session: { sessionId?: string }, returnTo: string): Promise<string> {
    return Promise.resolve(
      session.sessionId === undefined
        ? returnTo
        : this.config.workos.userManagement.getLogoutUrl({
            sessionId: session.sessionId,
            returnTo,
          }),
    );
  }

  /**
   * A 4xx OAuth answer is the provider's refusal (a used code, a spent or revoked refresh token);
   * so is any other 4xx to a refresh (`sso_required`...), except a bad API key, a rate limit or a
   * timeout, which are not the user's doing. Everything else is the provider being unavailable.
   * The SDK reports its own timeout as a 408: a refresh that timed out must never end a session.
   */
  private translate(error: unknown, refreshing: boolean): Error {
    if (error instanceof ReauthUnavailableException) return error;
    const status =
      error instanceof OauthException ? error.status : (error as { status?: unknown })?.status;
    const oauth = error instanceof OauthException;
    const refused =
      typeof status === 'number' &&
      status >= 400 &&
      status < 500 &&
      !NOT_THE_USERS_DOING.has(status) &&
      (refreshing || oauth);
    if (refused) return new ProviderRejectedError(oauthCode(error), { cause: error });
    return new ReauthUnavailableException('workos', { cause: error });
  }
}

function issued(result: {
  accessToken: string;
  refreshToken?: string;
  sealedSession?: string;
  user?: unknown;
  authenticationMethod?: unknown;
}): IssuedSession {
  if (typeof result.sealedSession !== 'string') {
    throw new ReauthUnavailableException('workos', {
      cause: new Error('the SDK returned no sealed session'),
    });
  }
  return {
    sealed: result.sealedSession,
    accessToken: result.accessToken,
    refreshToken: result.refreshToken,
    user: result.user,
    sessionId: sessionIdOf(result.accessToken),
    signInMethod: signInMethodOf(result.authenticationMethod),
  };
}

/** AuthKit's `authenticationMethod`, when it is a plausible one (a short name). */
function signInMethodOf(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z]{1,40}$/.test(value) ? value : undefined;
}

/** The `sid` of a token whose seal (or TLS channel) vouches for it, read without verifying. */
function sessionIdOf(accessToken: string): string | undefined {
  try {
    const { sid } = decodeJwtPayload(accessToken);
    return typeof sid === 'string' && sid !== '' ? sid : undefined;
  } catch {
    return undefined;
  }
}

function oauthCode(error: unknown): string {
  const code = (error as { error?: unknown; code?: unknown } | null)?.error;
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'invalid_grant';
}

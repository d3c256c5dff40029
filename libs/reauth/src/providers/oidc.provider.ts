import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type * as OAuth from 'oauth4webapi';
import { describeError } from '../core/describe-error';
import { ReauthUnavailableException } from '../exceptions/reauth-unavailable.exception';
import { backoffDelayMs } from '../authentication/jwks-key-set';
import {
  IdentityProvider,
  ProviderRejectedError,
  type AuthorizationRequest,
  type CodeRedemption,
  type IssuedSession,
  type ProviderSession,
  type SignInFacts,
  type TokenVerificationSettings,
} from './identity-provider';
import {
  authTimeParameters,
  OFFLINE_ACCESS,
  signInPrompt,
  signInScope,
  type ConsentPrompt,
} from './oidc-sign-in';
import { openSession, sealSession, SessionTooLargeError } from './session-seal';

/** The JWS algorithms an OpenID Provider's access tokens may use: asymmetric only. */
export const OIDC_ALGORITHMS = Object.freeze(['RS256', 'PS256', 'ES256', 'EdDSA'] as const);

/** What the OpenID Connect provider needs, checked by the options. */
export interface OidcProviderSettings {
  issuer: string;
  /** `oidc.issuer` exactly as the options gave it, for the start-up log. */
  configuredIssuer: string;
  clientId: string;
  clientSecret?: string;
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post' | 'none';
  redirectUri: string;
  cookiePassword: string;
  scope: readonly string[];
  /** The scope is the default one: its `offline_access` goes where discovery does not list it. */
  defaultScope: boolean;
  /** When sign-ins send `prompt=consent` (`auto` already resolved for the issuer). */
  consentPrompt: ConsentPrompt;
  audience?: readonly string[];
  algorithms: readonly string[];
  /** See `TokenVerificationSettings.accessTokenType`. */
  accessTokenType: 'at+jwt' | 'auto' | 'any';
  authorizationParams: Readonly<Record<string, string>>;
  clockToleranceSeconds: number;
  nowMs: () => number;
  discoveryTimeoutMs: number;
  /** How long a sealed session opens: the cookie's lifetime. */
  sessionLifetimeSeconds: number;
}

const DISCOVERY_MAX_AGE_MS = 60 * 60_000;
const DISCOVERY_BACKOFF = { backoffMs: 1_000, maxBackoffMs: 30_000 };
const REQUIRED_METADATA = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

/** oauth4webapi is ES modules only: loaded on first use, so WorkOS apps never load it. */
let oauthModule: typeof OAuth | undefined;
function oauth(): typeof OAuth {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  oauthModule ??= require('oauth4webapi') as typeof OAuth;
  return oauthModule;
}

/**
 * Any OpenID Provider, found by discovery from its issuer: the authorization code flow with PKCE
 * (S256), `nonce` and RFC 9207 `iss` checked, `redirect_uri` at the token endpoint, and the ID
 * token validated as OpenID Connect Core §3.1.3.7 requires; the HTTP and the checks are
 * oauth4webapi's. Every sign-in asks for a refresh token (`offline_access`, with `prompt=consent`
 * where the provider needs it) and for `auth_time` in its ID token (the `claims` parameter where
 * the provider supports it, else `max_age`). Sessions live in the library's own sealed cookie (AES-256-GCM under a key
 * derived from `cookiePassword`) holding the access, refresh and ID tokens.
 *
 * Discovery happens on first use and is cached for an hour; while the issuer cannot be reached
 * or serves an incomplete document, requests that need it get 503 (retried with a backoff from
 * 1 s to 30 s) and the log names the issuer and what is wrong.
 */
export class OidcIdentityProvider extends IdentityProvider {
  readonly dependency = 'oidc' as const;
  readonly revocationScope = 'grant' as const;
  private readonly logger = new Logger('ReauthModule');
  private metadata?: { server: OAuth.AuthorizationServer; fetchedAtMs: number };
  private inflight?: Promise<OAuth.AuthorizationServer>;
  private failures = 0;
  private retryAtMs = Number.NEGATIVE_INFINITY;
  private lastFailure?: unknown;
  private warnedOfNoRefreshToken = false;

  constructor(private readonly config: OidcProviderSettings) {
    super();
  }

  describe(): string {
    return `OpenID Connect, issuer ${this.config.configuredIssuer}`;
  }

  async verification(): Promise<TokenVerificationSettings> {
    const server = await this.server();
    return {
      jwksUrl: server.jwks_uri!,
      issuers: [server.issuer],
      algorithms: this.config.algorithms,
      audience: this.config.audience,
      clientId: this.config.audience === undefined ? this.config.clientId : undefined,
      idTokensOf: this.config.clientId,
      accessTokenType: this.config.accessTokenType,
      requireSid: false,
    };
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const server = await this.server();
    const url = new URL(server.authorization_endpoint!);
    const scope = this.scopeFor(server);
    const { claims: appClaims, ...extra } = this.config.authorizationParams;
    const params: Record<string, string> = {
      ...extra,
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      response_type: 'code',
      scope: scope.join(' '),
      state: request.state,
      nonce: request.nonce,
      code_challenge: request.codeChallenge,
      code_challenge_method: 'S256',
      ...authTimeParameters(request.maxAge, server.claims_parameter_supported === true, appClaims),
    };
    if (appClaims !== undefined) params.claims ??= appClaims;
    const prompt = signInPrompt(this.config.consentPrompt, scope, request.maxAge);
    if (prompt !== undefined) params.prompt = prompt;
    if (request.acrValues?.length) params.acr_values = request.acrValues.join(' ');
    if (request.loginHint !== undefined) params.login_hint = request.loginHint;
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  /** The scopes of a sign-in at `server` (see `signInScope`). */
  private scopeFor(server: OAuth.AuthorizationServer): string[] {
    return signInScope(this.config.scope, this.config.defaultScope, server.scopes_supported);
  }

  /**
   * RFC 9207: where the provider advertises `iss` on its responses it must be there and be the
   * issuer; elsewhere an `iss` that is present must still be the issuer.
   */
  async isOwnResponse(callbackQuery: URLSearchParams): Promise<boolean> {
    const server = await this.server();
    const iss = callbackQuery.get('iss');
    if (iss === null) return server.authorization_response_iss_parameter_supported !== true;
    return iss === server.issuer;
  }

  async redeemCode(redemption: CodeRedemption): Promise<IssuedSession> {
    const server = await this.server();
    const o = oauth();
    const client = this.client();
    let response: OAuth.TokenEndpointResponse;
    try {
      // Checks `iss` (RFC 9207) when the provider advertises it, and that this is no error.
      const params = o.validateAuthResponse(
        server,
        client,
        redemption.callbackQuery,
        o.skipStateCheck,
      );
      const answer = await o.authorizationCodeGrantRequest(
        server,
        client,
        this.clientAuth(),
        params,
        this.config.redirectUri,
        redemption.codeVerifier,
        this.httpOptions(),
      );
      response = await o.processAuthorizationCodeResponse(server, client, answer, {
        expectedNonce: redemption.nonce,
        // The callback checks auth_time against max_age itself (with max_age 0's own rule).
        maxAge: o.skipAuthTimeCheck,
        requireIdToken: true,
      });
    } catch (error) {
      throw this.translate(error);
    }
    if (response.refresh_token === undefined) this.warnOfNoRefreshToken(server);
    const idClaims = o.getValidatedIdTokenClaims(response)!;
    const sid = idClaims.sid;
    return this.issue({
      accessToken: response.access_token,
      refreshToken: response.refresh_token,
      idToken: response.id_token,
      signIn: signInFacts(idClaims),
      sessionId:
        typeof sid === 'string' && sid !== '' ? sid : randomBytes(16).toString('base64url'),
    });
  }

  /** Once: a session without a refresh token ends with its first access token. */
  private warnOfNoRefreshToken(server: OAuth.AuthorizationServer): void {
    if (this.warnedOfNoRefreshToken) return;
    this.warnedOfNoRefreshToken = true;
    const asked = this.scopeFor(server).includes(OFFLINE_ACCESS);
    const hint = !asked
      ? 'the sign-in did not ask for offline_access (see oidc.scope)'
      : this.config.consentPrompt === 'never'
        ? 'if the provider grants offline_access only with consent (OpenID Connect Core 11), set oidc.consentPrompt to "offline_access"'
        : 'check that the client may use the refresh_token grant and offline_access at the provider';
    this.logger.warn(
      `The OpenID Provider issued no refresh token: sessions end with their first access token; ${hint}`,
    );
  }

  async refresh(session: ProviderSession): Promise<IssuedSession> {
    if (typeof session.refreshToken !== 'string' || session.refreshToken === '') {
      throw new ProviderRejectedError('invalid_grant');
    }
    const server = await this.server();
    const o = oauth();
    const client = this.client();
    let response: OAuth.TokenEndpointResponse;
    try {
      const answer = await o.refreshTokenGrantRequest(
        server,
        client,
        this.clientAuth(),
        session.refreshToken,
        this.httpOptions(),
      );
      response = await o.processRefreshTokenResponse(server, client, answer);
    } catch (error) {
      throw this.translate(error);
    }
    // A refresh is not an authentication: what the sign-in said about itself carries over.
    return this.issue({
      accessToken: response.access_token,
      refreshToken: response.refresh_token ?? session.refreshToken,
      idToken: response.id_token ?? session.idToken,
      signIn: session.signIn,
      sessionId: session.sessionId,
    });
  }

  unseal(sealed: string): Promise<ProviderSession | undefined> {
    return Promise.resolve(openSession(sealed, this.config.cookiePassword, this.nowSeconds()));
  }

  private nowSeconds(): number {
    return Math.floor(this.config.nowMs() / 1000);
  }

  private seal(session: ProviderSession): string {
    return sealSession(session, this.config.cookiePassword, {
      now: this.nowSeconds(),
      lifetime: this.config.sessionLifetimeSeconds,
    });
  }

  async revoke(session: { refreshToken?: string }): Promise<boolean> {
    if (session.refreshToken === undefined) return false;
    try {
      const server = await this.server();
      if (server.revocation_endpoint === undefined) return false;
      const o = oauth();
      const answer = await o.revocationRequest(
        server,
        this.client(),
        this.clientAuth(),
        session.refreshToken,
        { ...this.httpOptions(), additionalParameters: { token_type_hint: 'refresh_token' } },
      );
      await o.processRevocationResponse(answer);
      return true;
    } catch (error) {
      this.logger.warn(`Revoking a refresh token failed with ${describeError(error)}`);
      return false;
    }
  }

  async logoutUrl(session: { idToken?: string }, returnTo: string): Promise<string> {
    let server: OAuth.AuthorizationServer;
    try {
      server = await this.server();
    } catch {
      return returnTo;
    }
    if (server.end_session_endpoint === undefined) return returnTo;
    const url = new URL(server.end_session_endpoint);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('post_logout_redirect_uri', returnTo);
    if (session.idToken !== undefined) url.searchParams.set('id_token_hint', session.idToken);
    return url.href;
  }

  private issue(session: ProviderSession): IssuedSession {
    try {
      return { ...session, sealed: this.seal(session) };
    } catch (error) {
      if (!(error instanceof SessionTooLargeError)) throw error;
    }
    // Browsers drop cookies over 4 KB without a word. The ID token only serves as the logout's
    // `id_token_hint`, which OpenID Connect makes optional: the session keeps working without it.
    this.logger.warn(
      'The session is too large for a cookie with its ID token; it is kept without it (sign-out sends no id_token_hint)',
    );
    const smaller = { ...session, idToken: undefined };
    try {
      return { ...smaller, sealed: this.seal(smaller) };
    } catch (error) {
      if (!(error instanceof SessionTooLargeError)) throw error;
      // Even the access and refresh tokens alone pass what a browser keeps: a session that
      // cannot be stored is refused as such, never answered with a 503 to retry forever.
      this.logger.error(
        `The provider's tokens are too large for a session cookie (${error.length} characters sealed); ask it for smaller access tokens (fewer claims or groups)`,
      );
      throw new ProviderRejectedError('session_too_large', { cause: error });
    }
  }

  /** The provider's metadata, discovered once (and again after an hour). */
  private server(): Promise<OAuth.AuthorizationServer> {
    const now = this.config.nowMs();
    if (this.metadata && now - this.metadata.fetchedAtMs <= DISCOVERY_MAX_AGE_MS) {
      return Promise.resolve(this.metadata.server);
    }
    if (this.inflight) return this.inflight;
    if (now < this.retryAtMs) {
      // A stale document still serves while a new one cannot be had.
      if (this.metadata) return Promise.resolve(this.metadata.server);
      return Promise.reject(new ReauthUnavailableException('oidc', { cause: this.lastFailure }));
    }
    this.inflight = this.discover().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async discover(): Promise<OAuth.AuthorizationServer> {
    const o = oauth();
    const issuer = new URL(this.config.issuer);
    try {
      const response = await o.discoveryRequest(issuer, {
        ...this.httpOptions(),
        algorithm: 'oidc',
      });
      const server = await o.processDiscoveryResponse(issuer, response);
      const missing = REQUIRED_METADATA.filter((field) => typeof server[field] !== 'string');
      if (missing.length > 0) {
        throw new DiscoveryProblem(`its discovery document has no ${missing.join(', ')}`);
      }
      // Keys are fetched outside oauth4webapi: hold their URL to the same rule as the issuer's.
      if (
        new URL(server.jwks_uri!).protocol !== 'https:' &&
        !this.config.issuer.startsWith('http:')
      ) {
        throw new DiscoveryProblem('its jwks_uri is not https');
      }
      const methods = server.code_challenge_methods_supported;
      if (Array.isArray(methods) && !methods.includes('S256')) {
        throw new DiscoveryProblem('it does not support PKCE with S256');
      }
      this.metadata = { server, fetchedAtMs: this.config.nowMs() };
      this.failures = 0;
      this.retryAtMs = Number.NEGATIVE_INFINITY;
      return server;
    } catch (error) {
      this.failures += 1;
      this.retryAtMs = this.config.nowMs() + backoffDelayMs(this.failures, DISCOVERY_BACKOFF);
      const reason = new Error(
        `OpenID Provider ${this.config.issuer} is not usable: ${discoveryFailure(error)}`,
        { cause: error },
      );
      this.lastFailure = reason;
      this.logger.error(reason.message);
      if (this.metadata) return this.metadata.server;
      throw new ReauthUnavailableException('oidc', { cause: reason });
    }
  }

  private client(): OAuth.Client {
    const o = oauth();
    return {
      client_id: this.config.clientId,
      // oauth4webapi reads the time as Date.now() shifted by this; the library's clock rules.
      [o.clockSkew]: Math.round((this.config.nowMs() - Date.now()) / 1000),
      [o.clockTolerance]: this.config.clockToleranceSeconds,
    };
  }

  private clientAuth(): OAuth.ClientAuth {
    const o = oauth();
    switch (this.config.tokenEndpointAuthMethod) {
      case 'client_secret_post':
        return o.ClientSecretPost(this.config.clientSecret!);
      case 'none':
        return o.None();
      default:
        return o.ClientSecretBasic(this.config.clientSecret!);
    }
  }

  private httpOptions(): { signal: AbortSignal; [OAuth.allowInsecureRequests]?: boolean } {
    const o = oauth();
    const options: { signal: AbortSignal; [OAuth.allowInsecureRequests]?: boolean } = {
      signal: AbortSignal.timeout(this.config.discoveryTimeoutMs),
    };
    // Plain http is accepted only for an issuer on localhost (the options refuse it elsewhere).
    if (this.config.issuer.startsWith('http:')) options[o.allowInsecureRequests] = true;
    return options;
  }

  /**
   * An OAuth error answer (4xx with `error`), a failed check of the response (`iss`, the ID
   * token's `nonce`, signature of a JWT response) or an error in the authorization response is
   * the provider refusing this sign-in; anything else means it cannot be used right now.
   */
  private translate(error: unknown): Error {
    if (error instanceof ReauthUnavailableException || error instanceof ProviderRejectedError) {
      return error;
    }
    const o = oauth();
    if (error instanceof o.ResponseBodyError) {
      return error.status >= 500 || error.status === 429
        ? new ReauthUnavailableException('oidc', { cause: error })
        : new ProviderRejectedError(safeCode(error.error), { cause: error });
    }
    if (error instanceof o.AuthorizationResponseError) {
      return new ProviderRejectedError(safeCode(error.error), { cause: error });
    }
    if (error instanceof o.OperationProcessingError) {
      const code = (error as { code?: unknown }).code;
      if (
        code === o.JWT_CLAIM_COMPARISON ||
        code === o.JWT_TIMESTAMP_CHECK ||
        code === o.INVALID_REQUEST ||
        code === o.INVALID_RESPONSE
      ) {
        return new ProviderRejectedError('invalid_response', { cause: error });
      }
    }
    return new ReauthUnavailableException('oidc', { cause: error });
  }
}

/** What an ID token says about the sign-in, kept only when well-formed. */
function signInFacts(claims: OAuth.IDToken): SignInFacts {
  const facts: { authTime?: number; acr?: string; amr?: readonly string[] } = {};
  if (Number.isSafeInteger(claims.auth_time)) facts.authTime = claims.auth_time;
  if (typeof claims.acr === 'string' && claims.acr !== '') facts.acr = claims.acr;
  const amr: unknown = claims.amr;
  if (Array.isArray(amr) && amr.every((value) => typeof value === 'string')) {
    facts.amr = amr;
  }
  return facts;
}

function safeCode(code: unknown): string {
  return typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? code : 'invalid_request';
}

/** What is wrong with a discovery document the provider did serve; its message is ours. */
class DiscoveryProblem extends Error {}

/** A log line's account of a failed discovery: never more than a status, a class and a code. */
function discoveryFailure(error: unknown): string {
  if (error instanceof DiscoveryProblem) return error.message;
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause instanceof Response) {
    return `its discovery document answered ${cause.status} (${describeError(error)})`;
  }
  return describeError(error);
}

import { Logger } from '@nestjs/common';
import { randomBytes } from '../../crypto/random';
import type * as OAuth from 'oauth4webapi';
import { describeError } from '../../core/describe-error';
import {
  IdentityProvider,
  ProviderRejectedError,
  type AuthorizationRequest,
  type BoundActionRequest,
  type CodeRedemption,
  type IssuedSession,
  type LogoutTokenVerifier,
  type ProviderSession,
  type StepUpCapabilities,
  type StepUpProvider,
  type TokenVerificationSettings,
} from '../identity-provider';
import {
  MAX_RETIRED_REFRESH_TOKENS,
  openSession,
  sealSession,
  SessionTooLargeError,
} from '../session-seal';
import { decodeJwtPayload } from '../../crypto/jwt-payload';
import { shownValue } from '../../core/shown-value';
import { httpOptions, oauth, signInFacts, translateOAuthError } from './oauth';
import {
  authorizesBoundAction,
  boundActionDetails,
  grantedAuthorizationDetails,
  MAX_AUTHORIZATION_DETAILS_BYTES,
} from './oidc-authorization-details';
import {
  verifyLogoutToken as verifyToken,
  type LogoutTokenClaims,
  type SigningKeyLookup,
} from './logout-token';
import { mergeClaimsRequests } from './oidc-claims-request';
import { OidcDiscovery } from './oidc-discovery';
import { authTimeParameters, OFFLINE_ACCESS, signInPrompt, signInScope } from './oidc-sign-in';
import type { OidcProviderSettings } from './oidc-settings';

/**
 * Any OpenID Provider, found by discovery from its issuer: the authorization code flow with PKCE
 * (S256), `nonce` and RFC 9207 `iss` checked, `redirect_uri` at the token endpoint, and the ID
 * token validated as OpenID Connect Core §3.1.3.7 requires; the HTTP and the checks are
 * oauth4webapi's. Every sign-in asks for a refresh token (`offline_access`, with `prompt=consent`
 * where the provider needs it) and for `auth_time` in its ID token (the `claims` parameter where
 * the provider supports it, else `max_age`). Sessions live in the library's own sealed cookie (AES-256-GCM under a key
 * derived from `cookiePassword`) holding the access, refresh and ID tokens.
 * A bound action goes to the provider as RFC 9396 `authorization_details` where discovery lists
 * `oidc.authorizationDetailsType`, and the token response must then say it was authorized.
 * Logout Tokens of OpenID Connect Back-Channel Logout 1.0 are verified for the app's route.
 *
 * Discovery happens on first use and is cached for an hour; while the issuer cannot be reached
 * or serves an incomplete document, requests that need it get 503 (retried with a backoff from
 * 1 s to 30 s) and the log names the issuer and what is wrong.
 */
export class OidcIdentityProvider
  extends IdentityProvider
  implements LogoutTokenVerifier, StepUpProvider
{
  readonly dependency = 'oidc' as const;
  readonly revocationScope = 'grant' as const;
  private readonly logger = new Logger('ReauthModule');
  private readonly discovery: OidcDiscovery;
  private warnedOfNoRefreshToken = false;
  /** `@RequireRecentAuth(0)` asks with `prompt=login` alone (see {@link refusedMaxAgeZero}). */
  private maxAgeZeroRefused: boolean;
  /** The `acr_values` already warned of as missing from discovery. */
  private readonly warnedOfAcrValues = new Set<string>();
  private checkedBackchannelLogoutSupport = false;

  constructor(private readonly config: OidcProviderSettings) {
    super();
    this.discovery = new OidcDiscovery(config);
    this.maxAgeZeroRefused = config.maxAgeZero === 'prompt_login';
  }

  describe(): string {
    return `OpenID Connect, issuer ${this.config.configuredIssuer}`;
  }

  async verification(): Promise<TokenVerificationSettings> {
    const server = await this.discovery.server();
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

  /**
   * Verifies a Logout Token the provider sent (see `verifyLogoutToken` in `logout-token.ts`):
   * from the discovered issuer, for this client, signed with an algorithm of `oidc.algorithms`
   * by a key `keyFor` finds. Once, it logs what discovery does not say: that the provider
   * supports back-channel logout, and with `sid`.
   */
  async verifyLogoutToken(token: string, keyFor: SigningKeyLookup): Promise<LogoutTokenClaims> {
    const server = await this.discovery.server();
    this.checkBackchannelLogoutSupport(server);
    return verifyToken(
      token,
      {
        issuer: server.issuer,
        clientId: this.config.clientId,
        algorithms: this.config.algorithms,
        clockToleranceSeconds: this.config.clockToleranceSeconds,
        nowSeconds: this.nowSeconds(),
      },
      keyFor,
    );
  }

  /** Tokens are verified all the same: a provider may send them without saying so. */
  private checkBackchannelLogoutSupport(server: OAuth.AuthorizationServer): void {
    if (this.checkedBackchannelLogoutSupport) return;
    this.checkedBackchannelLogoutSupport = true;
    if (server.backchannel_logout_supported !== true) {
      this.logger.warn(
        'A Logout Token came from the OpenID Provider, whose discovery does not say backchannel_logout_supported: Logout Tokens are verified all the same',
      );
    } else if (server.backchannel_logout_session_supported !== true) {
      this.logger.warn(
        "The OpenID Provider's discovery does not say backchannel_logout_session_supported: its Logout Tokens may name users only, each ending every session of its user",
      );
    }
  }

  /**
   * What a relayed step-up may ask for, as discovery says: the `claims` parameter where
   * `claims_parameter_supported`, the `acr` values of `acr_values_supported` where listed, and
   * any scope (the provider refuses one it does not know).
   */
  async stepUpCapabilities(): Promise<StepUpCapabilities> {
    const server = await this.discovery.server();
    const offered = server.acr_values_supported;
    return {
      claimsParameter: server.claims_parameter_supported === true,
      ...(Array.isArray(offered) && offered.every((acr) => typeof acr === 'string')
        ? { acrValues: offered }
        : {}),
      scopes: true,
      name: `the OpenID Provider ${server.issuer}`,
    };
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<string> {
    const server = await this.discovery.server();
    const url = new URL(server.authorization_endpoint!);
    const scope = this.scopeFor(server);
    for (const extra of request.scope ?? []) if (!scope.includes(extra)) scope.push(extra);
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
      ...authTimeParameters(
        // Refused: `prompt=login` (below) asks for the same, as OpenID Connect Core allows.
        request.maxAge === 0 && this.maxAgeZeroRefused ? undefined : request.maxAge,
        server.claims_parameter_supported === true,
        appClaims,
      ),
    };
    if (appClaims !== undefined) params.claims ??= appClaims;
    if (request.claims !== undefined) {
      // A relayed challenge reaches here only where discovery says the parameter is taken.
      params.claims = mergeClaimsRequests(params.claims, request.claims);
    }
    const prompt = signInPrompt(this.config.consentPrompt, scope, request.maxAge);
    if (prompt !== undefined) params.prompt = prompt;
    if (request.acrValues?.length) {
      params.acr_values = request.acrValues.join(' ');
      this.checkAcrValues(server, request.acrValues);
    }
    if (request.loginHint !== undefined) params.login_hint = request.loginHint;
    if (request.boundAction !== undefined) {
      const details = this.boundActionDetails(server, request.boundAction);
      if (details.sent) {
        params.authorization_details = details.parameter;
        if (details.fieldsLeftOut) {
          this.logger.warn(
            `A bound action's authorization_details would be ${details.fieldsLeftOut.bytes} bytes, over ${MAX_AUTHORIZATION_DETAILS_BYTES}: its fields go as {}`,
          );
        }
      } else if (details.reason === 'too_large') {
        this.logger.warn(
          `A bound action's authorization_details are ${details.bytes} bytes, over ${MAX_AUTHORIZATION_DETAILS_BYTES}: the re-authentication goes without them`,
        );
      }
    }
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    return url.href;
  }

  override refusedMaxAgeZero(): boolean {
    if (this.config.maxAgeZero !== 'auto' || this.maxAgeZeroRefused) return false;
    this.maxAgeZeroRefused = true;
    this.logger.warn(
      `The OpenID Provider ${this.config.configuredIssuer} refused max_age=0 (invalid_request): @RequireRecentAuth(0) now asks it with prompt=login alone, which OpenID Connect Core makes equivalent; its auth_time is still checked`,
    );
    return true;
  }

  /**
   * A `@RequireRecentAuth(0)` sign-in came back with an `auth_time` from before it began: where
   * `prompt=login` alone was learned, the provider skips it, so `max_age=0` is asked again.
   */
  override skippedMaxAgeZero(): void {
    if (this.config.maxAgeZero !== 'auto' || !this.maxAgeZeroRefused) return;
    this.maxAgeZeroRefused = false;
    this.logger.warn(
      `The OpenID Provider ${this.config.configuredIssuer} did not ask for a new sign-in on prompt=login alone: @RequireRecentAuth(0) asks with max_age=0 again (set oidc.maxAgeZero to choose)`,
    );
  }

  /** Once per value: `acr_values` that the provider's discovery does not list. */
  private checkAcrValues(server: OAuth.AuthorizationServer, acrValues: readonly string[]): void {
    const offered = server.acr_values_supported;
    const missing = acrValues.filter(
      (acr) =>
        !(Array.isArray(offered) && offered.includes(acr)) && !this.warnedOfAcrValues.has(acr),
    );
    if (missing.length === 0) return;
    for (const acr of missing) this.warnedOfAcrValues.add(acr);
    this.logger.warn(
      Array.isArray(offered)
        ? `A route asks the OpenID Provider ${server.issuer} for acr_values ${shownValue(missing)}, which its discovery does not list (acr_values_supported ${shownValue(offered)}): sign-ins may end in acr_missing or acr_not_satisfied`
        : `A route asks the OpenID Provider ${server.issuer} for acr_values ${shownValue(missing)}, and its discovery lists no acr_values_supported: it may issue no acr, and sign-ins then end in acr_missing`,
    );
  }

  /** What the authorization request of a bound action carries (see `boundActionDetails`). */
  private boundActionDetails(server: OAuth.AuthorizationServer, action: BoundActionRequest) {
    return boundActionDetails(
      this.config.authorizationDetailsType,
      action,
      server.authorization_details_types_supported,
    );
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
    const server = await this.discovery.server();
    const iss = callbackQuery.get('iss');
    if (iss === null) return server.authorization_response_iss_parameter_supported !== true;
    return iss === server.issuer;
  }

  async redeemCode(redemption: CodeRedemption): Promise<IssuedSession> {
    const server = await this.discovery.server();
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
        httpOptions(this.config),
      );
      response = await o.processAuthorizationCodeResponse(server, client, answer, {
        expectedNonce: redemption.nonce,
        // The callback checks auth_time against max_age itself (with max_age 0's own rule).
        maxAge: o.skipAuthTimeCheck,
        requireIdToken: true,
      });
    } catch (error) {
      throw translateOAuthError(error);
    }
    const authorizationDetails = grantedAuthorizationDetails(response.authorization_details);
    if (redemption.boundAction !== undefined) {
      try {
        this.checkBoundAction(server, redemption.boundAction, authorizationDetails);
      } catch (error) {
        // The provider granted tokens for a sign-in the library refuses: end that grant, so no
        // refresh token of it is left alive (best effort: the refusal stands either way).
        await this.revoke({ refreshToken: response.refresh_token }).catch(() => false);
        throw error;
      }
    }
    if (response.refresh_token === undefined) this.warnOfNoRefreshToken(server);
    const idClaims = o.getValidatedIdTokenClaims(response)!;
    const sid = idClaims.sid;
    return this.issue({
      accessToken: response.access_token,
      refreshToken: response.refresh_token,
      idToken: response.id_token,
      signIn: { ...signInFacts(idClaims), ...(authorizationDetails && { authorizationDetails }) },
      sessionId:
        typeof sid === 'string' && sid !== '' ? sid : randomBytes(16).toString('base64url'),
    });
  }

  /**
   * Where the authorization request carried the bound action, the token response must say the
   * user authorized it (RFC 9396 §7): else the sign-in is refused as an invalid response.
   */
  private checkBoundAction(
    server: OAuth.AuthorizationServer,
    action: BoundActionRequest,
    granted: readonly Record<string, unknown>[] | undefined,
  ): void {
    if (!this.boundActionDetails(server, action).sent) return;
    const type = this.config.authorizationDetailsType;
    if (authorizesBoundAction(granted, type, action)) return;
    const reason = new Error(
      `the token response's authorization_details have no entry of type "${type}" with the bound action's identifier`,
    );
    this.logger.warn(`The OpenID Provider did not confirm the bound action: ${reason.message}`);
    throw new ProviderRejectedError('invalid_response', { cause: reason });
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
    const server = await this.discovery.server();
    const o = oauth();
    const client = this.client();
    let response: OAuth.TokenEndpointResponse;
    try {
      const answer = await o.refreshTokenGrantRequest(
        server,
        client,
        this.clientAuth(),
        session.refreshToken,
        httpOptions(this.config),
      );
      response = await o.processRefreshTokenResponse(server, client, answer);
    } catch (error) {
      throw translateOAuthError(error);
    }
    // A refresh is not an authentication: what the sign-in said about itself carries over.
    return this.issue({
      accessToken: response.access_token,
      refreshToken: response.refresh_token ?? session.refreshToken,
      idToken: response.id_token ?? session.idToken,
      signIn: session.signIn,
      sessionId: session.sessionId,
      retiredRefreshTokens: session.retiredRefreshTokens,
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

  /**
   * The refresh tokens `held` leaves behind (its own and those it carried) are revoked now where
   * that cannot end `issued`: another user's sign-in, or another provider session (both ID tokens
   * name their `sid`, and they differ), since a grant belongs to one user's provider session.
   * Otherwise `issued` may be in the same grant, which revoking would end at a provider that
   * revokes whole grants (RFC 7009 allows it): `issued` carries them instead, and sign-out
   * revokes them with its own (up to {@link MAX_RETIRED_REFRESH_TOKENS}; the oldest beyond that
   * are left to expire at the provider, with a warning).
   */
  /**
   * The same user, unless both ID tokens name their provider session (`sid`) and the two differ:
   * a grant belongs to one user's provider session.
   */
  override mayShareGrant(held: ProviderSession, issued: ProviderSession): boolean {
    return mayShareGrant(held, issued);
  }

  override async supersede(held: ProviderSession, issued: IssuedSession): Promise<IssuedSession> {
    const replaced = [...(held.retiredRefreshTokens ?? []), held.refreshToken].filter(
      (token): token is string =>
        token !== undefined &&
        token !== issued.refreshToken &&
        !(issued.retiredRefreshTokens ?? []).includes(token),
    );
    if (replaced.length === 0) return issued;
    if (!this.mayShareGrant(held, issued)) {
      if (!(await this.revokeEach(replaced))) {
        this.logger.warn("Revoking the browser's replaced refresh tokens at the provider failed");
      }
      return issued;
    }
    const retired = [...(issued.retiredRefreshTokens ?? []), ...replaced];
    if (retired.length > MAX_RETIRED_REFRESH_TOKENS) {
      this.logger.warn(
        `A session replaced more than ${MAX_RETIRED_REFRESH_TOKENS} refresh tokens of its provider session: the oldest ${retired.length - MAX_RETIRED_REFRESH_TOKENS} are left to expire at the provider`,
      );
    }
    try {
      return this.issue({
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        idToken: issued.idToken,
        signIn: issued.signIn,
        sessionId: issued.sessionId,
        retiredRefreshTokens: retired.slice(-MAX_RETIRED_REFRESH_TOKENS),
      });
    } catch {
      // `issued` itself was sealed once already: only what it now carries could not be.
      return issued;
    }
  }

  async revoke(session: {
    refreshToken?: string;
    retiredRefreshTokens?: readonly string[];
  }): Promise<boolean> {
    // The replaced ones first: where revoking the session's own ends the grant, they go with it.
    const retired = await this.revokeEach(session.retiredRefreshTokens ?? []);
    if (session.refreshToken === undefined) return false;
    return (await this.revokeOne(session.refreshToken)) && retired;
  }

  /** Revokes every token; `true` when all were. */
  private async revokeEach(tokens: readonly string[]): Promise<boolean> {
    let all = true;
    for (const token of tokens) all = (await this.revokeOne(token)) && all;
    return all;
  }

  private async revokeOne(refreshToken: string): Promise<boolean> {
    try {
      const server = await this.discovery.server();
      if (server.revocation_endpoint === undefined) return false;
      const o = oauth();
      const answer = await o.revocationRequest(
        server,
        this.client(),
        this.clientAuth(),
        refreshToken,
        { ...httpOptions(this.config), additionalParameters: { token_type_hint: 'refresh_token' } },
      );
      await o.processRevocationResponse(answer);
      return true;
    } catch (error) {
      this.logger.warn(`Revoking a refresh token failed with ${describeError(error)}`);
      return false;
    }
  }

  override readonly signOutState = true;

  async logoutUrl(
    session: { idToken?: string },
    returnTo: string,
    state?: string,
  ): Promise<string> {
    let server: OAuth.AuthorizationServer;
    try {
      server = await this.discovery.server();
    } catch {
      return returnTo;
    }
    if (server.end_session_endpoint === undefined) return returnTo;
    const url = new URL(server.end_session_endpoint);
    url.searchParams.set('client_id', this.config.clientId);
    url.searchParams.set('post_logout_redirect_uri', returnTo);
    if (session.idToken !== undefined) url.searchParams.set('id_token_hint', session.idToken);
    // Some providers send the browser back only when the request carries one.
    if (state !== undefined) url.searchParams.set('state', state);
    return url.href;
  }

  private issue(session: ProviderSession): IssuedSession {
    try {
      return { ...session, sealed: this.seal(session) };
    } catch (error) {
      if (!(error instanceof SessionTooLargeError)) throw error;
    }
    // The replaced refresh tokens a session carries for sign-out go first, oldest first: left to
    // expire at the provider, they cost nothing the session needs.
    const retired = session.retiredRefreshTokens ?? [];
    for (let kept = retired.length - 1; kept >= 0; kept -= 1) {
      const lighter = { ...session, retiredRefreshTokens: retired.slice(retired.length - kept) };
      try {
        const sealed = this.seal(lighter);
        this.warnOfRetiredLeftAlive(retired.length - kept);
        return { ...lighter, sealed };
      } catch (error) {
        if (!(error instanceof SessionTooLargeError)) throw error;
      }
    }
    if (retired.length > 0) {
      this.warnOfRetiredLeftAlive(retired.length);
      session = { ...session, retiredRefreshTokens: undefined };
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

  private warnOfRetiredLeftAlive(count: number): void {
    this.logger.warn(
      `The session cookie has no room for the refresh tokens it replaced: ${count} left to expire at the provider instead of being revoked at sign-out`,
    );
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
}

/**
 * Whether `issued` may belong to the same grant as `held`: the same user, unless both ID tokens
 * name their provider session (`sid`) and the two differ.
 */
function mayShareGrant(held: ProviderSession, issued: ProviderSession): boolean {
  const before = tokenClaims(held.accessToken);
  const after = tokenClaims(issued.accessToken);
  if (typeof before?.sub !== 'string' || before.sub !== after?.sub) return false;
  const heldSid = held.idToken === undefined ? undefined : tokenClaims(held.idToken)?.sid;
  const issuedSid = issued.idToken === undefined ? undefined : tokenClaims(issued.idToken)?.sid;
  return !(typeof heldSid === 'string' && typeof issuedSid === 'string' && heldSid !== issuedSid);
}

/** A sealed session's token, unverified: the seal vouches for it. */
function tokenClaims(token: string): { sub?: unknown; sid?: unknown } | undefined {
  try {
    return decodeJwtPayload(token);
  } catch {
    return undefined;
  }
}

import { Logger } from '@nestjs/common';
import { ReauthInternalError } from '../core/internal-error';
import type { ReauthDependency } from '../exceptions/reauth-unavailable.exception';
import type { LogoutTokenClaims, SigningKeyLookup } from './oidc/logout-token';

/**
 * What the provider said about the sign-in itself when the session began: read from the ID token
 * validated at the code exchange (OpenID Connect Core §3.1.3.7), and carried unchanged across
 * refreshes, since a refresh is not an authentication.
 */
export interface SignInFacts {
  authTime?: number;
  acr?: string;
  amr?: readonly string[];
  /**
   * The token response's RFC 9396 `authorization_details`, when it carried well-formed ones:
   * what the provider says the user authorized at this sign-in. Only on the session a code
   * exchange just issued; never sealed into the cookie, so never carried across refreshes.
   */
  authorizationDetails?: readonly Record<string, unknown>[];
}

/** A session as its cookie holds it, once opened. */
export interface ProviderSession {
  accessToken: string;
  refreshToken?: string;
  /** The latest ID token (OpenID Connect), for the logout URL's `id_token_hint`. */
  idToken?: string;
  /** See {@link SignInFacts}; absent when the provider issued no ID token. */
  signIn?: SignInFacts;
  /**
   * The session's id: the provider's `sid` when it names one, else one of the library's own,
   * made when the session began. Sign-out revokes it; grants and restored actions are kept by it.
   */
  sessionId?: string;
  /** The user profile the provider returned with the tokens (AuthKit's `User`), if any. */
  user?: unknown;
  /**
   * How the user signed in, as the provider names it (AuthKit's `authenticationMethod`:
   * `Password`, `SSO`, `GoogleOAuth`, ...), when the session says.
   */
  signInMethod?: string;
  /**
   * The last second the seal it was opened from is accepted, for seals that carry one (the
   * library's own): nothing may keep the opened session past it.
   */
  sealExpiresAt?: number;
  /**
   * Refresh tokens of this browser that the session replaced (a re-authentication within the
   * same provider session) and that could not be revoked then without ending this session too,
   * on a provider that revokes whole grants: sign-out revokes them with the session's own.
   */
  retiredRefreshTokens?: readonly string[];
}

const replacedLogger = new Logger('ReauthModule');

/** A session just issued by a code exchange or a refresh, with its sealed cookie value. */
export interface IssuedSession extends ProviderSession {
  sealed: string;
}

/**
 * The action a re-authentication confirms, bound to it: providers that support RFC 9396 Rich
 * Authorization Requests are shown it, and say in the token response that the user authorized it.
 */
export interface BoundActionRequest {
  /** The action's digest (SHA-256, base64url): the `identifier` the provider must echo. */
  digest: string;
  /** What the user confirms, in words (at most 200 characters). */
  summary: string;
  /** The bound fields of the request, with their values. */
  fields: Readonly<Record<string, string | number | boolean>>;
}

/** The authorization request of a (re-)authentication. */
export interface AuthorizationRequest {
  /** The sealed `state`. */
  state: string;
  /** PKCE S256 challenge (RFC 7636). */
  codeChallenge: string;
  /** The OpenID Connect `nonce` the ID token must echo. */
  nonce: string;
  maxAge?: number;
  /** RFC 9470 / OpenID Connect `acr_values`, most preferred first. */
  acrValues?: readonly string[];
  loginHint?: string;
  /** The action this re-authentication confirms, for providers that can carry it. */
  boundAction?: BoundActionRequest;
  /**
   * A `claims` request (OpenID Connect Core §5.5) relayed from a downstream API's challenge, sent
   * with the app's own where the provider takes the parameter (see {@link StepUpProvider}).
   */
  claims?: Readonly<Record<string, unknown>>;
  /** Scopes a downstream API's challenge asked for, added to the sign-in's own. */
  scope?: readonly string[];
}

/** What the callback hands over for the code exchange. */
export interface CodeRedemption {
  code: string;
  codeVerifier: string;
  nonce: string;
  maxAge?: number;
  /** The callback's whole query, for providers that check more of it (RFC 9207 `iss`). */
  callbackQuery: URLSearchParams;
  /**
   * The action the authorization request carried, if any: a provider that sent it to the
   * identity provider refuses a token response that does not say it was authorized.
   */
  boundAction?: BoundActionRequest;
}

/** How access tokens of the provider are verified. */
export interface TokenVerificationSettings {
  jwksUrl: string;
  issuers: readonly string[];
  /** JWS algorithms accepted; never `none` nor an HMAC one. */
  algorithms: readonly string[];
  /** When set, `aud` must contain one of these. */
  audience?: readonly string[];
  /**
   * When set and no `audience` is, the token must have been issued to this client: its
   * `client_id` (RFC 9068) or `azp` equals it.
   */
  clientId?: string;
  /**
   * This client's id at an OpenID Provider: ID tokens issued to it (signed with the same keys,
   * for the same issuer) are refused as access tokens.
   */
  idTokensOf?: string;
  /**
   * What an access token's JOSE header `typ` must be: `at+jwt`, RFC 9068's `at+jwt` (or
   * `application/at+jwt`); `auto`, the same once the provider's token endpoint has issued this
   * verifier an access token typed so (and for as long as it keeps doing so); `any` (or unset),
   * any type, ID tokens told apart by their claims (see `idTokensOf`).
   */
  accessTokenType?: 'at+jwt' | 'auto' | 'any';
  /** Whether a token without `sid` is refused (AuthKit always sets it). */
  requireSid: boolean;
}

/**
 * The provider refused a grant: the code was not accepted, the refresh token is spent, revoked or
 * expired, or the authorization response failed a check (`iss`, an ID token's `nonce` or
 * `auth_time`). Never a failure to reach the provider: that is `ReauthUnavailableException`.
 */
export class ProviderRejectedError extends ReauthInternalError {
  constructor(
    /** The OAuth error code, when the provider gave one, e.g. `invalid_grant`. */
    readonly code: string,
    options: { cause?: unknown; detail?: string } = {},
  ) {
    super(`the identity provider refused: ${code}`, options);
    this.detail = options.detail;
  }

  /**
   * For the log: which check of the response failed, with what was expected and what the
   * response has (claim values and times, never a token).
   */
  readonly detail?: string;
}

/**
 * An identity provider as the library uses it: the authorization URL, the code exchange, the
 * refresh, the keys, the session cookie's seal, sign-out. Implementations answer a provider's
 * refusal with {@link ProviderRejectedError} and a provider that cannot be reached (or answers
 * with a server error) with `ReauthUnavailableException(dependency)`.
 */
export abstract class IdentityProvider {
  /** The name 503s are logged under. */
  abstract readonly dependency: ReauthDependency;

  /**
   * What {@link revoke} ends: `session`, exactly the one session (AuthKit); `grant`, possibly
   * every token of the user's grant to this client (RFC 7009 allows it), other sessions of the
   * same user included. A refused sign-in is then only revoked when it belongs to another user.
   */
  abstract readonly revocationScope: 'session' | 'grant';

  /** A line for the start-up log: which provider, which issuer. */
  abstract describe(): string;

  abstract verification(): Promise<TokenVerificationSettings>;

  abstract authorizationUrl(request: AuthorizationRequest): Promise<string>;

  /**
   * Whether the authorization response came from this provider (RFC 9207 `iss`), checked before
   * anything else in it, errors included: `false` for a response another provider sent.
   */
  abstract isOwnResponse(callbackQuery: URLSearchParams): Promise<boolean>;

  abstract redeemCode(redemption: CodeRedemption): Promise<IssuedSession>;

  abstract refresh(session: ProviderSession): Promise<IssuedSession>;

  /** Opens a sealed session cookie; `undefined` when it is not one of ours. */
  abstract unseal(sealed: string): Promise<ProviderSession | undefined>;

  /**
   * Ends the session at the provider, where it can (its refresh token stops working, and the
   * replaced ones it carries in `retiredRefreshTokens`); `false`
   * when that failed or is not possible, so the caller keeps its own record of the revocation
   * for as long as a cookie can live. Never throws.
   */
  abstract revoke(session: {
    sessionId?: string;
    refreshToken?: string;
    retiredRefreshTokens?: readonly string[];
  }): Promise<boolean>;

  /**
   * The browser's session `held` gives way to `issued`, a sign-in that did not continue it (a
   * new sign-in, or a re-authentication the provider answered with a new session): what `held`
   * leaves behind at the provider is revoked, so no refresh token of this browser stays alive
   * unused. Resolves with the session to seal in the cookie. Never throws; a failed revocation is
   * logged.
   *
   * Here, for providers that revoke exactly one session: `held` is revoked unless it is the
   * same session. Providers that revoke whole grants override it.
   */
  async supersede(held: ProviderSession, issued: IssuedSession): Promise<IssuedSession> {
    if (held.sessionId === undefined || held.sessionId === issued.sessionId) return issued;
    if (!(await this.revoke({ sessionId: held.sessionId, refreshToken: held.refreshToken }))) {
      replacedLogger.warn("Revoking the browser's replaced session at the provider failed");
    }
    return issued;
  }

  /**
   * Whether `issued` may belong to the same grant as the browser's `held` session, so that
   * revoking it could end `held` too (only where {@link revocationScope} is `grant`).
   */
  mayShareGrant(_held: ProviderSession, _issued: ProviderSession): boolean {
    return this.revocationScope === 'grant';
  }

  /**
   * The provider answered `invalid_request` to an authorization request with `max_age=0`: where
   * that is how it refuses the parameter, it learns to send `prompt=login` alone from now on
   * (OpenID Connect Core 3.1.2.1 makes `max_age=0` equivalent to it) and answers `true`, once.
   * Here, `false`: providers that take `max_age=0` override it.
   */
  refusedMaxAgeZero(): boolean {
    return false;
  }

  /**
   * A `max_age=0` re-authentication came back with an `auth_time` from before it began: the
   * provider skipped the prompt. Here, nothing: a provider that learned to ask otherwise
   * ({@link refusedMaxAgeZero}) overrides it.
   */
  skippedMaxAgeZero(): void {}

  /**
   * Whether the provider's logout takes a `state` it hands back with the browser (OpenID Connect
   * RP-Initiated Logout): then the sign-out returns through the library's own route, which checks
   * it, and on to `logoutReturnTo`.
   */
  readonly signOutState: boolean = false;

  /**
   * Where the browser goes to end the provider's own session, then on to `returnTo` (with
   * `state`, where {@link signOutState}).
   */
  abstract logoutUrl(
    session: { sessionId?: string; idToken?: string },
    returnTo: string,
    state?: string,
  ): Promise<string>;
}

/**
 * A provider that says what a relayed step-up may ask of it: whether it takes the `claims`
 * request parameter, which `acr` values it offers, whether more scopes may be asked for. A
 * provider without it is asked for `max_age` only.
 */
export interface StepUpCapabilities {
  /** Whether it takes the OpenID Connect `claims` request parameter. */
  claimsParameter: boolean;
  /** The `acr` values it offers, when it says (discovery's `acr_values_supported`). */
  acrValues?: readonly string[];
  /** Whether a sign-in may ask for more scopes than the app's own. */
  scopes: boolean;
  /** The provider's name, for the reasons given. */
  name: string;
}

/** See {@link StepUpCapabilities}. */
export interface StepUpProvider {
  stepUpCapabilities(): Promise<StepUpCapabilities>;
}

/** Whether `provider` says what a relayed step-up may ask of it (see {@link StepUpProvider}). */
export function isStepUpProvider(provider: unknown): provider is StepUpProvider {
  return typeof (provider as Partial<StepUpProvider>).stepUpCapabilities === 'function';
}

/** What every provider is built from: the module's checked options it shares. */
export interface ProviderBasics {
  clientId: string;
  redirectUri: string;
  cookiePassword: string;
  audience?: string[];
}

/**
 * What a password confirmed in the page proved, or why it did not (see
 * {@link PasswordConfirmer}). `code_required`'s `pending` is the provider's opaque handle for
 * the second step: kept on the server, never sent to the browser. `expired`: that second step is
 * over (its pending token expired, was spent, or is not one the provider knows), so the password
 * is asked for again; a wrong code is `invalid_code`, and the same `pending` may be tried again.
 */
export type PasswordConfirmation =
  | { status: 'confirmed'; userId: string; amr: readonly string[] }
  | { status: 'code_required'; userId: string; pending: string }
  | { status: 'invalid_credentials' }
  | { status: 'invalid_code' }
  | { status: 'expired' }
  | { status: 'unsupported'; detail: string };

/**
 * A provider that can check a user's own password (and a one-time code) without starting a
 * session for the browser: AuthKit's password authentication. Whatever session the provider
 * creates for the check is revoked before an answer returns. Failures to reach the provider are
 * `ReauthUnavailableException(dependency)`; nothing else throws.
 */
export interface PasswordConfirmer {
  /** Checks `password` for the account with `email`. */
  confirmPassword(input: {
    email: string;
    password: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation>;
  /** Completes a `code_required` answer with a TOTP `code`. */
  confirmCode(input: {
    pending: string;
    code: string;
    ipAddress?: string;
    userAgent?: string;
  }): Promise<PasswordConfirmation>;
  /** The email of the user with this id, for tokens that do not carry it; `undefined` if none. */
  emailOf(userId: string): Promise<string | undefined>;
}

/** Whether `provider` can confirm passwords in the page (see {@link PasswordConfirmer}). */
export function isPasswordConfirmer(provider: unknown): provider is PasswordConfirmer {
  return (
    typeof (provider as Partial<PasswordConfirmer>).confirmPassword === 'function' &&
    typeof (provider as Partial<PasswordConfirmer>).confirmCode === 'function' &&
    typeof (provider as Partial<PasswordConfirmer>).emailOf === 'function'
  );
}

/**
 * A provider whose sessions can be ended by OpenID Connect Back-Channel Logout 1.0: it verifies
 * the Logout Tokens it sends to the app (§2.6), with its keys as `keyFor` finds them. Rejects
 * with `LogoutTokenError` for a token it refuses, and with `ReauthUnavailableException` while
 * its metadata or keys cannot be had. Single use of the token's `jti` is the caller's.
 */
export interface LogoutTokenVerifier {
  verifyLogoutToken(token: string, keyFor: SigningKeyLookup): Promise<LogoutTokenClaims>;
}

/** Whether `provider` takes Back-Channel Logout tokens (see {@link LogoutTokenVerifier}). */
export function isLogoutTokenVerifier(provider: unknown): provider is LogoutTokenVerifier {
  return typeof (provider as Partial<LogoutTokenVerifier>).verifyLogoutToken === 'function';
}

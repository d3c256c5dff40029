/**
 * The verified claims of an access token, from any provider. `auth_time` has been checked to be
 * an integer number of seconds when the guard let the request through. For a session whose access
 * tokens do not carry `auth_time`, `acr` or `amr`, the guard fills them in from the ID token the
 * provider issued at sign-in (validated then).
 */
export interface AccessTokenClaims {
  /** The issuer: the provider that signed the token. */
  iss: string;
  /** The user id. */
  sub: string;
  /** The provider's session id; AuthKit always sets it, other providers may not. */
  sid?: string;
  /** When the token was issued, in seconds since the epoch (a refresh moves it). */
  iat: number;
  /** When the token expires, in seconds since the epoch. */
  exp: number;
  /** The audience the token was issued for, when the provider sets one. */
  aud?: string | string[];
  /** When the user last actively authenticated, in seconds since the epoch. */
  auth_time?: number;
  /** The authentication context class the sign-in satisfied (RFC 9470, OpenID Connect). */
  acr?: string;
  /** The authentication methods the sign-in used, such as `pwd`, `otp`, `mfa` (RFC 8176). */
  amr?: string[];
  /** The token's unique id, when the provider sets one. */
  jti?: string;
  /** Any other claim the provider put in the token, unchecked. */
  [claim: string]: unknown;
}

/** The verified claims of an AuthKit access token. */
export interface AuthKitClaims extends AccessTokenClaims {
  /** The AuthKit session id. */
  sid: string;
  /** The organization the session is signed in to, if any. */
  org_id?: string;
  /** The user's role in that organization. */
  role?: string;
  /** Every role the user has in that organization. */
  roles?: string[];
  /** The permissions the user's roles grant in that organization. */
  permissions?: string[];
}

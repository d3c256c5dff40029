/**
 * The verified claims of an access token, from any provider. `auth_time` has been checked to be
 * an integer number of seconds when the guard let the request through. For a session whose access
 * tokens do not carry `auth_time`, `acr` or `amr`, the guard fills them in from the ID token the
 * provider issued at sign-in (validated then).
 */
export interface AccessTokenClaims {
  iss: string;
  /** The user id. */
  sub: string;
  /** The provider's session id; AuthKit always sets it, other providers may not. */
  sid?: string;
  iat: number;
  exp: number;
  aud?: string | string[];
  /** When the user last actively authenticated, in seconds since the epoch. */
  auth_time?: number;
  /** The authentication context class the sign-in satisfied (RFC 9470, OpenID Connect). */
  acr?: string;
  /** The authentication methods the sign-in used, such as `pwd`, `otp`, `mfa` (RFC 8176). */
  amr?: string[];
  jti?: string;
  [claim: string]: unknown;
}

/** The verified claims of an AuthKit access token. */
export interface AuthKitClaims extends AccessTokenClaims {
  /** The AuthKit session id. */
  sid: string;
  org_id?: string;
  role?: string;
  roles?: string[];
  permissions?: string[];
}

/**
 * The verified claims of an AuthKit access token. `auth_time` has been checked to be an integer
 * number of seconds when the guard let the request through.
 */
export interface AuthKitClaims {
  iss: string;
  /** The user id. */
  sub: string;
  /** The AuthKit session id. */
  sid: string;
  iat: number;
  exp: number;
  /** When the user last actively authenticated, in seconds since the epoch. */
  auth_time?: number;
  jti?: string;
  org_id?: string;
  role?: string;
  roles?: string[];
  permissions?: string[];
  [claim: string]: unknown;
}

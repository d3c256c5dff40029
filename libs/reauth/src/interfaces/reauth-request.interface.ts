import type { User } from '@workos-inc/node';
import type { AccessTokenClaims } from './authkit-claims.interface';

/** Where the verified token came from. */
export type TokenSource = 'bearer' | 'cookie' | 'custom';

/** What the guard found out about the caller; see `@AuthClaims()`. */
export interface Authentication {
  /** The verified claims of the caller's access token. */
  claims: AccessTokenClaims;
  /** Where the token came from: the `Authorization` header, the session cookie, or your extractor. */
  source: TokenSource;
  /**
   * The session: the token's `sid`, else (for a session cookie) the id the library gave the
   * session when it began. Absent for a Bearer token without `sid`.
   */
  sessionId?: string;
  /** The WorkOS user stored in the session cookie; absent for Bearer and custom tokens and OIDC. */
  user?: User;
  /**
   * How the user signed in, as AuthKit's session cookie names it (`Password`, `SSO`,
   * `GoogleOAuth`, ...); absent for Bearer and custom tokens and OIDC.
   */
  signInMethod?: string;
}

/**
 * The parts of an HTTP request the library reads. Express's `Request` and Fastify's
 * `FastifyRequest` satisfy it; so does any Node `IncomingMessage` with `originalUrl`. Cookies are
 * read from the `Cookie` header itself, so no cookie-parsing middleware or plugin is needed.
 */
export interface ReauthRequest {
  /** The HTTP method, upper-case. */
  method: string;
  /** The path and query as the client sent them (Express keeps it when routers strip `url`). */
  originalUrl?: string;
  /** The path and query, where `originalUrl` is absent (Fastify, plain Node). */
  url?: string;
  /** The request headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /**
   * The client's address as the framework determined it (Express: `trust proxy` honoured;
   * Fastify: its `trustProxy` option).
   */
  ip?: string;
  /** The connection, for its peer address when the framework gives no `ip`. */
  socket?: { remoteAddress?: string };
  /**
   * The parsed body, as the framework's body parser left it: what a route's `action` captures.
   * Fastify parses JSON by itself; form posts need `@fastify/formbody`.
   */
  body?: unknown;
  /** Set by the guard once the token is verified. */
  reauth?: Authentication;
}

import { decodeJwtPayload } from '../crypto/jwt-payload';
import type { SessionTokenTimes } from './revocation-ttl';

/** What naming a session needs of one of its tokens. */
export type SessionClaims = SessionTokenTimes & { sub?: unknown; sid?: unknown; jti?: unknown };

/**
 * The claims of a token from a sealed session, unverified: the seal authenticates them. Only for
 * naming the session (and its tokens' lifetime), never to let a caller through.
 */
export function unverifiedSessionClaims(accessToken: string): SessionClaims | undefined {
  try {
    return decodeJwtPayload(accessToken);
  } catch {
    return undefined;
  }
}

/**
 * The key a token's revocation is recorded under: its session (`sid`, or the id the library gave
 * a cookie session), else, for a token that names no session, its `jti`.
 */
export function revocationKeyOf(
  claims: { sid?: unknown; jti?: unknown },
  sessionId?: string,
): string | undefined {
  if (typeof claims.sid === 'string' && claims.sid !== '') return claims.sid;
  if (sessionId !== undefined) return sessionId;
  return typeof claims.jti === 'string' && claims.jti !== '' ? `jti:${claims.jti}` : undefined;
}

/** Whom a session event names: the token's user, and its `sid` or else the cookie's session id. */
export function sessionSubject(
  claims: { sub?: unknown; sid?: unknown },
  sessionId: string | undefined,
): { userId?: string; sessionId?: string } {
  return {
    userId: typeof claims.sub === 'string' ? claims.sub : undefined,
    sessionId: typeof claims.sid === 'string' ? claims.sid : sessionId,
  };
}

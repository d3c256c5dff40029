import { type EmulatorClock } from './clock';
import { opaqueToken, randomId } from './ids';

export type AuthenticationMethod = 'Password' | 'SSO';

/** Parameters of an `/authorize` request, kept while the user is on the hosted pages. */
export interface AuthorizationRequest {
  id: string;
  redirectUri: string;
  state?: string;
  loginHint?: string;
  codeChallenge?: string;
  /** The browser already had a session: the pages ask the user to confirm it's them. */
  reauthenticating: boolean;
  /** Set once the email step has identified the user. */
  userId?: string;
  /** Set once the password step passed for a user who still owes a TOTP code. */
  passwordVerified?: boolean;
  expiresAtMs: number;
}

/**
 * An AuthKit session: what `sid` names. The emulator's browser cookie points at one; codes,
 * access tokens and refresh tokens belong to one.
 */
export interface UserSession {
  id: string;
  userId: string;
  /** Seconds: the last *active* authentication. Only a sign-in on the hosted pages moves it. */
  authTime: number;
  method: AuthenticationMethod;
  /** When the session began, in ms. */
  createdAtMs: number;
  revoked: boolean;
  /** The one refresh token of this session that may still be used. */
  refreshToken?: string;
}

export interface AuthorizationCode {
  sessionId: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAtMs: number;
}

/**
 * A password accepted for a user who still owes a TOTP code: what WorkOS's
 * `pending_authentication_token` stands for until the `mfa-totp` grant spends it.
 */
export interface PendingAuthentication {
  userId: string;
  /** The TOTP factor the code must come from. */
  factorId: string;
  expiresAtMs: number;
}

/** An authentication challenge of a factor (`POST /auth/factors/:id/challenge`). */
export interface AuthenticationChallenge {
  id: string;
  factorId: string;
  userId: string;
  createdAtMs: number;
  /** The emulator forgets an unspent challenge then; WorkOS gives TOTP challenges no expiry. */
  forgottenAtMs: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * The emulator's in-memory state. Single-use items (codes, refresh tokens) are taken with a
 * synchronous delete, so two concurrent requests can never both use one.
 */
export class EmulatorStore {
  private readonly requests = new Map<string, AuthorizationRequest>();
  private readonly sessions = new Map<string, UserSession>();
  private readonly codes = new Map<string, AuthorizationCode>();
  /** Browser-session cookie value -> session id. */
  private readonly browserSessions = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly pendingAuthentications = new Map<string, PendingAuthentication>();
  private readonly challenges = new Map<string, AuthenticationChallenge>();
  private lastSweepMs = 0;

  constructor(
    private readonly clock: EmulatorClock,
    private readonly codeTtlSeconds: number,
    /** Told once of each session that ends, whatever ended it. */
    private readonly onSessionEnded: (session: UserSession) => void = () => undefined,
  ) {}

  createRequest(params: Omit<AuthorizationRequest, 'id' | 'expiresAtMs'>): AuthorizationRequest {
    this.sweep();
    const request = {
      ...params,
      id: opaqueToken(18),
      expiresAtMs: this.clock.nowMs() + this.codeTtlSeconds * 1000,
    };
    this.requests.set(request.id, request);
    return request;
  }

  findRequest(id: string): AuthorizationRequest | undefined {
    const request = this.requests.get(id);
    if (request && request.expiresAtMs <= this.clock.nowMs()) {
      this.requests.delete(id);
      return undefined;
    }
    return request;
  }

  endRequest(id: string): void {
    this.requests.delete(id);
  }

  createSession(userId: string, authTime: number, method: AuthenticationMethod): UserSession {
    const session: UserSession = {
      id: randomId('session'),
      userId,
      authTime,
      method,
      createdAtMs: this.clock.nowMs(),
      revoked: false,
    };
    this.sessions.set(session.id, session);
    return session;
  }

  findSession(id: string): UserSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Ends a session: its refresh token stops working and its browser cookie signs nobody in. True
   * for a known session, ended now or before; only a session that was live is reported ended.
   */
  revokeSession(id: string): boolean {
    const session = this.sessions.get(id);
    if (!session) return false;
    if (session.refreshToken) this.refreshTokens.delete(session.refreshToken);
    session.refreshToken = undefined;
    if (!session.revoked) {
      session.revoked = true;
      this.onSessionEnded(session);
    }
    return true;
  }

  /**
   * Forgets every session of a deleted user, with their refresh tokens and browser cookies. They
   * are gone rather than ended: no session is reported ended, as WorkOS reports the deletion.
   */
  forgetSessionsOf(userId: string): void {
    for (const [id, session] of this.sessions) {
      if (session.userId !== userId) continue;
      if (session.refreshToken) this.refreshTokens.delete(session.refreshToken);
      this.sessions.delete(id);
    }
    for (const [cookie, sessionId] of this.browserSessions) {
      if (!this.sessions.has(sessionId)) this.browserSessions.delete(cookie);
    }
  }

  bindBrowser(sessionId: string, cookie?: string): string {
    const value = cookie ?? opaqueToken();
    this.browserSessions.set(value, sessionId);
    return value;
  }

  /** The live session a browser cookie points at, if any. */
  browserSession(cookie: string | undefined): UserSession | undefined {
    if (!cookie) return undefined;
    const sessionId = this.browserSessions.get(cookie);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!session || session.revoked) {
      this.browserSessions.delete(cookie);
      return undefined;
    }
    return session;
  }

  forgetBrowser(cookie: string): void {
    this.browserSessions.delete(cookie);
  }

  issueCode(params: Omit<AuthorizationCode, 'expiresAtMs'>): string {
    this.sweep();
    const code = opaqueToken();
    this.codes.set(code, {
      ...params,
      expiresAtMs: this.clock.nowMs() + this.codeTtlSeconds * 1000,
    });
    return code;
  }

  /** Takes a code out of the store: whatever the outcome, it can never be used again. */
  takeCode(code: string): AuthorizationCode | undefined {
    const entry = this.codes.get(code);
    this.codes.delete(code);
    if (!entry || entry.expiresAtMs <= this.clock.nowMs()) return undefined;
    return entry;
  }

  /** Issues the session's refresh token, replacing (and so invalidating) the previous one. */
  rotateRefreshToken(session: UserSession): string {
    if (session.refreshToken) this.refreshTokens.delete(session.refreshToken);
    const token = opaqueToken();
    session.refreshToken = token;
    this.refreshTokens.set(token, session.id);
    return token;
  }

  /** Takes a refresh token: single use, and only while its session is live. */
  takeRefreshToken(token: string): UserSession | undefined {
    const sessionId = this.refreshTokens.get(token);
    this.refreshTokens.delete(token);
    const session = sessionId ? this.sessions.get(sessionId) : undefined;
    if (!session || session.revoked || session.refreshToken !== token) return undefined;
    session.refreshToken = undefined;
    return session;
  }

  /** Holds a password check that still owes a TOTP code; the token lives the code lifetime. */
  createPendingAuthentication(userId: string, factorId: string): string {
    this.sweep();
    const token = opaqueToken();
    this.pendingAuthentications.set(token, {
      userId,
      factorId,
      expiresAtMs: this.clock.nowMs() + this.codeTtlSeconds * 1000,
    });
    return token;
  }

  /** A live pending authentication; a wrong code leaves it for another try. */
  findPendingAuthentication(token: string): PendingAuthentication | undefined {
    const pending = this.pendingAuthentications.get(token);
    if (pending && pending.expiresAtMs <= this.clock.nowMs()) {
      this.pendingAuthentications.delete(token);
      return undefined;
    }
    return pending;
  }

  createChallenge(factorId: string, userId: string): AuthenticationChallenge {
    this.sweep();
    const now = this.clock.nowMs();
    const challenge = {
      id: randomId('auth_challenge'),
      factorId,
      userId,
      createdAtMs: now,
      forgottenAtMs: now + this.codeTtlSeconds * 1000,
    };
    this.challenges.set(challenge.id, challenge);
    return challenge;
  }

  findChallenge(id: string): AuthenticationChallenge | undefined {
    const challenge = this.challenges.get(id);
    if (challenge && challenge.forgottenAtMs <= this.clock.nowMs()) {
      this.challenges.delete(id);
      return undefined;
    }
    return challenge;
  }

  /**
   * Spends a pending authentication and a challenge together, once a code passed. Synchronous
   * and checked, so of two requests racing with one token only the first completes.
   */
  completeMfa(token: string, challengeId: string): boolean {
    if (!this.pendingAuthentications.has(token) || !this.challenges.has(challengeId)) return false;
    this.pendingAuthentications.delete(token);
    this.challenges.delete(challengeId);
    return true;
  }

  private sweep(): void {
    const now = this.clock.nowMs();
    if (now - this.lastSweepMs < SWEEP_INTERVAL_MS) return;
    this.lastSweepMs = now;
    for (const [id, request] of this.requests)
      if (request.expiresAtMs <= now) this.requests.delete(id);
    for (const [code, entry] of this.codes) if (entry.expiresAtMs <= now) this.codes.delete(code);
    for (const [token, pending] of this.pendingAuthentications) {
      if (pending.expiresAtMs <= now) this.pendingAuthentications.delete(token);
    }
    for (const [id, challenge] of this.challenges) {
      if (challenge.forgottenAtMs <= now) this.challenges.delete(id);
    }
  }
}

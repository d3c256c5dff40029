import { createHash, timingSafeEqual } from 'node:crypto';
import { type EmulatorClock } from './clock';
import { type ResolvedEmulatorOptions } from './emulator.options';
import { opaqueToken } from './ids';
import { type KeyRing } from './keys';
import { toWorkOSSession } from './session-object';
import { type EmulatorStore, type UserSession } from './store';
import { createUsers, toWorkOSUser, type EmulatorUser } from './users';
import { type WebhookDispatcher } from './webhooks';

/** Everything the routes share. One per running emulator. */
export class EmulatorContext {
  /** Settable at run time through the test controls. */
  ignoreMaxAge: boolean;
  /** Set once the server listens (the port may have been 0). */
  url = '';
  private readonly usersById: Map<string, EmulatorUser>;
  private readonly usersByEmail: Map<string, EmulatorUser>;
  private readonly usersByFactor: Map<string, EmulatorUser>;
  private readonly lastSignInAt = new Map<string, string>();

  constructor(
    readonly options: ResolvedEmulatorOptions,
    readonly clock: EmulatorClock,
    readonly keys: KeyRing,
    readonly store: EmulatorStore,
    users: EmulatorUser[],
    readonly webhooks: WebhookDispatcher,
  ) {
    this.ignoreMaxAge = options.ignoreMaxAge;
    this.usersById = new Map();
    this.usersByEmail = new Map();
    this.usersByFactor = new Map();
    for (const user of users) this.index(user);
  }

  /** The `iss` of every access token: WorkOS's shape, on the emulator's own origin. */
  get issuer(): string {
    return `${this.url}/user_management/${this.options.clientId}`;
  }

  userById(id: string): EmulatorUser | undefined {
    return this.usersById.get(id);
  }

  userByEmail(email: string): EmulatorUser | undefined {
    return this.usersByEmail.get(email.trim().toLowerCase());
  }

  /** The user whose TOTP factor has this id. */
  userByFactor(factorId: string): EmulatorUser | undefined {
    return this.usersByFactor.get(factorId);
  }

  /**
   * Adds a user from a seed (checked as the `users` option checks one); its email and id must be
   * free. A user deleted before can come back: with the same email it gets the same id.
   */
  addUser(seed: unknown): EmulatorUser {
    let user: EmulatorUser;
    try {
      [user] = createUsers([seed], new Date(this.clock.nowMs()));
    } catch (error) {
      throw new TypeError((error as Error).message.replace(/^users\[0\]/, 'user'));
    }
    if (this.usersByEmail.has(user.email)) {
      throw new TypeError(`a user with email ${user.email} exists`);
    }
    if (this.usersById.has(user.id)) throw new TypeError(`a user with id ${user.id} exists`);
    this.index(user);
    return user;
  }

  /**
   * Deletes a user as WorkOS does: the user is gone, with every session of theirs, and
   * `user.deleted` is sent. False when no user has the id.
   */
  deleteUser(id: string): boolean {
    const user = this.usersById.get(id);
    if (!user) return false;
    const deleted = this.workosUser(user);
    this.usersById.delete(user.id);
    this.usersByEmail.delete(user.email);
    if (user.totpFactorId) this.usersByFactor.delete(user.totpFactorId);
    this.lastSignInAt.delete(user.id);
    this.store.forgetSessionsOf(user.id);
    this.webhooks.send('user.deleted', deleted);
    return true;
  }

  /** Sends `session.revoked` for a session that just ended; the store reports each one once. */
  sessionEnded(session: UserSession): void {
    const user = this.usersById.get(session.userId);
    this.webhooks.send('session.revoked', toWorkOSSession(session, user, this.clock.nowMs()));
  }

  recordSignIn(userId: string): void {
    this.lastSignInAt.set(userId, new Date(this.clock.nowMs()).toISOString());
  }

  workosUser(user: EmulatorUser): Record<string, unknown> {
    return toWorkOSUser(user, this.lastSignInAt.get(user.id) ?? null);
  }

  private index(user: EmulatorUser): void {
    this.usersById.set(user.id, user);
    this.usersByEmail.set(user.email, user);
    if (user.totpFactorId) this.usersByFactor.set(user.totpFactorId, user);
  }

  /** Compares a presented API key in constant time. */
  isApiKey(presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const digest = (value: string) => createHash('sha256').update(value).digest();
    return timingSafeEqual(digest(presented), digest(this.options.apiKey));
  }

  /**
   * Signs an access token for a session. `auth_time` is the session's: issuing a token (on a
   * code exchange or a refresh) never moves it.
   */
  async signAccessToken(
    session: Pick<UserSession, 'id' | 'authTime'>,
    user: EmulatorUser,
    overrides: { expiresIn?: number; authTime?: number; claims?: Record<string, unknown> } = {},
  ): Promise<string> {
    const iat = this.clock.nowSeconds();
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: user.id,
      sid: session.id,
      org_id: user.organizationId,
      role: user.role,
      roles: [user.role],
      permissions: user.permissions,
      jti: opaqueToken(16),
      iat,
      exp: iat + (overrides.expiresIn ?? this.options.accessTokenTtlSeconds),
      auth_time: overrides.authTime ?? session.authTime,
    };
    for (const [name, value] of Object.entries(overrides.claims ?? {})) {
      if (value === null) delete claims[name];
      else claims[name] = value;
    }
    return this.keys.sign(claims);
  }

  /** The body of a successful `/user_management/authenticate`, with a fresh refresh token. */
  async authenticationResponse(session: UserSession, user: EmulatorUser): Promise<object> {
    return {
      user: this.workosUser(user),
      organization_id: user.organizationId,
      access_token: await this.signAccessToken(session, user),
      refresh_token: this.store.rotateRefreshToken(session),
      authentication_method: session.method,
    };
  }
}

/** A request parameter that is missing, repeated, of the wrong type or too long. */
export class ParameterError extends Error {
  override name = this.constructor.name;

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

interface ReadOptions {
  max?: number;
  pattern?: RegExp;
}

/** Reads one string parameter from a query or body object; absent gives `undefined`. */
export function optionalParam(
  source: unknown,
  name: string,
  { max = 2048, pattern }: ReadOptions = {},
): string | undefined {
  const value =
    typeof source === 'object' && source !== null
      ? (source as Record<string, unknown>)[name]
      : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ParameterError(name, `${name} must be a single string`);
  if (value.length > max) throw new ParameterError(name, `${name} is too long`);
  if (pattern && !pattern.test(value)) throw new ParameterError(name, `${name} is malformed`);
  return value;
}

export function requiredParam(source: unknown, name: string, options: ReadOptions = {}): string {
  const value = optionalParam(source, name, options);
  if (value === undefined || value === '') throw new ParameterError(name, `${name} is required`);
  return value;
}

import { createHash, timingSafeEqual } from 'node:crypto';
import { type EmulatorClock } from './clock';
import { type ResolvedEmulatorOptions } from './emulator.options';
import { opaqueToken } from './ids';
import { type KeyRing } from './keys';
import { type EmulatorStore, type UserSession } from './store';
import { toWorkOSUser, type EmulatorUser } from './users';

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
  ) {
    this.ignoreMaxAge = options.ignoreMaxAge;
    this.usersById = new Map(users.map((user) => [user.id, user]));
    this.usersByEmail = new Map(users.map((user) => [user.email, user]));
    this.usersByFactor = new Map(
      users.flatMap((user) => (user.totpFactorId ? [[user.totpFactorId, user] as const] : [])),
    );
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

  recordSignIn(userId: string): void {
    this.lastSignInAt.set(userId, new Date(this.clock.nowMs()).toISOString());
  }

  workosUser(user: EmulatorUser): Record<string, unknown> {
    return toWorkOSUser(user, this.lastSignInAt.get(user.id) ?? null);
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

import { readFileSync } from 'node:fs';
import { Secret } from 'otpauth';
import { stableId } from './ids';

/** How a user of the emulator signs in. Exactly one primary factor: a password or SSO. */
export interface EmulatorUserSeed {
  /** What the user signs in with; matched without regard to case, and unique among the users. */
  email: string;
  /** Signs in with this password on the hosted page. */
  password?: string;
  /** Base32 TOTP secret (SHA-1, 6 digits, 30 s): a second step after the password. */
  totpSecret?: string;
  /** Signs in through the simulated identity-provider page instead of a password. */
  sso?: boolean;
  /** The user object's `first_name`; `null` when absent. */
  firstName?: string;
  /** The user object's `last_name`; `null` when absent. */
  lastName?: string;
  /** Defaults to an id derived from the email, stable across restarts. */
  id?: string;
  /**
   * The organization of the user's sessions: the tokens' `org_id` and the `organization_id` of
   * sign-ins. Default {@link DEMO_ORGANIZATION_ID}.
   */
  organizationId?: string;
  /** The tokens' `role` (and only entry of `roles`). Default `member`. */
  role?: string;
  /** The tokens' `permissions`. Default none. */
  permissions?: string[];
}

/** A user as the emulator keeps it. */
export interface EmulatorUser {
  id: string;
  email: string;
  password?: string;
  totpSecret?: string;
  /** The id of the user's TOTP factor (`auth_factor_...`), derived from the email; with `totpSecret`. */
  totpFactorId?: string;
  sso: boolean;
  firstName: string | null;
  lastName: string | null;
  organizationId: string;
  role: string;
  permissions: string[];
  createdAt: string;
}

/** The organization every demo user belongs to unless their seed names another. */
export const DEMO_ORGANIZATION_ID = stableId('org', 'authkit-emulator demo organization');

/**
 * The users a fresh emulator knows: alice signs in with a password, bob with a password and a
 * TOTP code, carol through SSO.
 */
export const DEMO_USERS: readonly EmulatorUserSeed[] = Object.freeze([
  {
    email: 'alice@example.com',
    password: 'alice-password',
    firstName: 'Alice',
    lastName: 'Anderson',
    role: 'admin',
    permissions: ['account:read', 'account:write', 'transfers:create'],
  },
  {
    email: 'bob@example.com',
    password: 'bob-password',
    totpSecret: 'JBSWY3DPEHPK3PXP',
    firstName: 'Bob',
    lastName: 'Brown',
    role: 'member',
    permissions: ['account:read', 'account:write'],
  },
  {
    email: 'carol@sso.example.com',
    sso: true,
    firstName: 'Carol',
    lastName: 'Clark',
    role: 'member',
    permissions: ['account:read'],
  },
]);

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
const SEED_KEYS = new Set([
  'email',
  'password',
  'totpSecret',
  'sso',
  'firstName',
  'lastName',
  'id',
  'organizationId',
  'role',
  'permissions',
]);

function optionalString(seed: Record<string, unknown>, key: string, where: string): void {
  const value = seed[key];
  if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
    throw new TypeError(`${where}: "${key}" must be a non-empty string`);
  }
}

/** Checks seeds and turns them into users; throws a TypeError that names the bad entry. */
export function createUsers(seeds: readonly unknown[], now: Date): EmulatorUser[] {
  if (!Array.isArray(seeds) || seeds.length === 0) {
    throw new TypeError('users must be a non-empty array');
  }
  const byEmail = new Set<string>();
  return seeds.map((raw, index) => {
    const where = `users[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TypeError(`${where} must be an object`);
    }
    const seed = raw as Record<string, unknown>;
    for (const key of Object.keys(seed)) {
      if (!SEED_KEYS.has(key)) throw new TypeError(`${where}: unknown field "${key}"`);
    }
    if (typeof seed.email !== 'string' || !EMAIL.test(seed.email)) {
      throw new TypeError(`${where}: "email" must be an email address`);
    }
    for (const key of [
      'password',
      'totpSecret',
      'firstName',
      'lastName',
      'id',
      'organizationId',
      'role',
    ]) {
      optionalString(seed, key, where);
    }
    if (seed.sso !== undefined && typeof seed.sso !== 'boolean') {
      throw new TypeError(`${where}: "sso" must be a boolean`);
    }
    const sso = seed.sso === true;
    if (sso === (seed.password !== undefined)) {
      throw new TypeError(`${where}: give exactly one of "password" or "sso": true`);
    }
    if (sso && seed.totpSecret !== undefined) {
      throw new TypeError(`${where}: an SSO user's second factor belongs to its identity provider`);
    }
    if (typeof seed.totpSecret === 'string') {
      try {
        if (Secret.fromBase32(seed.totpSecret).bytes.length < 10) throw new Error('too short');
      } catch {
        throw new TypeError(`${where}: "totpSecret" must be base32 of at least 80 bits`);
      }
    }
    if (
      seed.permissions !== undefined &&
      (!Array.isArray(seed.permissions) || seed.permissions.some((p) => typeof p !== 'string'))
    ) {
      throw new TypeError(`${where}: "permissions" must be an array of strings`);
    }
    const email = seed.email.toLowerCase();
    if (byEmail.has(email)) throw new TypeError(`${where}: duplicate email ${email}`);
    byEmail.add(email);
    return {
      id: (seed.id as string | undefined) ?? stableId('user', email),
      email,
      password: seed.password as string | undefined,
      totpSecret: seed.totpSecret as string | undefined,
      totpFactorId: seed.totpSecret === undefined ? undefined : stableId('auth_factor', email),
      sso,
      firstName: (seed.firstName as string | undefined) ?? null,
      lastName: (seed.lastName as string | undefined) ?? null,
      organizationId: (seed.organizationId as string | undefined) ?? DEMO_ORGANIZATION_ID,
      role: (seed.role as string | undefined) ?? 'member',
      permissions: (seed.permissions as string[] | undefined) ?? [],
      createdAt: now.toISOString(),
    };
  });
}

/** Reads a users file (a JSON array of {@link EmulatorUserSeed}) for the CLI's `--users`. */
export function readUsersFile(path: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new TypeError(`cannot read users file ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new TypeError(`users file ${path} must hold a JSON array`);
  return parsed;
}

/** The WorkOS user object, as the API returns it (snake_case). */
export function toWorkOSUser(
  user: EmulatorUser,
  lastSignInAt: string | null,
): Record<string, unknown> {
  return {
    object: 'user',
    id: user.id,
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    name: [user.firstName, user.lastName].filter(Boolean).join(' ') || null,
    profile_picture_url: null,
    last_sign_in_at: lastSignInAt,
    locale: null,
    external_id: null,
    metadata: {},
    created_at: user.createdAt,
    updated_at: user.createdAt,
  };
}

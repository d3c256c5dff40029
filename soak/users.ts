import type { EmulatorUserSeed } from 'authkit-emulator';
import type { Random } from './random';

/** How a virtual user signs in at the emulator's hosted pages. */
export type SignInMethod = 'password' | 'totp' | 'sso';

export const SIGN_IN_METHODS: readonly SignInMethod[] = ['password', 'totp', 'sso'];

/** A virtual user: an account of its own at the emulator, and a client address of its own. */
export interface SoakUser {
  index: number;
  id: string;
  email: string;
  method: SignInMethod;
  password?: string;
  totpSecret?: string;
  /**
   * The loopback address its connections come from (all of 127.0.0.0/8 is local on Linux): to the
   * library each user is a client of its own, as real users are, so the per-address sign-in limit
   * applies to one user's sign-ins and not to everyone's together.
   */
  address: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function token(random: Random, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[random.int(0, alphabet.length - 1)];
  return out;
}

/**
 * `count` distinct users: the first three sign in with a password, a password and a TOTP code,
 * and SSO; the others with one of them at random (2:1:1 — password users are most common).
 */
export function soakUsers(count: number, random: Random): SoakUser[] {
  return Array.from({ length: count }, (_, index) => {
    const method =
      index < SIGN_IN_METHODS.length
        ? SIGN_IN_METHODS[index]
        : random.weighted<SignInMethod>([
            ['password', 2],
            ['totp', 1],
            ['sso', 1],
          ]);
    const name = `soak-${String(index).padStart(4, '0')}`;
    return {
      index,
      id: `user_soak_${String(index).padStart(4, '0')}`,
      email: method === 'sso' ? `${name}@sso.soak.example` : `${name}@soak.example`,
      method,
      password: method === 'sso' ? undefined : `pw-${token(random, 16, BASE32.toLowerCase())}`,
      // 160 bits, as authenticator apps use.
      totpSecret: method === 'totp' ? token(random, 32, BASE32) : undefined,
      address: `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`,
    };
  });
}

/** The users as the emulator's `users` option takes them. */
export function emulatorSeeds(users: readonly SoakUser[]): EmulatorUserSeed[] {
  return users.map((user) => ({
    id: user.id,
    email: user.email,
    ...(user.method === 'sso' ? { sso: true } : { password: user.password }),
    totpSecret: user.totpSecret,
    firstName: 'Soak',
    lastName: `User ${user.index}`,
    permissions: ['account:read', 'account:write', 'transfers:create'],
  }));
}

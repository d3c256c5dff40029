import type * as AuthKitEmulatorPackage from 'authkit-emulator';
import { requireOptionalPeer } from '../core/optional-peer';

/** The runtime exports of the optional peer dependency `authkit-emulator`. */
export type AuthKitEmulatorModule = typeof AuthKitEmulatorPackage;

/**
 * Loads `authkit-emulator`, an optional peer dependency that only the testing kit needs, so that
 * a missing install fails with the command that fixes it rather than a bare resolution error.
 *
 * @param load - `require`, or a stand-in in tests.
 */
export function loadAuthKitEmulator(load?: (id: string) => unknown): AuthKitEmulatorModule {
  return requireOptionalPeer<AuthKitEmulatorModule>(
    'authkit-emulator',
    'nest-workos-reauth/testing',
    'npm install --save-dev authkit-emulator',
    load,
  );
}

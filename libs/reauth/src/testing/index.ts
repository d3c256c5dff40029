// The public API of nest-workos-reauth/testing: a kit for an app's own tests of its guarded
// routes, on a local AuthKit emulator. It needs the optional peer dependency authkit-emulator.
export { TestClock } from './test-clock';
export { startReauthTestKit } from './reauth-test-kit';
export type {
  AccessTokenInput,
  ReauthTestKit,
  ReauthTestKitOptions,
  SessionCookieInput,
} from './reauth-test-kit.interfaces';
export type { AuthKitEmulator, EmulatorUserSeed } from 'authkit-emulator';

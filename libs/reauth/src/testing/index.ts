// The public API of nest-workos-reauth/testing: a kit for an app's own tests of its guarded
// routes, on a local AuthKit emulator (it needs the optional peer dependency authkit-emulator),
// and the contract suite every ReauthStore must pass.
export { TestClock } from './test-clock';
export {
  describeReauthStoreContract,
  type ReauthStoreContractOptions,
} from './reauth-store.contract';
// Named by the contract suite's signature; stores extend it from nest-workos-reauth.
export type { ReauthStore } from '../stores/reauth.store';
export type {
  ReauthStoreChannel,
  ReauthStoreChannelListener,
  ReauthStoreSubscription,
} from '../stores/reauth-store-channel';
export {
  describePasskeyCredentialStoreContract,
  type PasskeyCredentialStoreContractOptions,
} from './passkey-credential-store.contract';
// Named by the passkey contract suite's signature; stores extend it from nest-workos-reauth.
export type {
  PasskeyCredential,
  PasskeyCredentialStore,
  PasskeyCredentialUse,
} from '../stores/passkey-credential.store';
// The class TestClock extends; apps import it from nest-workos-reauth as well.
export type { ReauthClock } from '../core/clock';
export { startReauthTestKit } from './reauth-test-kit';
export type {
  AccessTokenInput,
  ReauthTestKit,
  ReauthTestKitOptions,
  SessionCookieInput,
} from './reauth-test-kit.interfaces';
export type { AuthKitEmulator, EmulatorUserSeed } from 'authkit-emulator';

export { EmulatorClock } from './clock';
export { startAuthKitEmulator, type AuthKitEmulator } from './emulator';
export { FAULT_TARGETS, type EmulatorFaults, type FaultSpec, type FaultTarget } from './faults';
export {
  EMULATOR_DEFAULTS,
  resolveEmulatorOptions,
  type AuthKitEmulatorOptions,
} from './emulator.options';
export {
  type IssueAuthorizationCodeInput,
  type MintAccessTokenInput,
} from './test-controls.routes';
export { DEMO_ORGANIZATION_ID, DEMO_USERS, readUsersFile, type EmulatorUserSeed } from './users';
export { BROWSER_COOKIE } from './browser';

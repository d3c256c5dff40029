export { EmulatorClock } from './clock';
export { startAuthKitEmulator, type AuthKitEmulator } from './emulator';
export {
  FAULT_TARGETS,
  type EmulatorFaults,
  type FaultSpec,
  type FaultStatus,
  type FaultTarget,
} from './faults';
export { EMULATOR_DEFAULTS, type AuthKitEmulatorOptions } from './emulator.options';
export {
  type IssueAuthorizationCodeInput,
  type MintAccessTokenInput,
} from './test-controls.routes';
export { DEMO_ORGANIZATION_ID, DEMO_USERS, readUsersFile, type EmulatorUserSeed } from './users';
export { BROWSER_COOKIE } from './browser';

/**
 * A local WorkOS AuthKit for development and tests, served on 127.0.0.1 to the real
 * `@workos-inc/node` SDK: hosted sign-in pages (password, TOTP, SSO), the token endpoint (codes,
 * refresh tokens, passwords and TOTP codes), MFA challenges, JWKS, sessions and users, signed
 * `session.revoked` and `user.deleted` webhooks, plus test controls (clock, faults, minted tokens
 * and codes, webhook endpoints and deliveries). Never for production. Start with {@link authkit-emulator#startAuthKitEmulator}.
 *
 * @packageDocumentation
 */

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
export {
  signWebhook,
  WEBHOOK_EVENTS,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEndpointOptions,
  type WebhookEvent,
  type WebhookEventName,
} from './webhooks';

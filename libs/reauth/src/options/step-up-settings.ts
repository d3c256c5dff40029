import { fail, integerInRange, originOf, requiredString } from '../core/option-checks';
import { PasskeyCredentialStore } from '../stores/passkey-credential.store';
import type {
  InPageMethod,
  ReauthPasskeyOptions,
  ReauthStepUpOptions,
} from '../interfaces/step-up-options.interface';

export type { InPageMethod } from '../interfaces/step-up-options.interface';

/** The in-page methods, in the order a dialog offers them. */
export const IN_PAGE_METHODS: readonly InPageMethod[] = Object.freeze(['passkey', 'password']);

/** {@link ReauthStepUpOptions}, checked. */
export abstract class StepUpSettings {
  abstract readonly passkeys?: Readonly<Required<ReauthPasskeyOptions>>;
  abstract readonly password: boolean;
  abstract readonly proofLifetimeSeconds: number;
}

const RP_ID =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks the `stepUp` option. `canConfirmPasswords`: whether the provider can check passwords.
 */
export function resolveStepUp(value: unknown, canConfirmPasswords: boolean): StepUpSettings {
  if (value === undefined) return Object.freeze({ password: false, proofLifetimeSeconds: 3600 });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('stepUp', 'must be an object');
  }
  const options = value as ReauthStepUpOptions;
  if (options.password === true && !canConfirmPasswords) {
    fail('stepUp.password', 'needs a provider that can check passwords (WorkOS AuthKit)');
  }
  if (options.password !== undefined && typeof options.password !== 'boolean') {
    fail('stepUp.password', 'must be a boolean');
  }
  return Object.freeze({
    passkeys: options.passkeys === undefined ? undefined : resolvePasskeys(options.passkeys),
    password: options.password ?? canConfirmPasswords,
    proofLifetimeSeconds: integerInRange(
      options.proofLifetimeSeconds,
      'stepUp.proofLifetimeSeconds',
      3600,
      60,
      86_400,
    ),
  });
}

function resolvePasskeys(value: unknown): Readonly<Required<ReauthPasskeyOptions>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('stepUp.passkeys', 'must be an object');
  }
  const options = value as ReauthPasskeyOptions;
  const rpId = requiredString(options.rpId, 'stepUp.passkeys.rpId');
  if (!RP_ID.test(rpId)) {
    fail('stepUp.passkeys.rpId', 'must be a lower-case domain name such as "app.example.com"');
  }
  const rpName = requiredString(options.rpName, 'stepUp.passkeys.rpName');
  if (rpName.length > 64) fail('stepUp.passkeys.rpName', 'must be at most 64 characters');
  if (!Array.isArray(options.origins) || options.origins.length === 0) {
    fail('stepUp.passkeys.origins', 'must be a non-empty array of origins');
  }
  const origins = options.origins.map((origin, i) => {
    const checked = originOf(origin, `stepUp.passkeys.origins[${i}]`);
    const host = new URL(checked).hostname;
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      fail(`stepUp.passkeys.origins[${i}]`, `(${checked}) must be on rpId ${rpId}`);
    }
    return checked;
  });
  if (!(options.credentials instanceof PasskeyCredentialStore)) {
    fail('stepUp.passkeys.credentials', 'must extend PasskeyCredentialStore');
  }
  return Object.freeze({
    rpId,
    rpName,
    origins: Object.freeze(origins) as string[],
    credentials: options.credentials,
    challengeSeconds: integerInRange(
      options.challengeSeconds,
      'stepUp.passkeys.challengeSeconds',
      120,
      30,
      600,
    ),
    maxPerUser: integerInRange(options.maxPerUser, 'stepUp.passkeys.maxPerUser', 10, 1, 100),
    enrolMaxAge: integerInRange(options.enrolMaxAge, 'stepUp.passkeys.enrolMaxAge', 300, 30, 3600),
  });
}

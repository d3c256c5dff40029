import { fail, integerInRange } from '../core/option-checks';
import type { ReauthModuleOptions } from '../interfaces';
import type { ResolvedReauthOptions } from './resolved-options';

/** `providerSignals`, checked; see {@link ReauthModuleOptions.providerSignals}. */
export function resolveProviderSignals(
  options: ReauthModuleOptions,
): ResolvedReauthOptions['providerSignals'] {
  const given: unknown = options.providerSignals ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('providerSignals', 'must be an object');
  }
  const { workosWebhookSecret, backchannelLogout, perAddressPerMinute } = given as NonNullable<
    ReauthModuleOptions['providerSignals']
  >;
  if (workosWebhookSecret !== undefined) {
    if (typeof workosWebhookSecret !== 'string' || workosWebhookSecret.length < 16) {
      fail('providerSignals.workosWebhookSecret', 'must be the endpoint secret WorkOS shows');
    }
    if (options.oidc !== undefined) {
      fail('providerSignals.workosWebhookSecret', 'is for WorkOS; this module uses `oidc`');
    }
  }
  if (backchannelLogout !== undefined && typeof backchannelLogout !== 'boolean') {
    fail('providerSignals.backchannelLogout', 'must be a boolean');
  }
  return Object.freeze({
    workosWebhookSecret,
    backchannelLogout: options.oidc !== undefined && backchannelLogout !== false,
    perAddressPerMinute: integerInRange(
      perAddressPerMinute,
      'providerSignals.perAddressPerMinute',
      600,
      1,
      1_000_000,
    ),
  });
}

/** `revocationView`, checked; see {@link ReauthModuleOptions.revocationView}. */
export function resolveRevocationView(
  options: ReauthModuleOptions,
): ResolvedReauthOptions['revocationView'] {
  const given: unknown = options.revocationView ?? {};
  if (given === false) return false;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    fail('revocationView', 'must be false or an object');
  }
  const { maxEntries, heartbeatMs } = given as Exclude<
    ReauthModuleOptions['revocationView'],
    false | undefined
  >;
  return Object.freeze({
    maxEntries: integerInRange(maxEntries, 'revocationView.maxEntries', 100_000, 100, 10_000_000),
    heartbeatMs: integerInRange(heartbeatMs, 'revocationView.heartbeatMs', 500, 50, 60_000),
  });
}

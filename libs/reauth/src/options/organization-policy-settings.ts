import { fail, integerInRange } from '../core/option-checks';
import type { ReauthLevel, ReauthOrganizationPolicy } from '../interfaces/policy-options.interface';

/** The `organizationPolicy` option, checked: defaults filled in, `resolve` bound to its object. */
export interface ResolvedOrganizationPolicy {
  /** The verified claim that names the organization. */
  readonly claim: string;
  readonly resolve: ReauthOrganizationPolicy['resolve'];
  /** How long a successful answer is reused, per organization and route; `0`: never. */
  readonly cacheSeconds: number;
  /** How long `resolve` may take before the lookup counts as failed. */
  readonly timeoutMs: number;
  /** `'unavailable'` (a 503) or the name of a level in `levels`, applied as the rule. */
  readonly onFailure: string;
}

/** The checked `organizationPolicy` option, when given (a DI token and its type). */
export abstract class OrganizationPolicySettings {
  abstract readonly organizationPolicy?: ResolvedOrganizationPolicy;
}

/**
 * Checks the `organizationPolicy` option at start-up; `levels` are the module's checked levels,
 * which `onFailure` may name. `undefined` when the option is absent.
 */
export function resolveOrganizationPolicy(
  value: unknown,
  levels: ReadonlyMap<string, ReauthLevel>,
): ResolvedOrganizationPolicy | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail('organizationPolicy', 'must be an object');
  }
  const options = value as Partial<ReauthOrganizationPolicy>;
  const claim = options.claim ?? 'org_id';
  if (typeof claim !== 'string' || claim.trim() === '') {
    fail('organizationPolicy.claim', 'must be a non-empty string');
  }
  const resolve = options.resolve;
  if (typeof resolve !== 'function') fail('organizationPolicy.resolve', 'must be a function');
  const onFailure = options.onFailure ?? 'unavailable';
  if (typeof onFailure !== 'string') {
    fail('organizationPolicy.onFailure', `must be 'unavailable' or the name of a level`);
  }
  if (onFailure !== 'unavailable' && !levels.has(onFailure)) {
    fail(
      'organizationPolicy.onFailure',
      `names level ${JSON.stringify(onFailure.slice(0, 80))}, which is not in levels`,
    );
  }
  return Object.freeze({
    claim,
    // An object's method keeps its `this` (a class instance given as the option).
    resolve: resolve.bind(options),
    cacheSeconds: integerInRange(
      options.cacheSeconds,
      'organizationPolicy.cacheSeconds',
      60,
      0,
      86_400,
    ),
    timeoutMs: integerInRange(options.timeoutMs, 'organizationPolicy.timeoutMs', 1000, 1, 60_000),
    onFailure,
  });
}

import { deepFreeze } from '../core/deep-freeze';
import { isValidMaxAge } from '../core/freshness';
import type { ReauthLevel, ReauthPolicyOverride } from '../interfaces/policy-options.interface';
import type { EffectivePolicy } from './effective-policy';

/**
 * `base` with `override` applied, never loosened: the shorter `maxAge`, the `acr`, `amr` and
 * `methods` both accept (the override's alone where the base names none), the sliding window
 * gone on `slide: false` (and on a one-time result, which has no window); `rule` is added to
 * `rules`. `undefined` when nothing could satisfy the result: no `acr` or `amr` both accept, or
 * a `maxAge` that is not an integer from 0 to 10 years. A route open to any signed-in session
 * (`maxAge` `null`) is returned as it is.
 *
 * `methods` lists the confirmations inside the page that count besides a sign-in at the
 * provider, which always counts: methods in common with none left is `[]`, "the provider only",
 * a tighter policy rather than an impossible one.
 */
export function tightenPolicy(
  base: EffectivePolicy,
  override: ReauthPolicyOverride,
  rule: string,
): EffectivePolicy | undefined {
  if (base.maxAge === null) return base;
  if (override.maxAge !== undefined && !isValidMaxAge(override.maxAge)) return undefined;
  const maxAge =
    override.maxAge === undefined ? base.maxAge : Math.min(base.maxAge, override.maxAge);
  const acr = intersect(base.acr, override.acr);
  const amr = intersect(base.amr, override.amr);
  if (acr?.length === 0 || amr?.length === 0) return undefined;
  const methods = intersect(base.methods, override.methods);
  const tightened: EffectivePolicy = { ...base, maxAge, rules: [...base.rules, rule] };
  if (acr !== undefined) tightened.acr = acr;
  if (amr !== undefined) tightened.amr = amr;
  if (methods !== undefined) tightened.methods = methods;
  if (override.slide === false || maxAge === 0) delete tightened.slide;
  else if (base.slide !== undefined) tightened.slide = { ...base.slide };
  return deepFreeze(tightened);
}

/**
 * A level used as an organization's rule: its `maxAge`, `acr`, `amr` and `methods`, and
 * `slide: false` when the level has no sliding window (a window the route has would outlast
 * what the level allows).
 */
export function levelAsOverride(level: ReauthLevel): ReauthPolicyOverride {
  return deepFreeze({
    maxAge: level.maxAge,
    ...(level.acr === undefined ? {} : { acr: [...level.acr] }),
    ...(level.amr === undefined ? {} : { amr: [...level.amr] }),
    ...(level.methods === undefined ? {} : { methods: [...level.methods] }),
    ...(level.slide === undefined ? { slide: false as const } : {}),
  });
}

/**
 * What both lists accept, in `base`'s order; either list alone when the other is absent. Always
 * a copy: the result is frozen, its inputs are not.
 */
function intersect<T>(
  base: readonly T[] | undefined,
  override: readonly T[] | undefined,
): T[] | undefined {
  if (override === undefined) return base && [...base];
  if (base === undefined) return [...override];
  return base.filter((value) => override.includes(value));
}

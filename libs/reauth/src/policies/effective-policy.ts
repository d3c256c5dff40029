import type { InPageMethod } from '../interfaces/step-up-options.interface';
import type { ActionBinding } from '../interfaces/route-requirement.interface';

export type { ActionBinding, BoundValue } from '../interfaces/route-requirement.interface';

/**
 * What a route requires once its level, the module default and any organization rule are
 * applied: plain, frozen data.
 */
export interface EffectivePolicy {
  /** Seconds since the last proof; `null` when any signed-in session will do. */
  maxAge: number | null;
  acr?: readonly string[];
  amr?: readonly string[];
  methods?: readonly InPageMethod[];
  /** A sliding window, up to `capSeconds` after the proof. */
  slide?: { readonly capSeconds: number };
  /** The level's name, when the route uses one. */
  level?: string;
  /** The action binding; the route is then one-time. */
  bind?: ActionBinding;
  /** The organization whose rule was applied. */
  organization?: string;
  /** What shaped the policy, in order, for explanations: e.g. `['level strict', 'organization org_1']`. */
  rules: readonly string[];
}
